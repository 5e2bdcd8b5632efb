// Annealed importance sampling against exact log Z (enumeration of the smaller layer), on an MNIST-shaped
// RBM (784 × 15) and a small one (12 × 8); the reported standard error against the spread over seeds; the
// log-space summary against hand-computed weights; bit-identical log-weights for any thread count.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ebm/estimate/ais.hpp"
#include "ebm/estimate/exact.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {

// 784 × 15 with the scale of a trained MNIST RBM: W ~ N(0, 0.5²) (hidden pre-activations of sd ≈ 5 on a
// digit), sparse hidden units (c ~ N(−2, 1)), and visible biases giving a digit-like blob of ink in the
// middle of a 28 × 28 image (p ≈ 0.45 at the centre, 0.001 in the corners).
BernoulliRBMf mnist_shaped_rbm(std::uint64_t seed) {
  constexpr Index nv = 784, nh = 15;
  BernoulliRBMf rbm(nv, nh);
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  rbm.modify_params([&](Vectorf& t) {
    for (Index k = 0; k < nv * nh; ++k) t[k] = float(0.5 * standard_normal<double>(rng));
    for (Index i = 0; i < nv; ++i) {
      const double r = std::hypot(double(i / 28) - 13.5, double(i % 28) - 13.5) / 14.0;
      const double p = std::clamp(0.45 * std::exp(-3 * r * r), 1e-3, 0.999);
      t[nv * nh + i] = float(std::log(p / (1 - p)));
    }
    for (Index j = 0; j < nh; ++j) t[nv * nh + nv + j] = float(-2 + standard_normal<double>(rng));
  });
  return rbm;
}

// The base rate of infinite data drawn from the model itself: logits of its exact visible marginals
// p(v_i = 1) = Σ_h p(h) σ(b_i + (Wh)_i), by enumerating h (2^15 states).
Vectorf exact_base_rate(const BernoulliRBMf& rbm) {
  const Index nv = rbm.num_visible(), nh = rbm.num_hidden();
  const Matrixd W = rbm.W().cast<double>();
  const Vectord b = rbm.b().cast<double>(), c = rbm.c().cast<double>();
  const auto states = std::size_t{1} << nh;
  std::vector<double> log_p(states);
  Matrixd mean_v(Index(states), nv);
  for (std::size_t s = 0; s < states; ++s) {
    const Vectord h = test::bits<double>(s, nh).transpose();
    const Vectord a = b + W * h;
    double l = c.dot(h);
    for (Index i = 0; i < nv; ++i) l += softplus(a[i]);
    log_p[s] = l;
    mean_v.row(Index(s)) = a.array().logistic().transpose();
  }
  const double top = *std::max_element(log_p.begin(), log_p.end());
  double z = 0;
  for (double l : log_p) z += std::exp(l - top);
  Vectord p = Vectord::Zero(nv);
  for (std::size_t s = 0; s < states; ++s) p += std::exp(log_p[s] - top) / z * mean_v.row(Index(s)).transpose();
  // One "row" of marginals: the same clamp and logit as for data.
  return base_rate_bias(p.transpose()).cast<float>();
}

void check_against_exact(const AisResult& ais, double exact) {
  INFO("exact log Z = " << exact << ", AIS " << ais.log_z << " ± " << ais.log_z_stderr << " in [" << ais.log_z_lower
                        << ", " << ais.log_z_upper << "], log Z_A = " << ais.log_z_base
                        << ", ESS = " << ais.effective_sample_size);
  CHECK(ais.log_z_lower <= exact);
  CHECK(exact <= ais.log_z_upper);
  CHECK(std::abs(ais.log_z - exact) < 0.5);
  // A band that wide would contain anything: the check above must not pass by vagueness.
  CHECK(ais.log_z_stderr < 0.1);
}

}  // namespace

// 2,000 instead of 14,500 inverse temperatures, to keep the case near 2 s. The estimator is unbiased in Z
// for any schedule (a coarser one only spreads the weights), so this still tests that the weights and the
// moves are right, and that the reported error (larger here) covers the true one.
TEST_CASE("AIS agrees with exact log Z on an MNIST-shaped RBM (784 x 15)", "[ais][statistical]") {
  const BernoulliRBMf rbm = mnist_shaped_rbm(7);
  const double exact = exact_log_z(rbm);
  AisOptions opt;
  opt.num_betas = 2000;
  opt.seed = 11;
  const AisResult ais = ais_log_z(rbm, exact_base_rate(rbm), opt);
  CHECK(ais.runs == 100);
  CHECK(ais.num_betas == 2000);
  CHECK(ais.log_weights.size() == 100);
  // The annealing has real distance to cover: the base-rate model is far from the RBM.
  CHECK(std::abs(exact - ais.log_z_base) > 20);
  check_against_exact(ais, exact);
}

