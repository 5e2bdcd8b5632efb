#pragma once
// Monte-Carlo standard errors of a mean estimated from several Markov chains.
//
// The draws are a matrix x(t, c): time t = 0..n-1 down the rows, chain c across the columns (Eigen's
// default column-major order keeps each chain contiguous). Following Geyer (1992) and the multi-chain form
// of Vehtari et al. (2021, "Rank-normalization, folding, and localization", eq. 10–11):
//   W       mean of the within-chain variances,
//   var⁺    = (n−1)/n · W + variance of the chain means       (marginal variance, robust to unmixed chains)
//   ρ̂_t     = 1 − (W − mean_c γ̂_c(t)) / var⁺                  (γ̂_c: chain c's autocovariance, divisor n)
//   Γ_k     = ρ̂_{2k} + ρ̂_{2k+1},  summed while positive (initial positive sequence) and forced
//             non-increasing (initial monotone sequence), which keeps the noisy tail of ρ̂ out of the sum,
//   τ       = −1 + 2 Σ_k Γ_k       (integrated autocorrelation time),   ESS = m·n / τ,
//   MCSE    = √(var⁺ / ESS)        (standard error of the grand mean).
// Autocovariances are summed directly lag by lag and only as far as the sequence runs, so the cost is
// O(m · n · τ), which is less than an FFT for the short correlation times of the tests.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <vector>

#include "ebm/core/error.hpp"

namespace ebm::test {

struct McseEstimate {
  double mean = 0;      // grand mean over all chains and draws
  double variance = 0;  // var⁺, the estimated marginal variance of one draw
  double tau = 1;       // integrated autocorrelation time, in draws
  double ess = 0;       // effective sample size of the grand mean
  double mcse = 0;      // Monte-Carlo standard error of the grand mean
  Eigen::Index window = 0;  // lags summed into tau (Sokal's M): Var(τ̂)/τ² ≈ 2(2M+1)/(m·n)
};

// Autocovariance at lag t of one chain with known mean, divisor n (the biased estimator, whose sequence is
// positive definite, which the positive-sequence truncation relies on).
inline double autocovariance(const Eigen::Ref<const Eigen::VectorXd>& x, double mean, Eigen::Index t) {
  const Eigen::Index n = x.size();
  double s = 0;
  for (Eigen::Index i = 0; i + t < n; ++i) s += (x[i] - mean) * (x[i + t] - mean);
  return s / double(n);
}

// Lag-t autocorrelation pooled over chains: mean_c γ̂_c(t) / mean_c γ̂_c(0). For quick checks that a
// series is (or is not) correlated.
inline double pooled_autocorrelation(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Index t) {
  double num = 0, den = 0;
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const double m = x.col(c).mean();
    num += autocovariance(x.col(c), m, t);
    den += autocovariance(x.col(c), m, 0);
  }
  return den > 0 ? num / den : 0.0;
}

inline McseEstimate estimate_mean(const Eigen::Ref<const Eigen::MatrixXd>& x) {
  const Eigen::Index n = x.rows(), m = x.cols();
  ensure(n >= 4, "estimate_mean: n = ", n, " draws per chain; at least 4 are needed");
  ensure(m >= 1, "estimate_mean: no chains");
  const Eigen::VectorXd chain_mean = x.colwise().mean().transpose();
  McseEstimate e;
  e.mean = chain_mean.mean();

  auto mean_acov = [&](Eigen::Index t) {
    double s = 0;
    for (Eigen::Index c = 0; c < m; ++c) s += autocovariance(x.col(c), chain_mean[c], t);
    return s / double(m);
  };
  const double W = mean_acov(0) * double(n) / double(n - 1);
  const double between = m > 1 ? (chain_mean.array() - e.mean).square().sum() / double(m - 1) : 0.0;
  e.variance = W * double(n - 1) / double(n) + between;
  if (!(e.variance > 0)) {  // a constant series: its mean is exact
    e.tau = 1;
    e.ess = double(n * m);
    e.mcse = 0;
    return e;
  }
  auto rho = [&](Eigen::Index t) { return 1.0 - (W - mean_acov(t)) / e.variance; };

  double sum = 0, prev_pair = INFINITY;
  for (Eigen::Index t = 0; t + 1 < n; t += 2) {
    double pair = (t == 0 ? 1.0 : rho(t)) + rho(t + 1);
    if (pair <= 0) break;
    pair = std::min(pair, prev_pair);
    sum += pair;
    prev_pair = pair;
    e.window = t + 1;
  }
  e.tau = std::max(-1.0 + 2.0 * sum, 1e-12);
  e.ess = double(n * m) / e.tau;
  e.mcse = std::sqrt(e.variance / e.ess);
  return e;
}

}  // namespace ebm::test
