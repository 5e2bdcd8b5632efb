// MCMC diagnostics (include/ebm/diagnostics/) on processes whose answer is known.
//
// ESS and IAT: AR(1) chains x_t = ρ x_{t−1} + √(1−ρ²) ε_t, x_0 ~ N(0, 1), are stationary with ρ_t = ρ^t, so
// the integrated autocorrelation time of the mean is τ = 1 + 2 Σ_{t≥1} ρ^t = (1 + ρ)/(1 − ρ). Each check
// runs R independent replicates (fixed seeds) and compares the mean estimate with τ within
//   4 · (standard deviation of the R estimates)/√R  +  2|ρ| / ((1 − ρ)² n)  +  2 √(2κ/N),
// the last two terms being the known biases of the estimator, which averaging replicates does not remove:
// - autocovariances with divisor n have E γ̂(t) ≈ (1 − t/n) γ(t), so the sum 2 Σ_t ρ̂_t falls short by
//   2 Σ_t (t/n) ρ^t = 2ρ / ((1 − ρ)² n), n the length of a split chain (the multi-chain var⁺ cancels the bias of
//   subtracting each chain's mean to first order);
// - the initial positive sequence keeps a pair of noise autocorrelations past the true cut-off only when it
//   happens to be positive, which adds about 2 E[max(P, 0)] (+ smaller terms for later pairs). At large lags
//   Bartlett's formula gives Var ρ̂_t ≈ κ/N, κ = (1 + ρ²)/(1 − ρ²), so a pair has sd ≈ √(2κ/N) and
//   2 E[max(P, 0)] ≈ 0.8 √(2κ/N); the allowance 2 √(2κ/N) covers it with the later pairs. For white noise
//   and N = 8000 that is +0.013 in τ, which the replicates here do resolve.
// (Truncation at a finite lag M costs ρ^M, negligible.) At 4 standard errors a correct estimator fails about
// once in 16 000 runs.
//
// R-hat: identical chains, chains with shifted means, one chain with a wider spread (caught only by the
// folded part), and a drift shared by all chains (caught only by splitting).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/core/random.hpp"
#include "ebm/diagnostics/chain_summary.hpp"
#include "ebm/diagnostics/ess.hpp"
#include "ebm/diagnostics/rhat.hpp"

using namespace ebm;

namespace {

// m AR(1) chains of n draws with marginal N(0, 1); chain c uses stream `first + c` of `seed`.
Eigen::MatrixXd ar1_chains(double rho, Index n, Index m, std::uint64_t seed, std::uint64_t first) {
  Eigen::MatrixXd x(n, m);
  const double innovation = std::sqrt(1 - rho * rho);
  for (Index c = 0; c < m; ++c) {
    Rng rng = make_stream(seed, StreamPurpose::user, first + std::uint64_t(c));
    x(0, c) = standard_normal<double>(rng);
    for (Index t = 1; t < n; ++t) x(t, c) = rho * x(t - 1, c) + innovation * standard_normal<double>(rng);
  }
  return x;
}

struct Replicates {
  double mean = 0, se = 0;  // mean of the estimates and its standard error (sd over replicates / √R)
};

Replicates replicate_mean(const std::vector<double>& v) {
  const double R = double(v.size());
  double s = 0, s2 = 0;
  for (double x : v) s += x;
  const double mean = s / R;
  for (double x : v) s2 += (x - mean) * (x - mean);
  return {mean, std::sqrt(s2 / (R - 1) / R)};
}

}  // namespace

TEST_CASE("Diagnostics: the IAT and ESS of AR(1) chains match (1 + rho)/(1 - rho)", "[diagnostics]") {
  // R = 100 replicates of 4 chains × 2000 draws (8 split chains of n = 1000).
  const int R = 100;
  const Index n = 2000, m = 4, half = n / 2;
  std::uint64_t seed = 11;
  for (double rho : {0.0, 0.5, 0.9, -0.3}) {
    const double tau = (1 + rho) / (1 - rho);
    const double N = double(2 * half * m), kappa = (1 + rho * rho) / (1 - rho * rho);
    std::vector<double> iat, bulk_iat, unsplit_iat;
    for (int r = 0; r < R; ++r) {
      const Eigen::MatrixXd x = ar1_chains(rho, n, m, seed, std::uint64_t(r * m));
      iat.push_back(integrated_autocorrelation_time(x));
      // Rank normalization is nearly the identity on Gaussian draws, so bulk-ESS targets the same τ.
      bulk_iat.push_back(N / ess_bulk(x));
      unsplit_iat.push_back(effective_sample_size(x).tau);
      CHECK(ess_mean(x) == Approx(N / iat.back()).epsilon(1e-12));
    }
    const double bias = 2 * std::abs(rho) / ((1 - rho) * (1 - rho) * double(half)) + 2 * std::sqrt(2 * kappa / N);
    for (const auto& [name, values] : {std::pair{"split IAT", &iat}, std::pair{"bulk IAT", &bulk_iat},
                                       std::pair{"unsplit IAT", &unsplit_iat}}) {
      const Replicates e = replicate_mean(*values);
      INFO("rho " << rho << ", " << name << ": mean " << e.mean << " +- " << e.se << ", exact " << tau
                  << ", bias allowance " << bias);
      CHECK(std::abs(e.mean - tau) < 4 * e.se + bias);
    }
    ++seed;
  }
}

