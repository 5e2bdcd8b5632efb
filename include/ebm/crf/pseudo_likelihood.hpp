#pragma once
// Pseudo-likelihood training of a grid CRF (Besag 1975): replace log p(y | x) by the sum of every site's
// conditional given its neighbours' true labels,
//
//   J(θ) = mean over examples of  −Σ_s log p(y_s | y_−s, x),   p(y_s = l | y_−s, x) ∝ exp(−e_s(l)),
//
// with e_s(l) the energy terms that involve site s when y_s = l (the model's local_energies, the quantities
// single-site Gibbs samples from). No partition function of the grid, no sampler; unlike piecewise training
// it is consistent: with enough data from the model its minimizer is the true θ. O(sites · L) per example.
//
// Gradient: Σ_s Σ_l g_s(l) ∂e_s(l)/∂θ with g_s = onehot(y_s) − q_s, q_s = softmax(−e_s):
//   unary   G(s, l) = g_s(l) through the model's accumulate_unary_grad;
//   full    every neighbour t of s adds g_s(l) to P(l, y_t) (t right of or below s) or to P(y_t, l) (left, above);
//   Potts   ∂e_s(l)/∂w = #{neighbours t : y_t ≠ l}, so (since Σ_l g_s(l) = 0) s adds −Σ_{t ∈ N(s)} g_s(y_t):
//           the expected number of disagreeing neighbours under q_s minus the observed one.
//   contrast the table as for full; the coupling c_st of every edge at s gets −g_s(y_t) (as Potts, one edge at
//           a time) and is back-propagated through the edge network by the model's accumulate_edge_grad.
// Examples are processed in fixed blocks in parallel; the result is the same bits for any number of threads.
#include <span>

#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/crf/detail/per_example_sum.hpp"
#include "ebm/crf/grid_crf.hpp"

namespace ebm {

template <class Unary>
class PseudoLikelihood {
public:
  using Model = GridCrf<Unary>;
  using Scalar = typename Model::Scalar;
  using S = Scalar;

  explicit PseudoLikelihood(Index block_rows = 1) : sum_(block_rows) {}

  // J(θ) on `data`; adds ∂J/∂θ to grad.
  double accumulate(const Model& model, const ConditionalData<S>& data, VecRef<S> grad) {
    ensure(grad.size() == model.num_params(), "pseudo-likelihood: gradient has ", grad.size(),
           " entries, the model has ", model.num_params(), " parameters");
    return run(model, data, &grad);
  }
  double accumulate(const Model& model, const ConditionalBatch<S>& batch, VecRef<S> grad) {
    return accumulate(model, ConditionalData<S>(batch.x, batch.y), grad);
  }
  // J(θ) only.
  double value(const Model& model, const ConditionalData<S>& data) { return run(model, data, nullptr); }

private:
  double run(const Model& model, const ConditionalData<S>& data, VecRef<S>* grad) {
    model.validate(data, "pseudo-likelihood: data");
    const Index n = data.rows(), sites = model.num_sites();
    const int L = model.num_labels();
    const S w = S(1) / S(n);
    const Grid& grid = model.grid();
    const Index o = model.pairwise_offset();
    const bool potts = model.pairwise() == Pairwise::potts;
    const bool contrast = model.pairwise() == Pairwise::contrast;
    const double sum = sum_.run(model, n, grad, [&](typename Model::Context& ctx, Index r, S* out) {
      model.condition(data.x.row(r).transpose(), ctx);
      const auto y = label_row(data.y, r);
      ctx.g.resize(sites, L);
      for (Index s = 0; s < sites; ++s) model.local_energies(ctx, y, s, std::span<S>(ctx.g.row(s).data(), std::size_t(L)));
      const double v = detail::softmax_nll_rows(ctx.g, y, out ? &w : nullptr);
      if (!out) return v;
      Eigen::Map<VectorX<S>> g(out, model.num_params());
      model.accumulate_unary_grad(ctx, g);
      if (contrast) ctx.edge_g.setZero(2 * sites);
      for (Index s = 0; s < sites; ++s) {
        const S* gs = ctx.g.row(s).data();
        const auto label = [&](Index t) { return int(y[std::size_t(t)]); };
        if (potts) {
          for (Index t : {grid.left(s), grid.right(s), grid.up(s), grid.down(s)})
            if (t >= 0) g[o] -= gs[label(t)];
          continue;
        }
        for (Index t : {grid.right(s), grid.down(s)})
          if (t >= 0)
            for (int l = 0; l < L; ++l) g[o + l * L + label(t)] += gs[l];
        for (Index t : {grid.left(s), grid.up(s)})
          if (t >= 0)
            for (int l = 0; l < L; ++l) g[o + label(t) * L + l] += gs[l];
        if (contrast) {  // edge index: d·sites + the edge's first end
          if (grid.right(s) >= 0) ctx.edge_g[s] -= gs[label(s + 1)];
          if (grid.down(s) >= 0) ctx.edge_g[sites + s] -= gs[label(grid.down(s))];
          if (grid.left(s) >= 0) ctx.edge_g[s - 1] -= gs[label(s - 1)];
          if (grid.up(s) >= 0) ctx.edge_g[sites + grid.up(s)] -= gs[label(grid.up(s))];
        }
      }
      if (contrast) model.accumulate_edge_grad(ctx, g);
      return v;
    });
    return sum / double(n);
  }

  detail::PerExampleSum<Model> sum_;
};

// One evaluation without keeping the object: J(θ) on data, ∂J/∂θ added to grad.
template <class Unary>
double pseudo_likelihood(const GridCrf<Unary>& model, const ConditionalData<typename Unary::Scalar>& data,
                         VecRef<typename Unary::Scalar> grad) {
  PseudoLikelihood<Unary> obj;
  return obj.accumulate(model, data, grad);
}

}  // namespace ebm
