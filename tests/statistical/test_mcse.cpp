// The MCSE estimator of tests/support/mcse.hpp against AR(1) processes, whose autocorrelation is known:
//   x_t = φ x_{t−1} + √(1−φ²) ε_t,  x_0 ~ N(0, 1)  →  stationary, Var x = 1, ρ_t = φ^t,
//   n · Var(x̄_n) = (1+φ)/(1−φ) − 2φ(1−φⁿ) / (n (1−φ)²)        (exact, for a chain of length n).
// The other statistical tests trust this estimator for their tolerances, so it gets tested first.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/core/random.hpp"
#include "support/mcse.hpp"

using namespace ebm;

namespace {

Eigen::MatrixXd ar1_chains(double phi, Eigen::Index n, Eigen::Index m, std::uint64_t seed, std::uint64_t first) {
  Eigen::MatrixXd x(n, m);
  const double innovation = std::sqrt(1 - phi * phi);
  for (Eigen::Index c = 0; c < m; ++c) {
    Rng rng = make_stream(seed, StreamPurpose::user, first + std::uint64_t(c));
    x(0, c) = standard_normal<double>(rng);
    for (Eigen::Index t = 1; t < n; ++t) x(t, c) = phi * x(t - 1, c) + innovation * standard_normal<double>(rng);
  }
  return x;
}

double exact_n_var_mean(double phi, Eigen::Index n) {
  return (1 + phi) / (1 - phi) - 2 * phi * (1 - std::pow(phi, double(n))) / (double(n) * (1 - phi) * (1 - phi));
}

}  // namespace

TEST_CASE("MCSE: ESS of an AR(1) process matches its exact value", "[mcse]") {
  const double phi = 0.9;
  const Eigen::Index n = 25000, m = 4;
  const auto e = test::estimate_mean(ar1_chains(phi, n, m, 101, 0));
  // The exact τ of the grand mean of m independent chains of length n: m·n · Var(x̄) / Var(x).
  const double tau = exact_n_var_mean(phi, n);
  // Sokal's approximation of the sampling error of a windowed τ̂: sd(τ̂)/τ ≈ √(2(2M+1)/N), with M the
  // window the estimator actually summed and N = m·n. At 4 such sd a correct estimator fails about once in
  // 16 000 runs; the ±4 sd band here is about ±18 % wide. The bias of truncating at M is φ^M, negligible.
  const double rel_sd = std::sqrt(2.0 * double(2 * e.window + 1) / double(n * m));
  INFO("tau estimate " << e.tau << ", exact " << tau << ", window " << e.window << ", rel sd " << rel_sd);
  CHECK(std::abs(e.tau / tau - 1) < 4 * rel_sd);
  CHECK(e.ess == Approx(double(n * m) / e.tau));
  // The marginal variance is 1; for a Gaussian series its estimate has Var ≈ (2/N) Σ_t ρ_t² =
  // (2/N)(1+φ²)/(1−φ²), an sd of 0.014 here.
  CHECK(std::abs(e.variance - 1) < 4 * std::sqrt(2 * (1 + phi * phi) / (1 - phi * phi) / double(n * m)));
}

TEST_CASE("MCSE: z-scores of AR(1) means are standard normal and naive ones are not", "[mcse]") {
  // R independent replicates of 4 chains × 1000 draws, φ = 0.8 (τ ≈ 9, ESS ≈ 440 per replicate). The true
  // mean is 0, so z = x̄ / MCSE should have E z² ≈ 1. Noise in the estimated MCSE inflates E z² a little:
  // E[σ²/σ̂²] ≈ 1 + Var(τ̂)/τ² ≈ 1 + 2(2M+1)/N ≈ 1.03 for M ≈ 30, N = 4000. Over R replicates the mean of z²
  // has standard error √(2/R) = 0.032 (z² of a normal has variance 2), so |mean z² − 1| < 4·0.032 + 0.03.
  // The naive standard error sd/√N ignores the correlation: its mean z² is ≈ τ ≈ 9, far outside.
  const int R = 2000;
  const double phi = 0.8;
  double z2 = 0, naive_z2 = 0;
  for (int r = 0; r < R; ++r) {
    const auto x = ar1_chains(phi, 1000, 4, 202, std::uint64_t(r) * 4);
    const auto e = test::estimate_mean(x);
    z2 += e.mean * e.mean / (e.mcse * e.mcse);
    naive_z2 += e.mean * e.mean / (e.variance / double(x.size()));
  }
  z2 /= R;
  naive_z2 /= R;
  INFO("mean z^2 with ESS: " << z2 << ", naive: " << naive_z2);
  CHECK(std::abs(z2 - 1) < 4 * std::sqrt(2.0 / R) + 0.03);
  CHECK(naive_z2 > 1 + 4 * std::sqrt(2.0 / R) + 0.03);
}

TEST_CASE("MCSE: independent draws have tau near 1, a constant series has MCSE 0", "[mcse]") {
  const auto e = test::estimate_mean(ar1_chains(0.0, 5000, 4, 303, 0));
  // For white noise the window stays short (M of a few lags), so sd(τ̂) ≈ √(2(2M+1)/N) ≈ 0.03.
  CHECK(std::abs(e.tau - 1) < 4 * std::sqrt(2.0 * double(2 * e.window + 1) / 20000.0));
  const auto c = test::estimate_mean(Eigen::MatrixXd::Constant(100, 3, 2.5));
  CHECK(c.mean == 2.5);
  CHECK(c.mcse == 0);
}
