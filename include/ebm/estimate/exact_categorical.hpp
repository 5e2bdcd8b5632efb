#pragma once
// Exact quantities of any model over categorical x ∈ {0, …, q−1}^n with few states (CategoricalModel: the Potts
// model, your own), by enumerating all q^n states, in double:
//   categorical_state_index(x, q)           the index of a state, x_0 + q x_1 + q² x_2 + … (site 0 varies fastest)
//   categorical_state(index, q, x)          its inverse
//   exact_categorical_log_z(model)          log Z = log Σ_x e^{−E(x)}
//   exact_categorical_distribution(model)   p(x) for every x, at its index
// At most max_exact_categorical_states states (a 2 × 3 lattice with q = 3 has 729; a 4 × 4 one with q = 3, 43
// million, is too many). −log p̃ is evaluated in parallel over a fixed split of the states, each into its own slot,
// then summed in state order: the same bits for any number of threads. A NaN energy is an error naming the state;
// E = +∞ is a state of probability 0.
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "ebm/core/categorical_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

inline constexpr Index max_exact_categorical_states = Index{1} << 22;

inline Index categorical_state_index(std::span<const Label> x, int q) {
  Index index = 0;
  for (std::size_t i = x.size(); i-- > 0;) index = index * q + x[i];
  return index;
}

inline void categorical_state(Index index, int q, std::span<Label> x) {
  for (Label& l : x) {
    l = static_cast<Label>(index % q);
    index /= q;
  }
}

namespace detail {

// −E(x) of every state, at its index.
template <CategoricalModel M>
Vectord categorical_log_weights(const M& model, const char* who) {
  const Index n = model.num_sites();
  const int q = model.num_labels();
  Index states = 1;
  for (Index i = 0; i < n; ++i) {
    ensure(states <= max_exact_categorical_states / q, who, ": ", q, "^", n, " states; at most ",
           max_exact_categorical_states, " can be enumerated");
    states *= q;
  }
  Vectord lw(states);
  for_each_range(states, 4096, [&](Index first, Index count) {
    std::vector<Label> x(std::size_t(n), 0);
    for (Index k = first; k < first + count; ++k) {
      categorical_state(k, q, x);
      lw[k] = -model.energy(std::span<const Label>(x));
    }
  });
  for (Index k = 0; k < states; ++k)
    ensure(!std::isnan(lw[k]), who, ": the energy of state ", k, " (index x_0 + q x_1 + …) is NaN");
  return lw;
}

}  // namespace detail

template <CategoricalModel M>
double exact_categorical_log_z(const M& model) {
  const Vectord lw = detail::categorical_log_weights(model, "exact_categorical_log_z");
  const double m = lw.maxCoeff();
  ensure(std::isfinite(m), "exact_categorical_log_z: the largest −E over the states is ", m);
  double sum = 0;
  for (Index k = 0; k < lw.size(); ++k) sum += std::exp(lw[k] - m);
  return m + std::log(sum);
}

template <CategoricalModel M>
Vectord exact_categorical_distribution(const M& model) {
  Vectord p = detail::categorical_log_weights(model, "exact_categorical_distribution");
  const double m = p.maxCoeff();
  ensure(std::isfinite(m), "exact_categorical_distribution: the largest −E over the states is ", m);
  double sum = 0;
  for (Index k = 0; k < p.size(); ++k) sum += (p[k] = std::exp(p[k] - m));
  p /= sum;
  return p;
}

}  // namespace ebm
