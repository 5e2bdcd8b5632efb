#pragma once
// State of a batch of chains of a two-layer model: one row per chain. Besides the sampled (v, h) it caches
// ph = E[h | v], computed in the sweep anyway, which is exactly the statistic the model term needs
// (Rao-Blackwellized over h), so the trainer never recomputes it.
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

}  // namespace ebm
