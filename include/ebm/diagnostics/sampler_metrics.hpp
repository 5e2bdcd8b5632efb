#pragma once
// The metrics of sampler benchmarks (`ebm bench`, issue 13), as pure functions of states, traces and costs; no
// CLI, no clock. The conventions are those of the discrete-sampler literature:
//
//   hamming_to_reference   DISCS's scalar statistic (Goshvadi et al. 2023): the Hamming distance of each chain's
//                          state to one fixed random reference state x_ref, H_r = Σ_i [x_ri ≠ x_ref,i]. It is a
//                          function of the whole state, cheap, and as slow to mix as the slowest sites.
//   ess_second_half        bulk-ESS (diagnostics/ess.hpp, Vehtari et al. 2021) of a trace (steps × chains) after
//                          discarding the first ⌊steps/2⌋ draws as burn-in.
//   ess_rates              ESS per wall second, per CPU second and per evaluation, dividing by the cost of the
//                          draws the ESS counts (the second half), not of the whole run.
//   RunningMean / rmse     the mean of every state drawn so far (all chains, all steps) and its root-mean-square
//                          error over coordinates against an exact mean: √(Σ_i (m̂_i − μ_i)² / d).
//   mmd2_hamming           the squared maximum mean discrepancy between two sets of binary states with the kernel
//                          k(x, y) = exp(−Hamming(x, y)/d) (Grathwohl et al. 2021, §6.2: states of a sampler against
//                          states of a long block-Gibbs reference), the biased (V-statistic) estimator
//                            MMD² = mean_{i,j} k(x_i, x_j) + mean_{i,j} k(y_i, y_j) − 2 mean_{i,j} k(x_i, y_j),
//                          diagonals included, as their code computes it: never negative (k is a product over
//                          coordinates of positive-definite kernels), so it can be plotted on a log scale; its
//                          floor for two independent sets of exact draws is O(1/n + 1/m).
// Hamming counts entries that differ, so it serves categorical states (labels as numbers) as well as binary ones.
#include <Eigen/Core>

#include "ebm/core/types.hpp"
#include "ebm/diagnostics/draws.hpp"

namespace ebm {

// out[r] = number of entries where row r of x differs from ref (x: chains × d, ref: d).
template <class S>
void hamming_to_reference(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const VectorX<S>>& ref,
                          Eigen::Ref<Eigen::VectorXd> out);

// Bulk-ESS of draws (steps × chains) without their first ⌊steps/2⌋ rows; at least 16 steps (8 per split half).
double ess_second_half(const ConstDrawsRef& draws);

struct EssRates {
  double ess = 0;
  double per_wall_second = 0;  // ESS / wall seconds
  double per_cpu_second = 0;   // ESS / CPU seconds (all threads)
  double per_evaluation = 0;   // ESS / energy (or gradient) evaluations summed over chains
};
// The three rates; a cost of zero gives a rate of +∞ (a clock too coarse for the run), never a division error.
EssRates ess_rates(double ess, double wall_seconds, double cpu_seconds, double evaluations);

// The running mean of states, in double, over every row ever added.
class RunningMean {
public:
  explicit RunningMean(Index dim) : sum_(Eigen::VectorXd::Zero(dim)) {}
  template <class S>
  void add(const Eigen::Ref<const MatrixX<S>>& x);
  Eigen::VectorXd mean() const;
  double count() const { return n_; }

private:
  Eigen::VectorXd sum_;
  double n_ = 0;
};

// √(mean_i (estimate_i − truth_i)²).
double rmse(const Eigen::Ref<const Eigen::VectorXd>& estimate, const Eigen::Ref<const Eigen::VectorXd>& truth);

// Biased MMD² between the rows of x and the rows of y with k(a, b) = exp(−Hamming(a, b)/d); same d, ≥ 1 row each.
template <class S>
double mmd2_hamming(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const MatrixX<S>>& y);
// mean_{i,j} k(x_i, y_j) with that kernel. The reference term mean k(y_i, y_j) of a fixed reference set costs
// O(m² d): a benchmark that measures MMD² many times computes it once and calls the overload below.
template <class S>
double mean_hamming_kernel(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const MatrixX<S>>& y);
// The same MMD² with mean k(y_i, y_j) given (= mean_hamming_kernel(y, y)).
template <class S>
double mmd2_hamming(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const MatrixX<S>>& y, double mean_k_yy);

}  // namespace ebm