TEST_CASE("Diagnostics: antithetic AR(1) chains have more effective draws than draws", "[diagnostics]") {
  // ρ = −0.3: τ = 0.7/1.3 ≈ 0.54, ESS ≈ 1.86 N. One run of 4 × 4000 draws: sd(τ̂)/τ ≈ √(2(2M+1)/N) ≈ 0.04
  // for a window M of a few lags, so ESS/N > 1.5 holds with a wide margin.
  const Eigen::MatrixXd x = ar1_chains(-0.3, 4000, 4, 21, 0);
  CHECK(ess_mean(x) > 1.5 * double(x.size()));
  CHECK(ess_bulk(x) > 1.5 * double(x.size()));
}

TEST_CASE("Diagnostics: one long AR(1) chain gives the single-chain IAT", "[diagnostics]") {
  // m = 1, ρ = 0.5, τ = 3. R = 60 replicates of n = 8000 (two split halves of 4000).
  const int R = 60;
  std::vector<double> iat;
  for (int r = 0; r < R; ++r) iat.push_back(integrated_autocorrelation_time(ar1_chains(0.5, 8000, 1, 31, std::uint64_t(r))));
  const Replicates e = replicate_mean(iat);
  const double bias = 2 * 0.5 / (0.25 * 4000.0) + 2 * std::sqrt(2 * (1.25 / 0.75) / 8000.0);  // as above
  INFO("single-chain IAT " << e.mean << " +- " << e.se << ", exact 3");
  CHECK(std::abs(e.mean - 3) < 4 * e.se + bias);
}

TEST_CASE("Diagnostics: tail-ESS of independent draws is near the number of draws", "[diagnostics]") {
  // For independent draws the quantile indicators 1{x ≤ q} are independent Bernoulli draws: τ = 1. Two
  // known upward biases of N / ESS_tail, beyond 4 standard errors of the replicate mean: the positive-sequence
  // truncation, 2 √(2/N) as in the AR(1) test (κ = 1), and taking the larger of two noisy τ̂ (the 5 % and
  // the 95 % indicator), E max ≈ τ + 0.56 sd(τ̂) with sd(τ̂) ≈ √(2(2M+1)/N) ≈ √(10/N) for a window M ≈ 2.
  const int R = 60;
  const double N = 8000;
  std::vector<double> tail_iat;
  for (int r = 0; r < R; ++r) {
    const Eigen::MatrixXd x = ar1_chains(0.0, 2000, 4, 41, std::uint64_t(r * 4));
    tail_iat.push_back(double(x.size()) / ess_tail(x));
  }
  const Replicates e = replicate_mean(tail_iat);
  INFO("tail IAT " << e.mean << " +- " << e.se);
  CHECK(e.mean > 1 - 4 * e.se);
  CHECK(e.mean < 1 + 4 * e.se + 2 * std::sqrt(2 / N) + 0.56 * std::sqrt(10 / N));
}

TEST_CASE("Diagnostics: R-hat of identically distributed chains is within [sqrt((n-1)/n), 1.01]",
          "[diagnostics]") {
  // 4 AR(1) chains (ρ = 0.5, τ = 3) of 4000 draws: 8 split chains of n = 2000. Then B/W ≈ (τ/n) χ²₇/7 and
  // R̂² − 1 ≈ B/W − 1/n, so R̂ > 1.01 would need χ²₇ > 7 · 0.0201 · n/τ ≈ 94: probability below 1e-16.
  // R̂ can fall below 1 (when the chain means agree better than chance), never below √((n−1)/n).
  const double floor = std::sqrt(1999.0 / 2000.0);
  for (std::uint64_t seed : {51, 52, 53, 54, 55}) {
    const Eigen::MatrixXd x = ar1_chains(0.5, 4000, 4, seed, 0);
    const RhatEstimate r = rank_normalized_rhat(x);
    INFO("seed " << seed << ": bulk " << r.bulk << ", folded " << r.folded << ", split " << split_rhat(x));
    CHECK(r.rhat >= floor);
    CHECK(r.rhat <= 1.01);
    CHECK(r.bulk >= floor);
    CHECK(split_rhat(x) <= 1.01);
  }
}

