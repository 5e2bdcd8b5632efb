#pragma once
// The path auxiliary sampler (PAS: Sun, Dai, Xia & Schuurmans 2022, "Path auxiliary proposal for MCMC in
// discrete space", ICLR) over binary x ∈ {0,1}^d, in its fast form with one gradient per state (as DISCS,
// Goshvadi et al. 2023, runs it): a Metropolis–Hastings kernel that flips R distinct coordinates along a path
// whose every step is drawn from the same locally balanced, gradient-estimated distribution at x:
//
//   d_i(x) = (2x_i − 1) ∂E/∂x_i ≈ log p̃(x with x_i flipped) − log p̃(x)      (the GWG flip score)
//   q_x(i) ∝ exp(d_i(x)/2)                                                   (weight √t, locally balanced)
//   path i_1, …, i_R drawn WITHOUT replacement from q_x:  Q(i_1..i_R | x) = Π_t q_x(i_t) / (1 − Σ_{s<t} q_x(i_s))
//   y = x with x_{i_1}, …, x_{i_R} flipped (exactly R coordinates change)
//   α = min(1, exp(E(x) − E(y)) · Q(i_R, …, i_1 | y) / Q(i_1, …, i_R | x))
//
// The ordered path is an auxiliary variable and (x, path) ↦ (y, reversed path) is an involution, so the test with
// the reverse path's probability under q_y (from ∇ₓE at y, which the kernel evaluates with E at every proposal)
// leaves p exactly invariant. With R = 1 this is Gibbs-with-Gradients (gibbs_with_gradients.hpp); GWG's k-flip
// variant draws WITH replacement instead, so it flips at most k coordinates and its path probability has no
// renormalization.
//
// Path length. Fixed R (PathLength::fixed, as DISCS runs it) changes exactly R coordinates per accepted move, so
// for EVEN R the parity of Σ_i x_i never changes: the chain is reducible and samples p conditioned on its start's
// parity (on a 3 × 3 Ising with R = 2, TV 0.19 from p after any number of steps; tests/statistical/
// test_binary_targets.cpp). Use odd R, or PathLength::uniform: L uniform on {1, …, R} per step, drawn
// independently of x, so each L's kernel leaves p invariant and so does their mixture, which is irreducible
// (DISCS's adaptive radius is not implemented).
//
// Numerics: probabilities from log-weights d_i/2 − max (softmax in double); each path step draws from the
// remaining weights by a linear scan over a fresh sum (no subtraction, so no cancellation when the path takes
// most of the mass), and both Q's denominators are (weights off the path) + (path weights not yet taken), summed,
// never differenced. Each chain draws R + 1 uniforms per step, whatever happens; a path that runs out of
// positive weight (fewer than R coordinates with a representable probability) is a rejection. With
// PathLength::uniform a chain draws one index more (L) per step.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "ebm/samplers/binary_kernel.hpp"

namespace ebm {

enum class PathLength { fixed, uniform };

template <BinaryEnergyModel M>
class PathAuxiliary : public detail::BinaryKernel<M> {
  using Base = detail::BinaryKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = true;

  // path_length: R, the number of distinct coordinates a proposal flips (fixed), or the largest such number
  // (uniform: L ~ U{1, …, R} per step).
  explicit PathAuxiliary(int path_length, PathLength length = PathLength::fixed, Index block_rows = default_block_rows)
      : Base("PathAuxiliary", true, block_rows, 0, check_length(path_length), -1), r_(path_length), length_(length) {}

  int path_length() const { return r_; }
  PathLength length_rule() const { return length_; }

  BinaryStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    ensure(r_ <= s.x.cols(), "PathAuxiliary: path length ", r_, " exceeds the dimension ", s.x.cols());
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) propose(s, r, rng[std::size_t(r)]);
      this->evaluate_proposals(model, b, r0, n);
      for (Index r = r0; r < r0 + n; ++r) accept_or_reject(s, r, rng[std::size_t(r)]);
    });
    return this->finish_step(s);
  }

