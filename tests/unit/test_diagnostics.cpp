// MCMC diagnostics (include/ebm/diagnostics/) against values worked out by hand for short sequences, the
// FFT autocovariance against the direct sum, the normal quantile against known values, and the errors.
// The arithmetic is written out in the comments so that every reference number can be checked with a pencil
// (the normal quantiles Φ⁻¹ are those of Python's statistics.NormalDist, Wichura's AS241).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "ebm/diagnostics/autocorrelation.hpp"
#include "ebm/diagnostics/chain_summary.hpp"
#include "ebm/diagnostics/ess.hpp"
#include "ebm/diagnostics/ranks.hpp"
#include "ebm/diagnostics/rhat.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {

// Two chains of six draws:  A = 1 3 2 5 4 6,  B = 2 7 9 8 10 12.  B sits higher than A: the chains disagree.
Eigen::MatrixXd two_short_chains() {
  Eigen::MatrixXd x(6, 2);
  x.col(0) << 1, 3, 2, 5, 4, 6;
  x.col(1) << 2, 7, 9, 8, 10, 12;
  return x;
}

// R-hat of given chains by the textbook formula, written out independently of the library.
double rhat_by_formula(const Eigen::MatrixXd& x) {
  const double n = double(x.rows()), m = double(x.cols());
  const Eigen::RowVectorXd mean = x.colwise().mean();
  double W = 0;
  for (Index c = 0; c < x.cols(); ++c) W += (x.col(c).array() - mean[c]).square().sum() / (n - 1);
  W /= m;
  const double between = (mean.array() - mean.mean()).square().sum() / (m - 1);
  return std::sqrt(((n - 1) / n * W + between) / W);
}

constexpr double tight = 1e-12;

}  // namespace

TEST_CASE("Diagnostics: split chains are the two halves of each chain, the middle draw of an odd chain dropped",
          "[diagnostics]") {
  const Eigen::MatrixXd s = split_chains(two_short_chains());
  REQUIRE(s.rows() == 3);
  REQUIRE(s.cols() == 4);
  CHECK(s.col(0) == Eigen::Vector3d(1, 3, 2));
  CHECK(s.col(1) == Eigen::Vector3d(5, 4, 6));
  CHECK(s.col(2) == Eigen::Vector3d(2, 7, 9));
  CHECK(s.col(3) == Eigen::Vector3d(8, 10, 12));
  Eigen::MatrixXd odd(5, 1);
  odd << 1, 2, 3, 4, 5;
  const Eigen::MatrixXd so = split_chains(odd);
  CHECK(so.col(0) == Eigen::Vector2d(1, 2));
  CHECK(so.col(1) == Eigen::Vector2d(4, 5));
}

TEST_CASE("Diagnostics: split R-hat of two short chains equals the hand computation 13 / sqrt 57",
          "[diagnostics]") {
  // Split chains (n = 3 draws each): A1 = 1 3 2, A2 = 5 4 6, B1 = 2 7 9, B2 = 8 10 12.
  //   means 2, 5, 6, 10;   variances (divisor 2): (1+1+0)/2 = 1, (0+1+1)/2 = 1, (16+1+9)/2 = 13, (4+0+4)/2 = 4
  //   W = (1 + 1 + 13 + 4)/4 = 19/4
  //   grand mean 23/4; B/n = (3.75² + 0.75² + 0.25² + 4.25²)/3 = 32.75/3 = 131/12
  //   var⁺ = (2/3)(19/4) + 131/12 = 38/12 + 131/12 = 169/12;   R̂ = √(var⁺/W) = √(169/57) = 13/√57 ≈ 1.72189
  const Eigen::MatrixXd x = two_short_chains();
  CHECK(split_rhat(x) == Approx(13.0 / std::sqrt(57.0)).epsilon(tight));
  // Unsplit: means 7/2 and 8; W = (17.5/5 + 58/5)/2 = 7.55, B/n = (4.5²/2) = 10.125,
  //   var⁺ = (5/6)·7.55 + 10.125 = 197/12,   R̂ = √((197/12)/(151/20)) = √(985/453).
  CHECK(potential_scale_reduction(x) == Approx(std::sqrt(985.0 / 453.0)).epsilon(tight));
}

