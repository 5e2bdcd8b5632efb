// Every bad input is an ebm::Error whose message names the argument and the bad value. CHECK_ERROR is
// Catch's CHECK_THROWS_MATCHES, so the exception type is checked along with the message (CHECK_THROWS_WITH
// would accept any exception type); the message is checked with Contains matchers.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ebm/ebm.hpp"
#include "support/error_matchers.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {


using Kernel = BlockGibbs<BernoulliRBMf>;
using CD = ContrastiveDivergence<Kernel>;
using PCD = PersistentChains<Kernel>;

constexpr float nan_f = std::numeric_limits<float>::quiet_NaN();
constexpr float inf_f = std::numeric_limits<float>::infinity();

// 20 binary rows of 6 units.
Matrixf binary_data(Index rows = 20, Index cols = 6) {
  Matrixf x(rows, cols);
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < cols; ++i) x(r, i) = float((r + i) % 3 == 0);
  return x;
}

TrainOptions small_options() {
  TrainOptions opt;
  opt.batch_size = 5;
  opt.epochs = 2;
  opt.learning_rate = 0.05;
  return opt;
}

}  // namespace

TEST_CASE("data of the wrong shape names the argument and both column counts", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  const Matrixf wide = binary_data(20, 7);
  CD cd(Kernel{}, 1, 1);
  Trainer trainer(rbm, cd, small_options());
  CHECK_ERROR(trainer.train_epoch(wide), Contains("training data") && Contains("7 columns") && Contains("expected 6"));
  CHECK_ERROR(trainer.update(wide.topRows(5), 0.1, 0.5),
              Contains("minibatch") && Contains("7 columns") && Contains("expected 6"));
  CHECK_ERROR(exact_log_likelihood(rbm, wide),
              Contains("exact_log_likelihood: data") && Contains("7 columns") && Contains("expected 6"));
  Vectorf f(20);
  CHECK_ERROR(rbm.free_energy(wide, f), Contains("free_energy: v") && Contains("7 columns"));
  CHECK_ERROR(rbm.init_visible_bias(wide), Contains("init_visible_bias: data") && Contains("7 columns"));

  Kernel gibbs;
  GibbsChains<float> state;
  auto streams = make_chain_streams(1, 20);
  CHECK_ERROR(gibbs.init(rbm, state, wide, streams), Contains("start states have 7 columns") && Contains("6 visible"));
  PCD pcd(Kernel{}, 4, 1, 1);
  CHECK_ERROR(pcd.start(rbm, binary_data(3, 6)), Contains("got 3 start states for 4 chains"));
}

TEST_CASE("set_params with the wrong length names both lengths", "[errors]") {
  BernoulliRBMf rbm(3, 2);  // 3·2 + 3 + 2 = 11 parameters
  CHECK_ERROR(rbm.set_params(Vectorf::Zero(10)),
              Contains("set_params") && Contains("got 10 values") && Contains("expected 11"));
  CHECK_ERROR(rbm.set_params(Vectorf::Zero(12)), Contains("got 12 values") && Contains("expected 11"));
}

TEST_CASE("NaN or Inf in data names the argument, the entry and the value", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CD cd(Kernel{}, 1, 1);
  Trainer trainer(rbm, cd, small_options());
  Matrixf data = binary_data();
  data(3, 2) = nan_f;
  CHECK_ERROR(trainer.train_epoch(data), Contains("training data") && Contains("entry (3, 2) is nan"));
  data(3, 2) = inf_f;
  CHECK_ERROR(trainer.train_epoch(data), Contains("training data") && Contains("entry (3, 2) is inf"));
  data(3, 2) = -inf_f;
  CHECK_ERROR(trainer.update(data.topRows(5), 0.1, 0.5), Contains("minibatch") && Contains("entry (3, 2) is -inf"));
  CHECK_ERROR(exact_log_likelihood(rbm, data), Contains("exact_log_likelihood: data") && Contains("is -inf"));
}

TEST_CASE("NaN or Inf in parameters names the parameter and the value", "[errors]") {
  BernoulliRBMf rbm(3, 2);  // layout: W (3 × 2), b (3), c (2)
  Vectorf theta = Vectorf::Zero(rbm.num_params());
  theta[3] = nan_f;  // W(1, 1)
  CHECK_ERROR(rbm.set_params(theta), Contains("parameter W(1, 1) is nan"));
  theta[3] = 0;
  theta[7] = inf_f;  // b(1)
  CHECK_ERROR(rbm.set_params(theta), Contains("parameter b(1) is inf"));
  theta[7] = 0;
  theta[10] = -inf_f;  // c(1)
  CHECK_ERROR(rbm.set_params(theta), Contains("parameter c(1) is -inf"));
  CHECK(rbm.params().allFinite());  // a rejected vector is never assigned
  CHECK_ERROR(rbm.modify_params([](Vectorf& t) { t[0] = nan_f; }), Contains("parameter W(0, 0) is nan"));
}

