#pragma once
// State of a batch of Langevin chains (ULA or MALA), one row per chain. Like BlackJAX's MALAState and Stan's
// ps_point it caches what the next step needs: the energy and its gradient at the current position, so a
// step evaluates the model once (at the proposal), never twice. Beside the cache, its stamp: the model and θ
// it was computed for (param_stamp.hpp), so each chain set knows when its own cache went stale.
#include <cstdint>
#include <utility>
#include <vector>

#include "ebm/core/types.hpp"
#include "ebm/samplers/gibbs_chains.hpp"  // StepInfo
#include "ebm/samplers/param_stamp.hpp"

namespace ebm {

template <class S>
struct LangevinChains {
  MatrixX<S> x;              // positions (chains × d)
  VectorX<S> energy;         // E(x_r) at the θ of stamp
  MatrixX<S> grad;           // ∇ₓE(x_r) at that θ (chains × d)
  ParamStamp<S> stamp;       // the model and θ energy and grad belong to
  Vectord acceptance;        // chain r's acceptance probability min(1, α) in its last step (1 for ULA)
  std::vector<std::uint8_t> accepted;  // whether chain r's last proposal was accepted
  std::int64_t steps = 0;    // steps taken since init

  Index size() const { return x.rows(); }
};

// Chain r of a and chain r of b trade places (ExchangeableChains, tempering_concept.hpp): the state, its cached
// E and ∇ₓE and its last acceptance move together, and both caches are marked stale, because the states belong to
// different targets (parallel tempering's replicas) and the rows now hold values of the other one: the next step
// of each set re-evaluates its cache (a stale one is never used).
template <class S>
void exchange_chain(LangevinChains<S>& a, LangevinChains<S>& b, Index r) {
  a.x.row(r).swap(b.x.row(r));
  std::swap(a.energy[r], b.energy[r]);
  a.grad.row(r).swap(b.grad.row(r));
  std::swap(a.acceptance[r], b.acceptance[r]);
  std::swap(a.accepted[std::size_t(r)], b.accepted[std::size_t(r)]);
  a.stamp.invalidate();
  b.stamp.invalidate();
}

// What one step did, over all chains. acceptance_rate (from StepInfo) is the mean of the chains' acceptance
// probabilities, the statistic step-size adaptation tracks.
struct LangevinStepInfo : StepInfo {
  Index accepted = 0;      // chains that moved
  Index non_finite = 0;    // proposals rejected because their energy or gradient was NaN or infinite
  Index outside_box = 0;   // MALA with BoxMode::clip: proposals rejected because they left the box
};

}  // namespace ebm
