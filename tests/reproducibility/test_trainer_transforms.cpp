// The trainer with gradient transforms and optimizer state, bit for bit:
//   - centering and weight decay as transforms give exactly the θ, velocity and hidden offset of the former
//     built-in centering and SGD decay (written out below as a reference loop), for PCD and CD, whether the
//     transforms come from TrainOptions' shorthands or are added by hand;
//   - the optimizer chosen by type (Adam<float>) equals the one chosen at run time (SelectedOptimizer);
//   - N epochs, state(), a new model, trainer and optimizer restored from it (with the rest of a checkpoint:
//     chains, counters, shuffle stream, centering offset), the remaining epochs == the run uninterrupted, for
//     Adam (moments and step count) and SGD with momentum; without the optimizer's restore they differ (the
//     test can fail);
//   - the energy-magnitude penalty adds the same bits on 1, 2 and 8 threads.
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/train/adam.hpp"
#include "ebm/train/centering.hpp"
#include "ebm/train/energy_penalty.hpp"
#include "ebm/train/weight_decay.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

using K = BlockGibbs<BernoulliRBMf>;
constexpr Index n_visible = 16, n_hidden = 6;

Matrixf make_data() {
  Rng rng = make_stream(5, StreamPurpose::user, 0);
  Matrixf x(96, n_visible);
  for (Index r = 0; r < x.rows(); ++r)
    for (Index i = 0; i < n_visible; ++i) x(r, i) = bernoulli(rng, 0.3f);
  return x;
}

BernoulliRBMf start_model(const Matrixf& data) {
  BernoulliRBMf rbm(n_visible, n_hidden);
  Rng rng = make_stream(3, StreamPurpose::init, 0);
  rbm.init_normal(rng, 0.1f);
  rbm.init_visible_bias(data);
  return rbm;
}

TrainOptions centered_options() {
  TrainOptions opt;
  opt.batch_size = 16;
  opt.epochs = 3;
  opt.learning_rate = 0.05;
  opt.momentum = {0.5, 0.9, 1.0};
  opt.weight_decay = 1e-3;
  opt.centering = true;
  opt.centering_rate = 0.1;
  opt.seed = 9;
  return opt;
}

struct TransformRun {
  Vectorf theta, velocity, hidden;
};

// The former Trainer::train_epoch / step / center and Sgd::step with weight decay, written out: the numbers
// the transforms must reproduce.
template <class Policy>
TransformRun reference_run(const Matrixf& data, Policy chains, const TrainOptions& opt) {
  BernoulliRBMf rbm = start_model(data);
  DataTerm<BernoulliRBMf> term;
  Rng shuffle = make_stream(opt.seed, StreamPurpose::shuffle, 0);
  std::vector<Index> order;
  Vectorf velocity, mu, lambda, grad;
  Matrixf batch(opt.batch_size, data.cols());
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    mu = data.colwise().mean().transpose();
    shuffle_order(order, data.rows(), shuffle);
    const Index per_epoch = data.rows() / opt.batch_size;
    for (Index u = 0; u < per_epoch; ++u) {
      for (Index r = 0; r < opt.batch_size; ++r) batch.row(r) = data.row(order[std::size_t(u * opt.batch_size + r)]);
      const ConstBatchRef<float> b(batch);
      const double pos = epoch + double(u) / double(per_epoch);
      const double lr = opt.learning_rate * opt.schedule.factor(pos / opt.epochs), mom = opt.momentum.at(pos);
      grad.setZero(rbm.num_params());
      term.accumulate(rbm, b, 1.0f / float(b.rows()), grad);
      chains.advance(rbm, b);
      chains.accumulate_model_term(rbm, -1.0f / float(chains.num_chains()), grad);
      const Vectorf batch_h = term.last_hidden_means().colwise().mean().transpose();
      const auto rate = float(opt.centering_rate);
      if (lambda.size() != batch_h.size())
        lambda = batch_h;
      else
        lambda = (1.0f - rate) * lambda + rate * batch_h;
      rbm.center_gradient(grad, mu, lambda);
      if (velocity.size() == 0) velocity.setZero(grad.size());
      const Index p = grad.size(), nw = rbm.num_weights();
      const float m = float(mom), a = float(lr), wd = float(opt.weight_decay);
      const Vectorf& theta = rbm.params();
      Vectorf next(p);
      next.head(nw) = m * velocity.head(nw) - a * (grad.head(nw) + wd * theta.head(nw));
      next.tail(p - nw) = m * velocity.tail(p - nw) - a * grad.tail(p - nw);
      velocity = next;
      rbm.modify_params([&](Vectorf& t) { t += velocity; });
    }
  }
  return {rbm.params(), velocity, lambda};
}

