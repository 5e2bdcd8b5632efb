#pragma once
// Exact transition matrices of the categorical kernels on {0, …, q−1}^n with few states (states indexed
// x_0 + q x_1 + …, as estimate/exact_categorical.hpp), written from the formulas of the papers independently of
// the kernels' code, and a deliberately wrong variant for the negative controls.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "ebm/core/categorical_model.hpp"
#include "ebm/core/types.hpp"
#include "ebm/estimate/exact_categorical.hpp"

namespace ebm::test {

struct CategoricalTable {
  Index n = 0;
  int q = 0;
  Vectord energy;  // q^n
  Index states() const { return energy.size(); }
  Index power(Index i) const {
    Index p = 1;
    for (Index k = 0; k < i; ++k) p *= q;
    return p;
  }
  int label(Index s, Index i) const { return int(s / power(i) % q); }
  Index with(Index s, Index i, int c) const { return s + (c - label(s, i)) * power(i); }  // s with x_i = c
};

template <CategoricalModel M>
CategoricalTable tabulate_categorical(const M& model) {
  CategoricalTable t;
  t.n = model.num_sites();
  t.q = model.num_labels();
  t.energy.resize(t.power(t.n));
  std::vector<Label> x(static_cast<std::size_t>(t.n));
  for (Index s = 0; s < t.states(); ++s) {
    categorical_state(s, t.q, x);
    t.energy[s] = model.energy(std::span<const Label>(x));
  }
  return t;
}

// Gibbs at site i: x_i ~ p(x_i | x_−i).
inline Matrixd site_gibbs_transition(const CategoricalTable& t, Index i) {
  Matrixd G = Matrixd::Zero(t.states(), t.states());
  for (Index s = 0; s < t.states(); ++s) {
    double z = 0;
    for (int c = 0; c < t.q; ++c) z += std::exp(-t.energy[t.with(s, i, c)]);
    for (int c = 0; c < t.q; ++c) G(s, t.with(s, i, c)) += std::exp(-t.energy[t.with(s, i, c)]) / z;
  }
  return G;
}

// Random scan: the site uniform, then Gibbs there.
inline Matrixd random_scan_gibbs_transition(const CategoricalTable& t) {
  Matrixd P = Matrixd::Zero(t.states(), t.states());
  for (Index i = 0; i < t.n; ++i) P += site_gibbs_transition(t, i) / double(t.n);
  return P;
}

// Systematic scan: sites 0, 1, …, n − 1 in order.
inline Matrixd systematic_gibbs_transition(const CategoricalTable& t) {
  Matrixd P = Matrixd::Identity(t.states(), t.states());
  for (Index i = 0; i < t.n; ++i) P = P * site_gibbs_transition(t, i);
  return P;
}

// Categorical GWG (Grathwohl et al. 2021) on a model whose first-order estimate is exact (the Potts model: the
// one-hot gradient difference g_{i,c} − g_{i,x_i} is E(x with x_i = c) − E(x)): the pair (i, c), c ≠ x_i, from
// softmax(−(E(y) − E(x))/2), MH with the reverse pair's probability at y. hastings = false is a deliberately
// wrong kernel: the acceptance min(1, p(y)/p(x)) without the proposal ratio (a plausible bug).
inline Matrixd categorical_gwg_transition(const CategoricalTable& t, bool hastings = true) {
  const Index N = t.states();
  // q(s → y) for every neighbour y of s (the row sums to 1 over the n(q − 1) neighbours).
  Matrixd Q = Matrixd::Zero(N, N);
  for (Index s = 0; s < N; ++s) {
    double z = 0;
    for (Index i = 0; i < t.n; ++i)
      for (int c = 0; c < t.q; ++c)
        if (c != t.label(s, i)) z += std::exp(-(t.energy[t.with(s, i, c)] - t.energy[s]) / 2);
    for (Index i = 0; i < t.n; ++i)
      for (int c = 0; c < t.q; ++c)
        if (c != t.label(s, i)) {
          const Index y = t.with(s, i, c);
          Q(s, y) = std::exp(-(t.energy[y] - t.energy[s]) / 2) / z;
        }
  }
  Matrixd P = Matrixd::Zero(N, N);
  for (Index s = 0; s < N; ++s)
    for (Index y = 0; y < N; ++y)
      if (Q(s, y) > 0) {
        const double ratio = std::exp(t.energy[s] - t.energy[y]) * (hastings ? Q(y, s) / Q(s, y) : 1.0);
        const double a = std::min(1.0, ratio);
        P(s, y) += Q(s, y) * a;
        P(s, s) += Q(s, y) * (1 - a);
      }
  return P;
}

}  // namespace ebm::test
