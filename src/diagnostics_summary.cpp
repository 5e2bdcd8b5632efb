// ChainSummary (ebm/diagnostics/chain_summary.hpp).
#include <cmath>

#include "ebm/diagnostics/chain_summary.hpp"
#include "ebm/diagnostics/ess.hpp"
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
  s.ess_bulk = ess_bulk(draws);
  s.ess_tail = ess_tail(draws);
  s.rhat = rank_normalized_rhat(draws).rhat;
  return s;
}

}  // namespace ebm
