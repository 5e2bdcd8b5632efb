#pragma once
// Pearson's chi-square goodness-of-fit test of observed counts over a finite state space against exact
// probabilities. Rare states are pooled so that every cell expects at least `min_expected` counts, the
// usual condition for the χ² approximation of the statistic's null distribution.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <boost/math/distributions/chi_squared.hpp>
#include <numeric>
#include <vector>

#include "ebm/core/error.hpp"

namespace ebm::test {

struct PooledCells {
  std::vector<int> cell_of_state;  // state → cell
  Eigen::VectorXd probability;     // per cell, Σ of its states' probabilities
  int cells() const { return int(probability.size()); }
};

// States are taken in increasing order of probability and merged until a cell's expected count n·p reaches
// min_expected; a short remainder joins the last full cell. States that are common enough stay alone.
inline PooledCells pool_states(const Eigen::VectorXd& p, double n, double min_expected = 5.0) {
  std::vector<int> order(std::size_t(p.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[a] < p[b]; });
  PooledCells out;
  out.cell_of_state.assign(order.size(), -1);
  std::vector<double> prob;
  double open = 0;
  std::vector<int> members;
  for (int s : order) {
    members.push_back(s);
    open += p[s];
    if (n * open >= min_expected) {
      for (int m : members) out.cell_of_state[std::size_t(m)] = int(prob.size());
      prob.push_back(open);
      members.clear();
      open = 0;
    }
  }
  ensure(!prob.empty(), "pool_states: n = ", n, " samples cannot give one cell ", min_expected, " expected counts");
  for (int m : members) out.cell_of_state[std::size_t(m)] = int(prob.size()) - 1;
  prob.back() += open;
  out.probability = Eigen::Map<const Eigen::VectorXd>(prob.data(), Eigen::Index(prob.size()));
  return out;
}

// Σ_cells (O − E)² / E for the counts of every state.
inline double chi_square_statistic(const PooledCells& cells, const std::vector<double>& state_counts) {
  ensure(state_counts.size() == cells.cell_of_state.size(), "chi_square_statistic: ", state_counts.size(),
         " counts for ", cells.cell_of_state.size(), " states");
  Eigen::VectorXd observed = Eigen::VectorXd::Zero(cells.cells());
  for (std::size_t s = 0; s < state_counts.size(); ++s) observed[cells.cell_of_state[s]] += state_counts[s];
  const double n = observed.sum();
  const Eigen::VectorXd expected = n * cells.probability;
  return ((observed - expected).array().square() / expected.array()).sum();
}

// The (1 − alpha) quantile of χ²(df): the statistic rejects at level alpha above it.
inline double chi_square_critical(int df, double alpha) {
  return boost::math::quantile(boost::math::complement(boost::math::chi_squared(df), alpha));
}
inline double chi_square_p_value(int df, double statistic) {
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared(df), statistic));
}

// The whole test of n draws (state_counts) against p: statistic, critical value at level alpha, degrees of freedom.
struct ChiSquare {
  double x2, critical;
  int df;
};
inline ChiSquare chi_square_test(const Eigen::VectorXd& p, const std::vector<double>& state_counts, double n,
                                 double alpha) {
  const PooledCells cells = pool_states(p, n);
  const int df = cells.cells() - 1;
  return {chi_square_statistic(cells, state_counts), chi_square_critical(df, alpha), df};
}

// Non-centrality λ of the test against q when n draws come from p (pooled as for q): the statistic is then
// about df + λ, so λ says whether the test has the power to tell p from q.
inline double non_centrality(const Eigen::VectorXd& p, const Eigen::VectorXd& q, double n) {
  const PooledCells cells = pool_states(q, n);
  Eigen::VectorXd pc = Eigen::VectorXd::Zero(cells.cells());
  for (Eigen::Index s = 0; s < p.size(); ++s) pc[cells.cell_of_state[std::size_t(s)]] += p[s];
  return n * ((pc - cells.probability).array().square() / cells.probability.array()).sum();
}

// Whether the test of n draws at level alpha has power ≈ 1 against q when the draws come from p: df + λ more
// than 4 standard deviations √(2(df + 2λ)) above the critical value.
inline bool has_power(const Eigen::VectorXd& p, const Eigen::VectorXd& q, double n, double alpha) {
  const double lambda = non_centrality(p, q, n);
  const int df = pool_states(q, n).cells() - 1;
  return df + lambda - chi_square_critical(df, alpha) > 4 * std::sqrt(2 * (df + 2 * lambda));
}

}  // namespace ebm::test
