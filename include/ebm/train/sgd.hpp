#pragma once
// Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay:
//   velocity ← momentum · velocity − lr · (grad + weight_decay · θ_w),   θ ← θ + velocity
// where θ_w are the model's weights (its first num_weights() parameters when it says so; biases are not
// decayed, as is usual for RBMs), or all parameters otherwise.
#include <concepts>

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
    model.modify_params([&](VectorX<S>& theta) {
      velocity_.head(nw) = m * velocity_.head(nw) - a * (grad.head(nw) + wd * theta.head(nw));
      const Index rest = grad.size() - nw;
      velocity_.tail(rest) = m * velocity_.tail(rest) - a * grad.tail(rest);
      theta += velocity_;
    });
  }

private:
  VectorX<S> velocity_;
};

}  // namespace ebm
