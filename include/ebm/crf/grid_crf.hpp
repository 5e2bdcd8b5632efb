#pragma once
// A grid CRF for labelling the pixels of an image x (H × W grey values) with one of L labels:
//
//   E(y, x; θ) = Σ_s U(s, y_s) + Σ_{s→t horizontal or vertical} P(y_s, y_t)
//
// with unary energies U = f(Φ(x); θ_u) from local patch features (crf/patch_features.hpp, crf/unary.hpp) and
// a pairwise energy on every 4-neighbour edge (s left of or above t), either
//   Potts     P(a, b) = w·[a ≠ b]   (one parameter: how much neighbours want to agree), or
//   full      P(a, b) a learned L × L table T (which labels may touch which, and in which orientation), or
//   contrast  P_st(a, b; x) = T(a, b) + c_st(x)·[a ≠ b], the table plus a Potts weight per edge that a small
//             network computes from the image around the edge (crf/edge_net.hpp): input-dependent pairwise
//             terms. With the network's output constant it is the full table plus a Potts weight, so both
//             other kinds are special cases of it.
// θ = [θ_u (weights, then biases), θ_p], θ_p = w (Potts), T (full) or [T, θ_edge] (contrast). Unaries and
// pairwise terms are trained jointly by the same data-term − model-term gradient as every other ebm model
// (core/conditional_model.hpp). The couplings c_st are computed once per (θ, x) in condition(), so a Gibbs
// sweep reads them like the unaries; accumulate_grad back-propagates ∂E/∂c_st = [y_s ≠ y_t] through the
// edge network.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebm/core/conditional_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/crf/edge_net.hpp"
#include "ebm/crf/grid.hpp"
#include "ebm/crf/patch_features.hpp"
#include "ebm/crf/unary.hpp"

namespace ebm {

enum class Pairwise { potts, full, contrast };

inline Pairwise parse_pairwise(std::string_view s) {
  if (s == "potts") return Pairwise::potts;
  if (s == "full") return Pairwise::full;
  if (s == "contrast") return Pairwise::contrast;
  fail("pairwise kind '", s, "' is unknown; use potts, full or contrast");
}
inline const char* to_string(Pairwise p) {
  switch (p) {
    case Pairwise::potts: return "potts";
    case Pairwise::full: return "full";
    case Pairwise::contrast: return "contrast";
  }
  return "?";
}

template <class Unary>
class GridCrf {
public:
  using Scalar = typename Unary::Scalar;
  using S = Scalar;

  // Everything of E(·, x) that does not depend on y, for the θ it was conditioned with.
  struct Context {
    MatrixX<S> phi;                         // features, sites × F
    MatrixX<S> unary;                       // U, sites × L
    MatrixX<S> pooled;                      // scratch of the features
    mutable typename Unary::Scratch net;    // forward activations, reused by backward (one owner per context)
    mutable MatrixX<S> g;                   // ∂/∂U of the statistic being accumulated, sites × L
    mutable typename EdgeNet<S>::Scratch edge;  // contrast: edge features, activations and couplings c_e
    mutable VectorX<S> edge_g;              // contrast: ∂/∂c_e of the statistic being accumulated, 2·sites
  };

  GridCrf() = default;
  // edge_hidden: tanh units of the contrast kind's edge network (ignored by the other kinds).
  GridCrf(Index height, Index width, PatchFeatures features, Unary unary, Pairwise pairwise, Index edge_hidden = 8)
      : grid_(height, width), feat_(features), unary_(std::move(unary)), pair_(pairwise) {
    if (pair_ == Pairwise::contrast) edge_ = EdgeNet<S>(edge_hidden);
    feat_.validate();
    ensure(unary_.features() == feat_.count(), "GridCrf: the unary takes ", unary_.features(),
           " features but the patch features have ", feat_.count());
    ensure(unary_.labels() <= max_labels, "GridCrf: ", unary_.labels(), " labels; at most ", max_labels);
    theta_.setZero(unary_.num_params() + pairwise_params());
  }

  // --- shape ---
  const Grid& grid() const { return grid_; }
  const PatchFeatures& features() const { return feat_; }
  const Unary& unary_net() const { return unary_; }
  Pairwise pairwise() const { return pair_; }
  const EdgeNet<S>& edge_net() const { return edge_; }
  Index input_dim() const { return grid_.sites(); }
  Index num_sites() const { return grid_.sites(); }
  int num_labels() const { return unary_.labels(); }
  int num_colours() const { return 2; }
  std::span<const Index> sites_of_colour(int c) const { return grid_.sites_of_colour(c); }

