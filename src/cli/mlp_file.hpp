#pragma once
// An MLP energy read from a model file, and what `ebm eval` and `ebm sample` need beside it: the factorized
// Bernoulli base distribution (AIS's start and the chains' start states) and a kernel over it whose step size,
// for DMALA, is adapted at β = 1 before it is used (then frozen).
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "cli/kernel_choice.hpp"
#include "cli/model_choice.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"

namespace ebm::cli {

MlpModel mlp_of(const ModelFile& f);

// The logits of the base distribution: the model's base term if it has one, else the training marginals that
// `ebm train` stores (data_marginals), else the marginals of `data`.
VectorX<float> base_logits_for(const MlpModel& m, const nlohmann::json& meta, const Matrixf& data);
// For a model without a base term (an RBM's free energy): the stored training marginals, else those of `data`.
VectorX<float> base_logits_for(Index d, const nlohmann::json& meta, const Matrixf& data);

// n states drawn from the factorized Bernoulli with these logits, row r from stream (seed, init, 1).
Matrixf base_draws(const VectorX<float>& logits, Index n, std::uint64_t seed);

// DMALA's step size adapted by dual averaging towards `target` acceptance over `steps` steps of chains that
// start at x0 and move under `target_model` (any other kernel is left as it is); prints nothing.
template <class K, class Target>
double adapt_step_size(K& kernel, const Target& target_model, const Matrixf& x0, Index steps, double target,
                       std::uint64_t seed) {
  if constexpr (AdaptableKernel<K>) {
    if (steps <= 0) return kernel.step_size();
    auto rng = make_chain_streams(seed + 1000, x0.rows());
    typename K::State s;
    kernel.init(target_model, s, x0, rng);
    StepSizeWarmup w;
    w.steps = steps;
    w.adaptation.target = target;
    return warm_up_step_size(kernel, target_model, s, rng, w).step_size;
  } else {
    (void)kernel, (void)target_model, (void)x0, (void)steps, (void)target, (void)seed;
    return 0.0;
  }
}

}  // namespace ebm::cli
