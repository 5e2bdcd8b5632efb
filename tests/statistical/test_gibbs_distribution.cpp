// Block Gibbs visits visible states with the exact p(v) of the RBM: a chi-square goodness-of-fit test over
// all 2^10 visible states, and a negative control showing that the same test rejects a slightly wrong p(v).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ebm/ebm.hpp"
#include "support/gibbs_run.hpp"
#include "support/gibbs_spectrum.hpp"
#include "support/goodness_of_fit.hpp"
#include "support/mcse.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;

namespace {

// The chain output the test needs: visited state counts after thinning, and a few scalar functions of the
// state (every visible unit and the free energy) to measure autocorrelation with and without thinning.
struct GibbsRecord {
  std::vector<double> counts;               // per visible state, over the thinned draws of all chains
  std::vector<Eigen::MatrixXd> thinned;     // per monitored function: (thinned draw × chain)
  std::vector<Eigen::MatrixXd> unthinned;   // the same for the first sweeps, every sweep
};

GibbsRecord record(const BernoulliRBMf& rbm, Index chains, std::uint64_t seed, int burn_in, int thin, int kept,
                   int unthinned_sweeps) {
  const Index nv = rbm.num_visible();
  const Index monitors = nv + 1;
  GibbsRecord rec;
  rec.counts.assign(std::size_t(1) << nv, 0.0);
  rec.thinned.assign(std::size_t(monitors), Eigen::MatrixXd(kept, chains));
  rec.unthinned.assign(std::size_t(monitors), Eigen::MatrixXd(unthinned_sweeps, chains));
  Vectorf f(chains);
  test::run_block_gibbs(rbm, chains, seed, burn_in, thin * kept, [&](int t, const GibbsChains<float>& s) {
    const bool keep = (t + 1) % thin == 0, early = t < unthinned_sweeps;
    if (!keep && !early) return;
    rbm.free_energy(s.v, f);
    for (Index c = 0; c < chains; ++c)
      for (Index k = 0; k < monitors; ++k) {
        const double x = k < nv ? double(s.v(c, k)) : double(f[c]);
        if (keep) rec.thinned[std::size_t(k)](t / thin, c) = x;
        if (early) rec.unthinned[std::size_t(k)](t, c) = x;
      }
    if (keep)
      for (Index c = 0; c < chains; ++c) rec.counts[test::state_index(s.v.row(c))] += 1;
  });
  return rec;
}

double max_lag1(const std::vector<Eigen::MatrixXd>& series) {
  double m = 0;
  for (const auto& x : series) m = std::max(m, std::abs(test::pooled_autocorrelation(x, 1)));
  return m;
}

double max_tau(const std::vector<Eigen::MatrixXd>& series) {
  double m = 0;
  for (const auto& x : series) m = std::max(m, test::estimate_mean(x).tau);
  return m;
}

}  // namespace