TEMPLATE_TEST_CASE("AIS agrees with exact log Z on a 12 x 8 RBM, base rate from data, default schedule",
                   "[ais][statistical]", float, double) {
  using S = TestType;
  const auto rbm = test::random_rbm<S>(12, 8, 2.0, 0.5, 21);
  const MatrixX<S> data = exact_sample_visible(rbm, 2000, 5);
  const double exact = exact_log_z(rbm);
  const AisResult ais = ais_log_z_from_data(rbm, data, AisOptions{});
  CHECK(ais.num_betas == ais_default_num_betas);
  CHECK(ais.log_z_base == Approx(base_rate_log_z(base_rate_bias(data), 8)).epsilon(1e-12));
  CHECK(std::abs(exact - ais.log_z_base) > 3);
  check_against_exact(ais, exact);
  // With log Z known exactly the helper must reproduce the exact log-likelihood.
  CHECK(mean_log_likelihood(rbm, data, exact) == Approx(exact_log_likelihood(rbm, data)).epsilon(1e-10));
}

// If the delta-method standard error is right, z = (log Ẑ − log Z) / stderr has mean square ≈ 1 over
// independent seeds. 30 seeds: mean z² ~ χ²₃₀/30, whose central 99.9 % interval is about [0.40, 1.99]. A
// missing √runs (factor 10) or a variance taken for an sd (factor ~1/0.03) would be far outside.
TEST_CASE("AIS standard error matches the spread of log Z over seeds (12 x 8)", "[ais][statistical]") {
  const auto rbm = test::random_rbm<float>(12, 8, 2.0, 0.5, 21);
  const double exact = exact_log_z(rbm);
  const Vectorf base = base_rate_bias(exact_sample_visible(rbm, 2000, 5));
  constexpr int seeds = 30;
  double sum_z2 = 0, sum_err = 0, sum_se2 = 0;
  for (int s = 0; s < seeds; ++s) {
    AisOptions opt;
    opt.num_betas = 100;  // short on purpose: a spread large enough to measure
    opt.seed = 100 + std::uint64_t(s);
    const AisResult ais = ais_log_z(rbm, base, opt);
    const double err = ais.log_z - exact;
    sum_z2 += err * err / (ais.log_z_stderr * ais.log_z_stderr);
    sum_err += err;
    sum_se2 += ais.log_z_stderr * ais.log_z_stderr;
  }
  const double mean_z2 = sum_z2 / seeds;
  INFO("mean z^2 = " << mean_z2 << ", mean error " << sum_err / seeds << ", rms stderr " << std::sqrt(sum_se2 / seeds));
  CHECK(mean_z2 > 0.40);
  CHECK(mean_z2 < 1.99);
  // No systematic error beyond what the runs' noise allows (the Jensen bias, −stderr²/2, is ~1e−4 here).
  CHECK(std::abs(sum_err / seeds) < 4 * std::sqrt(sum_se2 / seeds / seeds));
}

TEST_CASE("AIS log-weights are bit-identical for any thread count and any split of the schedule", "[ais][threads]") {
  const BernoulliRBMf rbm = mnist_shaped_rbm(8);
  const Vectorf base = rbm.b();
  AisOptions opt;
  opt.num_betas = 120;
  opt.seed = 5;
  const AisResult serial = test::with_threads(1, [&] { return ais_log_z(rbm, base, opt); });
  for (int n : test::thread_counts) {
    INFO(n << " threads");
    const AisResult parallel = test::with_threads(n, [&] { return ais_log_z(rbm, base, opt); });
    CHECK(test::bitwise_equal(parallel.log_weights, serial.log_weights));
  }
  // Resuming is exact: 120 betas in pieces of 7 steps (the last one short) equal one pass.
  AisRuns<float> runs(rbm, base, opt);
  while (!runs.done()) runs.advance(rbm, 7);
  CHECK(test::bitwise_equal(runs.log_weights(), serial.log_weights));
  // The seed matters, and runs differ from each other.
  opt.seed = 6;
  const AisResult other = ais_log_z(rbm, base, opt);
  CHECK_FALSE(test::bitwise_equal(other.log_weights, serial.log_weights));
  CHECK(serial.log_weights[0] != serial.log_weights[1]);
}

TEST_CASE("the default schedule is Salakhutdinov and Murray's, and scales to any length", "[ais][schedule]") {
  const std::vector<double> b = ais_schedule();
  REQUIRE(b.size() == 14500);
  CHECK(b[0] == 0.0);
  CHECK(b[1] == Approx(0.001).margin(1e-15));
  CHECK(b[499] == Approx(0.499).margin(1e-15));
  CHECK(b[500] == 0.5);
  CHECK(b[501] == Approx(0.5001).margin(1e-15));
  CHECK(b[4499] == Approx(0.8999).margin(1e-15));
  CHECK(b[4500] == 0.9);
  CHECK(b[4501] == Approx(0.9 + 0.1 / 9999).margin(1e-15));
  CHECK(b.back() == 1.0);
  CHECK_NOTHROW(check_ais_schedule(b));
  CHECK(std::count_if(b.begin(), b.end(), [](double x) { return x < 0.5; }) == 500);
  CHECK(std::count_if(b.begin(), b.end(), [](double x) { return x >= 0.9; }) == 10000);

  CHECK(ais_schedule(2) == std::vector<double>{0.0, 1.0});
  const std::vector<double> short_one = ais_schedule(1450);  // a tenth: the same shape
  CHECK_NOTHROW(check_ais_schedule(short_one));
  CHECK(std::count_if(short_one.begin(), short_one.end(), [](double x) { return x < 0.5; }) == 50);
  CHECK(std::count_if(short_one.begin(), short_one.end(), [](double x) { return x >= 0.9; }) == 1000);
}

