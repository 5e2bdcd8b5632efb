#pragma once
// Autocovariance of one chain at every lag, by FFT.
//   γ̂(t) = (1/n) Σ_{i=0}^{n−1−t} (x_i − x̄)(x_{i+t} − x̄),   t = 0 … n−1.
// The divisor is n, not n − t: this "biased" sequence is positive definite (Geyer 1992), which the
// positive-sequence truncation of the ESS relies on, and its variance at large lags stays small. The FFT
// (zero-padded to a power of two ≥ 2n, so the circular correlation equals the linear one) costs O(n log n)
// for all lags, against O(n · lags) for the direct sum: a chain that mixes badly needs many lags.
#include <Eigen/Core>

namespace ebm {

// γ̂(0 … n−1) of the series x (n ≥ 1 values).
Eigen::VectorXd autocovariance(const Eigen::Ref<const Eigen::VectorXd>& x);

// ρ̂(t) = γ̂(t) / γ̂(0). Throws ebm::Error for a constant series, which has no autocorrelation.
Eigen::VectorXd autocorrelation(const Eigen::Ref<const Eigen::VectorXd>& x);

}  // namespace ebm