  // --- parameters ---
  Index num_params() const { return theta_.size(); }
  Index num_weights() const { return unary_.num_weights(); }
  Index pairwise_offset() const { return unary_.num_params(); }
  Index pairwise_params() const {
    return pair_ == Pairwise::potts ? 1 : Index(num_labels()) * num_labels() + edge_.num_params();
  }
  // Where θ_edge starts (contrast): after the L × L table.
  Index edge_offset() const { return pairwise_offset() + Index(num_labels()) * num_labels(); }
  const VectorX<S>& params() const { return theta_; }
  void set_params(const ConstVecRef<S>& theta) {
    check(theta);
    theta_ = theta;
  }
  template <class F>
  void modify_params(F&& f) {
    f(theta_);
    check(theta_);
  }
  std::string param_name(Index k) const {
    if (k < pairwise_offset()) return unary_.param_name(k);
    k -= pairwise_offset();
    if (pair_ == Pairwise::potts) return "Potts weight";
    if (k >= Index(num_labels()) * num_labels()) return edge_.param_name(k - Index(num_labels()) * num_labels());
    return "pairwise P(" + std::to_string(k / num_labels()) + ", " + std::to_string(k % num_labels()) + ")";
  }
  // P(a, b) for the current θ: the part that does not depend on x (contrast: the table T, without c_st).
  S pair(int a, int b) const { return pair_of(a, b); }
  // Contrast: the coupling c_st of the edge from s to its right (d = 0) or lower (d = 1) neighbour in the
  // conditioned context (0 where the grid ends).
  S edge_coupling(const Context& ctx, Index s, int d) const { return ctx.edge.c[Index(d) * num_sites() + s]; }

  // Random unary weights (scale for the output layer), zero biases, and init_pairwise(potts_weight).
  void init(std::uint64_t seed, S unary_scale, S potts_weight) {
    Rng rng = make_stream(seed, StreamPurpose::init, 0);
    VectorX<S> t = VectorX<S>::Zero(num_params());
    unary_.init(t.data(), rng, unary_scale);
    set_params(t);
    init_pairwise(seed, potts_weight);
  }
  // The pairwise parameters of a Potts model of weight w, the unaries kept: Potts w; full the table w·[a ≠ b];
  // contrast T = 0 and an edge network whose output is w on every edge (crf/edge_net.hpp, its own stream).
  void init_pairwise(std::uint64_t seed, S potts_weight) {
    VectorX<S> t = theta_;
    const int L = num_labels();
    if (pair_ == Pairwise::potts) {
      t[pairwise_offset()] = potts_weight;
    } else if (pair_ == Pairwise::full) {
      for (int a = 0; a < L; ++a)
        for (int b = 0; b < L; ++b) t[pairwise_offset() + a * L + b] = a == b ? 0 : potts_weight;
    } else {
      t.segment(pairwise_offset(), Index(L) * L).setZero();
      Rng rng = make_stream(seed, StreamPurpose::init, 1);
      edge_.init(t.data() + edge_offset(), rng, potts_weight);
    }
    set_params(t);
  }

  // --- the conditional model ---
  Context make_context() const { return {}; }

  void condition(ConstVecRef<S> x, Context& ctx) const {
    ensure(x.size() == input_dim(), "GridCrf::condition: input has ", x.size(), " values, the grid has ",
           input_dim(), " pixels");
    feat_.compute(x.data(), grid_.height(), grid_.width(), ctx.phi, ctx.pooled);
    unary_.forward(theta_.data(), ctx.phi, ctx.unary, ctx.net);
    if (pair_ == Pairwise::contrast)
      edge_.forward(theta_.data() + edge_offset(), x.data(), grid_.height(), grid_.width(), ctx.edge);
  }

  double energy(const Context& ctx, std::span<const Label> y) const {
    double e = 0;
    const Index w = grid_.width();
    for (Index s = 0; s < num_sites(); ++s) {
      const int a = y[std::size_t(s)];
      e += ctx.unary(s, a);
      if (grid_.right(s) >= 0) e += edge_energy(ctx, s, 0, a, y[std::size_t(s + 1)]);
      if (grid_.down(s) >= 0) e += edge_energy(ctx, s, 1, a, y[std::size_t(s + w)]);
    }
    return e;
  }

