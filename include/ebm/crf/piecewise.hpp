#pragma once
// Piecewise training of a grid CRF (Sutton & McCallum 2005; Lin et al. 2016 train CNN-CRF potentials this
// way): every factor of the model is normalized on its own, as if it were the whole model, so the objective
// needs no sampler and no partition function of the grid:
//
//   J(θ) = mean over examples of  Σ_s −log softmax(−U(s, ·))[y_s]                        (unary pieces)
//                               + Σ_{edges s→t} −log [exp(−P(y_s, y_t)) / Σ_{a,b} exp(−P(a, b))]  (pairwise)
//
// For Potts Σ_{a,b} exp(−P(a,b)) = L + L(L−1)e^{−w}. The unary pieces alone are L-way logistic regression at
// every pixel ("the unaries alone" classifier, Pieces::unary_only). J bounds the conditional negative
// log-likelihood from above (Π_f Σ_{y_f} ψ_f ≥ Σ_y Π_f ψ_f: each piece's normalizer sums over more than the
// grid's), but it is not consistent: an edge piece only sees how often neighbours agree, not how much of that
// the unaries already explain, so fitted couplings are biased (see the statistical test). It is the cheap
// baseline a sampler-based gradient is compared with.
//
// Gradient: ∂J/∂U(s,l) = onehot(y_s)_l − softmax(−U(s,·))_l, back-propagated by the model's own
// accumulate_unary_grad; for the pairwise table ∂J/∂P(a,b) = #{edges with (y_s,y_t) = (a,b)} − E·r(a,b),
// r = softmax(−P) over the L² pairs and E the number of edges (Potts: disagreements − E·Σ_{a≠b} r(a,b)).
// Examples are processed in fixed blocks in parallel; the result is the same bits for any number of threads.
//
// Contrast pairwise (P_st(a, b) = T(a, b) + c_st·[a ≠ b], c_st from the image): every edge's L × L piece is
// normalized on its own, and its normalizer depends on the example through c_st. It is still cheap: with
// A = Σ_a exp(−T(a, a)) and B = Σ_{a≠b} exp(−T(a, b)) (once per θ), Z_st = A + exp(−c_st)·B, so per edge
//   −log piece = P_st(y_s, y_t) + log Z_st,   ∂/∂c_st = [y_s ≠ y_t] − exp(−c_st)·B / Z_st,
//   ∂/∂T(a, a) = count − exp(−T(a, a)) Σ_e 1/Z_e,   ∂/∂T(a, b) = count − exp(−T(a, b)) Σ_e exp(−c_e)/Z_e  (a ≠ b);
// the couplings' derivatives are back-propagated by the model's accumulate_edge_grad.
//
// Label weights (set_label_weights): each unary piece counts c(y_s) times, −c(y_s) log softmax(−U(s,·))[y_s],
// the class-weighted cross-entropy of segmentation networks. Where one label dominates (background in MNIST
// composites) and the score weighs every class equally (mean IoU), c(background) < 1 stops the rare classes'
// pixels being traded away for the common one's. It changes the objective, not its gradient's form: the
// gradient row of site s is scaled by c(y_s). The pairwise pieces are not weighted.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/crf/detail/per_example_sum.hpp"
#include "ebm/crf/grid_crf.hpp"

namespace ebm {

enum class Pieces { unary_and_pairwise, unary_only };

template <class Unary>
class PiecewiseObjective {
public:
  using Model = GridCrf<Unary>;
  using Scalar = typename Model::Scalar;
  using S = Scalar;

  explicit PiecewiseObjective(Pieces pieces = Pieces::unary_and_pairwise, Index block_rows = 1)
      : pieces_(pieces), sum_(block_rows) {}

  Pieces pieces() const { return pieces_; }

  // c(l) for each label l (all positive and finite); empty: every label weighs 1, the plain objective.
  void set_label_weights(std::vector<S> c) {
    for (std::size_t l = 0; l < c.size(); ++l)
      ensure(std::isfinite(double(c[l])) && c[l] > 0, "piecewise objective: label weight ", l, " = ", c[l],
             " must be positive and finite");
    label_weights_ = std::move(c);
  }
  const std::vector<S>& label_weights() const { return label_weights_; }

  // J(θ) on `data`; adds ∂J/∂θ to grad (the pairwise entries get nothing with Pieces::unary_only).
  double accumulate(const Model& model, const ConditionalData<S>& data, VecRef<S> grad) {
    ensure(grad.size() == model.num_params(), "piecewise objective: gradient has ", grad.size(),
           " entries, the model has ", model.num_params(), " parameters");
    return run(model, data, &grad);
  }
  double accumulate(const Model& model, const ConditionalBatch<S>& batch, VecRef<S> grad) {
    return accumulate(model, ConditionalData<S>(batch.x, batch.y), grad);
  }
  // J(θ) only.
  double value(const Model& model, const ConditionalData<S>& data) { return run(model, data, nullptr); }

  // log Σ_{a,b} exp(−P(a, b)): the normalizer of one pairwise piece.
  static double pair_log_normalizer(const Model& model) {
    const int L = model.num_labels();
    double pmin = INFINITY;
    for (int a = 0; a < L; ++a)
      for (int b = 0; b < L; ++b) pmin = std::min(pmin, double(model.pair(a, b)));
    double z = 0;
    for (int a = 0; a < L; ++a)
      for (int b = 0; b < L; ++b) z += std::exp(-(double(model.pair(a, b)) - pmin));
    return std::log(z) - pmin;
  }

private:
  // Contrast: the table's normalizer parts, relative to its least entry m (A' = Σ_a exp(−(T(a,a) − m)),
  // B' likewise off the diagonal), so that log Z_st = log(A' + exp(−c_st) B') − m never overflows.
  struct TableSums {
    double m = 0, a = 0, b = 0;
  };
  static TableSums table_sums(const Model& model) {
    const int L = model.num_labels();
    TableSums t{INFINITY, 0, 0};
    for (int a = 0; a < L; ++a)
      for (int b = 0; b < L; ++b) t.m = std::min(t.m, double(model.pair(a, b)));
    for (int a = 0; a < L; ++a)
      for (int b = 0; b < L; ++b) (a == b ? t.a : t.b) += std::exp(-(double(model.pair(a, b)) - t.m));
    return t;
  }

