#pragma once
// Stochastic-gradient training of an energy-based model by maximum likelihood:
//   ∇θ [−log p(x)] = E_{data}[∂F/∂θ] − E_{model}[∂F/∂θ]
// The trainer only combines: data term (DataTerm, parallel over the minibatch) minus model term (the chain
// policy's chains, CD-k, PCD-k or a replay buffer) → the run's gradient transforms in order (centering, weight
// decay, an energy penalty, …: gradient_transform.hpp) → optimizer step (any OptimizerFor: Sgd, Adam, or the
// default SelectedOptimizer, which picks one of the two from TrainOptions at run time). The same trainer serves
// RBMs (LatentGibbsModel), continuous energies (ContinuousEnergyModel) and conditional models p(y | x)
// (ConditionalGibbsModel, e.g. grid CRFs: there a minibatch is inputs with their labels, and the model term is
// one chain per example, see samplers/per_example_chains.hpp). Every random choice comes from
// streams derived from the seed, so training is bit-identical for any number of threads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/conditional_model.hpp"
#include "ebm/samplers/chain_policy_concept.hpp"
#include "ebm/train/conditional_data_term.hpp"
#include "ebm/train/data_term.hpp"
#include "ebm/train/gradient_transform.hpp"
#include "ebm/train/option_transforms.hpp"
#include "ebm/train/optimizer_concept.hpp"
#include "ebm/train/optimizer_state.hpp"
#include "ebm/train/schedule.hpp"
#include "ebm/train/selected_optimizer.hpp"
#include "ebm/train/shuffle.hpp"
#include "ebm/train/train_options.hpp"

namespace ebm {

struct EpochReport {
  int epoch = 0;              // 1-based number of the epoch just finished
  std::int64_t updates = 0;   // total updates so far
  double learning_rate = 0;   // at the end of the epoch
  double momentum = 0;
  double seconds = 0;         // wall time of this epoch
};

// Data check for Bernoulli visible layers; models with other visible types provide their own validate_data.
// A continuous energy takes any finite vector, so finiteness is all it needs.
template <class M>
void validate_data(const M& model, const ConstBatchRef<typename M::Scalar>& x, std::string_view what) {
  check_nonempty(x.rows(), what);
  check_cols(x.cols(), model.dim(), what);
  if constexpr (requires { model.validate_data(x, what); }) {
    check_finite(x, what);
    model.validate_data(x, what);
  } else if constexpr (!(ContinuousEnergyModel<M> && !LatentGibbsModel<M>)) {
    check_finite_binary(x, what);  // one scan of the data: every epoch checks the whole training set
  } else {
    check_finite(x, what);
  }
}

// Labelled data for a conditional model: inputs must be finite, labels in range.
template <ConditionalGibbsModel M>
void validate_data(const M& model, const ConditionalData<typename M::Scalar>& d, std::string_view what) {
  if constexpr (requires { model.validate(d, what); }) {
    model.validate(d, what);
  } else {
    check_nonempty(d.rows(), what);
    check_cols(d.x.cols(), model.input_dim(), what);
    check_finite(d.x, what);
    check_labels(d.y, model.num_sites(), model.num_labels(), what);
  }
}
template <ConditionalGibbsModel M>
void validate_data(const M& model, const ConditionalBatch<typename M::Scalar>& b, std::string_view what) {
  ensure(Index(b.examples.size()) == b.rows(), what, ": names ", b.examples.size(), " examples for ", b.rows(), " rows");
  validate_data(model, ConditionalData<typename M::Scalar>(b.x, b.y), what);
}

// What a training set and a minibatch are: rows of x for a joint model, rows of (x, y) for a conditional one.
template <class M>
struct TrainingTypes {
  using Data = ConstBatchRef<typename M::Scalar>;
  using BatchArg = ConstBatchRef<typename M::Scalar>;
  using Batch = MatrixX<typename M::Scalar>;
  static void gather(const Data& d, const Index* idx, Index n, Batch& out) {
    out.resize(n, d.cols());
    for (Index r = 0; r < n; ++r) out.row(r) = d.row(idx[r]);
  }
};
template <ConditionalGibbsModel M>
struct TrainingTypes<M> {
  using Data = ConditionalData<typename M::Scalar>;
  using BatchArg = ConditionalBatch<typename M::Scalar>;
  using Batch = ConditionalBatch<typename M::Scalar>;
  static void gather(const Data& d, const Index* idx, Index n, Batch& out) { out.gather(d, idx, n); }
};

// Policy: any chain policy for this model's minibatches (samplers/chain_policy_concept.hpp). Opt: the
// optimizer (optimizer_concept.hpp); by default SelectedOptimizer, SGD or Adam as TrainOptions::optimizer says.
//
//   Trainer trainer(rbm, chains, options);                        // optimizer and shorthands from options
//   Trainer trainer(mlp, chains, options, Adam<double>());        // the optimizer chosen by type
//   trainer.add_transform(EnergyMagnitudePenalty(0.1));           // after the options' transforms
template <ChainPolicyTypes Policy, class Opt = SelectedOptimizer<typename Policy::Scalar>>
  requires ChainPolicyFor<Policy, typename TrainingTypes<typename Policy::Model>::BatchArg> &&
           OptimizerFor<Opt, typename Policy::Model>
class Trainer {
public:
  using Model = typename Policy::Model;
  using Scalar = typename Policy::Scalar;
  using Data = typename TrainingTypes<Model>::Data;
  using BatchArg = typename TrainingTypes<Model>::BatchArg;
  using OptimizerType = Opt;
  // What the transforms see of an update (gradient_transform.hpp).
  using Context = UpdateContext<Model, Data, BatchArg, DataTerm<Model>, Policy>;