TEST_CASE("Diagnostics: fractional ranks average ties and normal scores use the 3/8 offsets", "[diagnostics]") {
  // Pooled sorted draws: 1 2 2 3 4 5 6 7 8 9 10 12. The two 2s share ranks 2 and 3: 2.5 each.
  //   A = 1 3 2 5 4 6   → ranks 1 4 2.5 6 5 7
  //   B = 2 7 9 8 10 12 → ranks 2.5 8 10 9 11 12
  const Eigen::MatrixXd x = two_short_chains();
  Eigen::MatrixXd want(6, 2);
  want.col(0) << 1, 4, 2.5, 6, 5, 7;
  want.col(1) << 2.5, 8, 10, 9, 11, 12;
  CHECK(fractional_ranks(x) == want);
  // z = Φ⁻¹((r − 3/8)/(12 + 1/4)): r = 1 → p = 0.625/12.25 = 5/98, r = 2.5 → 17/98, r = 4 → 29/98, r = 5 → 37/98,
  // 6 → 45/98, 7 → 53/98, 8 → 61/98, 9 → 69/98, 10 → 77/98, 11 → 85/98, 12 → 93/98.
  const Eigen::MatrixXd z = rank_normalize(x);
  const double zA[6] = {-1.6350392668017106, -0.5361762663658064, -0.9405436406054153,
                        -0.1024905076914514, -0.3119190548203252, 0.10249050769145156};
  const double zB[6] = {-0.9405436406054153, 0.3119190548203252, 0.7916386077433746,
                        0.5361762663658064,  1.113937215356688,  1.6350392668017109};
  for (Index t = 0; t < 6; ++t) {
    CHECK(z(t, 0) == Approx(zA[t]).margin(tight));
    CHECK(z(t, 1) == Approx(zB[t]).margin(tight));
  }
}

TEST_CASE("Diagnostics: rank-normalized R-hat of two short chains equals the hand computation",
          "[diagnostics]") {
  const Eigen::MatrixXd x = two_short_chains();
  const RhatEstimate r = rank_normalized_rhat(x);
  // Bulk: the split-R̂ formula on the normal scores of the test above (the same four split chains).
  Eigen::MatrixXd z(3, 4);
  z.col(0) << -1.6350392668017106, -0.5361762663658064, -0.9405436406054153;  // A1
  z.col(1) << -0.1024905076914514, -0.3119190548203252, 0.10249050769145156;  // A2
  z.col(2) << -0.9405436406054153, 0.3119190548203252, 0.7916386077433746;    // B1
  z.col(3) << 0.5361762663658064, 1.113937215356688, 1.6350392668017109;      // B2
  CHECK(r.bulk == Approx(rhat_by_formula(z)).epsilon(tight));
  CHECK(r.bulk == Approx(1.6630474307039615).epsilon(1e-12));  // that formula evaluated once, for the record
  // Folded: the median of the 12 pooled draws is (5 + 6)/2 = 5.5, so |x − 5.5| is
  //   A: 4.5 2.5 3.5 0.5 1.5 0.5     B: 3.5 1.5 3.5 2.5 4.5 6.5
  // Sorted: 0.5 0.5 | 1.5 1.5 | 2.5 2.5 | 3.5 3.5 3.5 | 4.5 4.5 | 6.5 → ranks 1.5, 3.5, 5.5, 8, 10.5, 12
  //   A: 10.5 5.5 8 1.5 3.5 1.5      B: 8 3.5 8 5.5 10.5 12
  // p = (r − 3/8)/12.25: 1.5 → 9/98, 3.5 → 25/98, 5.5 → 41/98, 8 → 61/98, 10.5 → 81/98, 12 → 93/98.
  const Eigen::MatrixXd folded = fold(x);
  Eigen::MatrixXd want(6, 2);
  want.col(0) << 4.5, 2.5, 3.5, 0.5, 1.5, 0.5;
  want.col(1) << 3.5, 1.5, 3.5, 2.5, 4.5, 6.5;
  CHECK(folded == want);
  Eigen::MatrixXd fr(6, 2);
  fr.col(0) << 10.5, 5.5, 8, 1.5, 3.5, 1.5;
  fr.col(1) << 8, 3.5, 8, 5.5, 10.5, 12;
  CHECK(fractional_ranks(folded) == fr);
  const double z15 = -1.3295291071787325, z35 = -0.658519950548337, z55 = -0.2060719695833272,
               z8 = 0.3119190548203252, z105 = 0.9405436406054153, z12 = 1.6350392668017109;
  Eigen::MatrixXd fz(3, 4);
  fz.col(0) << z105, z55, z8;   // A1
  fz.col(1) << z15, z35, z15;   // A2
  fz.col(2) << z8, z35, z8;     // B1
  fz.col(3) << z55, z105, z12;  // B2
  CHECK(r.folded == Approx(rhat_by_formula(fz)).epsilon(tight));
  CHECK(r.folded == Approx(1.4998343995429038).epsilon(1e-12));
  CHECK(r.rhat == std::max(r.bulk, r.folded));
}

