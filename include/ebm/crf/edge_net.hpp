#pragma once
// The input-dependent part of a grid CRF's pairwise energies (Pairwise::contrast, crf/grid_crf.hpp): every
// 4-neighbour edge (s, t) gets a coupling
//
//   c_st = softplus(v(φ_st)),   v(φ) = w₂ᵀ tanh(W₁ φ + b₁) + b₂   (one hidden layer of m tanh units)
//
// from five features of the image x around the edge:
//   φ_st = ( |x_s − x_t|, |x̄_s − x̄_t|, (x_s + x_t)/2, (x̄_s + x̄_t)/2, [the edge is vertical] )
// with x̄ the mean of the 3 × 3 pixels around a site (those inside the image): the contrast across the edge, raw
// and smoothed (a 3 × 3 mean has a third of one pixel's noise), the brightness on it, and its orientation.
// GridCrf adds c_st·[y_s ≠ y_t] to the edge's energy: a Potts weight per edge that the network can lower where
// the image shows a boundary and raise inside uniform regions (the contrast-sensitive Potts model of
// interactive and dense-CRF segmentation, learned instead of a fixed exp(−β|Δx|²)).
//
// Why one scalar per edge and not an L × L table from the network: the table part that does not depend on x
// (which labels may touch which) is GridCrf's own learned table; what the image says about an edge is mostly
// "boundary here or not", one number. A scalar keeps conditioning at 2·sites network rows and Gibbs at the cost
// of the full table plus four multiply-adds per site, where a per-edge table would store 2·sites·L² energies
// (4 MB per 64 × 64 image at 11 labels) and read L values per neighbour from it. softplus keeps every c_st ≥ 0
// (an edge never prefers its ends to differ through this term; the table can say that) and smooth.
//
// Edges are indexed e = d·n + s (n sites; d = 0: s → s + 1, d = 1: s → s + W). The rows of edges that leave the
// grid (right of the last column, below the last row) are computed like the others and their coupling set to 0.
// θ_edge = [W₁ (m × 5), w₂ (m), b₁ (m), b₂]: weights first, like the unaries.
#include <cmath>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class EdgeNet {
public:
  static constexpr Index features = 5;

  // What one image's edges need: their features, the network's activations (kept from forward for backward)
  // and the couplings. Sized on first use, reused after.
  struct Scratch {
    VectorX<S> box;     // x̄, sites
    MatrixX<S> phi;     // edges × features
    MatrixX<S> hid;     // edges × m
    MatrixX<S> delta;   // edges × m, backward's error at the hidden layer
    VectorX<S> z;       // v(φ_e), edges
    VectorX<S> c;       // c_e = softplus(z_e), 0 for edges that leave the grid
    VectorX<S> gz;      // backward: ∂/∂z_e
  };

  EdgeNet() = default;
  explicit EdgeNet(Index hidden) : m_(hidden) {
    ensure(hidden >= 1, "EdgeNet: hidden = ", hidden, " must be at least 1");
  }

  Index hidden() const { return m_; }
  Index num_weights() const { return m_ * features + m_; }
  Index num_params() const { return m_ == 0 ? 0 : num_weights() + m_ + 1; }
  std::string param_name(Index k) const {
    if (k < m_ * features) return "edge W1(" + std::to_string(k / features) + ", " + std::to_string(k % features) + ")";
    k -= m_ * features;
    if (k < m_) return "edge w2(" + std::to_string(k) + ")";
    k -= m_;
    if (k < m_) return "edge b1(" + std::to_string(k) + ")";
    return "edge b2";
  }

  static S softplus(S z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
  // softplus⁻¹(c) for c > 0; couplings ≤ 0 map to a bias of −30 (c ≈ 10⁻¹³): "no coupling" within float.
  static S softplus_inverse(S c) {
    if (!(c > S(0))) return S(-30);
    return c > S(30) ? c : S(std::log(std::expm1(double(c))));
  }

  // Random W₁ ~ N(0, 1/5) (the hidden units differ), w₂ = 0 and b₁ = 0, b₂ = softplus⁻¹(coupling): every edge
  // starts at the same coupling, so the contrast model starts as exactly the Potts model it generalizes.
  void init(S* theta, Rng& rng, S coupling) const {
    const S s1 = S(1) / std::sqrt(S(features));
    for (Index k = 0; k < m_ * features; ++k) theta[k] = s1 * standard_normal<S>(rng);
    for (Index k = m_ * features; k < num_params() - 1; ++k) theta[k] = 0;
    theta[num_params() - 1] = softplus_inverse(coupling);
  }

  // sc.c (2·h·w couplings) for the image x (h × w, row-major).
  void forward(const S* theta, const S* x, Index h, Index w, Scratch& sc) const {
    compute_features(x, h, w, sc);
    sc.hid.noalias() = sc.phi * W1(theta).transpose();
    sc.hid.rowwise() += b1(theta).transpose();
    sc.hid = sc.hid.array().tanh();
    sc.z.noalias() = sc.hid * w2(theta);
    sc.z.array() += theta[num_params() - 1];
    // softplus(z) = max(z, 0) + log1p(exp(−|z|)) as whole-array operations (vectorized; a scalar loop over the
    // 2·sites edges was most of conditioning's cost beside the unaries).
    sc.c.resize(sc.z.size());
    sc.c.array() = sc.z.array().max(S(0)) + (-sc.z.array().abs()).exp().log1p();
    const Index n = h * w;
    for (Index i = 0; i < h; ++i) sc.c[i * w + w - 1] = 0;       // right of the last column
    for (Index j = 0; j < w; ++j) sc.c[n + (h - 1) * w + j] = 0;  // below the last row
  }

  // grad += ∂/∂θ_edge Σ_e g_e c_e for any g (2·h·w values; entries of edges that leave the grid must be 0).
  void backward(const S* theta, Scratch& sc, const VectorX<S>& g, S* grad) const {
    sc.gz.resize(g.size());
    sc.gz.array() = g.array() / (S(1) + (-sc.z.array()).exp());  // softplus' = sigmoid
    Eigen::Map<VectorX<S>>(grad + m_ * features, m_).noalias() += sc.hid.transpose() * sc.gz;
    grad[num_params() - 1] += sc.gz.sum();
    sc.delta.noalias() = sc.gz * w2(theta).transpose();
    sc.delta.array() *= S(1) - sc.hid.array().square();
    Eigen::Map<MatrixX<S>>(grad, m_, features).noalias() += sc.delta.transpose() * sc.phi;
    Eigen::Map<VectorX<S>>(grad + num_weights(), m_) += sc.delta.colwise().sum().transpose();
  }

private:
  void compute_features(const S* x, Index h, Index w, Scratch& sc) const {
    const Index n = h * w;
    sc.box.resize(n);
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        S sum = 0;
        int count = 0;
        for (Index a = std::max<Index>(i - 1, 0); a <= std::min(i + 1, h - 1); ++a)
          for (Index b = std::max<Index>(j - 1, 0); b <= std::min(j + 1, w - 1); ++b, ++count) sum += x[a * w + b];
        sc.box[i * w + j] = sum / S(count);
      }
    sc.phi.setZero(2 * n, features);
    for (Index s = 0; s < n; ++s) {
      const Index i = s / w, j = s % w;
      if (j + 1 < w) row(sc, s, x, s, s + 1, 0);
      if (i + 1 < h) row(sc, n + s, x, s, s + w, 1);
    }
  }
  static void row(Scratch& sc, Index e, const S* x, Index s, Index t, int vertical) {
    S* f = sc.phi.row(e).data();
    f[0] = std::abs(x[s] - x[t]);
    f[1] = std::abs(sc.box[s] - sc.box[t]);
    f[2] = (x[s] + x[t]) / 2;
    f[3] = (sc.box[s] + sc.box[t]) / 2;
    f[4] = S(vertical);
  }

  Eigen::Map<const MatrixX<S>> W1(const S* t) const { return {t, m_, features}; }
  Eigen::Map<const VectorX<S>> w2(const S* t) const { return {t + m_ * features, m_}; }
  Eigen::Map<const VectorX<S>> b1(const S* t) const { return {t + num_weights(), m_}; }

  Index m_ = 0;
};

}  // namespace ebm
