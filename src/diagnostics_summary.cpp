// ChainSummary (ebm/diagnostics/chain_summary.hpp).
#include <algorithm>
#include <cmath>

#include "ebm/diagnostics/chain_summary.hpp"
#include "ebm/diagnostics/ess.hpp"
#include "ebm/diagnostics/ranks.hpp"
#include "ebm/diagnostics/rhat.hpp"

namespace ebm {

ChainSummary summarize(const ConstDrawsRef& draws) {
  check_draws(draws, 8, "summarize");
  ChainSummary s;
  s.chains = draws.cols();
  s.iterations = draws.rows();
  const double N = double(draws.size());
  s.mean = draws.mean();
  // Equal draws have sd exactly 0, whatever the rounding of their mean.
  const bool constant = (draws.array() == draws(0, 0)).all();
  s.sd = constant ? 0.0 : std::sqrt((draws.array() - s.mean).square().sum() / (N - 1));
  const EssEstimate e = effective_sample_size(split_chains(draws));
  s.ess_mean = e.ess;
  s.iat = e.tau;
  s.mcse = s.sd / std::sqrt(e.ess);
  // The rank-normalized split chains serve both bulk-ESS and bulk-R̂ (ess.hpp, rhat.hpp define them so):
  // normalized once, since ranking and Φ⁻¹ are most of the cost.
  const Eigen::MatrixXd z = rank_normalize(split_chains(draws));
  s.ess_bulk = effective_sample_size(z).ess;
  s.ess_tail = ess_tail(draws);
  s.rhat = std::max(potential_scale_reduction(z), potential_scale_reduction(rank_normalize(split_chains(fold(draws)))));
  return s;
}

}  // namespace ebm
