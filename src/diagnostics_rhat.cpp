// R-hat, split-R-hat and rank-normalized split-R-hat (ebm/diagnostics/rhat.hpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "ebm/core/error.hpp"
#include "ebm/diagnostics/ranks.hpp"
#include "ebm/diagnostics/rhat.hpp"

namespace ebm {
namespace {

double rhat_of_checked(const Eigen::MatrixXd& x) {
  const Index n = x.rows(), m = x.cols();
  const Eigen::RowVectorXd chain_mean = x.colwise().mean();
  double W = 0;
  for (Index c = 0; c < m; ++c)  // a constant chain has variance exactly 0, whatever the rounding of its mean
    if ((x.col(c).array() != x(0, c)).any()) W += (x.col(c).array() - chain_mean[c]).square().sum() / double(n - 1);
  W /= double(m);
  const bool same_constant = (x.array() == x(0, 0)).all();
  const double between =
      m > 1 && !same_constant ? (chain_mean.array() - chain_mean.mean()).square().sum() / double(m - 1) : 0.0;
  const double var_plus = W * double(n - 1) / double(n) + between;
  if (W == 0) return var_plus == 0 ? 1.0 : std::numeric_limits<double>::infinity();
  return std::sqrt(var_plus / W);
}

}  // namespace

double potential_scale_reduction(const ConstDrawsRef& draws) {
  check_draws(draws, 2, "potential_scale_reduction");
  return rhat_of_checked(draws);
}

double split_rhat(const ConstDrawsRef& draws) {
  check_draws(draws, 4, "split_rhat");
  return rhat_of_checked(split_chains(draws));
}

RhatEstimate rank_normalized_rhat(const ConstDrawsRef& draws) {
  check_draws(draws, 4, "rank_normalized_rhat");
  RhatEstimate r;
  r.bulk = rhat_of_checked(rank_normalize(split_chains(draws)));
  r.folded = rhat_of_checked(rank_normalize(split_chains(fold(draws))));
  r.rhat = std::max(r.bulk, r.folded);
  return r;
}

}  // namespace ebm
