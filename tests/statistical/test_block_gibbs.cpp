// Block Gibbs on a 10 × 6 RBM against exact enumeration: its dynamics (the slowest mode decays at the
// exact rate λ₂) and the model term a trainer takes from it (E_p[∂E/∂θ] within 4 Monte-Carlo standard
// errors). Its stationary law is tested by a chi-square test in test_gibbs_distribution.cpp.
//
// The model has weights N(0, 1.5²) and biases N(0, 0.5²): strong enough that one sweep leaves the state
// correlated with the previous one (λ₂ ≈ 0.71, lag-1 autocorrelation of the slowest mode), weak enough
// that 2^10 states can be sampled well in a second. Burn-in is derived from the exact λ₂
// (support/gibbs_spectrum.hpp), not guessed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ebm/ebm.hpp"
#include "support/gibbs_spectrum.hpp"
#include "support/mcse.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;

namespace {

constexpr Index gibbs_nv = 10, gibbs_nh = 6, gibbs_chains = 64;

template <class S>
BernoulliRBM<S> mixing_rbm() {
  return test::random_rbm<S>(gibbs_nv, gibbs_nh, 1.5, 0.5, 1);
}

// Every chain starts at an independent uniformly random state, so μ₀ is uniform over the 2^nv states.
template <class S>
MatrixX<S> uniform_starts(std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  MatrixX<S> v0(gibbs_chains, gibbs_nv);
  for (Index r = 0; r < gibbs_chains; ++r)
    for (Index k = 0; k < gibbs_nv; ++k) v0(r, k) = bernoulli(rng, S(0.5));
  return v0;
}

Vectord uniform_law() { return Vectord::Constant(Index{1} << gibbs_nv, 1.0 / double(Index{1} << gibbs_nv)); }

}  // namespace

TEST_CASE("block Gibbs: the slowest mode of v decays at the exact rate lambda2", "[gibbs][statistical]") {
  const auto rbm = mixing_rbm<double>();
  const auto g = test::block_gibbs_spectrum(rbm);
  INFO("lambda2 = " << g.lambda2);
  // Mixing must be non-trivial for this test to mean anything.
  REQUIRE(g.lambda2 > 0.5);

  const Index sweeps = 20000;
  // Stationarity: E[f_t f_{t+1}] under μ_B differs from λ₂ by at most λ₂ δ sd_p(f²), δ the chi-distance
  // after burn-in; δ = 1e-4 makes that far below the standard error (≈ 6e-3) of the estimate.
  const Index burn_in = test::burn_in_sweeps(g, uniform_law(), 1e-4);
  BlockGibbs<BernoulliRBMd> gibbs;
  GibbsChains<double> s;
  auto rng = make_chain_streams(2024, gibbs_chains);
  gibbs.init(rbm, s, uniform_starts<double>(11), rng);
  for (Index t = 0; t < burn_in; ++t) gibbs.step(rbm, s, rng);
  Eigen::MatrixXd f(sweeps, gibbs_chains);
  for (Index t = 0; t < sweeps; ++t) {
    gibbs.step(rbm, s, rng);
    for (Index r = 0; r < gibbs_chains; ++r) f(t, r) = g.slowest[test::state_index(s.v.row(r))];
  }

  // E_p f = 0 and E_p f² = 1 by construction: the sampler's averages, with their MCSEs.
  const auto m1 = test::estimate_mean(f);
  const auto m2 = test::estimate_mean(f.array().square().matrix());
  CHECK(std::abs(m1.mean) < 4 * m1.mcse);
  CHECK(std::abs(m2.mean - 1) < 4 * m2.mcse);

  // ρ_1 = E[f_t f_{t+1}] = λ₂ and ρ_2 = λ₂², with mean and variance known (not estimated), so each chain's
  // average of the products is unbiased; the 64 chains are independent, so the standard error comes from
  // the spread of the per-chain averages (a t-statistic with 63 degrees of freedom; |t| > 4 has
  // probability 1.7e-4).
  for (Index lag : {1, 2}) {
    Vectord per_chain(gibbs_chains);
    for (Index r = 0; r < gibbs_chains; ++r)
      per_chain[r] = f.col(r).head(sweeps - lag).dot(f.col(r).tail(sweeps - lag)) / double(sweeps - lag);
    const double mean = per_chain.mean();
    const double se = std::sqrt((per_chain.array() - mean).square().sum() / double(gibbs_chains - 1) / double(gibbs_chains));
    const double expected = std::pow(g.lambda2, double(lag));
    INFO("lag " << lag << ": sampler " << mean << " +- " << se << ", exact " << expected);
    CHECK(std::abs(mean - expected) < 4 * se);
  }
}