TEST_CASE("Diagnostics: multi-chain ESS of two short chains equals the hand computation", "[diagnostics]") {
  // Unsplit, n = 6, m = 2. Chain means 7/2 and 8. Autocovariances γ̂(t) = (1/6) Σ (x_i − x̄)(x_{i+t} − x̄):
  //   A: 35/12, 7/24, 1, −31/24, −5/12, −25/24      B: 29/3, 13/6, −2/3, 1/3, −8/3, −4
  // mean over chains γ̄(t): 151/24, 59/48, 1/6, −23/48, −37/24, −121/48
  //   W = (6/5) γ̄(0) = 151/20,   Var(chain means) = (4.5²)/2 = 81/8,   var⁺ = (5/6) W + 81/8 = 197/12
  //   ρ̂_t = 1 − (W − γ̄(t))/var⁺:  ρ̂_1 = 2423/3940, ρ̂_2 = 2168/3940, ρ̂_3 = 2013/3940, ρ̂_4 = 1758/3940,
  //                               ρ̂_5 = 1523/3940
  //   pairs (ρ̂_0 = 1): P_0 = 6363/3940, P_1 = 4181/3940, P_2 = 3281/3940, all positive and decreasing
  //   τ̂ = −1 + 2 (6363 + 4181 + 3281)/3940 = −1 + 13825/1970 = 11855/1970 = 2371/394 ≈ 6.018 (above the
  //        floor 1/log10 12 ≈ 0.93),   ESS = 12/τ̂ = 4728/2371 ≈ 1.994, window = lag 5.
  const EssEstimate e = effective_sample_size(two_short_chains());
  CHECK(e.variance == Approx(197.0 / 12.0).epsilon(tight));
  CHECK(e.tau == Approx(2371.0 / 394.0).epsilon(tight));
  CHECK(e.ess == Approx(4728.0 / 2371.0).epsilon(tight));
  CHECK(e.window == 5);
}

TEST_CASE("Diagnostics: an alternating chain stops at the first pair and hits the ESS ceiling N log10 N",
          "[diagnostics]") {
  // x = 1 0 1 0 1 0 1 0 (one chain, n = 8): deviations ±1/2, γ̂(t) = (−1)^t (8 − t)/32, W = (8/7)(1/4) = 2/7,
  // var⁺ = (7/8) W = 1/4, ρ̂_1 = 1 − (2/7 + 7/32)·4 = −57/56, so P_0 = 1 − 57/56 < 0: nothing is summed and
  // the improved estimate adds ρ̂_0 = 1: τ̂ = −1 + 0 + 1 = 0, raised to the floor 1/log10 8.
  Eigen::MatrixXd x(8, 1);
  x << 1, 0, 1, 0, 1, 0, 1, 0;
  const EssEstimate e = effective_sample_size(x);
  CHECK(e.tau == Approx(1.0 / std::log10(8.0)).epsilon(tight));
  CHECK(e.ess == Approx(8.0 * std::log10(8.0)).epsilon(tight));
  CHECK(e.window == 0);
}

TEST_CASE("Diagnostics: pooled quantiles interpolate between order statistics", "[diagnostics]") {
  // Sorted: 1 2 2 3 4 5 6 7 8 9 10 12 (indices 0 … 11).
  // p = 0.05: h = 11·0.05 = 0.55 → 1 + 0.55·(2 − 1) = 1.55;  p = 0.95: h = 10.45 → 10 + 0.45·(12 − 10) = 10.9;
  // p = 0.5: h = 5.5 → 5 + 0.5·(6 − 5) = 5.5;  p = 0 and 1: the extremes.
  const Eigen::MatrixXd x = two_short_chains();
  CHECK(quantile(x, 0.05) == Approx(1.55).epsilon(tight));
  CHECK(quantile(x, 0.95) == Approx(10.9).epsilon(tight));
  CHECK(quantile(x, 0.5) == 5.5);
  CHECK(quantile(x, 0.0) == 1);
  CHECK(quantile(x, 1.0) == 12);
}

TEST_CASE("Diagnostics: the FFT autocovariance equals the direct sum at every lag", "[diagnostics]") {
  for (Index n : {1, 2, 7, 64, 100}) {
    Eigen::VectorXd x(n);
    for (Index i = 0; i < n; ++i) x[i] = std::sin(0.7 * double(i * i)) + 0.01 * double(i);
    const Eigen::VectorXd g = autocovariance(x);
    REQUIRE(g.size() == n);
    const double mean = x.mean();
    for (Index t = 0; t < n; ++t) {
      double s = 0;
      for (Index i = 0; i + t < n; ++i) s += (x[i] - mean) * (x[i + t] - mean);
      CHECK(g[t] == Approx(s / double(n)).margin(1e-13));
    }
  }
  Eigen::VectorXd y(5);
  y << 1, 3, 2, 5, 4;  // mean 3, deviations −2 0 −1 2 1: γ̂ = 10/5, 0/5, 1/5, −4/5, −2/5
  const Eigen::VectorXd r = autocorrelation(y);
  CHECK(r[0] == 1);
  CHECK(r[1] == Approx(0).margin(1e-15));
  CHECK(r[2] == Approx(0.1).epsilon(tight));
  CHECK(r[3] == Approx(-0.4).epsilon(tight));
  CHECK(r[4] == Approx(-0.2).epsilon(tight));
}

