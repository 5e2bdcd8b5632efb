#pragma once
// An optional refinement of BinaryEnergyModel (core/concepts.hpp) for energies with local structure.
#include <concepts>
#include <span>

#include "ebm/core/concepts.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

// Optional: a binary energy that knows the exact effect of one flip cheaply, E(x with x_i flipped) − E(x), in
// time independent of d (a lattice model's local field: models/ising_model.hpp, models/factorized_bernoulli.hpp).
// That is the exact single-site conditional, p(x_i = 1 − x_i | x_−i) = σ(−flip_delta(x, i)), so single-site and
// Hamming-ball kernels (samplers/systematic_gibbs.hpp, hamming_ball.hpp) update a site without evaluating E on a
// whole row: a sweep of a 50 × 50 lattice costs O(d), not O(d²). x is one binary row of length dim(); the
// result is in double whatever Scalar is. Must be safe to call concurrently on a const model.
template <class M>
concept BinaryFlipModel = BinaryEnergyModel<M> && requires(const M& m, std::span<const typename M::Scalar> x, Index i) {
  { m.flip_delta(x, i) } -> std::convertible_to<double>;
};

}  // namespace ebm
