// Autocovariance by FFT (ebm/diagnostics/autocorrelation.hpp). Eigen's FFT module (kissfft behind it) is
// private to this file, so users of ebm never see it.
#include <complex>
#include <unsupported/Eigen/FFT>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/diagnostics/autocorrelation.hpp"

namespace ebm {

Eigen::VectorXd autocovariance(const Eigen::Ref<const Eigen::VectorXd>& x) {
  const Eigen::Index n = x.size();
  ensure(n >= 1, "autocovariance: empty series");
  // Zero padding to at least 2n makes the circular correlation of the FFT equal the linear one for every
  // lag below n; a power of two keeps kissfft on its fastest radix.
  Eigen::Index size = 1;
  while (size < 2 * n) size *= 2;
  std::vector<double> padded(static_cast<std::size_t>(size), 0.0);
  const double mean = x.mean();
  for (Eigen::Index i = 0; i < n; ++i) padded[static_cast<std::size_t>(i)] = x[i] - mean;
  Eigen::FFT<double> fft;
  std::vector<std::complex<double>> spectrum;
  fft.fwd(spectrum, padded);
  for (auto& f : spectrum) f = std::norm(f);  // |X(k)|²: the transform of the autocorrelation sum
  std::vector<double> sums;
  fft.inv(sums, spectrum);  // Eigen's inverse divides by `size`
  Eigen::VectorXd g(n);
  for (Eigen::Index t = 0; t < n; ++t) g[t] = sums[static_cast<std::size_t>(t)] / double(n);
  return g;
}

Eigen::VectorXd autocorrelation(const Eigen::Ref<const Eigen::VectorXd>& x) {
  // Tested on the values, not on γ̂(0): the mean of equal values can be off by a rounding error.
  ensure(x.size() >= 1 && (x.array() != x[0]).any(),
         "autocorrelation: the series is constant (variance 0), so it has no autocorrelation");
  const Eigen::VectorXd g = autocovariance(x);
  return g / g[0];
}

}  // namespace ebm
