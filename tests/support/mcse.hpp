#pragma once
// Monte-Carlo standard errors of a mean estimated from several Markov chains, for the statistical tests.
//
// The draws are a matrix x(t, c): time t = 0..n-1 down the rows, chain c across the columns (Eigen's
// default column-major order keeps each chain contiguous). The estimator is the library's multi-chain ESS
// (include/ebm/diagnostics/ess.hpp: Geyer's initial positive and monotone sequences on the autocorrelation
// pooled over chains as in Vehtari et al. 2021), applied to the chains as given, without splitting them:
//   var⁺    = (n−1)/n · W + variance of the chain means   (marginal variance, robust to unmixed chains)
//   τ       integrated autocorrelation time,   ESS = m·n / τ,
//   MCSE    = √(var⁺ / ESS)                              (standard error of the grand mean).
#include <catch2/catch.hpp>

#include <Eigen/Core>
#include <cmath>

#include "ebm/diagnostics/autocorrelation.hpp"
#include "ebm/diagnostics/ess.hpp"

namespace ebm::test {

struct McseEstimate {
  double mean = 0;      // grand mean over all chains and draws
  double variance = 0;  // var⁺, the estimated marginal variance of one draw
  double tau = 1;       // integrated autocorrelation time, in draws
  double ess = 0;       // effective sample size of the grand mean
  double mcse = 0;      // Monte-Carlo standard error of the grand mean
  Eigen::Index window = 0;  // lags summed into tau (Sokal's M): Var(τ̂)/τ² ≈ 2(2M+1)/(m·n)
};

// Lag-t autocorrelation pooled over chains: mean_c γ̂_c(t) / mean_c γ̂_c(0). For quick checks that a
// series is (or is not) correlated; 0 for constant chains.
inline double pooled_autocorrelation(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Index t) {
  double num = 0, den = 0;
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const Eigen::VectorXd g = autocovariance(x.col(c));
    num += g[t];
    den += g[0];
  }
  return den > 0 ? num / den : 0.0;
}

// Throws ebm::Error for fewer than 4 draws per chain, no chains, or a non-finite draw.
inline McseEstimate estimate_mean(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const EssEstimate e = effective_sample_size(x);
  McseEstimate r;
  r.mean = x.mean();
  r.variance = e.variance;
  r.tau = e.tau;
  r.ess = e.ess;
  r.mcse = std::sqrt(e.variance / e.ess);
  r.window = e.window;
  return r;
}

// The check of a sampler's mean against an exact value: within 4 MCSE (a fair sampler fails it with probability
// ~6e-5 per check, and the seeds are fixed).
inline void check_within_4_mcse(const Eigen::MatrixXd& draws, double exact, const char* what) {
  const McseEstimate e = estimate_mean(draws);
  const double z = (e.mean - exact) / e.mcse;
  INFO(what << ": sampler " << e.mean << " +- " << e.mcse << " (tau " << e.tau << ", ESS " << e.ess << "), exact "
            << exact << ", z = " << z);
  CHECK(std::abs(z) < 4);
}

}  // namespace ebm::test
