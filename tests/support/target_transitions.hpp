#pragma once
// Exact transition matrices of the samplers added for the benchmark targets (systematic-scan Gibbs, the
// Hamming-ball sampler, the path auxiliary sampler) on {0,1}^d with small d, written from the papers' formulas
// independently of the kernels' code (states indexed x_0 + 2 x_1 + …, as in binary_transition.hpp), and a
// deliberately wrong variant for the negative controls.
#include <Eigen/Dense>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "support/binary_transition.hpp"

namespace ebm::test {

// One sweep: Gibbs at site 0, then site 1, …, then site d − 1 (the product of the single-site matrices).
inline Matrixd systematic_gibbs_transition(const StateTable& t) {
  const Index n = t.states(), d = t.d;
  Matrixd P = Matrixd::Identity(n, n);
  for (Index i = 0; i < d; ++i) {
    Matrixd G = Matrixd::Zero(n, n);
    for (Index s = 0; s < n; ++s) {
      const Index sp = s ^ (Index{1} << i);
      const double move = 1 / (1 + std::exp(t.energy[sp] - t.energy[s]));  // p(x_i = x'_i | x_−i)
      G(s, sp) += move;
      G(s, s) += 1 - move;
    }
    P = P * G;
  }
  return P;
}

// Hamming ball, block of k consecutive coordinates from a uniform start b (mod d), radius m: u uniform on the
// ball around x in the block, then x' ∝ p on the ball around u.
inline Matrixd hamming_ball_transition(const StateTable& t, int k, int m) {
  const Index n = t.states(), d = t.d;
  std::vector<std::uint64_t> members;
  for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << k); ++mask)
    if (std::popcount(mask) <= m) members.push_back(mask);
  const double h = double(members.size());
  Matrixd P = Matrixd::Zero(n, n);
  for (Index b = 0; b < d; ++b) {
    auto to_state = [&](std::uint64_t mask) {
      Index out = 0;
      for (int j = 0; j < k; ++j)
        if ((mask >> j) & 1) out |= Index{1} << ((b + j) % d);
      return out;
    };
    for (Index s = 0; s < n; ++s)
      for (const auto um : members) {
        const Index u = s ^ to_state(um);
        double z = 0;
        for (const auto ym : members) z += std::exp(-t.energy[u ^ to_state(ym)] + t.energy[s]);
        for (const auto ym : members) {
          const Index y = u ^ to_state(ym);
          P(s, y) += std::exp(-t.energy[y] + t.energy[s]) / z / h / double(d);
        }
      }
  }
  return P;
}

// Path auxiliary sampler with path length R: every ordered sequence of R distinct coordinates, drawn without
// replacement from softmax(d(x)/2); MH with the reversed sequence's probability at y. stale_reverse = true is a
// deliberately wrong acceptance: the reverse path's probability computed from the gradient at x instead of at y
// (a plausible bug). (Pairing a path with itself instead of its reverse would not be one: that map is an
// involution too, and the kernel stays reversible.)
inline Matrixd path_auxiliary_transition(const StateTable& t, int R, bool stale_reverse = false) {
  const Index n = t.states(), d = t.d;
  Matrixd q(n, d);
  for (Index s = 0; s < n; ++s) {
    Vectord z(d);
    for (Index i = 0; i < d; ++i) z[i] = 0.5 * (2 * StateTable::bit(s, i) - 1) * t.grad(s, i);
    const Vectord w = (z.array() - z.maxCoeff()).exp().matrix();
    q.row(s) = (w / w.sum()).transpose();
  }
  auto seq_prob = [&](Index s, const std::vector<Index>& seq) {
    double p = 1, taken = 0;
    for (const Index i : seq) {
      p *= q(s, i) / (1 - taken);
      taken += q(s, i);
    }
    return p;
  };
  Matrixd P = Matrixd::Zero(n, n);
  std::vector<Index> seq(std::size_t(R), 0);
  Index count = 1;
  for (int j = 0; j < R; ++j) count *= d;
  for (Index s = 0; s < n; ++s)
    for (Index c = 0; c < count; ++c) {
      Index rest = c, mask = 0;
      bool distinct = true;
      for (int j = 0; j < R; ++j) {
        seq[std::size_t(j)] = rest % d;
        rest /= d;
        if ((mask >> seq[std::size_t(j)]) & 1) distinct = false;
        mask |= Index{1} << seq[std::size_t(j)];
      }
      if (!distinct) continue;
      const Index y = s ^ mask;
      std::vector<Index> back(seq.rbegin(), seq.rend());
      const double fwd = seq_prob(s, seq), rev = seq_prob(stale_reverse ? s : y, back);
      const double a = std::min(1.0, std::exp(t.energy[s] - t.energy[y]) * rev / fwd);
      P(s, y) += fwd * a;
      P(s, s) += fwd * (1 - a);
    }
  return P;
}

}  // namespace ebm::test

namespace ebm::test {

// PAS with the path length L uniform on {1, …, R}: the mixture of the fixed-length kernels.
inline Matrixd path_auxiliary_uniform_length_transition(const StateTable& t, int R) {
  Matrixd P = Matrixd::Zero(t.states(), t.states());
  for (int L = 1; L <= R; ++L) P += path_auxiliary_transition(t, L) / double(R);
  return P;
}

}  // namespace ebm::test
