#pragma once
// What ebm asks of a conditional model p(y | x; θ) = exp(−E(y, x; θ)) / Z(x; θ) over discrete labels y
// (one of L labels at each of n sites). The model term of the gradient is one expectation per example x,
// so a model first *conditions* on x: it computes into a Context whatever does not depend on y (e.g. the
// unary energies of every site and label, and what back-propagation needs). Samplers and the trainer then
// work with (context, y) pairs only.
//
//   make_context()                      an empty context (sized on first use)
//   condition(x, ctx)                   x: one input row; fills ctx for the current θ
//   energy(ctx, y)                      E(y, x)
//   local_energies(ctx, y, s, e)        e[l] = the terms of E(y, x) that involve site s, with y_s = l
//                                       (so p(y_s = l | y_−s, x) ∝ exp(−e[l])): single-site Gibbs
//   num_colours(), sites_of_colour(c)   a proper colouring of the sites' dependency graph: sites of one
//                                       colour are conditionally independent given the others, so they
//                                       can be updated as one block (checkerboard Gibbs on a grid)
//   accumulate_grad(ctx, y, w, g)       g += w · ∂E(y, x)/∂θ: the one statistics routine, for data and chains
//
// condition() is called concurrently on different contexts of one const model, and so are the others; a
// model must be safe for that (no mutable shared scratch).
#include <concepts>
#include <span>

#include "ebm/core/labels.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class M>
concept ConditionalGibbsModel =
    requires(const M& m, typename M::Context& ctx, const typename M::Context& cctx, ConstVecRef<typename M::Scalar> x,
             std::span<const Label> y, Index s, std::span<typename M::Scalar> e, typename M::Scalar w,
             VecRef<typename M::Scalar> g) {
      typename M::Scalar;
      typename M::Context;
      { m.input_dim() } -> std::convertible_to<Index>;
      { m.num_sites() } -> std::convertible_to<Index>;
      { m.num_labels() } -> std::convertible_to<int>;
      { m.num_params() } -> std::convertible_to<Index>;
      { m.params() } -> std::convertible_to<const VectorX<typename M::Scalar>&>;
      { m.make_context() } -> std::same_as<typename M::Context>;
      m.condition(x, ctx);
      { m.energy(cctx, y) } -> std::convertible_to<double>;
      m.local_energies(cctx, y, s, e);
      { m.num_colours() } -> std::convertible_to<int>;
      { m.sites_of_colour(int{}) } -> std::convertible_to<std::span<const Index>>;
      m.accumulate_grad(cctx, y, w, g);
    };

}  // namespace ebm
