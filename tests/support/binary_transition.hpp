#pragma once
// Exact transition matrices of the binary kernels on a small state space {0,1}^d (d ≤ 10), written from the
// papers' formulas independently of the kernels' code: P(s, s') over states indexed x_0 + 2 x_1 + …. With them a
// test can check that p is exactly invariant (p P = p), compute the exact law of the chains after T steps from
// their start law (so a chi-square test needs no burn-in argument), and compute DULA's biased stationary law.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <vector>

#include "ebm/core/types.hpp"

namespace ebm::test {

// E(x) and ∇ₓE(x) of every state, in double (from the model's own Scalar).
struct StateTable {
  Index d = 0;
  Vectord energy;  // 2^d
  Matrixd grad;    // 2^d × d
  Index states() const { return energy.size(); }
  static double bit(Index s, Index i) { return double((s >> i) & 1); }
};

template <class M>
StateTable tabulate(const M& model) {
  using S = typename M::Scalar;
  StateTable t;
  t.d = model.dim();
  const Index n = Index{1} << t.d;
  MatrixX<S> x(n, t.d);
  for (Index s = 0; s < n; ++s)
    for (Index i = 0; i < t.d; ++i) x(s, i) = S(StateTable::bit(s, i));
  VectorX<S> e(n);
  MatrixX<S> g(n, t.d);
  model.energy_and_grad(x, e, g);
  t.energy = e.template cast<double>();
  t.grad = g.template cast<double>();
  return t;
}

inline double log_sig(double z) { return z >= 0 ? -std::log1p(std::exp(-z)) : z - std::log1p(std::exp(z)); }

// Gibbs-with-Gradients with k indices drawn with replacement from softmax(d/2), distinct ones flipped, MH with
// the product of the sequence's probabilities forward and backward (sums over all d^k sequences).
inline Matrixd gwg_transition(const StateTable& t, int k) {
  const Index n = t.states(), d = t.d;
  Matrixd logq(n, d);  // log softmax(d(x)/2)_i
  for (Index s = 0; s < n; ++s) {
    Vectord z(d);
    for (Index i = 0; i < d; ++i) z[i] = 0.5 * (2 * StateTable::bit(s, i) - 1) * t.grad(s, i);
    const double m = z.maxCoeff();
    const double lse = m + std::log((z.array() - m).exp().sum());
    logq.row(s) = (z.array() - lse).matrix().transpose();
  }
  Matrixd P = Matrixd::Zero(n, n);
  Index sequences = 1;
  for (int j = 0; j < k; ++j) sequences *= d;
  std::vector<Index> seq(static_cast<std::size_t>(k), 0);
  for (Index s = 0; s < n; ++s)
    for (Index c = 0; c < sequences; ++c) {
      Index rest = c, mask = 0;
      for (int j = 0; j < k; ++j) {
        seq[std::size_t(j)] = rest % d;
        rest /= d;
        mask |= Index{1} << seq[std::size_t(j)];
      }
      const Index sp = s ^ mask;
      double fwd = 0, rev = 0;
      for (const Index i : seq) {
        fwd += logq(s, i);
        rev += logq(sp, i);
      }
      const double a = std::min(1.0, std::exp(t.energy[s] - t.energy[sp] + rev - fwd));
      P(s, sp) += std::exp(fwd) * a;
      P(s, s) += std::exp(fwd) * (1 - a);
    }
  return P;
}

// DULA (adjusted = false) or DMALA (true) with step size alpha: coordinate i flips independently with
// probability σ(d_i(x)/2 − 1/(2α)); DMALA tests with the product of the reverse flip probabilities.
inline Matrixd discrete_langevin_transition(const StateTable& t, double alpha, bool adjusted) {
  const Index n = t.states(), d = t.d;
  Matrixd z(n, d);
  for (Index s = 0; s < n; ++s)
    for (Index i = 0; i < d; ++i) z(s, i) = 0.5 * (2 * StateTable::bit(s, i) - 1) * t.grad(s, i) - 0.5 / alpha;
  auto log_q = [&](Index from, Index mask) {
    double l = 0;
    for (Index i = 0; i < d; ++i) l += log_sig((mask >> i) & 1 ? z(from, i) : -z(from, i));
    return l;
  };
  Matrixd P = Matrixd::Zero(n, n);
  for (Index s = 0; s < n; ++s)
    for (Index mask = 0; mask < n; ++mask) {
      const Index sp = s ^ mask;
      const double fwd = log_q(s, mask);
      const double a = adjusted ? std::min(1.0, std::exp(t.energy[s] - t.energy[sp] + log_q(sp, mask) - fwd)) : 1.0;
      P(s, sp) += std::exp(fwd) * a;
      P(s, s) += std::exp(fwd) * (1 - a);
    }
  return P;
}

// One uniformly chosen site: Gibbs (move with σ(E(x) − E(x'))) or Metropolis (min(1, e^{E(x) − E(x')})).
inline Matrixd single_flip_transition(const StateTable& t, bool gibbs) {
  const Index n = t.states(), d = t.d;
  Matrixd P = Matrixd::Zero(n, n);
  for (Index s = 0; s < n; ++s)
    for (Index i = 0; i < d; ++i) {
      const Index sp = s ^ (Index{1} << i);
      const double delta = t.energy[s] - t.energy[sp];
      const double a = gibbs ? 1 / (1 + std::exp(-delta)) : std::min(1.0, std::exp(delta));
      P(s, sp) += a / double(d);
      P(s, s) += (1 - a) / double(d);
    }
  return P;
}

// The law after `steps` transitions from the law `start` (a row vector as a column).
inline Vectord law_after(const Matrixd& P, Vectord law, int steps) {
  for (int t = 0; t < steps; ++t) law = (law.transpose() * P).transpose();
  return law;
}

// The stationary law π = π P (P irreducible): solve (Pᵀ − I) π = 0 with Σ π = 1 replacing one equation.
inline Vectord stationary_law(const Matrixd& P) {
  const Index n = P.rows();
  Matrixd A = P.transpose() - Matrixd::Identity(n, n);
  A.row(n - 1).setOnes();
  Vectord b = Vectord::Zero(n);
  b[n - 1] = 1;
  return A.partialPivLu().solve(b);
}

inline double total_variation(const Vectord& p, const Vectord& q) { return 0.5 * (p - q).cwiseAbs().sum(); }

}  // namespace ebm::test