  // The optimizer from the options (optimizer_from_options); TrainOptions' centering and weight_decay become
  // the first transforms of the list (option_transforms.hpp).
  Trainer(Model& model, Policy& chains, TrainOptions options)
      : Trainer(model, chains, options, optimizer_from_options<Opt>(options)) {}
  Trainer(Model& model, Policy& chains, TrainOptions options, Opt optimizer)
      : model_(model), chains_(chains), opt_(options), optimizer_(std::move(optimizer)),
        shuffle_(make_stream(options.seed, StreamPurpose::shuffle, 0)) {
    opt_.validate();
    add_option_transforms(transforms_, opt_);
  }

  const TrainOptions& options() const { return opt_; }
  int epochs_done() const { return epoch_; }
  std::int64_t updates_done() const { return updates_; }
  Opt& optimizer() { return optimizer_; }
  const Opt& optimizer() const { return optimizer_; }
  // The optimizer's full state (a checkpoint stores it), and its inverse; restore_optimizer also checks that
  // every vector of the state has one entry per parameter of the model (or none: before the first step).
  OptimizerState optimizer_state() const { return optimizer_.state(); }
  void restore_optimizer(const OptimizerState& s) { detail::restore_checked(optimizer_, s, model_.num_params()); }

  // The gradient transforms, applied in list order after data term − model term (gradient_transform.hpp).
  TransformList<Context>& transforms() { return transforms_; }
  const TransformList<Context>& transforms() const { return transforms_; }
  // Appends a transform; returns the stored one (e.g. to read or restore its state).
  template <class T>
  std::decay_t<T>& add_transform(T&& t) {
    return transforms_.add(std::forward<T>(t));
  }
  // The first transform of type T, or nullptr (e.g. find_transform<Centering<float>>() for its offsets).
  template <class T>
  T* find_transform() {
    return transforms_.template find<T>();
  }

  Rng& shuffle_stream() { return shuffle_; }
  void set_progress(int epochs_done, std::int64_t updates_done) {
    epoch_ = epochs_done;
    updates_ = updates_done;
  }
  // The gradient of the last update as the optimizer received it (after the transforms).
  const VectorX<Scalar>& last_gradient() const { return grad_; }

