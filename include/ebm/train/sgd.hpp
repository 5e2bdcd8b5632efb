#pragma once
// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay:
//   velocity ← momentum · velocity − lr · (grad + weight_decay · θ_w),   θ ← θ + velocity
// where θ_w are the model's weights (its first num_weights() parameters when it says so; biases are not
// decayed, as is usual for RBMs), or all parameters otherwise.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <concepts>
#include <string>

#include "ebm/core/detail/scan.hpp"
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

template <class S>
class Sgd {
public:
  const VectorX<S>& velocity() const { return velocity_; }
  VectorX<S>& velocity() { return velocity_; }

  // Parallel over fixed ranges of the parameters (element-wise, so the bits do not depend on the split),
  // with the would-be parameters scanned for non-finite values in the same pass; the entry-by-entry loop
  // that names the first bad one runs only when the scan finds one.
  template <class M>
  void step(M& model, const VectorX<S>& grad, double lr, double momentum, double weight_decay) {
    ensure(grad.size() == model.num_params(), "Sgd::step: gradient has ", grad.size(), " entries, model has ",
           model.num_params(), " parameters");
    if (velocity_.size() != grad.size()) velocity_.setZero(grad.size());
    const Index nw = decayed_param_count(model), size = grad.size();
    const S m = S(momentum), a = S(lr), wd = S(weight_decay);
    const VectorX<S>& theta = model.params();
    next_.resize(size);
    std::atomic<bool> diverged{false};
    for_each_range(size, grain, [&](Index k0, Index n) {
      const Index w = std::clamp(nw - k0, Index(0), n);  // [k0, k0 + w) are decayed weights
      next_.segment(k0, w) = m * velocity_.segment(k0, w) - a * (grad.segment(k0, w) + wd * theta.segment(k0, w));
      next_.segment(k0 + w, n - w) = m * velocity_.segment(k0 + w, n - w) - a * grad.segment(k0 + w, n - w);
      if (detail::any_nonfinite_sum(theta.data() + k0, next_.data() + k0, n))
        diverged.store(true, std::memory_order_relaxed);
    });
    // Checked before anything changes, so a diverging step throws and leaves model and optimizer intact.
    if (diverged.load())
      for (Index k = 0; k < size; ++k)
        if (!std::isfinite(double(theta[k] + next_[k]))) {
          std::string name = "#" + std::to_string(k);
          if constexpr (requires { model.param_name(k); }) name = model.param_name(k);
          fail("SGD step: parameter ", name, " would become ", double(theta[k] + next_[k]), " (gradient ",
               double(grad[k]), "); training diverged, lower the learning rate");
        }
    velocity_.swap(next_);
    model.modify_params([&](VectorX<S>& t) {
      for_each_range(size, grain, [&](Index k0, Index n) { t.segment(k0, n) += velocity_.segment(k0, n); });
    });
  }

private:
  static constexpr Index grain = Index(1) << 15;  // 128 KiB of floats per task and array
  VectorX<S> velocity_, next_;
};

}  // namespace ebm
