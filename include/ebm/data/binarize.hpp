#pragma once
// Binarization of intensities in [0, 1] for Bernoulli visible units.
//  stochastic: pixel on with probability equal to its intensity, redrawn for every epoch of training; the
//              convention behind the published MNIST log-likelihoods (Salakhutdinov & Murray 2008).
//  threshold:  pixel on when its intensity is > 0.5 (scikit-learn examples, PyDeep); much higher
//              log-likelihoods, not comparable with the literature.
// Stochastic draws are made in fixed blocks of rows, each with its own stream derived from (seed, round,
// block), so a binarization is the same for any thread count and any round can be recomputed on resume.
#include <cstdint>
#include <string>

#include "ebm/core/types.hpp"

namespace ebm {

enum class Binarize { stochastic, threshold };

Binarize parse_binarize(const std::string& s);
const char* to_string(Binarize b);

// round: the epoch for training data; test sets use test_binarization_round with the seed below, so every
// run of ebm evaluates on the same fixed binary test set.
void binarize(const ConstBatchRef<float>& intensities, Binarize mode, std::uint64_t seed, std::uint64_t round,
              BatchRef<float> out);

inline constexpr std::uint64_t test_binarization_seed = 20080705;  // fixed: the published test set sample
inline constexpr std::uint64_t test_binarization_round = 0xFFFFFFFFull;

}  // namespace ebm
