#pragma once
// Inverse temperatures of a parallel-tempering ladder: 1 = β_0 > β_1 > … > β_{K−1} ≥ 0. β_0 = 1 is the
// model itself, the replica whose states are the samples (and the model term of PT-PCD); lower β flatten the
// distribution so that its replicas cross between modes, and swaps carry those moves up to β = 1.
#include <cmath>
#include <vector>

#include "ebm/core/error.hpp"

namespace ebm {

// Strictly decreasing, starting at exactly 1, all in [0, 1]; an error names the offending entry.
inline void validate_ladder(const std::vector<double>& betas) {
  ensure(!betas.empty(), "temperature ladder: no inverse temperatures (need at least β_0 = 1)");
  ensure(betas[0] == 1.0, "temperature ladder: β_0 = ", betas[0], " must be 1 (the model itself)");
  for (std::size_t k = 1; k < betas.size(); ++k) {
    ensure(std::isfinite(betas[k]) && betas[k] >= 0 && betas[k] <= 1, "temperature ladder: β_", k, " = ", betas[k],
           " must lie in [0, 1]");
    ensure(betas[k] < betas[k - 1], "temperature ladder: β_", k, " = ", betas[k], " is not below β_", k - 1, " = ",
           betas[k - 1], " (inverse temperatures must decrease strictly)");
  }
}

// K inverse temperatures evenly spaced from 1 down to beta_min (K = 1: just β_0 = 1).
inline std::vector<double> linear_ladder(int K, double beta_min = 0.0) {
  ensure(K >= 1, "linear_ladder: K = ", K, " temperatures; need at least 1");
  ensure(beta_min >= 0 && beta_min < 1, "linear_ladder: beta_min = ", beta_min, " must lie in [0, 1)");
  std::vector<double> b(static_cast<std::size_t>(K), 1.0);
  for (int k = 1; k < K; ++k) b[std::size_t(k)] = 1.0 - (1.0 - beta_min) * double(k) / double(K - 1);
  return b;
}

// K inverse temperatures in geometric progression from 1 down to beta_min > 0: a constant ratio between
// neighbours, which gives equal swap rates between neighbours when the heat capacity is constant.
inline std::vector<double> geometric_ladder(int K, double beta_min) {
  ensure(K >= 1, "geometric_ladder: K = ", K, " temperatures; need at least 1");
  ensure(beta_min > 0 && beta_min < 1, "geometric_ladder: beta_min = ", beta_min, " must lie in (0, 1)");
  std::vector<double> b(static_cast<std::size_t>(K), 1.0);
  for (int k = 1; k < K; ++k) b[std::size_t(k)] = std::pow(beta_min, double(k) / double(K - 1));
  return b;
}

}  // namespace ebm
