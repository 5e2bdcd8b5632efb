// Effective sample size, integrated autocorrelation time, MCSE (ebm/diagnostics/ess.hpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "ebm/core/error.hpp"
#include "ebm/diagnostics/autocorrelation.hpp"
#include "ebm/diagnostics/ess.hpp"
#include "ebm/diagnostics/ranks.hpp"

namespace ebm {
namespace {

// Draws per chain below which the estimates mean nothing: lag 1 needs a few products, and a split half must
// meet the same bound.
constexpr Index min_draws = 4;

EssEstimate ess_of_checked(const Eigen::MatrixXd& x) {
  const Index n = x.rows(), m = x.cols();
  const double N = double(n * m);
  EssEstimate e;
  if ((x.array() == x(0, 0)).all()) {  // equal draws: the mean is exact (tested on values, not on var⁺ = 0)
    e.ess = N;
    return e;
  }
  Eigen::VectorXd mean_acov = Eigen::VectorXd::Zero(n);
  for (Index c = 0; c < m; ++c) mean_acov += autocovariance(x.col(c));
  mean_acov /= double(m);
  const Eigen::RowVectorXd chain_mean = x.colwise().mean();
  const double W = mean_acov[0] * double(n) / double(n - 1);
  const double between = m > 1 ? (chain_mean.array() - chain_mean.mean()).square().sum() / double(m - 1) : 0.0;
  e.variance = W * double(n - 1) / double(n) + between;
  auto rho = [&](Index t) { return 1.0 - (W - mean_acov[t]) / e.variance; };

  // Pairs P_k = ρ̂_2k + ρ̂_2k+1 while positive, each capped by the one before.
  double sum = 0, previous = std::numeric_limits<double>::infinity(), rest = 0;
  for (Index t = 0; t + 1 < n; t += 2) {
    const double even = t == 0 ? 1.0 : rho(t);
    const double pair = even + rho(t + 1);
    if (!(pair > 0)) {
      rest = std::max(even, 0.0);  // the "improved" estimate: the failed pair's even term, counted once
      break;
    }
    previous = std::min(pair, previous);
    sum += previous;
    e.window = t + 1;
  }
  e.tau = std::max(-1.0 + 2.0 * sum + rest, 1.0 / std::log10(N));
  e.ess = N / e.tau;
  return e;
}

Eigen::MatrixXd checked_split(const ConstDrawsRef& draws, const char* what) {
  check_draws(draws, 2 * min_draws, what);
  return split_chains(draws);
}

}  // namespace

EssEstimate effective_sample_size(const ConstDrawsRef& draws) {
  check_draws(draws, min_draws, "effective_sample_size");
  return ess_of_checked(draws);
}

double ess_mean(const ConstDrawsRef& draws) { return ess_of_checked(checked_split(draws, "ess_mean")).ess; }

double ess_bulk(const ConstDrawsRef& draws) {
  return ess_of_checked(rank_normalize(checked_split(draws, "ess_bulk"))).ess;
}

double ess_quantile(const ConstDrawsRef& draws, double p) {
  ensure(p >= 0 && p <= 1, "ess_quantile: p = ", p, " must lie in [0, 1]");
  check_draws(draws, 2 * min_draws, "ess_quantile");
  const double q = quantile(draws, p);
  const Eigen::MatrixXd indicator = (draws.array() <= q).cast<double>().matrix();
  return ess_of_checked(split_chains(indicator)).ess;
}

double ess_tail(const ConstDrawsRef& draws) {
  check_draws(draws, 2 * min_draws, "ess_tail");
  return std::min(ess_quantile(draws, 0.05), ess_quantile(draws, 0.95));
}

double integrated_autocorrelation_time(const ConstDrawsRef& draws) {
  return ess_of_checked(checked_split(draws, "integrated_autocorrelation_time")).tau;
}

double mcse_mean(const ConstDrawsRef& draws) {
  check_draws(draws, 2 * min_draws, "mcse_mean");
  const double N = double(draws.size());
  const bool constant = (draws.array() == draws(0, 0)).all();  // sd exactly 0, whatever the rounding
  const double sd = constant ? 0.0 : std::sqrt((draws.array() - draws.mean()).square().sum() / (N - 1));
  return sd / std::sqrt(ess_mean(draws));
}

}  // namespace ebm
