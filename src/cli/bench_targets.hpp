#pragma once
// The targets of `ebm bench` (issue 13): a spelling on the command line → an energy, with whatever exact answers or
// reference states it has. The binary targets are models over x ∈ {0,1}^d in float; the potts target is a model
// over label rows x ∈ {0, …, q−1}^n, which the benchmark handles as numbers (labels; a state is a float row either
// way, so the Hamming statistic, the running mean and the traces are one code path):
//
//   ising:LxW:sigma[:field]   IsingModel, periodic L × W lattice, coupling σ (σ_c ≈ 0.2203), uniform field h
//   potts:LxW:q:J[:field]     PottsModel, periodic L × W lattice, q labels, coupling J (J_c = ln(1 + √q)), field h
//                             on label 0 at every site (h_{s,0} = field, the other labels 0)
//   bernoulli:d[:seed]        FactorizedBernoulli with logits a_i ~ N(0, 1) drawn from the seed (default 1)
//   rbm:FILE                  the free energy of the BernoulliRBM in FILE (RbmFreeEnergy)
//   mlp:FILE                  the MLP energy with its factorized Bernoulli base term in FILE (BaseTermEnergy)
//
// Exact mean (for the RMSE of the running mean): by enumeration when d ≤ 25 (any binary target; a 5 × 5 Ising
// model is 2^25 states, a few seconds) or q^n ≤ 2^22 (potts: the mean label of every site), in closed form σ(a)
// for bernoulli. Reference states (for MMD²): exact independent draws for bernoulli; for rbm, the final states of
// long block-Gibbs chains (block Gibbs draws v and h from their exact conditionals, the reference of Grathwohl et
// al. 2021). A new target type is one more alternative of TargetModel and one branch of make_target; the samplers
// that do not apply to it say so.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "ebm/core/types.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/factorized_bernoulli.hpp"
#include "ebm/models/ising_model.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/models/potts_model.hpp"
#include "ebm/models/rbm_free_energy.hpp"

namespace ebm::cli {

using IsingTarget = IsingModelf;
using BernoulliTarget = FactorizedBernoulli<float>;
using RbmTarget = RbmFreeEnergy<float>;
using MlpTarget = BaseTermEnergy<MlpEnergyf>;
using PottsTarget = PottsModelf;
using TargetModel = std::variant<IsingTarget, BernoulliTarget, RbmTarget, MlpTarget, PottsTarget>;

// The number of coordinates of a state: d of a binary model, the sites of a categorical one.
template <class M>
Index state_dim(const M& model) {
  if constexpr (requires { model.num_sites(); })
    return model.num_sites();
  else
    return model.dim();
}

struct ReferenceOptions {
  Index states = 500;   // reference states for MMD²
  Index sweeps = 1000;  // block-Gibbs sweeps of each reference chain (rbm)
};

struct BenchTarget {
  std::string spec;  // as given on the command line
  std::string kind;  // ising, potts, bernoulli, rbm, mlp
  TargetModel model;
  int labels = 2;    // values a coordinate takes, 0 … labels − 1: 2 for the binary targets, q for potts
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