  // Contrast: Σ_edges c_st·[y_s ≠ y_t] + log Z_st of one example (the table's counts are added by the caller);
  // with a weight, adds its derivatives (couplings through the edge network, and the normalizers' table part).
  static double contrast_pieces(const Model& model, typename Model::Context& ctx, std::span<const Label> y,
                                const TableSums& tab, const S* weight, S* out) {
    const Grid& grid = model.grid();
    const Index sites = model.num_sites();
    const int L = model.num_labels();
    if (weight) ctx.edge_g.setZero(2 * sites);
    double v = 0, inv_z = 0, damped_inv_z = 0;  // Σ_e 1/Z'_e and Σ_e exp(−c_e)/Z'_e
    for (Index s = 0; s < sites; ++s)
      for (int d = 0; d < 2; ++d) {
        const Index t = d == 0 ? grid.right(s) : grid.down(s);
        if (t < 0) continue;
        const double c = double(model.edge_coupling(ctx, s, d)), ec = std::exp(-c);
        const double z = tab.a + ec * tab.b;
        const bool differ = y[std::size_t(s)] != y[std::size_t(t)];
        v += (differ ? c : 0.0) + std::log(z) - tab.m;
        inv_z += 1 / z;
        damped_inv_z += ec / z;
        if (weight) ctx.edge_g[d * sites + s] = *weight * S((differ ? 1.0 : 0.0) - ec * tab.b / z);
      }
    if (!weight) return v;
    Eigen::Map<VectorX<S>> g(out, model.num_params());
    model.accumulate_edge_grad(ctx, g);
    const Index o = model.pairwise_offset();
    for (int a = 0; a < L; ++a)
      for (int b = 0; b < L; ++b) {
        const double r = std::exp(-(double(model.pair(a, b)) - tab.m)) * (a == b ? inv_z : damped_inv_z);
        g[o + a * L + b] -= *weight * S(r);
      }
    return v;
  }

  double run(const Model& model, const ConditionalData<S>& data, VecRef<S>* grad) {
    model.validate(data, "piecewise objective: data");
    const Index n = data.rows(), sites = model.num_sites();
    const int L = model.num_labels();
    const bool pairs = pieces_ == Pieces::unary_and_pairwise;
    const S w = S(1) / S(n);
    const Grid& grid = model.grid();
    ensure(label_weights_.empty() || Index(label_weights_.size()) == L, "piecewise objective: ",
           label_weights_.size(), " label weights for a model with ", L, " labels");
    const S* c = label_weights_.empty() ? nullptr : label_weights_.data();
    const bool contrast = pairs && model.pairwise() == Pairwise::contrast;
    const TableSums tab = contrast ? table_sums(model) : TableSums{};
    const double sum = sum_.run(model, n, grad, [&](typename Model::Context& ctx, Index r, S* out) {
      model.condition(data.x.row(r).transpose(), ctx);
      const auto y = label_row(data.y, r);
      ctx.g = ctx.unary;  // the unary energies, overwritten with the derivative
      double v = detail::softmax_nll_rows(ctx.g, y, out ? &w : nullptr, c);
      if (pairs)
        for (Index s = 0; s < sites; ++s)
          for (Index t : {grid.right(s), grid.down(s)})
            if (t >= 0) v += double(model.pair(y[std::size_t(s)], y[std::size_t(t)]));
      if (out) {
        Eigen::Map<VectorX<S>> g(out, model.num_params());
        model.accumulate_unary_grad(ctx, g);
        if (pairs) model.accumulate_pair_counts(y, w, g);
      }
      if (contrast) v += contrast_pieces(model, ctx, y, tab, out ? &w : nullptr, out);
      return v;
    });
    if (!pairs || contrast) return sum / double(n);
    // The normalizers do not depend on the example: E of them per example, and their gradient once.
    const auto edges = double(grid.edges());
    const double log_zp = pair_log_normalizer(model);
    if (grad) {
      const Index o = model.pairwise_offset();
      for (int a = 0; a < L; ++a)
        for (int b = 0; b < L; ++b) {
          const S r = S(std::exp(-double(model.pair(a, b)) - log_zp));
          if (model.pairwise() == Pairwise::full)
            (*grad)[o + a * L + b] -= S(edges) * r;
          else if (a != b)
            (*grad)[o] -= S(edges) * r;
        }
    }
    return sum / double(n) + edges * log_zp;
  }

  Pieces pieces_;
  std::vector<S> label_weights_;
  detail::PerExampleSum<Model> sum_;
};

// One evaluation without keeping the object: J(θ) on data, ∂J/∂θ added to grad.
template <class Unary>
double piecewise_objective(const GridCrf<Unary>& model, const ConditionalData<typename Unary::Scalar>& data,
                           VecRef<typename Unary::Scalar> grad, Pieces pieces = Pieces::unary_and_pairwise) {
  PiecewiseObjective<Unary> obj(pieces);
  return obj.accumulate(model, data, grad);
}

}  // namespace ebm
