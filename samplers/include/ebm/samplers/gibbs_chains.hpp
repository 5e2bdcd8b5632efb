#pragma once
// State of a batch of chains of a two-layer model: one row per chain. Besides the sampled (v, h) it caches
// ph = E[h | v], computed in the sweep anyway, which is exactly the statistic the model term needs
// (Rao-Blackwellized over h), so the trainer never recomputes it.
#include <utility>

#include "ebm/core/types.hpp"
#include "ebm/samplers/step_info.hpp"

namespace ebm {

template <class S>
struct GibbsChains {
  MatrixX<S> v;   // visible states (chains × nv)
  MatrixX<S> h;   // hidden states (chains × nh)
  MatrixX<S> ph;  // E[h | v] for the current v (chains × nh)
  // E(v, h) at β = 1 of each chain, in double, as of its last tempered sweep (BlockGibbs::step_tempered):
  // parallel tempering's swaps read it instead of recomputing a product. Sized by prepare, unused otherwise.
  Eigen::VectorXd energy;

  Index size() const { return v.rows(); }
};

// Chain r of a and chain r of b trade places, (v, h, ph, energy) together (ExchangeableChains,
// tempering_concept.hpp). ph = E[h | v] travels with v; it was computed at the temperature of the sweep that
// left it, which parallel tempering corrects where the model term reads it (joint_tempering.hpp).
template <class S>
void exchange_chain(GibbsChains<S>& a, GibbsChains<S>& b, Index r) {
  a.v.row(r).swap(b.v.row(r));
  a.h.row(r).swap(b.h.row(r));
  a.ph.row(r).swap(b.ph.row(r));
  if (r < a.energy.size() && r < b.energy.size()) std::swap(a.energy[r], b.energy[r]);
}

}  // namespace ebm
