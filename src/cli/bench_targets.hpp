#pragma once
// The targets of `ebm bench` (issue 13): a spelling on the command line → a binary energy, with whatever exact
// answers or reference states it has. Every target is a model over x ∈ {0,1}^d in float:
//
//   ising:LxW:sigma[:field]   IsingModel, periodic L × W lattice, coupling σ (σ_c ≈ 0.2203), uniform field h
//   bernoulli:d[:seed]        FactorizedBernoulli with logits a_i ~ N(0, 1) drawn from the seed (default 1)
//   rbm:FILE                  the free energy of the BernoulliRBM in FILE (RbmFreeEnergy)
//   mlp:FILE                  the MLP energy with its factorized Bernoulli base term in FILE (BaseTermEnergy)
//
// Exact mean (for the RMSE of the running mean): by enumeration when d ≤ 25 (any target; a 5 × 5 Ising model is
// 2^25 states, a few seconds), in closed form σ(a) for bernoulli. Reference states (for MMD²): exact independent
// draws for bernoulli; for rbm, the final states of long block-Gibbs chains (block Gibbs draws v and h from their
// exact conditionals, the reference of Grathwohl et al. 2021). A new target type (a Potts model, say) is one more
// alternative of TargetModel and one branch of make_target; the samplers that do not apply to it say so.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "ebm/core/types.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/factorized_bernoulli.hpp"
#include "ebm/models/ising_model.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/models/rbm_free_energy.hpp"

namespace ebm::cli {

using IsingTarget = IsingModelf;
using BernoulliTarget = FactorizedBernoulli<float>;
using RbmTarget = RbmFreeEnergy<float>;
using MlpTarget = BaseTermEnergy<MlpEnergyf>;
using TargetModel = std::variant<IsingTarget, BernoulliTarget, RbmTarget, MlpTarget>;

struct ReferenceOptions {
  Index states = 500;   // reference states for MMD²
  Index sweeps = 1000;  // block-Gibbs sweeps of each reference chain (rbm)
};

struct BenchTarget {
  std::string spec;  // as given on the command line
  std::string kind;  // ising, bernoulli, rbm, mlp
  TargetModel model;
  std::optional<Vectord> exact_mean;  // E_p[x] → RMSE of the running mean
  std::optional<Matrixf> reference;   // states from p (or close to it) → MMD²
  std::string reference_source;       // how the reference states were made
  std::string note;                   // what to know about the target (the phase of an Ising model)

  Index dim() const;
};

// Parses `spec`, builds the model and its exact answers; an ebm::Error naming the spec and the valid spellings.
BenchTarget make_target(const std::string& spec, std::uint64_t seed, const ReferenceOptions& reference);

// The valid spellings, one line.
const char* target_usage();

}  // namespace ebm::cli
