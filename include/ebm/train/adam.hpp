#pragma once
// Adam (Kingma & Ba 2015), an alternative to Sgd with the same step(model, grad, lr, momentum) shape (it
// ignores the momentum schedule: β₁ is its momentum). With g = grad and t the step count after this step:
//   m ← β₁ m + (1 − β₁) g,     v ← β₂ v + (1 − β₂) g²,
//   θ ← θ − lr · m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ).
// The per-parameter scale 1/√v̂ makes the step size insensitive to the gradient's units, which is why it is
// the usual choice for neural energies whose parameters have very different curvatures. Weight decay is a
// gradient transform (weight_decay.hpp) that adds weight_decay · θ_w to grad before this step (L2 in the loss,
// as with SGD; not AdamW's decoupled decay).
//
// Meets OptimizerFor (optimizer_concept.hpp): its state is "m", "v" (float32 in the state, exact for S = float)
// and the step count t, which the bias corrections need.
//
// Strong guarantee: θ + Δ is checked to be finite, and the model accepts it (modify_params may refuse it,
// e.g. a precision that is not positive definite), before the moments and the step count change; a failed
// step throws and leaves model and optimizer exactly as they were.
#include <cmath>
#include <cstdint>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/train/optimizer_concept.hpp"
#include "ebm/train/optimizer_state.hpp"

namespace ebm {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;

  void validate() const {
    ensure(beta1 >= 0 && beta1 < 1, "Adam: beta1 = ", beta1, " must lie in [0, 1)");
    ensure(beta2 >= 0 && beta2 < 1, "Adam: beta2 = ", beta2, " must lie in [0, 1)");
    ensure(eps > 0 && std::isfinite(eps), "Adam: eps = ", eps, " must be positive and finite");
  }
};

template <class S>
class Adam {
public:
  static constexpr const char* kind = "adam";

  explicit Adam(AdamOptions options = {}) : opt_(options) { opt_.validate(); }

  const AdamOptions& options() const { return opt_; }
  // The moment estimates and the step count: the optimizer's state (part of a checkpoint).
  const VectorX<S>& first_moment() const { return m_; }
  const VectorX<S>& second_moment() const { return v_; }
  std::int64_t steps() const { return t_; }

  // `momentum` is the trainer's schedule, which Adam ignores (β₁ is its momentum).
  template <class M>
  void step(M& model, const VectorX<S>& grad, double lr, double /*momentum*/ = 0.0) {
    ensure(grad.size() == model.num_params(), "Adam::step: gradient has ", grad.size(), " entries, model has ",
           model.num_params(), " parameters");
    ensure(lr > 0 && std::isfinite(lr), "Adam::step: learning rate = ", lr, " must be positive and finite");
    const Index p = grad.size();
    if (m_.size() == 0) {
      m_.setZero(p);
      v_.setZero(p);
    }
    ensure(m_.size() == p, "Adam::step: the moments have ", m_.size(),
           " entries (restored from another model?), the model has ", p, " parameters");
    const VectorX<S>& theta = model.params();
    const double b1 = opt_.beta1, b2 = opt_.beta2;
    const auto t = double(t_ + 1);
    // Bias corrections in double: 1 − β₂ᵗ is tiny for small t and loses digits in float.
    const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
    m_next_.resize(p);
    v_next_.resize(p);
    delta_.resize(p);
    for (Index k = 0; k < p; ++k) {
      const double g = double(grad[k]);
      const double m = b1 * double(m_[k]) + (1 - b1) * g;
      const double v = b2 * double(v_[k]) + (1 - b2) * g * g;
      m_next_[k] = S(m);
      v_next_[k] = S(v);
      delta_[k] = S(-lr * (m / c1) / (std::sqrt(v / c2) + opt_.eps));
    }
    detail::check_finite_step(model, theta, delta_, grad, "Adam step");
    model.modify_params([&](VectorX<S>& th) { th += delta_; });  // may throw: nothing of ours changed yet
    m_.swap(m_next_);
    v_.swap(v_next_);
    ++t_;
  }

  OptimizerState state() const {
    OptimizerState s;
    s.kind = kind;
    s.steps = t_;
    s.vectors["m"] = m_.template cast<float>();
    s.vectors["v"] = v_.template cast<float>();
    return s;
  }
  // Beyond the common checks: v ≥ 0 (a second moment; √v̂ of a negative one is NaN) and steps > 0 exactly
  // when there are moments (the bias corrections divide by 1 − β₂ᵗ).
  void restore(const OptimizerState& s) {
    const Index p = detail::check_optimizer_state(s, kind, {"m", "v"});
    ensure((p > 0) == (s.steps > 0), "optimizer state (adam): steps = ", s.steps, " with moments of ", p,
           " entries; both must be zero or both positive");
    const Vectorf& v = s.vectors.at("v");
    for (Index k = 0; k < p; ++k)
      ensure(v[k] >= 0, "optimizer state (adam): v[", k, "] = ", double(v[k]),
             " is negative; a second moment cannot be");
    m_ = s.vectors.at("m").template cast<S>();
    v_ = v.template cast<S>();
    t_ = s.steps;
  }

private:
  AdamOptions opt_;
  VectorX<S> m_, v_, m_next_, v_next_, delta_;
  std::int64_t t_ = 0;
};

}  // namespace ebm
