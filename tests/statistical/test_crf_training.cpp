// Training a conditional model with the generic Trainer: a 3 × 3, 3-label grid CRF (linear unaries, Potts
// pairwise) is trained on labels drawn exactly from a known CRF of the same family, by PCD with one
// persistent chain per training example and by CD; the held-out conditional log-likelihood, computed exactly
// by enumeration, must come within a stated margin of the true model's.
//
// The margin: a maximum-likelihood fit of d parameters from N examples loses about d / (2N) nats per held-out
// example in expectation to the true parameters (the AIC argument: the excess risk is χ²_d / (2N)); with
// d = 31 and N = 400 that is 0.039. We allow twice that for the stochastic gradient's noise and its finite
// number of steps, plus 3 standard errors of the paired difference on the held-out set (its own noise).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/samplers/chain_policies.hpp"
#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "ebm/train/trainer.hpp"
#include "support/crf_fixtures.hpp"

using namespace ebm;

namespace {

using test::Labelled;

struct Comparison {
  double mean_diff = 0, stderr_diff = 0;
};

test::LinearCrf start_model() {
  test::LinearCrf crf(3, 3, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::potts);
  crf.init(3, 0.01, 0.0);
  return crf;
}

TrainOptions options() {
  TrainOptions o;
  o.batch_size = 20;
  o.epochs = 60;
  o.learning_rate = 0.1;
  o.schedule = {LearningRateSchedule::Kind::linear, 0.1};
  o.momentum = MomentumSchedule{0.5, 0.5, 0};
  o.seed = 9;
  return o;
}

// The truth: θ ~ N(0, 0.7²) with a Potts weight of 1.2 (neighbours disagree at a cost of 1.2 nats); 400
// training and 300 held-out examples. Built once for both test cases.
struct Setup {
  test::LinearCrf truth = test::tiny_linear_crf(Pairwise::potts, 23, 0.7);
  Labelled train, held_out;
  std::vector<double> truth_nll;
  Setup() {
    truth.modify_params([&](VectorX<double>& t) { t[truth.pairwise_offset()] = 1.2; });
    train = test::exact_sample(truth, 400, 1);
    held_out = test::exact_sample(truth, 300, 2);
    truth_nll = test::exact_nlls(truth, held_out);
  }
  double margin() const { return 2 * double(truth.num_params()) / (2 * double(train.x.rows())); }
  Comparison compare(const test::LinearCrf& model) const {
    const auto a = test::exact_nlls(model, held_out);
    const double n = double(a.size());
    double m = 0, m2 = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double d = a[i] - truth_nll[i];
      m += d / n;
      m2 += d * d / n;
    }
    return {m, std::sqrt((m2 - m * m) * n / (n - 1) / n)};
  }
};

const Setup& setup() {
  static const Setup s;
  return s;
}

template <class Policy>
void check_learns(Policy chains, const char* name) {
  const Setup& s = setup();
  const Comparison start = s.compare(start_model());
  INFO("start: held-out NLL " << start.mean_diff << " nats above the truth's");
  REQUIRE(start.mean_diff > 1.0);
  auto crf = start_model();
  Trainer trainer(crf, chains, options());
  trainer.fit(ConditionalData<double>(s.train.x, s.train.y));
  const Comparison c = s.compare(crf);
  INFO(name << ": held-out NLL " << c.mean_diff << " ± " << c.stderr_diff << " nats above the truth's; margin "
            << s.margin() << " + 3 SE; Potts weight " << crf.params()[crf.pairwise_offset()] << " (truth 1.2)");
  CHECK(c.mean_diff < s.margin() + 3 * c.stderr_diff);
}

}  // namespace

TEST_CASE("PCD-2 with one persistent chain per example learns a 3x3 grid CRF to within the stated margin",
          "[crf][training]") {
  check_learns(PerExampleChains<SiteGibbs<test::LinearCrf>>(SiteGibbs<test::LinearCrf>(SiteScan::checkerboard), 400, 2, 4),
               "PCD-2 (checkerboard)");
}

TEST_CASE("CD-1 restarting at the labels learns a 3x3 grid CRF to within the stated margin", "[crf][training]") {
  check_learns(ContrastiveDivergence<SiteGibbs<test::LinearCrf>>(SiteGibbs<test::LinearCrf>(SiteScan::raster), 1, 4),
               "CD-1 (raster)");
}
