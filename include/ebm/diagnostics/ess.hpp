#pragma once
// Effective sample size (ESS), integrated autocorrelation time and the Monte-Carlo standard error of a mean,
// from several chains, following Vehtari et al. (2021, section 3.2 and appendix A) and Geyer (1992).
//
// For m chains of n draws, with γ̂_c(t) chain c's autocovariance (ebm/diagnostics/autocorrelation.hpp):
//   W     = n/(n−1) · mean_c γ̂_c(0)                      mean within-chain variance,
//   var⁺  = (n−1)/n · W + Var_c(x̄_c)                      marginal variance (over-estimates it until the
//                                                        chains mix, so unmixed chains look correlated),
//   ρ̂_t   = 1 − (W − mean_c γ̂_c(t)) / var⁺               autocorrelation at lag t, pooled over chains,
//   P_k   = ρ̂_{2k} + ρ̂_{2k+1}                            (ρ̂_0 = 1), kept while positive (Geyer's initial
//           positive sequence) and made non-increasing (initial monotone sequence), which keeps the noisy
//           tail of ρ̂ out of the sum,
//   τ̂     = −1 + 2 Σ_{k<K} P_k + max(ρ̂_{2K}, 0)          K: the first pair not kept; the last term is
//           the "improved" estimate of Stan and posterior, which lowers the variance for antithetic chains,
//   τ̂     ← max(τ̂, 1/log10(N))                           N = n·m; caps ESS at N·log10 N,
//   ESS   = N / τ̂.
// A series whose draws are all equal has τ̂ = 1 and ESS = N (its mean is exact). Every function checks the
// draws (ebm/diagnostics/draws.hpp): at least one chain, only finite values, enough iterations.
#include "ebm/diagnostics/draws.hpp"

namespace ebm {

struct EssEstimate {
  double ess = 0;       // effective sample size of the grand mean, N / tau
  double tau = 1;       // integrated autocorrelation time τ̂, in draws
  double variance = 0;  // var⁺, the estimated marginal variance of one draw
  Index window = 0;     // the last lag summed into tau (Sokal's window M): Var(τ̂)/τ² ≈ 2(2M+1)/N
};

// The estimator above applied to the chains as given (no splitting). At least 4 draws per chain.
EssEstimate effective_sample_size(const ConstDrawsRef& draws);

// ESS of the mean: effective_sample_size of the split chains (ebm/diagnostics/draws.hpp), so that a chain
// that drifts counts as two that disagree. At least 8 draws per chain (4 per half). Same for all below.
double ess_mean(const ConstDrawsRef& draws);

// Bulk-ESS: ESS of the rank-normalized split chains (ebm/diagnostics/ranks.hpp). Measures how well the
// centre of the distribution is explored, and stays defined when the mean or variance does not exist.
double ess_bulk(const ConstDrawsRef& draws);

// ESS of the p-quantile: ESS of the split chains of the indicator 1{x ≤ q_p}, q_p the pooled p-quantile.
double ess_quantile(const ConstDrawsRef& draws, double p);

// Tail-ESS: min(ess_quantile(0.05), ess_quantile(0.95)). How well the 5 % and 95 % tails are explored.
double ess_tail(const ConstDrawsRef& draws);

// Integrated autocorrelation time of the mean: N / ess_mean, in draws. 1 for independent draws; for an AR(1)
// process x_t = ρ x_{t−1} + noise it tends to (1 + ρ)/(1 − ρ). With one chain (m = 1) this is the classical
// single-chain IAT (of its two halves).
double integrated_autocorrelation_time(const ConstDrawsRef& draws);

// Monte-Carlo standard error of the grand mean: sd / √ess_mean, sd the standard deviation of all draws
// pooled (divisor N − 1).
double mcse_mean(const ConstDrawsRef& draws);

}  // namespace ebm
