#pragma once
// What ebm asks of a model over categorical states: x ∈ {0, …, q−1}^n, one label per site, p(x) ∝ exp(−E(x; θ)).
// A state is one row of labels, stored as the conditional models store theirs (core/labels.hpp: Label bytes, a
// LabelMatrix of chains × sites), so label rows, check_labels and label_row serve both.
//
//   num_sites(), num_labels()          n and q (2 ≤ q ≤ max_labels)
//   num_params(), params()             the flat parameter vector θ
//   energy(x)                          E(x), in double
//   local_energies(x, i, e)            e[c] for c < q such that E(x with x_i = c) − E(x) = e[c] − e[x_i]: the exact
//                                      single-site conditional is p(x_i = c | x_−i) ∝ exp(−e[c]) (single-site Gibbs)
//   accumulate_grad(x, w, g)           g += w · ∂E(x)/∂θ: the model term of a trainer
//
// CategoricalGradientModel adds the gradient of the one-hot relaxation, what categorical Gibbs-with-Gradients
// reads (Grathwohl et al. 2021, §4): with o ∈ ℝ^{n×q} the one-hot encoding of x (o_{i,c} = [x_i = c]) and E
// extended to a differentiable function of o,
//   energy_and_grad(x, g)              returns E(x); g[i·q + c] = ∂E/∂o_{i,c} at the one-hot of x (n·q values,
//                                      site-major), so E(x with x_i = c) − E(x) ≈ g[i·q + c] − g[i·q + x_i].
//
// x is a span of num_sites() labels, each below num_labels(); every member must be safe to call concurrently
// on a const model (samplers call them from several threads, one chain per call).
#include <concepts>
#include <span>

#include "ebm/core/labels.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class M>
concept CategoricalModel =
    requires(const M& m, std::span<const Label> x, Index i, std::span<typename M::Scalar> e, typename M::Scalar w,
             VecRef<typename M::Scalar> g) {
      typename M::Scalar;
      { m.num_sites() } -> std::convertible_to<Index>;
      { m.num_labels() } -> std::convertible_to<int>;
      { m.num_params() } -> std::convertible_to<Index>;
      { m.params() } -> std::convertible_to<const VectorX<typename M::Scalar>&>;
      { m.energy(x) } -> std::convertible_to<double>;
      m.local_energies(x, i, e);
      m.accumulate_grad(x, w, g);
    };

template <class M>
concept CategoricalGradientModel =
    CategoricalModel<M> && requires(const M& m, std::span<const Label> x, std::span<typename M::Scalar> g) {
      { m.energy_and_grad(x, g) } -> std::convertible_to<double>;
    };

}  // namespace ebm