template <class Policy>
TransformRun transform_run(const Matrixf& data, Policy chains, const TrainOptions& opt, bool by_hand) {
  BernoulliRBMf rbm = start_model(data);
  TrainOptions o = opt;
  if (by_hand) {
    o.centering = false;
    o.weight_decay = 0;
  }
  Trainer trainer(rbm, chains, o, Sgd<float>());
  if (by_hand) {
    trainer.add_transform(Centering<float>(opt.centering_rate));
    trainer.add_transform(WeightDecay(opt.weight_decay));
  }
  trainer.fit(data);
  return {rbm.params(), trainer.optimizer().velocity(), trainer.template find_transform<Centering<float>>()->hidden_offset()};
}

void check_same(const TransformRun& a, const TransformRun& b) {
  CHECK(test::bitwise_equal(a.theta, b.theta));
  CHECK(test::bitwise_equal(a.velocity, b.velocity));
  CHECK(test::bitwise_equal(a.hidden, b.hidden));
}

}  // namespace

TEST_CASE("Centering and weight decay as transforms: the former built-in numbers, bit for bit",
          "[train][transform][bitwise]") {
  const Matrixf data = make_data();
  const TrainOptions opt = centered_options();
  SECTION("PCD-1") {
    const TransformRun ref = reference_run(data, PersistentChains<K>(K{}, 10, 1, 9), opt);
    REQUIRE(ref.hidden.size() == n_hidden);
    check_same(transform_run(data, PersistentChains<K>(K{}, 10, 1, 9), opt, false), ref);
    check_same(transform_run(data, PersistentChains<K>(K{}, 10, 1, 9), opt, true), ref);
  }
  SECTION("CD-1") {
    const TransformRun ref = reference_run(data, ContrastiveDivergence<K>(K{}, 1, 9), opt);
    check_same(transform_run(data, ContrastiveDivergence<K>(K{}, 1, 9), opt, false), ref);
    check_same(transform_run(data, ContrastiveDivergence<K>(K{}, 1, 9), opt, true), ref);
  }
}

namespace {

struct Resumed {
  Vectorf theta;
  OptimizerState state;
};

TrainOptions resume_options() {
  TrainOptions opt = centered_options();
  opt.epochs = 4;  // 6 updates per epoch
  opt.learning_rate = 0.02;
  return opt;
}

// n epochs, then a checkpoint as `ebm train` keeps one (θ, chains, counters, shuffle stream, optimizer state,
// centering's hidden offset) into a new model and trainer, which finishes the run; or, with restore = false,
// the new trainer starts with a fresh optimizer.
template <class Opt>
Resumed resumed_run(const Matrixf& data, int n, bool restore) {
  const TrainOptions opt = resume_options();
  BernoulliRBMf rbm = start_model(data);
  PersistentChains<K> chains(K{}, 10, 1, 9);
  Trainer first(rbm, chains, opt, Opt());
  for (int e = 0; e < n; ++e) first.train_epoch(data);
  const OptimizerState saved = first.optimizer_state();
  const Vectorf hidden = first.template find_transform<Centering<float>>()->hidden_offset();

  BernoulliRBMf model2(n_visible, n_hidden);
  model2.set_params(rbm.params());
  PersistentChains<K> chains2 = chains;
  Trainer second(model2, chains2, opt, Opt());
  second.set_progress(first.epochs_done(), first.updates_done());
  second.shuffle_stream() = first.shuffle_stream();
  if (restore) second.restore_optimizer(saved);
  second.template find_transform<Centering<float>>()->hidden_offset() = hidden;
  second.fit(data);
  return {model2.params(), second.optimizer_state()};
}

template <class Opt>
Resumed straight_run(const Matrixf& data) {
  BernoulliRBMf rbm = start_model(data);
  PersistentChains<K> chains(K{}, 10, 1, 9);
  Trainer trainer(rbm, chains, resume_options(), Opt());
  trainer.fit(data);
  return {rbm.params(), trainer.optimizer_state()};
}

void check_same(const Resumed& a, const Resumed& b) {
  CHECK(test::bitwise_equal(a.theta, b.theta));
  CHECK(a.state.kind == b.state.kind);
  CHECK(a.state.steps == b.state.steps);
  REQUIRE(a.state.vectors.size() == b.state.vectors.size());
  for (const auto& [name, v] : a.state.vectors) {
    INFO(name);
    CHECK(test::bitwise_equal(v, b.state.vectors.at(name)));
  }
}

}  // namespace

