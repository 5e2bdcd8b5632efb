#pragma once
// One line of diagnostics for one scalar quantity traced over several chains: what a sampler run prints.
#include "ebm/diagnostics/draws.hpp"

namespace ebm {

struct ChainSummary {
  Index chains = 0;      // m
  Index iterations = 0;  // n draws per chain
  double mean = 0;       // of all draws
  double sd = 0;         // of all draws, divisor N − 1
  double mcse = 0;       // Monte-Carlo standard error of the mean: sd / √ess_mean
  double ess_mean = 0;   // ESS of the mean (split chains)
  double ess_bulk = 0;   // ESS of the rank-normalized split chains
  double ess_tail = 0;   // min ESS of the 5 % and 95 % quantile indicators
  double rhat = 1;       // rank-normalized split-R̂, max(bulk, folded)
  double iat = 1;        // integrated autocorrelation time of the mean, N / ess_mean, in draws
};

// All of the above (ebm/diagnostics/ess.hpp, rhat.hpp) for draws(iteration, chain): at least 8 draws per
// chain, all finite.
ChainSummary summarize(const ConstDrawsRef& draws);

// JSON object with the fields above, for nlohmann::json (`nlohmann::json j = summary;` finds this by ADL). A
// template, so that ebm itself does not depend on a JSON library. Non-finite values (an R-hat of +∞ for
// chains stuck at different constants) become null, as nlohmann writes them.
template <class Json>
void to_json(Json& j, const ChainSummary& s) {
  j = Json{{"chains", s.chains}, {"iterations", s.iterations}, {"mean", s.mean},       {"sd", s.sd},
           {"mcse", s.mcse},     {"ess_mean", s.ess_mean},     {"ess_bulk", s.ess_bulk}, {"ess_tail", s.ess_tail},
           {"rhat", s.rhat},     {"iat", s.iat}};
}

}  // namespace ebm