TEST_CASE("Diagnostics: R-hat flags a chain whose mean is shifted", "[diagnostics]") {
  // One of 4 chains shifted by 2 marginal sds: the split-chain means differ by ~2 while the within-chain sd is
  // 1, so B/n ≈ 0.85 against W ≈ 1 and R̂ ≈ 1.36 on the raw draws; rank normalization keeps it far above 1.1.
  Eigen::MatrixXd x = ar1_chains(0.5, 2000, 4, 61, 0);
  x.col(3).array() += 2.0;
  const RhatEstimate r = rank_normalized_rhat(x);
  INFO("bulk " << r.bulk << ", folded " << r.folded << ", split " << split_rhat(x));
  CHECK(r.bulk > 1.1);
  CHECK(r.rhat > 1.1);
  CHECK(split_rhat(x) > 1.1);
  CHECK(potential_scale_reduction(x) > 1.1);
}

TEST_CASE("Diagnostics: only the folded R-hat catches a chain with a different spread", "[diagnostics]") {
  // Same mean 0, but chain 3 has sd 3. Locations agree, so the bulk and the classic split R̂ stay near 1
  // (bound as in the identical-chains test, with W inflated by the wide chain); |x − median| is ~3 times
  // larger in chain 3, which the folded R̂ sees as a shifted mean.
  Eigen::MatrixXd x = ar1_chains(0.5, 4000, 4, 71, 0);
  x.col(3) *= 3.0;
  const RhatEstimate r = rank_normalized_rhat(x);
  INFO("bulk " << r.bulk << ", folded " << r.folded << ", split " << split_rhat(x));
  CHECK(r.bulk < 1.01);
  CHECK(split_rhat(x) < 1.01);
  CHECK(r.folded > 1.1);
  CHECK(r.rhat == r.folded);
}

TEST_CASE("Diagnostics: only the split R-hat catches a drift shared by all chains", "[diagnostics]") {
  // Every chain drifts from −1 to +1 over its run: the chain means agree (unsplit R̂ ≈ 1), but each chain's
  // halves disagree by ~1 sd of the noise, which splitting exposes.
  Eigen::MatrixXd x = ar1_chains(0.0, 2000, 4, 81, 0);
  for (Index t = 0; t < x.rows(); ++t) x.row(t).array() += -1.0 + 2.0 * double(t) / double(x.rows() - 1);
  INFO("unsplit " << potential_scale_reduction(x) << ", split " << split_rhat(x));
  CHECK(potential_scale_reduction(x) < 1.01);
  CHECK(split_rhat(x) > 1.1);
  CHECK(rank_normalized_rhat(x).rhat > 1.1);
}

TEST_CASE("Diagnostics: a chain summary of mixed AR(1) chains reports the mean within its MCSE",
          "[diagnostics]") {
  // True mean 0, τ = 3: |mean| < 4 MCSE, R̂ ≤ 1.01 (as above), iat near 3 (sd(τ̂)/τ ≈ √(2(2M+1)/N) ≈ 0.05
  // for M ≈ 10, N = 16000), and ESS_bulk, ESS_tail within (0, N log10 N].
  const Eigen::MatrixXd x = ar1_chains(0.5, 4000, 4, 91, 0);
  const ChainSummary s = summarize(x);
  INFO("mean " << s.mean << " +- " << s.mcse << ", iat " << s.iat << ", rhat " << s.rhat);
  CHECK(std::abs(s.mean) < 4 * s.mcse);
  CHECK(s.rhat <= 1.01);
  CHECK(std::abs(s.iat - 3) < 4 * 0.05 * 3);
  // Var of the marginal-variance estimate of a Gaussian series: (2/N)(1+ρ²)/(1−ρ²).
  CHECK(std::abs(s.sd * s.sd - 1) < 4 * std::sqrt(2 * (1 + 0.25) / (1 - 0.25) / 16000.0));
  CHECK(s.ess_tail > 0);
  CHECK(s.ess_bulk > 0);
  CHECK(s.ess_tail < 16000 * std::log10(16000.0));
}
