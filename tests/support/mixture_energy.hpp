#pragma once
// A 1-D two-component Gaussian mixture as a continuous energy with no parameters, for samplers that must cross a
// barrier (parallel tempering over MALA):
//   p(x) = w N(x; −m, s²) + (1 − w) N(x; m, s²),   E(x) = −log p(x) (up to a constant),
//   E[x] = (1 − 2w) m,   E[x²] = m² + s²,   and at x = 0 the barrier is about m²/(2s²) above the modes.
#include <algorithm>
#include <cmath>

#include "ebm/core/types.hpp"

namespace ebm::test {

struct MixtureEnergy1d {
  using Scalar = double;
  double m = 3, s = 0.7, w = 0.3;  // component means ±m, sd s, weight w at −m
  VectorX<double> theta;           // no parameters

  double mean() const { return (1 - 2 * w) * m; }
  double second_moment() const { return m * m + s * s; }

  Index dim() const { return 1; }
  Index num_params() const { return 0; }
  const VectorX<double>& params() const { return theta; }

  // E(x) and dE/dx: −log Σ_c π_c exp(−(x − μ_c)²/(2s²)), its gradient Σ_c r_c (x − μ_c)/s² (r: responsibilities).
  double value(double x, double* g) const {
    const double la = std::log(w) - (x + m) * (x + m) / (2 * s * s);
    const double lb = std::log(1 - w) - (x - m) * (x - m) / (2 * s * s);
    const double mx = std::max(la, lb);
    const double ea = std::exp(la - mx), eb = std::exp(lb - mx);
    if (g) *g = (ea * (x + m) + eb * (x - m)) / ((ea + eb) * s * s);
    return -(mx + std::log(ea + eb));
  }
  void energy(const ConstBatchRef<double>& x, VecRef<double> e) const {
    for (Index r = 0; r < x.rows(); ++r) e[r] = value(x(r, 0), nullptr);
  }
  void energy_and_grad(const ConstBatchRef<double>& x, VecRef<double> e, BatchRef<double> g) const {
    for (Index r = 0; r < x.rows(); ++r) e[r] = value(x(r, 0), &g(r, 0));
  }
  void accumulate_grad(const ConstBatchRef<double>&, double, VecRef<double>) const {}
};

}  // namespace ebm::test