  // e[l] = U(s, l) + Σ over the neighbours t of s of P in the edge's orientation.
  void local_energies(const Context& ctx, std::span<const Label> y, Index s, std::span<S> e) const {
    const int L = num_labels();
    const S* u = ctx.unary.row(s).data();
    for (int l = 0; l < L; ++l) e[std::size_t(l)] = u[l];
    const Index lt = grid_.left(s), rt = grid_.right(s), up = grid_.up(s), dn = grid_.down(s);
    if (pair_ == Pairwise::potts) {
      // Σ_t w·[l ≠ y_t] = w·(deg − #{t : y_t = l})
      const S w = theta_[pairwise_offset()];
      int deg = 0;
      for (Index t : {lt, rt, up, dn})
        if (t >= 0) {
          ++deg;
          e[y[std::size_t(t)]] -= w;
        }
      for (int l = 0; l < L; ++l) e[std::size_t(l)] += w * S(deg);
      return;
    }
    const S* p = theta_.data() + pairwise_offset();
    // t right of or below s: P(l, y_t), a column of P; t left of or above s: P(y_t, l), a row. One pass with
    // the sum in a register, in the same order as four passes (one per neighbour) would add: those ran at the
    // latency of a store and a reload per term.
    const auto column = [&](Index t) { return t >= 0 ? p + y[std::size_t(t)] : nullptr; };  // stride L
    const auto row = [&](Index t) { return t >= 0 ? p + y[std::size_t(t)] * L : nullptr; };
    const S *c_rt = column(rt), *c_dn = column(dn), *r_lt = row(lt), *r_up = row(up);
    for (int l = 0; l < L; ++l) {
      S v = e[std::size_t(l)];
      if (c_rt) v += c_rt[l * L];
      if (c_dn) v += c_dn[l * L];
      if (r_lt) v += r_lt[l];
      if (r_up) v += r_up[l];
      e[std::size_t(l)] = v;
    }
    if (pair_ != Pairwise::contrast) return;
    // Σ_t c_st·[l ≠ y_t] = Σ_t c_st − Σ_{t : y_t = l} c_st, as for Potts with a weight per edge.
    const S* c = ctx.edge.c.data();
    const Index n = num_sites();
    S total = 0;
    const auto edge = [&](Index t, S ct) {
      if (t < 0) return;
      total += ct;
      e[y[std::size_t(t)]] -= ct;
    };
    edge(lt, lt >= 0 ? c[lt] : S(0));
    edge(rt, c[s]);
    edge(up, up >= 0 ? c[n + up] : S(0));
    edge(dn, c[n + s]);
    for (int l = 0; l < L; ++l) e[std::size_t(l)] += total;
  }

  // e[l] = E_q[the terms of E that involve s, with y_s = l] when every other site t has the label
  // distribution q.row(t) independently (q: sites × L): U(s, l) + Σ_t Σ_b P_st(l, b) q_t(b), the mean-field
  // update's energy (crf/predict.hpp). With q one-hot at y it is local_energies(ctx, y, s, ·).
  void expected_local_energies(const Context& ctx, const MatrixX<double>& q, Index s, std::span<double> e) const {
    const int L = num_labels();
    for (int l = 0; l < L; ++l) e[std::size_t(l)] = double(ctx.unary(s, l));
    const Index lt = grid_.left(s), rt = grid_.right(s), up = grid_.up(s), dn = grid_.down(s);
    const Index n = num_sites();
    // Potts-like parts: Σ_t w_st Σ_b [l ≠ b] q_t(b) = Σ_t w_st (1 − q_t(l)).
    const auto potts_part = [&](Index t, double wt) {
      if (t < 0) return;
      for (int l = 0; l < L; ++l) e[std::size_t(l)] += wt * (1.0 - q(t, l));
    };
    if (pair_ == Pairwise::potts) {
      const double w = double(theta_[pairwise_offset()]);
      for (Index t : {lt, rt, up, dn}) potts_part(t, w);
      return;
    }
    // Σ_{t right, below} Σ_b T(l, b) q_t(b) + Σ_{t left, above} Σ_b T(b, l) q_t(b): the neighbours' marginals on
    // each side of the table summed first, so two products with T per site instead of four.
    std::array<double, max_labels> first, second;  // q summed over the neighbours s precedes / follows
    std::fill_n(first.begin(), L, 0.0);
    std::fill_n(second.begin(), L, 0.0);
    for (Index t : {rt, dn})
      if (t >= 0)
        for (int b = 0; b < L; ++b) first[std::size_t(b)] += q(t, b);
    for (Index t : {lt, up})
      if (t >= 0)
        for (int b = 0; b < L; ++b) second[std::size_t(b)] += q(t, b);
    const S* p = theta_.data() + pairwise_offset();
    for (int l = 0; l < L; ++l) {
      double v = 0;
      for (int b = 0; b < L; ++b) v += double(p[l * L + b]) * first[std::size_t(b)];
      for (int b = 0; b < L; ++b) v += double(p[b * L + l]) * second[std::size_t(b)];
      e[std::size_t(l)] += v;
    }
    if (pair_ != Pairwise::contrast) return;
    const S* c = ctx.edge.c.data();
    potts_part(lt, lt >= 0 ? double(c[lt]) : 0.0);
    potts_part(rt, double(c[s]));
    potts_part(up, up >= 0 ? double(c[n + up]) : 0.0);
    potts_part(dn, double(c[n + s]));
  }

