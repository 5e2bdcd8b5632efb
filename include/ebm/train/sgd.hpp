#pragma once
// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay:
//   velocity ← momentum · velocity − lr · (grad + weight_decay · θ_w),   θ ← θ + velocity
// where θ_w are the model's weights (its first num_weights() parameters when it says so; biases are not
// decayed, as is usual for RBMs), or all parameters otherwise.
#include <cmath>
#include <concepts>
#include <string>

#include "ebm/core/error.hpp"
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

  template <class M>
  void step(M& model, const VectorX<S>& grad, double lr, double momentum, double weight_decay) {
    ensure(grad.size() == model.num_params(), "Sgd::step: gradient has ", grad.size(), " entries, model has ",
           model.num_params(), " parameters");
    if (velocity_.size() != grad.size()) velocity_.setZero(grad.size());
    const Index nw = decayed_param_count(model);
    const S m = S(momentum), a = S(lr), wd = S(weight_decay);
    const VectorX<S>& theta = model.params();
    next_.resize(grad.size());
    next_.head(nw) = m * velocity_.head(nw) - a * (grad.head(nw) + wd * theta.head(nw));
    const Index rest = grad.size() - nw;
    next_.tail(rest) = m * velocity_.tail(rest) - a * grad.tail(rest);
    // Checked before anything changes, so a diverging step throws and leaves model and optimizer intact.
    for (Index k = 0; k < grad.size(); ++k)
      if (!std::isfinite(double(theta[k] + next_[k]))) {
        std::string name = "#" + std::to_string(k);
        if constexpr (requires { model.param_name(k); }) name = model.param_name(k);
        fail("SGD step: parameter ", name, " would become ", double(theta[k] + next_[k]), " (gradient ",
             double(grad[k]), "); training diverged, lower the learning rate");
      }
    velocity_.swap(next_);
    model.modify_params([&](VectorX<S>& t) { t += velocity_; });
  }

private:
  VectorX<S> velocity_, next_;
};

}  // namespace ebm
