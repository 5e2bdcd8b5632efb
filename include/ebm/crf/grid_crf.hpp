#pragma once
// A grid CRF for labelling the pixels of an image x (H × W grey values) with one of L labels:
//
//   E(y, x; θ) = Σ_s U(s, y_s) + Σ_{s→t horizontal or vertical} P(y_s, y_t)
//
// with unary energies U = f(Φ(x); θ_u) from local patch features (crf/patch_features.hpp, crf/unary.hpp) and
// a pairwise energy on every 4-neighbour edge (s left of or above t), either
//   Potts  P(a, b) = w·[a ≠ b]   (one parameter: how much neighbours want to agree), or
//   full   P(a, b) a learned L × L table (which labels may touch which, and in which orientation).
// θ = [θ_u (weights, then biases), θ_p]. Unaries and pairwise terms are trained jointly by the same
// data-term − model-term gradient as every other ebm model (core/conditional_model.hpp).
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "ebm/core/conditional_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/crf/grid.hpp"
#include "ebm/crf/patch_features.hpp"
#include "ebm/crf/unary.hpp"

namespace ebm {

enum class Pairwise { potts, full };

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
  };

  GridCrf() = default;
  GridCrf(Index height, Index width, PatchFeatures features, Unary unary, Pairwise pairwise)
      : grid_(height, width), feat_(features), unary_(std::move(unary)), pair_(pairwise) {
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
  Index input_dim() const { return grid_.sites(); }
  Index num_sites() const { return grid_.sites(); }
  int num_labels() const { return unary_.labels(); }
  int num_colours() const { return 2; }
  std::span<const Index> sites_of_colour(int c) const { return grid_.sites_of_colour(c); }

  // --- parameters ---
  Index num_params() const { return theta_.size(); }
  Index num_weights() const { return unary_.num_weights(); }
  Index pairwise_offset() const { return unary_.num_params(); }
  Index pairwise_params() const { return pair_ == Pairwise::potts ? 1 : Index(num_labels()) * num_labels(); }
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
    return "pairwise P(" + std::to_string(k / num_labels()) + ", " + std::to_string(k % num_labels()) + ")";
  }
  // P(a, b) for the current θ.
  S pair(int a, int b) const { return pair_of(a, b); }

  // Random unary weights (scale for the output layer), zero biases, the given Potts weight (or a Potts
  // table w·[a ≠ b] for the full pairwise).
  void init(std::uint64_t seed, S unary_scale, S potts_weight) {
    Rng rng = make_stream(seed, StreamPurpose::init, 0);
    VectorX<S> t = VectorX<S>::Zero(num_params());
    unary_.init(t.data(), rng, unary_scale);
    if (pair_ == Pairwise::potts)
      t[pairwise_offset()] = potts_weight;
    else
      for (int a = 0; a < num_labels(); ++a)
        for (int b = 0; b < num_labels(); ++b) t[pairwise_offset() + a * num_labels() + b] = a == b ? 0 : potts_weight;
    set_params(t);
  }

  // --- the conditional model ---
  Context make_context() const { return {}; }

  void condition(ConstVecRef<S> x, Context& ctx) const {
    ensure(x.size() == input_dim(), "GridCrf::condition: input has ", x.size(), " values, the grid has ",
           input_dim(), " pixels");
    feat_.compute(x.data(), grid_.height(), grid_.width(), ctx.phi, ctx.pooled);
    unary_.forward(theta_.data(), ctx.phi, ctx.unary, ctx.net);
  }

  double energy(const Context& ctx, std::span<const Label> y) const {
    double e = 0;
    const Index w = grid_.width();
    for (Index s = 0; s < num_sites(); ++s) {
      e += ctx.unary(s, y[std::size_t(s)]);
      if (grid_.right(s) >= 0) e += pair_of(y[std::size_t(s)], y[std::size_t(s + 1)]);
      if (grid_.down(s) >= 0) e += pair_of(y[std::size_t(s)], y[std::size_t(s + w)]);
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
  }

  // grad += w · ∂E(y, x)/∂θ.
  void accumulate_grad(const Context& ctx, std::span<const Label> y, S w, VecRef<S> grad) const {
    ctx.g.setZero(num_sites(), num_labels());
    for (Index s = 0; s < num_sites(); ++s) ctx.g(s, y[std::size_t(s)]) = w;
    accumulate_unary_grad(ctx, grad);
    accumulate_pair_counts(y, w, grad);
  }

  // grad += ∂/∂θ_u Σ_{s,l} G(s, l) U(s, l) for G = ctx.g (set by the caller): the unary part of any statistic
  // that is linear in the unary energies (pseudo-likelihood and piecewise objectives use it too).
  void accumulate_unary_grad(const Context& ctx, VecRef<S> grad) const {
    unary_.backward(theta_.data(), ctx.phi, ctx.net, ctx.g, grad.data());
  }

  // grad += w · ∂/∂θ_p of the pairwise energy of y: the count of disagreeing edges (Potts), or of each
  // ordered label pair on the edges (full).
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
  VectorX<S> theta_;
};

}  // namespace ebm
