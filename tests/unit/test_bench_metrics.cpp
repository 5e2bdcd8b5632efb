// The sampler-benchmark metrics (include/ebm/diagnostics/sampler_metrics.hpp) against values worked out by hand,
// and exact_binary_mean against closed forms and the exact distribution.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "ebm/core/random.hpp"
#include "ebm/diagnostics/sampler_metrics.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/models/factorized_bernoulli.hpp"
#include "ebm/models/ising_model.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

TEST_CASE("hamming_to_reference counts the entries that differ from the reference", "[bench]") {
  Matrixf x(4, 4);
  x << 0, 1, 1, 0,  //
      1, 1, 1, 1,   //
      0, 0, 0, 0,   //
      1, 0, 0, 1;
  Vectorf ref(4);
  ref << 0, 1, 1, 0;
  Eigen::VectorXd h(4);
  hamming_to_reference<float>(x, ref, h);
  CHECK(h[0] == 0);  // the reference itself
  CHECK(h[1] == 2);  // entries 0 and 3
  CHECK(h[2] == 2);  // entries 1 and 2
  CHECK(h[3] == 4);  // the complement
  Vectorf short_ref(3);
  CHECK_ERROR(hamming_to_reference<float>(x, short_ref, h), Contains("reference state has 3 entries"));
}

TEST_CASE("mmd2_hamming on tiny sets", "[bench]") {
  Matrixd a(1, 2), b(1, 2);
  a << 0, 0;
  b << 1, 1;
  // k_xx = k_yy = 1, k_xy = exp(−2/2): MMD² = 2 − 2/e.
  CHECK(mmd2_hamming<double>(a, b) == Approx(2 - 2 * std::exp(-1.0)).epsilon(1e-14));
  // X = {00, 10}, Y = {00}: mean k_xx = (1 + 1 + 2e^{−1/2})/4, k_yy = 1, mean k_xy = (1 + e^{−1/2})/2,
  // MMD² = (1 + e^{−1/2})/2 + 1 − (1 + e^{−1/2}) = (1 − e^{−1/2})/2.
  Matrixd x(2, 2);
  x << 0, 0, 1, 0;
  Matrixd y(1, 2);
  y << 0, 0;
  CHECK(mmd2_hamming<double>(x, y) == Approx((1 - std::exp(-0.5)) / 2).epsilon(1e-14));
  CHECK(mmd2_hamming<double>(x, x) == 0.0);  // a set against itself
  Matrixd wide(1, 3);
  CHECK_ERROR(mmd2_hamming<double>(x, wide), Contains("states of dimension 2 and 3"));
}

TEST_CASE("RunningMean and rmse", "[bench]") {
  RunningMean m(2);
  Matrixf first(2, 2), second(1, 2);
  first << 0, 1, 1, 1;
  second << 1, 0;
  m.add<float>(first);
  m.add<float>(second);
  CHECK(m.count() == 3);
  CHECK(m.mean()[0] == Approx(2.0 / 3));
  CHECK(m.mean()[1] == Approx(2.0 / 3));
  Eigen::VectorXd est(3), truth(3);
  est << 1, 2, 3;
  truth << 1, 0, -1;
  CHECK(rmse(est, truth) == Approx(std::sqrt(20.0 / 3)).epsilon(1e-14));  // differences 0, 2, 4
  CHECK_ERROR(RunningMean(2).mean(), Contains("no states were added"));
}

TEST_CASE("ess_second_half of an iid trace is near the number of kept draws, whatever the first half holds",
          "[bench]") {
  // 4 chains × 2000 steps; the first 1000 steps trend upwards (a burn-in no estimator would accept), the second
  // half is iid N(0, 1). Kept: N = 4000 draws. For iid draws Geyer's window stops at M ≤ 2 or so, and
  // sd(τ̂)/τ ≈ √(2(2M + 1)/N) ≤ 0.05 (Sokal), so 0.2 is four standard errors.
  Eigen::MatrixXd draws(2000, 4);
  Rng rng = make_stream(7, StreamPurpose::user, 0);
  for (Index c = 0; c < 4; ++c)
    for (Index t = 0; t < 2000; ++t) draws(t, c) = t < 1000 ? 100.0 + double(t) : standard_normal<double>(rng);
  const double ess = ess_second_half(draws);
  CHECK(std::abs(ess / 4000 - 1) < 0.2);
  CHECK_ERROR(ess_second_half(draws.topRows(15)), Contains("need at least 16"));
}

TEST_CASE("ess_rates divides by the costs", "[bench]") {
  const EssRates r = ess_rates(100, 2, 4, 1000);
  CHECK(r.ess == 100);
  CHECK(r.per_wall_second == 50);
  CHECK(r.per_cpu_second == 25);
  CHECK(r.per_evaluation == 0.1);
  CHECK(ess_rates(100, 0, 0, 0).per_wall_second == std::numeric_limits<double>::infinity());
}

TEST_CASE("exact_binary_mean: σ(a) for a factorized Bernoulli, Σ p(x) x for a small Ising model", "[bench]") {
  Vectord a(5);
  a << -2, -0.5, 0, 0.7, 3;
  const FactorizedBernoulli<double> fb(a);
  CHECK((exact_binary_mean(fb) - fb.mean()).cwiseAbs().maxCoeff() < 1e-14);

  Vectord field(9);
  field << 0.3, -0.2, 0.1, 0, 0.5, -0.4, 0.2, 0.1, -0.1;
  const IsingModeld ising(3, 3, 0.3, field);
  const Vectord p = exact_binary_distribution(ising);
  Vectord mean = Vectord::Zero(9);
  for (Index k = 0; k < p.size(); ++k)
    for (Index i = 0; i < 9; ++i)
      if ((k >> i) & 1) mean[i] += p[k];
  CHECK((exact_binary_mean(ising) - mean).cwiseAbs().maxCoeff() < 1e-12);
}