TEST_CASE("Diagnostics: the normal quantile matches known values", "[diagnostics]") {
  CHECK(normal_quantile(0.5) == Approx(0).margin(1e-15));
  CHECK(normal_quantile(0.975) == Approx(1.9599639845400536).epsilon(1e-14));
  CHECK(normal_quantile(0.05) == Approx(-1.6448536269514726).epsilon(1e-14));
  CHECK(normal_quantile(1e-10) == Approx(-6.361340902404056).epsilon(1e-13));
  CHECK(normal_quantile(0.841344746068543) == Approx(1.0).epsilon(1e-13));
  CHECK_ERROR(normal_quantile(0.0), Contains("p = 0 must lie in (0, 1)"));
  CHECK_ERROR(normal_quantile(1.5), Contains("p = 1.5"));
}

TEST_CASE("Diagnostics: constant draws have ESS N, tau 1, R-hat 1 and MCSE 0; chains stuck apart give R-hat inf",
          "[diagnostics]") {
  const Eigen::MatrixXd c = Eigen::MatrixXd::Constant(10, 3, 0.1);
  const EssEstimate e = effective_sample_size(c);
  CHECK(e.ess == 30);
  CHECK(e.tau == 1);
  CHECK(split_rhat(c) == 1);
  CHECK(rank_normalized_rhat(c).rhat == 1);
  const ChainSummary s = summarize(c);
  CHECK(s.mean == Approx(0.1));
  CHECK(s.mcse == 0);
  CHECK(s.ess_bulk == 30);
  Eigen::MatrixXd apart(10, 2);
  apart.col(0).setConstant(1.0);
  apart.col(1).setConstant(2.0);
  CHECK(std::isinf(potential_scale_reduction(apart)));
}

TEST_CASE("Diagnostics: bad draws are errors that name the problem", "[diagnostics]") {
  const Eigen::MatrixXd none(10, 0);
  CHECK_ERROR(effective_sample_size(none), Contains("effective_sample_size: no chains"));
  CHECK_ERROR(rank_normalized_rhat(none), Contains("no chains"));
  CHECK_ERROR(summarize(none), Contains("summarize: no chains"));
  const Eigen::MatrixXd few = Eigen::MatrixXd::Random(3, 4);
  CHECK_ERROR(effective_sample_size(few), Contains("3 draws per chain; at least 4 are needed"));
  CHECK_ERROR(split_rhat(few), Contains("split_rhat: 3 draws per chain; at least 4"));
  CHECK_ERROR(ess_bulk(Eigen::MatrixXd::Random(7, 2)), Contains("ess_bulk: 7 draws per chain; at least 8"));
  CHECK_ERROR(summarize(Eigen::MatrixXd::Random(7, 2)), Contains("at least 8"));
  Eigen::MatrixXd bad = Eigen::MatrixXd::Random(20, 3);
  bad(5, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_ERROR(ess_tail(bad), Contains("ess_tail: draw 5 of chain 2 is nan; draws must be finite"));
  CHECK_ERROR(summarize(bad), Contains("draw 5 of chain 2 is nan"));
  bad(5, 2) = std::numeric_limits<double>::infinity();
  CHECK_ERROR(rank_normalized_rhat(bad), Contains("draw 5 of chain 2 is inf"));
  CHECK_ERROR(ess_quantile(Eigen::MatrixXd::Random(20, 2), 1.2), Contains("ess_quantile: p = 1.2"));
  CHECK_ERROR(autocorrelation(Eigen::VectorXd::Constant(5, 2.0)), Contains("the series is constant"));
}

TEST_CASE("Diagnostics: a chain summary converts to a JSON object with every field", "[diagnostics]") {
  Eigen::MatrixXd x(20, 2);
  for (Index t = 0; t < 20; ++t) {
    x(t, 0) = std::sin(double(t));
    x(t, 1) = std::cos(1.3 * double(t));
  }
  const ChainSummary s = summarize(x);
  const nlohmann::json j = s;
  for (const char* k : {"chains", "iterations", "mean", "sd", "mcse", "ess_mean", "ess_bulk", "ess_tail", "rhat", "iat"})
    CHECK(j.contains(k));
  CHECK(j["chains"] == 2);
  CHECK(j["iterations"] == 20);
  CHECK(j["rhat"].get<double>() == s.rhat);
  CHECK(s.iat == Approx(20.0 * 2 / s.ess_mean));
  CHECK(s.mcse == Approx(s.sd / std::sqrt(s.ess_mean)));
}