TEST_CASE("block Gibbs samples the exact p(v) of a 10x6 RBM (chi-square), and the test has power",
          "[gibbs][chi-square]") {
  // Weights N(0, 1.5²), biases N(0, 0.5²): strong enough that consecutive sweeps are clearly correlated.
  // (The model of test_block_gibbs.cpp.) Its visible chain has second eigenvalue λ₂ ≈ 0.71, computed exactly
  // by support/gibbs_spectrum.hpp: every function of v has |ρ_t| ≤ λ₂^t and τ ≤ (1+λ₂)/(1−λ₂) ≈ 5.8 sweeps.
  const auto rbm = test::random_rbm<float>(10, 6, 1.5, 0.5, 1);
  const Index chains = 64;
  const int burn_in = 1000, thin = 20, kept = 4000;
  const auto spectrum = test::block_gibbs_spectrum(rbm);
  INFO("lambda2 = " << spectrum.lambda2);
  REQUIRE(spectrum.lambda2 > 0.5);
  // After the burn-in every chain's law is within chi-distance 1e-6 of p (from its uniform start), which
  // biases each expected count by at most 1e-6 · n · √p_s: nothing next to the counts' Poisson noise.
  REQUIRE(burn_in >= test::burn_in_sweeps(spectrum, Vectord::Constant(1024, 1.0 / 1024), 1e-6));
  // Consecutive kept draws are correlated by at most λ₂^thin, for every function of v (see below).
  REQUIRE(std::pow(spectrum.lambda2, thin) < 0.002);
  const auto rec = record(rbm, chains, 31, burn_in, thin, kept, 2000);
  const double n = double(chains) * kept;

  // Mixing is not trivial: some monitored function has a lag-1 autocorrelation well above 0 (the standard
  // error of a lag-1 estimate from 64 × 2000 sweeps is ≈ 1/√128 000 = 0.003).
  const double lag1 = max_lag1(rec.unthinned);
  INFO("largest |lag-1 autocorrelation| per sweep: " << lag1 << ", largest integrated autocorrelation time "
                                                     << max_tau(rec.unthinned) << " sweeps");
  CHECK(lag1 > 0.25);

  // Thinning, not rescaling, accounts for the correlation: every 20th sweep is kept, and λ₂^20 ≈ 0.001
  // bounds the correlation of consecutive kept draws for every function of v, state indicators included,
  // so the kept draws are independent for the purpose of the test. Checked empirically as well: the lag-1
  // autocorrelation of the thinned monitors stays below 0.02 (its standard error is 1/√256 000 = 0.002).
  // A residual correlation ρ between consecutive kept draws inflates the chi-square statistic by about
  // 1 + 2ρ/(1−ρ): ≤ 1.002 at ρ = 0.001; even at ρ = 0.02 (1.04) it would only raise the real false-alarm
  // rate at df ≈ 450 and α = 0.001 to about 0.006.
  const double thinned_lag1 = max_lag1(rec.thinned);
  INFO("largest |lag-1 autocorrelation| after thinning by " << thin << ": " << thinned_lag1);
  REQUIRE(thinned_lag1 < 0.02);

  const double alpha = 0.001;
  const Vectord p = exact_visible_distribution(rbm);
  const auto cells = test::pool_states(p, n);
  const int df = cells.cells() - 1;
  const double x2 = test::chi_square_statistic(cells, rec.counts);
  const double critical = test::chi_square_critical(df, alpha);
  INFO("chi-square " << x2 << " on " << df << " df, critical value " << critical << " at alpha " << alpha
                     << ", p-value " << test::chi_square_p_value(df, x2));
  CHECK(x2 < critical);

  // Negative control: the exact p(v) of the same RBM with one weight off by 0.1 (a total-variation distance
  // of about 1 %). The non-centrality λ = n Σ_cells (p − q)²/q puts the expected statistic, df + λ, more than
  // 4 of its standard deviations √(2(df + 2λ)) above the critical value (required below, from the exact
  // distributions), so the test has power ≈ 1 against this alternative and must reject.
  auto wrong = rbm;
  wrong.modify_params([](Vectorf& t) { t[0] += 0.1f; });
  const Vectord q = exact_visible_distribution(wrong);
  const auto wrong_cells = test::pool_states(q, n);
  const int wrong_df = wrong_cells.cells() - 1;
  double lambda = 0, tv = 0;
  {
    Eigen::VectorXd pc = Eigen::VectorXd::Zero(wrong_cells.cells());
    for (Index s = 0; s < p.size(); ++s) pc[wrong_cells.cell_of_state[std::size_t(s)]] += p[s];
    lambda = n * ((pc - wrong_cells.probability).array().square() / wrong_cells.probability.array()).sum();
    tv = 0.5 * (p - q).cwiseAbs().sum();
  }
  const double wrong_x2 = test::chi_square_statistic(wrong_cells, rec.counts);
  const double wrong_critical = test::chi_square_critical(wrong_df, alpha);
  INFO("negative control: total variation " << tv << ", non-centrality " << lambda << "; chi-square "
                                            << wrong_x2 << " on " << wrong_df << " df, critical " << wrong_critical);
  REQUIRE(wrong_df + lambda - wrong_critical > 4 * std::sqrt(2 * (wrong_df + 2 * lambda)));
  CHECK(wrong_x2 > wrong_critical);
}