private:
  static int check_length(int r) {
    ensure(r >= 1, "PathAuxiliary: path length ", r, " must be at least 1");
    return r;
  }
  static double half_d(Scalar x, Scalar g) { return 0.5 * (2 * double(x) - 1) * double(g); }
  static double max_half_d(const Scalar* x, const Scalar* g, Index d) {
    double m = -std::numeric_limits<double>::infinity();
    for (Index i = 0; i < d; ++i) m = std::max(m, half_d(x[i], g[i]));
    return m;
  }

  // log Q(path | z) for the path taken in the order `reverse ? i_R..i_1 : i_1..i_R`, from the gradient g at z.
  // w holds exp(d_i/2 − max) at z for every i with the path's entries set to 0 (their weights are recomputed).
  static double log_path_probability(const Scalar* z, const Scalar* g, double m, const double* w, Index d,
                                     const Index* path, int L, bool reverse) {
    double rest = 0;  // weights off the path
    for (Index i = 0; i < d; ++i) rest += w[i];
    // Walk the path backwards, so the suffix sum holds the not-yet-taken path weights of each step.
    double suffix = 0, lq = 0;
    for (int t = L - 1; t >= 0; --t) {
      const Index i = path[reverse ? L - 1 - t : t];
      const double lw = half_d(z[i], g[i]) - m;
      suffix += std::exp(lw);
      lq += lw - std::log(rest + suffix);
    }
    return lq;
  }

  void propose(State& s, Index r, Rng& rng) {
    const Index d = s.x.cols();
    const Scalar *x = s.x.row(r).data(), *g = s.grad.row(r).data();
    double* w = this->dwork_.row(r).data();
    const double m = max_half_d(x, g, d);
    for (Index i = 0; i < d; ++i) w[i] = std::exp(half_d(x[i], g[i]) - m);
    const int L = length_ == PathLength::fixed ? r_ : 1 + int(detail::uniform_index_exact(rng, r_));
    Index* path = this->picks_.data() + r * r_;
    Scalar* xp = this->xp_.row(r).data();
    std::copy(x, x + d, xp);
    bool ok = true;
    for (int t = 0; t < L; ++t) {
      double total = 0;
      Index last = -1;
      for (Index i = 0; i < d; ++i)
        if (w[i] > 0) {
          total += w[i];
          last = i;
        }
      const double u = uniform01d(rng) * total;
      if (last < 0) {  // no positive weight left: draw the remaining uniforms, then reject
        ok = false;
        path[t] = 0;
        continue;
      }
      Index pick = last;
      double acc = 0;
      for (Index i = 0; i < d; ++i) {
        acc += w[i];
        if (acc > u && w[i] > 0) {
          pick = i;
          break;
        }
      }
      path[t] = pick;
      w[pick] = 0;
      xp[pick] = Scalar(1) - x[pick];
    }
    this->lq_[r] = ok ? log_path_probability(x, g, m, w, d, path, L, false) : std::numeric_limits<double>::quiet_NaN();
    this->flips_[r] = L;
  }

  void accept_or_reject(State& s, Index r, Rng& rng) {
    const double u = uniform01d(rng);
    double a = 0;
    if (this->status_[std::size_t(r)] == Base::ok && std::isfinite(this->lq_[r])) {
      const Index d = s.x.cols();
      const Scalar *xp = this->xp_.row(r).data(), *gp = this->gp_.row(r).data();
      const Index* path = this->picks_.data() + r * r_;
      const int L = int(this->flips_[r]);
      double* w = this->dwork_.row(r).data();
      const double m = max_half_d(xp, gp, d);
      for (Index i = 0; i < d; ++i) w[i] = std::exp(half_d(xp[i], gp[i]) - m);
      for (int t = 0; t < L; ++t) w[path[t]] = 0;
      const double lq_rev = log_path_probability(xp, gp, m, w, d, path, L, true);
      const double log_alpha = double(s.energy[r]) - double(this->ep_[r]) + lq_rev - this->lq_[r];
      a = log_alpha >= 0 ? 1.0 : std::exp(log_alpha);  // NaN → rejected by decide
    }
    this->decide(s, r, a, u);
  }

  int r_;
  PathLength length_;
};

}  // namespace ebm