TEST_CASE("Optimizer state: N updates, restore into a new trainer, M more == N + M uninterrupted",
          "[train][optimizer][bitwise]") {
  const Matrixf data = make_data();
  SECTION("Adam") {
    const Resumed straight = straight_run<Adam<float>>(data);
    CHECK(straight.state.steps == 24);
    check_same(resumed_run<Adam<float>>(data, 2, true), straight);
    check_same(resumed_run<Adam<float>>(data, 1, true), straight);
    // A fresh Adam after the restart (the bias corrections start over, the moments are lost) differs.
    CHECK(!test::bitwise_equal(resumed_run<Adam<float>>(data, 2, false).theta, straight.theta));
  }
  SECTION("SGD with momentum") {
    const Resumed straight = straight_run<Sgd<float>>(data);
    check_same(resumed_run<Sgd<float>>(data, 2, true), straight);
    CHECK(!test::bitwise_equal(resumed_run<Sgd<float>>(data, 2, false).theta, straight.theta));
  }
  SECTION("the optimizer chosen at run time is the one chosen by type") {
    TrainOptions opt = resume_options();
    opt.optimizer = Optimizer::adam;
    BernoulliRBMf rbm = start_model(data);
    PersistentChains<K> chains(K{}, 10, 1, 9);
    Trainer trainer(rbm, chains, opt);  // SelectedOptimizer
    REQUIRE(trainer.optimizer().adam() != nullptr);
    trainer.fit(data);
    check_same({rbm.params(), trainer.optimizer_state()}, straight_run<Adam<float>>(data));
  }
}

TEST_CASE("EnergyMagnitudePenalty: the same bits on 1, 2 and 8 threads", "[train][transform][threads]") {
  MlpEnergyf mlp(4, {32, 16}, Activation::swish);
  Rng rng = make_stream(21, StreamPurpose::init, 0);
  mlp.init_normal(rng);
  Matrixf xp(60, 4);  // blocks of 25, 25, 10
  for (Index k = 0; k < xp.size(); ++k) xp.data()[k] = standard_normal<float>(rng);
  struct Chains {
    struct State {
      Matrixf x;
    } s;
    const State& state() const { return s; }
  } chains{{xp.bottomRows(35) * 2.0f}};
  using Ctx = UpdateContext<MlpEnergyf, ConstBatchRef<float>, ConstBatchRef<float>, NoTerm, Chains>;
  const auto run = [&] {
    Vectorf g = Vectorf::Zero(mlp.num_params());
    const NoTerm none;
    const ConstBatchRef<float> batch(xp);
    EnergyMagnitudePenalty penalty(0.1);
    penalty.apply(Ctx{mlp, batch, 1.0f / 60, none, chains, -1.0f / 35}, g);
    return g;
  };
  const Vectorf serial = test::with_threads(1, run);
  CHECK(serial.cwiseAbs().maxCoeff() > 0);
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    CHECK(test::bitwise_equal(test::with_threads(n, run), serial));
  }
}
