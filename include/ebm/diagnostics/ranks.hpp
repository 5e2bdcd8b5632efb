#pragma once
// Rank normalization, folding and quantiles of draws pooled over all chains (Vehtari, Gelman, Simpson,
// Carpenter & Bürkner 2021, "Rank-normalization, folding, and localization: an improved R-hat for assessing
// convergence of MCMC", Bayesian Analysis 16(2), section 3). Replacing draws by normal scores of their ranks
// makes R-hat and ESS invariant to monotone transformations and well defined for heavy tails (infinite
// variance), where the plain versions are not.
#include "ebm/diagnostics/draws.hpp"

namespace ebm {

// Ranks 1..S of the S = n·m draws pooled over all chains; tied draws all get the average of the ranks they
// span (so a discrete quantity keeps its number of distinct values). Same shape as the draws.
Eigen::MatrixXd fractional_ranks(const ConstDrawsRef& draws);

// Normal scores of the fractional ranks r: z = Φ⁻¹((r − 3/8) / (S + 1/4)) (Blom's offsets, as in Vehtari et
// al. 2021 eq. 14). Same shape as the draws.
Eigen::MatrixXd rank_normalize(const ConstDrawsRef& draws);

// |x − median|, the median taken over all draws: "folding" turns a difference in spread between chains into
// a difference in location, which R-hat sees.
Eigen::MatrixXd fold(const ConstDrawsRef& draws);

// The p-quantile of all draws pooled, interpolating linearly between order statistics: with the sorted draws
// x₍₀₎ ≤ … ≤ x₍S−1₎ and h = (S − 1)p, q = x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) (Hyndman & Fan type 7, the
// default of R and NumPy). p in [0, 1].
double quantile(const ConstDrawsRef& draws, double p);

// Φ⁻¹(p), the standard normal quantile, for p in (0, 1) (Boost.Math).
double normal_quantile(double p);

}  // namespace ebm