TEMPLATE_TEST_CASE("block Gibbs: model term within 4 MCSE of the exact E_p[dE/dtheta]", "[gibbs][statistical]",
                   float, double) {
  using S = TestType;
  const auto rbm = mixing_rbm<S>();
  const auto g = test::block_gibbs_spectrum(rbm);
  const Vectord exact = exact_model_expectation(rbm);
  const Index sweeps = 1000, P = rbm.num_params();
  // Burn-in bias of a mean is at most δ · sd_p; δ = 0.1/√(draws) keeps it below a tenth of the MCSE.
  const Index burn_in = test::burn_in_sweeps(g, uniform_law(), 0.1 / std::sqrt(double(sweeps * gibbs_chains)));

  BlockGibbs<BernoulliRBM<S>> gibbs;
  GibbsChains<S> s;
  auto rng = make_chain_streams(99, gibbs_chains);
  gibbs.init(rbm, s, uniform_starts<S>(13), rng);
  for (Index t = 0; t < burn_in; ++t) gibbs.step(rbm, s, rng);

  // ∂E/∂θ at (v, E[h|v]) per chain and sweep, from the model's own statistics routine.
  std::vector<Eigen::MatrixXd> stat(std::size_t(P), Eigen::MatrixXd(sweeps, gibbs_chains));
  VectorX<S> row_stat(P), batch_sum(P);
  Vectord row_total(P);
  double batch_error = 0;
  for (Index t = 0; t < sweeps; ++t) {
    gibbs.step(rbm, s, rng);
    batch_sum.setZero();
    gibbs.accumulate_stats(rbm, s, S(1), batch_sum);  // the trainer's batched path
    row_total.setZero();
    for (Index r = 0; r < gibbs_chains; ++r) {
      row_stat.setZero();
      rbm.accumulate_stats(s.v.row(r), s.ph.row(r), S(1), row_stat);
      for (Index k = 0; k < P; ++k) stat[std::size_t(k)](t, r) = double(row_stat[k]);
      row_total += row_stat.template cast<double>();
    }
    batch_error = std::max(batch_error, (batch_sum.template cast<double>() - row_total).cwiseAbs().maxCoeff());
  }
  // The batched statistics (GEMM or sparse path, chosen by the batch's density) equal the sum of the
  // per-chain ones up to rounding: a sum of 64 terms of size ≤ 1 in S is off by at most 64 · 64 · ε.
  CHECK(batch_error < 64.0 * 64.0 * double(std::numeric_limits<S>::epsilon()));

  // Each parameter: z = (Gibbs mean − exact) / MCSE, MCSE from the multi-chain ESS. Under a correct sampler
  // z ≈ N(0, 1), P(|z| > 4) = 6.3e-5; over the 76 parameters the family-wise false-alarm rate is at most
  // 76 · 6.3e-5 = 0.5 % (Bonferroni), per scalar type. The ESS is ≈ 64 000/τ with τ ≤ (1+λ₂)/(1−λ₂), so
  // the MCSE itself is known to a few per cent, which moves that rate little.
  const double tau_max = (1 + g.lambda2) / (1 - g.lambda2);
  for (Index k = 0; k < P; ++k) {
    const auto e = test::estimate_mean(stat[std::size_t(k)]);
    const double z = (e.mean - exact[k]) / e.mcse;
    INFO(rbm.param_name(k) << ": Gibbs " << e.mean << " +- " << e.mcse << " (tau " << e.tau << "), exact "
                           << exact[k] << ", z = " << z);
    CHECK(std::abs(z) < 4);
    // Every function of v has τ ≤ (1+λ₂)/(1−λ₂); τ̂ has relative sd ≈ √(2(2M+1)/N) (Sokal).
    CHECK(e.tau < tau_max * (1 + 4 * std::sqrt(2.0 * double(2 * e.window + 1) / double(sweeps * gibbs_chains))));
  }
}
