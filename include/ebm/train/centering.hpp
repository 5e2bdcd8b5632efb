#pragma once
// Centering (Melchior, Fischer & Wiskott 2016, "How to center deep Boltzmann machines"), a gradient transform
// (gradient_transform.hpp) for models with latent units: the gradient is taken as if the units were shifted by
// offsets μ (visible) and λ (hidden), which the model's center_gradient(grad, μ, λ) applies to the plain
// data − model gradient (for a Bernoulli RBM see bernoulli_rbm.hpp). The offsets:
//   μ = the mean of the epoch's training data (start_epoch; the first minibatch's mean when updates run
//       without train_epoch),
//   λ ← (1 − rate) λ + rate · mean over the minibatch of E[h | v]   (λ = that mean at the first update),
// with E[h | v] from the data term of this update (its last_hidden_means()). λ is the transform's state: a
// checkpoint stores hidden_offset() and a resumed run sets it back before the next update; μ is recomputed
// every epoch.
#include <cmath>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

// Whether Centering can run in an update with context Ctx: the model centers a gradient and the data term
// keeps the minibatch's hidden means.
template <class Ctx>
concept CenterableContext =
    requires(const Ctx& ctx, VecRef<typename Ctx::Scalar> grad, const VectorX<typename Ctx::Scalar>& offset) {
      ctx.model.center_gradient(grad, offset, offset);
      { ctx.data_term.last_hidden_means() } -> std::convertible_to<const MatrixX<typename Ctx::Scalar>&>;
      ctx.batch.colwise().mean();
    };

template <class S>
class Centering {
public:
  explicit Centering(double rate = 0.01) : rate_(rate) {
    ensure(rate > 0 && rate <= 1, "centering_rate = ", rate, " must lie in (0, 1]");
  }

  double rate() const { return rate_; }
  // λ (empty until the first update): part of a checkpoint.
  VectorX<S>& hidden_offset() { return hidden_; }
  const VectorX<S>& hidden_offset() const { return hidden_; }
  const VectorX<S>& visible_offset() const { return visible_; }

  template <class Model, class Data>
  void start_epoch(const Model& /*model*/, const Data& data) {
    if constexpr (requires { data.colwise().mean(); }) visible_ = data.colwise().mean().transpose();
  }

  template <class Ctx>
  void apply(const Ctx& ctx, VecRef<S> grad) {
    static_assert(CenterableContext<Ctx>,
                  "Centering needs a model with center_gradient(grad, visible offset, hidden offset) and a data term "
                  "with last_hidden_means() (a Bernoulli RBM in Trainer)");
    if (visible_.size() != ctx.model.dim()) visible_ = ctx.batch.colwise().mean().transpose();
    batch_h_.noalias() = ctx.data_term.last_hidden_means().colwise().mean().transpose();  // sized once
    const auto rate = S(rate_);
    if (hidden_.size() != batch_h_.size())
      hidden_ = batch_h_;
    else
      hidden_ = (S(1) - rate) * hidden_ + rate * batch_h_;
    ctx.model.center_gradient(grad, visible_, hidden_);
  }

private:
  double rate_;
  VectorX<S> visible_, hidden_;
  VectorX<S> batch_h_;  // this update's mean of E[h | v], kept so that an update allocates nothing
};

}  // namespace ebm
