#pragma once
// Stochastic gradient descent with (heavy-ball) momentum:
//   velocity ← momentum · velocity − lr · grad,   θ ← θ + velocity.
// Weight decay is a gradient transform (weight_decay.hpp) that adds weight_decay · θ_w to grad before this
// step, which gives exactly the numbers of the decay this step used to add itself.
// Meets OptimizerFor (optimizer_concept.hpp): its state is the velocity ("velocity") and the step count.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>

#include "ebm/core/detail/scan.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"
#include "ebm/train/optimizer_concept.hpp"
#include "ebm/train/optimizer_state.hpp"

namespace ebm {

template <class S>
class Sgd {
public:
  static constexpr const char* kind = "sgd";

  const VectorX<S>& velocity() const { return velocity_; }
  VectorX<S>& velocity() { return velocity_; }
  std::int64_t steps() const { return steps_; }

  // Parallel over fixed ranges of the parameters (element-wise, so the bits do not depend on the split),
  // with the would-be parameters scanned for non-finite values in the same pass; the entry-by-entry loop
  // that names the first bad one runs only when the scan finds one.
  template <class M>
  void step(M& model, const VectorX<S>& grad, double lr, double momentum) {
    ensure(grad.size() == model.num_params(), "Sgd::step: gradient has ", grad.size(), " entries, model has ",
           model.num_params(), " parameters");
    if (velocity_.size() == 0) velocity_.setZero(grad.size());
    ensure(velocity_.size() == grad.size(), "Sgd::step: the velocity has ", velocity_.size(),
           " entries (restored from another model?), the model has ", grad.size(), " parameters");
    const Index size = grad.size();
    const S m = S(momentum), a = S(lr);
    const VectorX<S>& theta = model.params();
    next_.resize(size);
    std::atomic<bool> diverged{false};
    for_each_range(size, grain, [&](Index k0, Index n) {
      next_.segment(k0, n) = m * velocity_.segment(k0, n) - a * grad.segment(k0, n);
      if (detail::any_nonfinite_sum(theta.data() + k0, next_.data() + k0, n))
        diverged.store(true, std::memory_order_relaxed);
    });
    // Checked before anything changes, so a diverging step throws and leaves model and optimizer intact.
    if (diverged.load()) detail::check_finite_step(model, theta, next_, grad, "SGD step");
    // The model may still refuse θ + velocity (modify_params throws): the velocity changes only after it accepted.
    model.modify_params([&](VectorX<S>& t) {
      for_each_range(size, grain, [&](Index k0, Index n) { t.segment(k0, n) += next_.segment(k0, n); });
    });
    velocity_.swap(next_);
    ++steps_;
  }

  // The velocity in float32, as a checkpoint stores it (exact for S = float).
  OptimizerState state() const {
    OptimizerState s;
    s.kind = kind;
    s.steps = steps_;
    s.vectors["velocity"] = velocity_.template cast<float>();
    return s;
  }
  void restore(const OptimizerState& s) {
    detail::check_optimizer_state(s, kind, {"velocity"});
    velocity_ = s.vectors.at("velocity").template cast<S>();
    steps_ = s.steps;
  }

private:
  static constexpr Index grain = Index(1) << 15;  // 128 KiB of floats per task and array
  VectorX<S> velocity_, next_;
  std::int64_t steps_ = 0;
};

}  // namespace ebm
