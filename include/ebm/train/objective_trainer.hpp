#pragma once
// Stochastic-gradient training of a conditional model on an objective that needs no sampler, such as the
// baselines pseudo-likelihood (crf/pseudo_likelihood.hpp) and piecewise training (crf/piecewise.hpp). It
// takes the TrainOptions of the sampler-based Trainer and goes through the data the same way (the same
// portable shuffle from the same seed stream, minibatches of batch_size, the last partial one dropped, the
// same learning-rate and momentum schedules, optimizers and gradient transforms, here with neither data term nor
// chains in their context: weight decay works, centering and the energy penalty do not), so comparing the two
// is a one-line change:
//
//   Trainer trainer(crf, chains, options);               // data term − sampled model term
//   ObjectiveTrainer trainer(crf, pseudo_lik, options);  // ∇ of the pseudo-likelihood
//
// An Objective has Model and Scalar types and `double accumulate(const Model&, const ConditionalBatch<S>&,
// VecRef<S> grad)`, which returns the minibatch's objective and adds its gradient to grad.
#include <chrono>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/random.hpp"
#include "ebm/train/gradient_transform.hpp"
#include "ebm/train/option_transforms.hpp"
#include "ebm/train/optimizer_concept.hpp"
#include "ebm/train/selected_optimizer.hpp"
#include "ebm/train/shuffle.hpp"
#include "ebm/train/trainer.hpp"

namespace ebm {

template <class Objective, class Opt = SelectedOptimizer<typename Objective::Scalar>>
  requires OptimizerFor<Opt, typename Objective::Model>
class ObjectiveTrainer {
public:
  using Model = typename Objective::Model;
  using Scalar = typename Objective::Scalar;
  using Data = ConditionalData<Scalar>;
  using Context = UpdateContext<Model, Data, ConditionalBatch<Scalar>, NoTerm, NoTerm>;

  ObjectiveTrainer(Model& model, Objective& objective, TrainOptions options)
      : ObjectiveTrainer(model, objective, options, optimizer_from_options<Opt>(options)) {}
  ObjectiveTrainer(Model& model, Objective& objective, TrainOptions options, Opt optimizer)
      : model_(model), objective_(objective), opt_(options), optimizer_(std::move(optimizer)),
        shuffle_(make_stream(options.seed, StreamPurpose::shuffle, 0)) {
    opt_.validate();
    ensure(!opt_.centering, "ObjectiveTrainer: centering is for RBMs; this objective has no hidden offsets");
    add_option_transforms(transforms_, opt_);
  }

  Opt& optimizer() { return optimizer_; }
  OptimizerState optimizer_state() const { return optimizer_.state(); }
  void restore_optimizer(const OptimizerState& s) { detail::restore_checked(optimizer_, s, model_.num_params()); }
  TransformList<Context>& transforms() { return transforms_; }
  template <class T>
  std::decay_t<T>& add_transform(T&& t) {
    return transforms_.add(std::forward<T>(t));
  }

  const TrainOptions& options() const { return opt_; }
  int epochs_done() const { return epoch_; }
  std::int64_t updates_done() const { return updates_; }
  const VectorX<Scalar>& last_gradient() const { return grad_; }
  // The objective of the last minibatch, and its mean over the minibatches of the last epoch (before each
  // update: a running training loss, not an evaluation at the final θ).
  double last_objective() const { return last_; }
  double last_epoch_objective() const { return epoch_mean_; }

  double learning_rate_at(double progress) const { return opt_.learning_rate * opt_.schedule.factor(progress); }

  // One update from one minibatch; returns its objective before the step.
  double update(const ConditionalBatch<Scalar>& batch, double lr, double momentum) {
    ensure(lr > 0 && std::isfinite(lr), "learning rate = ", lr, " must be positive and finite");
    ensure(momentum >= 0 && momentum < 1, "momentum = ", momentum, " must lie in [0, 1)");
    return step(batch, lr, momentum);
  }

  // One pass over `data` in a fresh random order (every update sees batch_size rows).
  EpochReport train_epoch(const Data& data, const std::function<void(Index, Index)>& on_update = {}) {
    ensure(opt_.batch_size <= data.rows(), "batch_size = ", opt_.batch_size, " exceeds the ", data.rows(),
           " training examples");
    const auto t0 = std::chrono::steady_clock::now();
    transforms_.start_epoch(model_, data);
    shuffle_order(order_, data.rows(), shuffle_);
    const Index per_epoch = data.rows() / opt_.batch_size;
    double lr = 0, mom = 0, total = 0;
    for (Index u = 0; u < per_epoch; ++u) {
      batch_.gather(data, order_.data() + u * opt_.batch_size, opt_.batch_size);
      const double epoch_pos = epoch_ + double(u) / double(per_epoch);
      lr = learning_rate_at(epoch_pos / opt_.epochs);
      mom = opt_.momentum.at(epoch_pos);
      total += step(batch_, lr, mom);
      if (on_update) on_update(u + 1, per_epoch);
    }
    epoch_mean_ = total / double(per_epoch);
    ++epoch_;
    return {epoch_, updates_, lr, mom, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  }

  // Epochs until options().epochs are done; on_epoch may return false to stop early.
  void fit(const Data& data, const std::function<bool(const EpochReport&)>& on_epoch = {}) {
    while (epoch_ < opt_.epochs) {
      const EpochReport rep = train_epoch(data);
      if (on_epoch && !on_epoch(rep)) break;
    }
  }

private:
  double step(const ConditionalBatch<Scalar>& batch, double lr, double momentum) {
    grad_.setZero(model_.num_params());
    try {
      last_ = objective_.accumulate(model_, batch, grad_);  // validates the batch
      if (!transforms_.empty()) {
        const NoTerm none;
        transforms_.apply(Context{model_, batch, Scalar(1) / Scalar(batch.rows()), none, none, Scalar(0)}, grad_);
      }
      optimizer_.step(model_, grad_, lr, momentum);
    } catch (const Error& e) {
      fail("training update ", updates_ + 1, " (epoch ", epoch_ + 1, "): ", e.what());
    }
    ++updates_;
    return last_;
  }

  Model& model_;
  Objective& objective_;
  TrainOptions opt_;
  Opt optimizer_;
  TransformList<Context> transforms_;
  Rng shuffle_;
  VectorX<Scalar> grad_;
  ConditionalBatch<Scalar> batch_;
  std::vector<Index> order_;
  double last_ = 0, epoch_mean_ = 0;
  int epoch_ = 0;
  std::int64_t updates_ = 0;
};

}  // namespace ebm
