#pragma once
// Potential scale reduction R-hat (Gelman & Rubin 1992; Gelman et al., BDA3 section 11.4) and its
// rank-normalized split form (Vehtari et al. 2021, section 4).
//
// For m chains of n draws, chain means x̄_c and within-chain variances s²_c (divisor n − 1):
//   W = mean_c s²_c,   B/n = Var_c(x̄_c) (divisor m − 1),   var⁺ = (n−1)/n · W + B/n,   R̂ = √(var⁺ / W).
// R̂ → 1 as the chains mix; it is ≥ √((n−1)/n) always, and Vehtari et al. recommend trusting a run only when
// the rank-normalized R̂ below is under 1.01. Equal draws everywhere give R̂ = 1; chains that are each constant
// but disagree give +∞.
#include "ebm/diagnostics/draws.hpp"

namespace ebm {

// R̂ of the chains as given (no splitting). At least 2 draws per chain.
double potential_scale_reduction(const ConstDrawsRef& draws);

// Split-R̂: R̂ of the split chains (ebm/diagnostics/draws.hpp), which also sees a trend inside a chain.
// At least 4 draws per chain (2 per half), as for everything below.
double split_rhat(const ConstDrawsRef& draws);

struct RhatEstimate {
  double bulk = 1;    // split-R̂ of the rank-normalized draws: chains disagree in location
  double folded = 1;  // split-R̂ of the rank-normalized folded draws |x − median|: chains disagree in spread
  double rhat = 1;    // max(bulk, folded), the number to report
};

// Rank-normalized split-R̂. The folded part exists because chains with equal centres but different spreads
// (one stuck in a narrow region, say) have equal means and fool the bulk part.
RhatEstimate rank_normalized_rhat(const ConstDrawsRef& draws);

}  // namespace ebm
