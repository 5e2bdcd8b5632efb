// CD-1 and PCD-1 learn a 12x8 RBM from data drawn exactly from a known one. Both layers are small enough
// that every log-likelihood below is exact (log Z by enumerating the 2^8 hidden states), so the test
// compares the learner with the truth itself, not with another estimate.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/ebm.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;

namespace {

constexpr Index learn_nv = 12, learn_nh = 8, examples = 2000;

// Weights N(0, 1.25²) with b = −½ W·1 and c = −½ Wᵀ·1: the RBM written in ±1 spins without fields, so
// p(v, h) = p(1 − v, 1 − h), every unit has marginal ½ and all structure lies in the pairwise couplings.
// An independent-units model then learns nothing beyond uniform marginals, and the truth is 1.24 nats per
// example better than it on the training set (required to exceed 0.5): learnable, but not for free.
BernoulliRBMf spin_symmetric_truth() {
  auto truth = test::random_rbm<float>(learn_nv, learn_nh, 1.25, 0.0, 1);
  truth.modify_params([&](Vectorf& t) {
    const Matrixf W = truth.W();
    truth.b_of(t) = -0.5f * W.rowwise().sum();
    truth.c_of(t) = -0.5f * W.colwise().sum().transpose();
  });
  return truth;
}

// Mean log-likelihood of the best model with independent units (the data's own marginals).
double independent_log_likelihood(const Matrixf& x) {
  double ll = 0;
  for (Index i = 0; i < x.cols(); ++i) {
    const double p = x.col(i).cast<double>().mean();
    if (p > 0 && p < 1) ll += p * std::log(p) + (1 - p) * std::log(1 - p);
  }
  return ll;
}

TrainOptions options() {
  TrainOptions opt;
  opt.batch_size = 20;
  opt.epochs = 60;  // 6000 updates
  opt.learning_rate = 0.02;
  opt.schedule = {LearningRateSchedule::Kind::linear, 0.1};
  opt.momentum = {0.5, 0.9, 5};
  opt.seed = 7;
  return opt;
}

// The margins, in nats per example.
//
// Training set: the trained model must end within 0.1 of the true model's log-likelihood of the same set.
//  * Finite data works in the learner's favour here: the maximum-likelihood fit lies above the truth on its
//    own training set by χ²_k/(2n), mean k/(2n) = 116/4000 = 0.029 (Wilks), so an exact maximizer would
//    pass with room; the noise of the truth's own log-likelihood (sd/√n ≈ 0.04 here) cancels, because both
//    models are scored on the same examples.
//  * What separates the trained model from the maximizer has no closed form: CD-1's bias (its fixed point
//    is not the maximum), PCD's chains lagging behind the moving parameters, and the SGD jitter at the
//    final learning rate. Measured over 12 replicates with fresh data sets and seeds (not these ones):
//    shortfall 0.013 ± 0.007 (CD-1) and 0.025 ± 0.009 (PCD-1), worst 0.044. A margin of 0.1 is about
//    8 sd above the mean, and still an order of magnitude below the 1.24 nats being learned.
// Held-out set: the maximizer falls below the truth by k/(2n) in expectation on new data (train–test gap
// k/n = 0.058, Akaike), so the held-out margin is 0.1 + 0.058 ≈ 0.16 (measured shortfall 0.05–0.09).
constexpr double train_margin = 0.1;
constexpr double held_out_margin = train_margin + double(learn_nv * learn_nh + learn_nv + learn_nh) / double(examples);

struct LearningProblem {
  BernoulliRBMf truth = spin_symmetric_truth();
  Matrixf train = exact_sample_visible(truth, examples, 101);
  Matrixf held_out = exact_sample_visible(truth, examples, 102);
  double truth_train = exact_log_likelihood(truth, train);
  double truth_held_out = exact_log_likelihood(truth, held_out);

  BernoulliRBMf fresh_model() const {
    BernoulliRBMf model(learn_nv, learn_nh);
    Rng rng = make_stream(5, StreamPurpose::init, 0);
    model.init_normal(rng, 0.01f);
    model.init_visible_bias(train);
    return model;
  }
};

template <class Policy>
void check_learns(const LearningProblem& lp, Policy& chains) {
  const double gap = lp.truth_train - independent_log_likelihood(lp.train);
  INFO("truth: train " << lp.truth_train << ", held-out " << lp.truth_held_out << "; gap to independent units "
                       << gap);
  REQUIRE(gap > 0.5);
  REQUIRE(gap > 5 * train_margin);

  BernoulliRBMf model = lp.fresh_model();
  const double train_before = exact_log_likelihood(model, lp.train);
  const double held_out_before = exact_log_likelihood(model, lp.held_out);
  Trainer trainer(model, chains, options());
  trainer.fit(lp.train);
  const double train_after = exact_log_likelihood(model, lp.train);
  const double held_out_after = exact_log_likelihood(model, lp.held_out);
  INFO("model: train " << train_before << " -> " << train_after << ", held-out " << held_out_before << " -> "
                       << held_out_after << "; shortfall to truth: train " << lp.truth_train - train_after
                       << ", held-out " << lp.truth_held_out - held_out_after);
  CHECK(train_after > train_before);
  CHECK(train_after > lp.truth_train - train_margin);
  CHECK(held_out_after > held_out_before);
  CHECK(held_out_after > lp.truth_held_out - held_out_margin);
}

}  // namespace

TEST_CASE("CD-1 learns a 12x8 RBM to within 0.1 nats of the truth's exact log-likelihood", "[train][learning]") {
  const LearningProblem lp;
  ContrastiveDivergence<BlockGibbs<BernoulliRBMf>> cd({}, 1, 7);
  check_learns(lp, cd);
}

TEST_CASE("PCD-1 learns a 12x8 RBM to within 0.1 nats of the truth's exact log-likelihood", "[train][learning]") {
  const LearningProblem lp;
  PersistentChains<BlockGibbs<BernoulliRBMf>> pcd({}, 100, 1, 7);
  check_learns(lp, pcd);
}