  // grad += w · ∂E(y, x)/∂θ.
  void accumulate_grad(const Context& ctx, std::span<const Label> y, S w, VecRef<S> grad) const {
    ctx.g.setZero(num_sites(), num_labels());
    for (Index s = 0; s < num_sites(); ++s) ctx.g(s, y[std::size_t(s)]) = w;
    accumulate_unary_grad(ctx, grad);
    accumulate_pair_counts(y, w, grad);
    if (pair_ != Pairwise::contrast) return;
    // ∂E/∂c_e = [y_s ≠ y_t] on every edge, then back through the edge network.
    const Index n = num_sites();
    ctx.edge_g.setZero(2 * n);
    for (Index s = 0; s < n; ++s) {
      const int a = y[std::size_t(s)];
      if (grid_.right(s) >= 0 && a != y[std::size_t(s + 1)]) ctx.edge_g[s] = w;
      if (grid_.down(s) >= 0 && a != y[std::size_t(s + grid_.width())]) ctx.edge_g[n + s] = w;
    }
    accumulate_edge_grad(ctx, grad);
  }

  // Contrast: grad += ∂/∂θ_edge Σ_e G_e c_e for G = ctx.edge_g (2·sites values, set by the caller; 0 on edges
  // that leave the grid): the edge part of any statistic that is linear in the couplings.
  void accumulate_edge_grad(const Context& ctx, VecRef<S> grad) const {
    ensure(pair_ == Pairwise::contrast, "GridCrf::accumulate_edge_grad: the ", to_string(pair_),
           " pairwise has no edge network");
    edge_.backward(theta_.data() + edge_offset(), ctx.edge, ctx.edge_g, grad.data() + edge_offset());
  }

  // grad += ∂/∂θ_u Σ_{s,l} G(s, l) U(s, l) for G = ctx.g (set by the caller): the unary part of any statistic
  // that is linear in the unary energies (pseudo-likelihood and piecewise objectives use it too).
  void accumulate_unary_grad(const Context& ctx, VecRef<S> grad) const {
    unary_.backward(theta_.data(), ctx.phi, ctx.net, ctx.g, grad.data());
  }

  // grad += w · ∂/∂θ_p of the input-independent pairwise energy of y: the count of disagreeing edges (Potts),
  // or of each ordered label pair on the edges (full, and the table of contrast).
  void accumulate_pair_counts(std::span<const Label> y, S w, VecRef<S> grad) const {
    const Index o = pairwise_offset();
    const int L = num_labels();
    for (Index s = 0; s < num_sites(); ++s) {
      const int a = y[std::size_t(s)];
      for (Index t : {grid_.right(s), grid_.down(s)}) {
        if (t < 0) continue;
        const int b = y[std::size_t(t)];
        if (pair_ == Pairwise::potts)
          grad[o] += a != b ? w : S(0);
        else
          grad[o + a * L + b] += w;
      }
    }
  }

  // Inputs must be finite and labels in range.
  void validate(const ConditionalData<S>& data, std::string_view what) const {
    check_nonempty(data.rows(), what);
    check_cols(data.x.cols(), input_dim(), what);
    check_finite(data.x, what);
    check_labels(data.y, num_sites(), num_labels(), what);
  }

private:
  // P_st(a, b) of the edge from s in direction d (0 right, 1 down).
  S edge_energy(const Context& ctx, Index s, int d, int a, int b) const {
    const S p = pair_of(a, b);
    if (pair_ != Pairwise::contrast || a == b) return p;
    return p + edge_coupling(ctx, s, d);
  }
  S pair_of(int a, int b) const {
    if (pair_ == Pairwise::potts) return a != b ? theta_[pairwise_offset()] : S(0);
    return theta_[pairwise_offset() + a * num_labels() + b];
  }
  void check(const ConstVecRef<S>& t) const {
    ensure(t.size() == theta_.size(), "GridCrf::set_params: got ", t.size(), " values, expected ", theta_.size());
    for (Index k = 0; k < t.size(); ++k)
      if (!std::isfinite(double(t[k])))
        fail("GridCrf: parameter ", param_name(k), " is ", double(t[k]), " (training diverged? lower the learning rate)");
  }

  Grid grid_;
  PatchFeatures feat_;
  Unary unary_;
  Pairwise pair_ = Pairwise::potts;
  EdgeNet<S> edge_;  // contrast only (no parameters otherwise)
  VectorX<S> theta_;
};

}  // namespace ebm