  double learning_rate_at(double progress) const { return opt_.learning_rate * opt_.schedule.factor(progress); }

  // One update from one minibatch (rows of visible vectors: binary for an RBM, real for a continuous energy;
  // inputs with labels and example indices for a conditional model).
  void update(const BatchArg& batch, double lr, double momentum) {
    validate_data(model_, batch, "minibatch");
    ensure(lr > 0 && std::isfinite(lr), "learning rate = ", lr, " must be positive and finite");
    ensure(momentum >= 0 && momentum < 1, "momentum = ", momentum, " must lie in [0, 1)");
    step(batch, lr, momentum);
  }

private:
  void step(const BatchArg& batch, double lr, double momentum) {
    if (grad_.size() != model_.num_params()) grad_.resize(model_.num_params());
    grad_.setZero();
    try {
      const Scalar data_weight = Scalar(1) / Scalar(batch.rows());
      data_.accumulate(model_, batch, data_weight, grad_);
      chains_.advance(model_, batch);
      const Scalar model_weight = -Scalar(1) / Scalar(chains_.num_chains());
      chains_.accumulate_model_term(model_, model_weight, grad_);
      if (!transforms_.empty())
        transforms_.apply(Context{model_, batch, data_weight, data_, chains_, model_weight}, grad_);
      optimizer_.step(model_, grad_, lr, momentum);
    } catch (const Error& e) {
      // Where in training it happened: a NaN from a sampler names its step and chain, this adds the update.
      fail("training update ", updates_ + 1, " (epoch ", epoch_ + 1, "): ", e.what());
    }
    ++updates_;
  }

public:

  // One pass over `data` in a fresh random order (the last partial minibatch is dropped, so every update
  // sees batch_size rows). `data` may change between epochs, e.g. a new stochastic binarization.
  // on_update(done, total), if given, is called after every update (progress display).
  EpochReport train_epoch(const Data& data,
                          const std::function<void(Index, Index)>& on_update = {}) {
    validate_data(model_, data, "training data");
    ensure(opt_.batch_size <= data.rows(), "batch_size = ", opt_.batch_size, " exceeds the ", data.rows(),
           " training examples");
    const auto t0 = std::chrono::steady_clock::now();
    transforms_.start_epoch(model_, data);
    shuffle_order(order_, data.rows(), shuffle_);  // train/shuffle.hpp: portable Fisher–Yates
    const Index per_epoch = data.rows() / opt_.batch_size;
    double lr = 0, mom = 0;
    for (Index u = 0; u < per_epoch; ++u) {
      TrainingTypes<Model>::gather(data, order_.data() + u * opt_.batch_size, opt_.batch_size, batch_);
      const double epoch_pos = epoch_ + double(u) / double(per_epoch);
      lr = learning_rate_at(epoch_pos / opt_.epochs);
      mom = opt_.momentum.at(epoch_pos);
      step(batch_, lr, mom);
      if (on_update) on_update(u + 1, per_epoch);
    }
    ++epoch_;
    return {epoch_, updates_, lr, mom,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
  }

  // Epochs until options().epochs are done; on_epoch may return false to stop early.
  void fit(const Data& data, const std::function<bool(const EpochReport&)>& on_epoch = {}) {
    while (epoch_ < opt_.epochs) {
      const EpochReport rep = train_epoch(data);
      if (on_epoch && !on_epoch(rep)) break;
    }
  }

private:
  Model& model_;
  Policy& chains_;
  TrainOptions opt_;
  Opt optimizer_;
  DataTerm<Model> data_;
  TransformList<Context> transforms_;
  VectorX<Scalar> grad_;
  typename TrainingTypes<Model>::Batch batch_;
  std::vector<Index> order_;
  Rng shuffle_;
  int epoch_ = 0;
  std::int64_t updates_ = 0;
};

}  // namespace ebm
