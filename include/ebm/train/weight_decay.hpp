#pragma once
// L2 weight decay as a gradient transform (gradient_transform.hpp): the loss gains (weight_decay / 2)·‖θ_w‖²,
// so grad_w += weight_decay · θ_w, where θ_w are the model's weights: its first num_weights() parameters when
// it says so (biases are not decayed, as is usual for RBMs and MLPs), all parameters otherwise.
//
// Applied to the gradient, before the optimizer, so SGD and Adam both see g + weight_decay · θ_w. For SGD that
// is exactly the decay Sgd::step used to add itself (the same float operations); Adam used to form the sum in
// double, and now receives it rounded to the model's Scalar (for float models a relative difference of at
// most 2⁻²⁴ in g; nothing changes for double models).
#include <algorithm>
#include <cmath>
#include <concepts>

#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class M>
Index decayed_param_count(const M& model) {
  if constexpr (requires { { model.num_weights() } -> std::convertible_to<Index>; })
    return model.num_weights();
  else
    return model.num_params();
}

class WeightDecay {
public:
  explicit WeightDecay(double coefficient) : wd_(coefficient) {
    ensure(coefficient >= 0 && std::isfinite(coefficient), "weight_decay = ", coefficient,
           " must be non-negative and finite");
  }
  double coefficient() const { return wd_; }

  // Element-wise over fixed ranges in parallel, so the bits do not depend on the number of threads.
  template <class Ctx>
  void apply(const Ctx& ctx, VecRef<typename Ctx::Scalar> grad) const {
    using S = typename Ctx::Scalar;
    const Index nw = std::min(decayed_param_count(ctx.model), grad.size());
    const S wd = S(wd_);
    const VectorX<S>& theta = ctx.model.params();
    for_each_range(nw, grain, [&](Index k0, Index n) { grad.segment(k0, n) += wd * theta.segment(k0, n); });
  }

private:
  static constexpr Index grain = Index(1) << 15;
  double wd_;
};

}  // namespace ebm
