// Draws checks, split chains, ranks, normal scores, folding and quantiles (ebm/diagnostics/draws.hpp,
// ranks.hpp).
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <utility>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/diagnostics/ranks.hpp"

namespace ebm {

void check_draws(const ConstDrawsRef& draws, Index min_iterations, const char* what) {
  ensure(draws.cols() >= 1, what, ": no chains (the draws matrix has 0 columns; one column per chain)");
  ensure(draws.rows() >= min_iterations, what, ": ", draws.rows(), " draws per chain; at least ", min_iterations,
         " are needed");
  for (Index c = 0; c < draws.cols(); ++c)
    for (Index t = 0; t < draws.rows(); ++t)
      if (!std::isfinite(draws(t, c)))
        fail(what, ": draw ", t, " of chain ", c, " is ", draws(t, c), "; draws must be finite");
}

Eigen::MatrixXd split_chains(const ConstDrawsRef& draws) {
  const Index n = draws.rows(), half = n / 2;
  Eigen::MatrixXd out(half, 2 * draws.cols());
  for (Index c = 0; c < draws.cols(); ++c) {
    out.col(2 * c) = draws.col(c).head(half);
    out.col(2 * c + 1) = draws.col(c).tail(half);  // skips the middle draw when n is odd
  }
  return out;
}

Eigen::MatrixXd fractional_ranks(const ConstDrawsRef& draws) {
  const Index rows = draws.rows();
  // (value, position) pairs sort faster than positions compared through the matrix (no indirect loads).
  std::vector<std::pair<double, Index>> sorted(static_cast<std::size_t>(draws.size()));
  for (Index c = 0; c < draws.cols(); ++c)
    for (Index t = 0; t < rows; ++t) sorted[static_cast<std::size_t>(c * rows + t)] = {draws(t, c), c * rows + t};
  std::sort(sorted.begin(), sorted.end());
  Eigen::MatrixXd r(rows, draws.cols());
  const std::size_t S = sorted.size();
  for (std::size_t i = 0; i < S;) {
    std::size_t j = i + 1;
    while (j < S && sorted[j].first == sorted[i].first) ++j;
    // Sorted positions i … j−1 hold equal values: ranks i+1 … j, whose average is (i + 1 + j) / 2.
    const double average = 0.5 * double(i + 1 + j);
    for (std::size_t k = i; k < j; ++k) r.data()[sorted[k].second] = average;
    i = j;
  }
  return r;
}

double normal_quantile(double p) {
  ensure(p > 0 && p < 1, "normal_quantile: p = ", p, " must lie in (0, 1)");
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

Eigen::MatrixXd rank_normalize(const ConstDrawsRef& draws) {
  Eigen::MatrixXd z = fractional_ranks(draws);
  const double S = double(z.size());
  for (Index k = 0; k < z.size(); ++k) z.data()[k] = normal_quantile((z.data()[k] - 0.375) / (S + 0.25));
  return z;
}

double quantile(const ConstDrawsRef& draws, double p) {
  ensure(p >= 0 && p <= 1, "quantile: p = ", p, " must lie in [0, 1]");
  ensure(draws.size() > 0, "quantile: no draws");
  std::vector<double> x(static_cast<std::size_t>(draws.size()));
  Eigen::Map<Eigen::MatrixXd>(x.data(), draws.rows(), draws.cols()) = draws;
  std::sort(x.begin(), x.end());
  const double h = double(x.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - double(lo)) * (x[hi] - x[lo]);
}

Eigen::MatrixXd fold(const ConstDrawsRef& draws) {
  const double median = quantile(draws, 0.5);
  return (draws.array() - median).abs().matrix();
}

}  // namespace ebm