TEST_CASE("training that diverges throws naming a parameter and keeps the model finite", "[errors][train]") {
  // lr · weight_decay = 5 > 2: the decay step multiplies the weights by about −4 per update, so they overflow
  // float within ~70 updates; the check on every parameter update must catch it.
  const Matrixf data = binary_data(40, 6);
  for (const bool persistent : {false, true}) {
    INFO((persistent ? "PCD-1" : "CD-1"));
    BernoulliRBMf rbm(6, 4);
    Rng rng = make_stream(1, StreamPurpose::init, 0);
    rbm.init_normal(rng, 0.01f);
    TrainOptions opt = small_options();
    opt.learning_rate = 50;
    opt.weight_decay = 0.1;
    opt.epochs = 100;
    // Named, because a combined matcher only points to its parts.
    const auto names_parameter = Contains("SGD step: parameter W("), advice = Contains("lower the learning rate");
    const auto nan = Contains(" become nan"), inf = Contains(" become inf"), minus_inf = Contains(" become -inf");
    if (persistent) {
      PCD pcd(Kernel{}, 10, 1, 2);
      Trainer trainer(rbm, pcd, opt);
      CHECK_ERROR(trainer.fit(data), names_parameter && (nan || inf || minus_inf) && advice);
      CHECK(trainer.updates_done() < opt.epochs * (data.rows() / opt.batch_size));
    } else {
      CD cd(Kernel{}, 1, 2);
      Trainer trainer(rbm, cd, opt);
      CHECK_ERROR(trainer.fit(data), names_parameter && (nan || inf || minus_inf) && advice);
      CHECK(trainer.updates_done() < opt.epochs * (data.rows() / opt.batch_size));
    }
    // The step is checked before it is applied: the model keeps its last finite parameters.
    CHECK(rbm.params().allFinite());
  }
}

TEST_CASE("non-binary data for a Bernoulli layer names the entry and the value", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CD cd(Kernel{}, 1, 1);
  Trainer trainer(rbm, cd, small_options());
  Matrixf data = binary_data();
  data(4, 1) = 0.5f;
  CHECK_ERROR(trainer.train_epoch(data),
              Contains("training data") && Contains("entry (4, 1) is 0.5") && Contains("only 0 or 1"));
  data(4, 1) = -1;
  CHECK_ERROR(exact_log_likelihood(rbm, data), Contains("entry (4, 1) is -1") && Contains("only 0 or 1"));
}

TEST_CASE("empty data names the argument", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CD cd(Kernel{}, 1, 1);
  Trainer trainer(rbm, cd, small_options());
  const Matrixf empty(0, 6);
  CHECK_ERROR(trainer.train_epoch(empty), Contains("training data") && Contains("empty (0 rows)"));
  CHECK_ERROR(trainer.update(empty, 0.1, 0.5), Contains("minibatch") && Contains("empty (0 rows)"));
  CHECK_ERROR(exact_log_likelihood(rbm, empty), Contains("exact_log_likelihood: data") && Contains("empty"));
  CHECK_ERROR(rbm.init_visible_bias(empty), Contains("init_visible_bias: data") && Contains("empty"));
}

TEST_CASE("batch size 0 or larger than the data names batch_size and the value", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CD cd(Kernel{}, 1, 1);
  TrainOptions opt = small_options();
  opt.batch_size = 0;
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("batch_size = 0") && Contains("must be positive"));
  opt.batch_size = -3;
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("batch_size = -3"));
  opt.batch_size = 21;
  Trainer trainer(rbm, cd, opt);
  CHECK_ERROR(trainer.train_epoch(binary_data(20, 6)),
              Contains("batch_size = 21") && Contains("exceeds the 20 training examples"));
}

TEST_CASE("k = 0 steps for CD and PCD names k and the value", "[errors]") {
  CHECK_ERROR(CD(Kernel{}, 0, 1), Contains("k = 0") && Contains("at least 1"));
  CHECK_ERROR(PCD(Kernel{}, 10, 0, 1), Contains("k = 0") && Contains("at least 1"));
  CHECK_ERROR(CD(Kernel{}, -2, 1), Contains("k = -2"));
}

TEST_CASE("non-positive or non-finite learning rate names it and the value", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CD cd(Kernel{}, 1, 1);
  TrainOptions opt = small_options();
  opt.learning_rate = 0;
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("learning_rate = 0 must be positive"));
  opt.learning_rate = -0.01;
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("learning_rate = -0.01 must be positive"));
  opt.learning_rate = std::numeric_limits<double>::quiet_NaN();
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("learning_rate = nan"));
  opt.learning_rate = std::numeric_limits<double>::infinity();
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("learning_rate = inf"));
  opt.learning_rate = 0.05;
  Trainer trainer(rbm, cd, opt);
  CHECK_ERROR(trainer.update(binary_data(5, 6), 0.0, 0.5), Contains("learning rate = 0 must be positive"));
  CHECK_ERROR(trainer.update(binary_data(5, 6), -1.0, 0.5), Contains("learning rate = -1"));
  opt.schedule = {LearningRateSchedule::Kind::linear, 1.5};
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("final_fraction = 1.5") && Contains("[0, 1]"));
}