TEST_CASE("AIS summary is computed in log space: known weights, huge offsets, one run", "[ais][summary]") {
  const double inf = std::numeric_limits<double>::infinity();
  for (double offset : {0.0, 1000.0, -1000.0}) {
    INFO("offset " << offset);
    // w = e^offset · {1, 3}: mean 2, sd √2, sd of the mean 1, so mean − 3 sd_mean < 0.
    Vectord lw(2);
    lw << offset, offset + std::log(3.0);
    const AisResult s = summarize_ais(lw, 5.0, 10);
    CHECK(s.log_z == Approx(offset + std::log(2.0) + 5).epsilon(1e-12));
    CHECK(s.log_z_stderr == Approx(0.5).epsilon(1e-12));
    CHECK(s.log_z_upper == Approx(offset + std::log(5.0) + 5).epsilon(1e-12));
    CHECK(s.log_z_lower == -inf);
    CHECK(s.effective_sample_size == Approx(16.0 / 10.0).epsilon(1e-12));
    CHECK(s.runs == 2);
    CHECK(s.num_betas == 10);
    CHECK(s.log_z_base == 5.0);
  }
  // Equal weights: no spread, ESS = runs, the interval closes on the estimate.
  const AisResult flat = summarize_ais(Vectord::Constant(4, 700.0), 1.0, 3);
  CHECK(flat.log_z == Approx(701.0).epsilon(1e-12));
  CHECK(flat.log_z_stderr == 0.0);
  CHECK(flat.log_z_lower == Approx(701.0).epsilon(1e-12));
  CHECK(flat.effective_sample_size == Approx(4.0).epsilon(1e-12));
  // One run says nothing about its spread.
  const AisResult one = summarize_ais(Vectord::Constant(1, 2.0), 0.0, 3);
  CHECK(one.log_z == 2.0);
  CHECK(one.log_z_stderr == inf);
  CHECK(one.log_z_lower == -inf);
  CHECK(one.log_z_upper == inf);
}

TEST_CASE("AIS rejects bad arguments with messages naming them", "[ais][errors]") {
  auto rbm = test::random_rbm<float>(6, 4, 1.0, 0.5, 3);
  const Vectorf base = Vectorf::Zero(6);
  auto opt_with = [](auto edit) {
    AisOptions o;
    o.num_betas = 10;
    edit(o);
    return o;
  };
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.runs = 0; })), Contains("runs = 0"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.runs = -3; })), Contains("runs = -3"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.num_betas = 1; })),
                    Contains("num_betas = 1"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.block_rows = 0; })),
                    Contains("block_rows = 0"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.betas = {0.0}; })),
                    Contains("at least 2"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.betas = {0.1, 0.5, 1.0}; })),
                    Contains("betas[0] = 0.1") && Contains("start at exactly 0"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.betas = {0.0, 0.5, 0.9}; })),
                    Contains("betas[2] = 0.9") && Contains("end at exactly 1"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.betas = {0.0, 0.5, 0.5, 1.0}; })),
                    Contains("betas[2] = 0.5 is not greater than betas[1] = 0.5"));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions& o) { o.betas = {0.0, NAN, 1.0}; })),
                    Contains("betas[1] = nan"));
  CHECK_THROWS_WITH(ais_log_z(rbm, Vectorf::Zero(5), AisOptions{}), Contains("base_bias has 5 entries") &&
                                                                          Contains("6 visible units"));
  Vectorf bad = base;
  bad[2] = INFINITY;
  CHECK_THROWS_WITH(ais_log_z(rbm, bad, AisOptions{}), Contains("base_bias") && Contains("(2, 0) is inf"));
  CHECK_THROWS_WITH(ais_log_z_from_data(rbm, Matrixf::Constant(3, 6, 2.0f), AisOptions{}),
                    Contains("entry (0, 0) is 2"));
  CHECK_THROWS_WITH(mean_log_likelihood(rbm, Matrixf::Zero(2, 6), NAN), Contains("log_z = nan"));

  // A parameter update that threw leaves its NaN in the model (modify_params validates afterwards).
  CHECK_THROWS(rbm.modify_params([](Vectorf& t) { t[5] = NAN; }));
  CHECK_THROWS_WITH(ais_log_z(rbm, base, opt_with([](AisOptions&) {})),
                    Contains("parameter W(1, 1) is nan"));

  const auto good = test::random_rbm<float>(6, 4, 1.0, 0.5, 3);
  AisRuns<float> runs(good, base, opt_with([](AisOptions&) {}));
  runs.advance(good, 3);
  CHECK_THROWS_WITH(runs.result(), Contains("beta index 4 of 10"));
  CHECK_THROWS_WITH(runs.advance(test::random_rbm<float>(6, 5, 1.0, 0.5, 3), 1), Contains("6 × 5"));
}
