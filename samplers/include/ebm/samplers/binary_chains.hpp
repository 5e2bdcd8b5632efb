#pragma once
// State of a batch of chains over binary x ∈ {0,1}^d (the kernels of binary_kernels.hpp), one row per chain.
// Like LangevinChains it caches what the next step needs, E(x_r) and, for gradient-informed kernels, ∇ₓE(x_r),
// and beside them the stamp of the model and θ they were computed for (param_stamp.hpp): a kernel compares it
// with the model at the start of every step and re-evaluates a stale cache first, so one kernel may step any
// number of chain sets while a trainer changes θ between steps.
#include <cstdint>
#include <utility>
#include <vector>

#include "ebm/core/types.hpp"
#include "ebm/samplers/chain_exchange.hpp"
#include "ebm/samplers/param_stamp.hpp"
#include "ebm/samplers/step_info.hpp"

namespace ebm {

template <class S>
struct BinaryChains {
  MatrixX<S> x;         // states (chains × d), every entry 0 or 1
  VectorX<S> energy;    // E(x_r) at the θ of stamp
  MatrixX<S> grad;      // ∇ₓE(x_r) at that θ (chains × d); 0 rows when no gradient is cached (energy-only kernels)
  ParamStamp<S> stamp;  // the model and θ energy and grad belong to
  Vectord acceptance;   // chain r's acceptance probability in its last step
  std::vector<std::uint8_t> accepted;  // whether chain r's last proposal was taken
  std::int64_t steps = 0;              // steps since init

  Index size() const { return x.rows(); }
  bool has_grad() const { return grad.rows() == x.rows() && grad.cols() == x.cols() && x.rows() > 0; }
};

// Chain r of a and chain r of b trade places (ExchangeableChains, tempering_concept.hpp): the state, its cached
// E and ∇ₓE and its last acceptance move together, and both caches are marked stale, because the states belong to
// different targets (parallel tempering's replicas) and the rows now hold values of the other one: the next step
// of each set re-evaluates its cache (a stale one is never used).
template <class S>
void exchange_chain(BinaryChains<S>& a, BinaryChains<S>& b, Index r) {
  exchange_cached_chain(a, b, r);  // chain_exchange.hpp
}

// What one step of a binary kernel did, over all chains. acceptance_rate is the mean of the chains' acceptance
// probabilities (Metropolis kernels; DULA's is 1; random-scan Gibbs reports its mean flip probability).
struct BinaryStepInfo : StepInfo {
  Index accepted = 0;       // chains that moved
  Index non_finite = 0;     // proposals rejected because E or ∇ₓE there was NaN or infinite
  double mean_flips = 0;    // mean number of coordinates a proposal changed
};

}  // namespace ebm