TEST_CASE("negative or non-finite weight decay names it and the value", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CD cd(Kernel{}, 1, 1);
  TrainOptions opt = small_options();
  opt.weight_decay = -0.5;
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("weight_decay = -0.5") && Contains("non-negative"));
  opt.weight_decay = std::numeric_limits<double>::quiet_NaN();
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("weight_decay = nan"));
}

TEST_CASE("momentum outside 0 (included) to 1 (excluded) names it and the value", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CD cd(Kernel{}, 1, 1);
  TrainOptions opt = small_options();
  opt.momentum = {-0.1, 0.9, 5};
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("momentum: initial = -0.1") && Contains("[0, 1)"));
  opt.momentum = {0.5, 1.0, 5};
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("momentum: final = 1") && Contains("[0, 1)"));
  opt.momentum = {0.5, 0.9, -1};
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("ramp_epochs = -1"));
  opt.momentum = {0.5, 0.9, 5};
  Trainer trainer(rbm, cd, opt);
  CHECK_ERROR(trainer.update(binary_data(5, 6), 0.1, 1.0), Contains("momentum = 1 must lie in [0, 1)"));
  CHECK_ERROR(trainer.update(binary_data(5, 6), 0.1, -0.5), Contains("momentum = -0.5"));
}

TEST_CASE("zero chains, zero blocks or too few streams name the count", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  CHECK_ERROR(PCD(Kernel{}, 0, 1, 1), Contains("number of chains = 0") && Contains("must be positive"));
  CHECK_ERROR(Kernel(0), Contains("block_rows = 0"));
  Kernel gibbs;
  GibbsChains<float> state;
  CHECK_ERROR(gibbs.prepare(rbm, state, 0), Contains("number of chains = 0"));
  auto streams = make_chain_streams(1, 3);
  CHECK_ERROR(gibbs.init(rbm, state, binary_data(5, 6), streams), Contains("3 random streams for 5 chains"));
  CHECK_ERROR(gibbs.step(rbm, state, streams), Contains("random streams") || Contains("not prepared"));
}

TEST_CASE("a zero-size RBM names the layer and the size", "[errors]") {
  CHECK_ERROR(BernoulliRBMf(0, 4), Contains("num_visible = 0") && Contains("must be positive"));
  CHECK_ERROR(BernoulliRBMd(6, 0), Contains("num_hidden = 0") && Contains("must be positive"));
  CHECK_ERROR(BernoulliRBMd(-1, 3), Contains("num_visible = -1"));
}

TEST_CASE("exact enumeration of a too-large model names the layer size and the limit", "[errors][exact]") {
  const BernoulliRBMf big(31, 40);  // smaller layer 31 > 30
  CHECK_ERROR(exact_log_z(big), Contains("smaller layer has 31 units") && Contains("at most 30"));
  CHECK_ERROR(exact_model_expectation(big), Contains("31 units"));
  const BernoulliRBMf wide(40, 31);  // the hidden layer is the smaller one
  CHECK_ERROR(exact_log_z(wide), Contains("smaller layer has 31 units"));
  CHECK_ERROR(exact_log_likelihood(wide, Matrixf::Zero(2, 40)), Contains("31 units"));
  const BernoulliRBMf tall(25, 3);  // enumerable over h, but p(v) has 2^25 entries
  CHECK_ERROR(exact_visible_distribution(tall), Contains("nv = 25") && Contains("at most 24"));
  CHECK_ERROR(exact_sample_visible(tall, 10, 1), Contains("nv = 25"));
  CHECK_ERROR(exact_sample_visible(BernoulliRBMf(4, 3), -1, 1), Contains("n = -1"));
}

TEST_CASE("other bad arguments name themselves", "[errors]") {
  BernoulliRBMf rbm(6, 4);
  Rng rng = make_stream(1, StreamPurpose::init, 0);
  CHECK_ERROR(rbm.init_normal(rng, -1.0f), Contains("sigma = -1"));
  CHECK_ERROR(rbm.init_normal(rng, nan_f), Contains("sigma = nan"));
  CD cd(Kernel{}, 1, 1);
  TrainOptions opt = small_options();
  opt.epochs = 0;
  CHECK_ERROR(Trainer(rbm, cd, opt), Contains("epochs = 0"));
  CHECK_ERROR(parse_schedule_kind("step"), Contains("'step'") && Contains("constant, linear or cosine"));
}
