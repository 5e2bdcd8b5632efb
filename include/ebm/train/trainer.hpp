#pragma once
// Stochastic-gradient training of an energy-based model by maximum likelihood:
//   ∇θ [−log p(x)] = E_{data}[∂F/∂θ] − E_{model}[∂F/∂θ]
// The trainer only combines: data term (DataTerm, parallel over the minibatch) minus model term (the chain
// policy's chains, CD-k, PCD-k or a replay buffer) → optimizer step (SGD or Adam). The same trainer serves
// RBMs (LatentGibbsModel), continuous energies (ContinuousEnergyModel) and conditional models p(y | x)
// (ConditionalGibbsModel, e.g. grid CRFs: there a minibatch is inputs with their labels, and the model term is
// one chain per example, see samplers/per_example_chains.hpp). Every random choice comes from
// streams derived from the seed, so training is bit-identical for any number of threads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/conditional_model.hpp"
#include "ebm/samplers/chain_policy_concept.hpp"
#include "ebm/train/adam.hpp"
#include "ebm/train/conditional_data_term.hpp"
#include "ebm/train/data_term.hpp"
#include "ebm/train/schedule.hpp"
#include "ebm/train/sgd.hpp"
#include "ebm/train/shuffle.hpp"

namespace ebm {

// Sgd follows the momentum schedule; Adam ignores it (β₁ is its momentum).
enum class Optimizer { sgd, adam };

struct TrainOptions {
  Index batch_size = 100;
  int epochs = 10;
  double learning_rate = 0.01;
  LearningRateSchedule schedule{};
  MomentumSchedule momentum{};
  double weight_decay = 0.0;
  // Centering (Melchior et al. 2016): visible offset = mean of the epoch's data, hidden offset = running
  // mean of E[h|v] on minibatches with this rate. Needs a model with center_gradient().
  bool centering = false;
  double centering_rate = 0.01;
  std::uint64_t seed = 1;
  Optimizer optimizer = Optimizer::sgd;
  AdamOptions adam{};

  void validate() const {
    ensure(batch_size > 0, "batch_size = ", batch_size, " must be positive");
    ensure(epochs > 0, "epochs = ", epochs, " must be positive");
    ensure(learning_rate > 0 && std::isfinite(learning_rate), "learning_rate = ", learning_rate,
           " must be positive and finite");
    ensure(weight_decay >= 0 && std::isfinite(weight_decay), "weight_decay = ", weight_decay,
           " must be non-negative and finite");
    ensure(centering_rate > 0 && centering_rate <= 1, "centering_rate = ", centering_rate, " must lie in (0, 1]");
    schedule.validate();
    momentum.validate();
    adam.validate();
  }
};

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

// Policy: any chain policy for this model's minibatches (samplers/chain_policy_concept.hpp).
template <ChainPolicyTypes Policy>
  requires ChainPolicyFor<Policy, typename TrainingTypes<typename Policy::Model>::BatchArg>
class Trainer {
public:
  using Model = typename Policy::Model;
  using Scalar = typename Policy::Scalar;
  using Data = typename TrainingTypes<Model>::Data;
  using BatchArg = typename TrainingTypes<Model>::BatchArg;

  Trainer(Model& model, Policy& chains, TrainOptions options)
      : model_(model), chains_(chains), opt_(options),
        adam_(options.adam), shuffle_(make_stream(options.seed, StreamPurpose::shuffle, 0)) {
    opt_.validate();
  }

  const TrainOptions& options() const { return opt_; }
  int epochs_done() const { return epoch_; }
  std::int64_t updates_done() const { return updates_; }
  Sgd<Scalar>& optimizer() { return sgd_; }
  Adam<Scalar>& adam() { return adam_; }
  Rng& shuffle_stream() { return shuffle_; }
  void set_progress(int epochs_done, std::int64_t updates_done) {
    epoch_ = epochs_done;
    updates_ = updates_done;
  }
  const VectorX<Scalar>& last_gradient() const { return grad_; }
  // Centering offsets (empty until the first centered update); part of a checkpoint.
  VectorX<Scalar>& hidden_offset() { return hidden_offset_; }
  const VectorX<Scalar>& visible_offset() const { return visible_offset_; }

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
      data_.accumulate(model_, batch, Scalar(1) / Scalar(batch.rows()), grad_);
      chains_.advance(model_, batch);
      chains_.accumulate_model_term(model_, -Scalar(1) / Scalar(chains_.num_chains()), grad_);
      if (opt_.centering) center(batch);
      if (opt_.optimizer == Optimizer::adam)
        adam_.step(model_, grad_, lr, opt_.weight_decay);
      else
        sgd_.step(model_, grad_, lr, momentum, opt_.weight_decay);
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
    if constexpr (!ConditionalGibbsModel<Model>)
      if (opt_.centering) visible_offset_ = data.colwise().mean().transpose();
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
  void center(const BatchArg& batch) {
    if constexpr (requires { model_.center_gradient(grad_, visible_offset_, hidden_offset_); } &&
                  !ConditionalGibbsModel<Model>) {
      if (visible_offset_.size() != model_.dim()) visible_offset_ = batch.colwise().mean().transpose();
      const VectorX<Scalar> batch_h = data_.last_hidden_means().colwise().mean().transpose();
      const auto rate = Scalar(opt_.centering_rate);
      if (hidden_offset_.size() != batch_h.size())
        hidden_offset_ = batch_h;
      else
        hidden_offset_ = (Scalar(1) - rate) * hidden_offset_ + rate * batch_h;
      model_.center_gradient(grad_, visible_offset_, hidden_offset_);
    } else {
      fail("centering: this model type has no center_gradient()");
    }
  }

  Model& model_;
  Policy& chains_;
  TrainOptions opt_;
  DataTerm<Model> data_;
  Sgd<Scalar> sgd_;
  Adam<Scalar> adam_;
  VectorX<Scalar> grad_;
  typename TrainingTypes<Model>::Batch batch_;
  std::vector<Index> order_;
  VectorX<Scalar> visible_offset_, hidden_offset_;
  Rng shuffle_;
  int epoch_ = 0;
  std::int64_t updates_ = 0;
};

}  // namespace ebm
