#pragma once
// Discrete Langevin proposals (Zhang, Liu & Liu 2022, "A Langevin-like sampler for discrete distributions"):
// every coordinate of x ∈ {0,1}^d may change in one step, independently given x. With f = log p̃ = −E and step
// size α, the proposal is (their eq. 3)
//
//   q(x' | x) = Π_i q_i(x'_i | x),   q_i(x'_i | x) ∝ exp(½ ∂f/∂x_i (x'_i − x_i) − (x'_i − x_i)² / (2α)).
//
// For binary x'_i ∈ {x_i, 1 − x_i}: keeping x_i gives exponent 0; flipping it (x'_i − x_i = 1 − 2x_i, squared 1)
// gives ½ ∂f/∂x_i (1 − 2x_i) − 1/(2α) = ½ (2x_i − 1) ∂E/∂x_i − 1/(2α) = d_i/2 − 1/(2α), with d_i the
// Gibbs-with-Gradients flip score (gibbs_with_gradients.hpp). Normalizing over the two values,
//
//   P(flip i) = σ(z_i),   z_i = d_i(x)/2 − 1/(2α),   σ(z) = 1/(1 + e^{−z}).
//
//   Dula   (discrete unadjusted Langevin) takes the proposal: no test, so its stationary law is p only as the
//          proposal's first-order estimate becomes exact (small α); the bias is measured against exact
//          enumeration in tests/statistical/test_binary_samplers.cpp.
//   Dmala  (discrete Metropolis-adjusted Langevin) tests it: α_MH = min(1, exp(E(x) − E(x')) q(x | x') / q(x' | x)),
//          log q(x' | x) = Σ_i [flip_i ? log σ(z_i(x)) : log σ(−z_i(x))] and the reverse likewise with z_i(x'),
//          so p is invariant for every α. Its step size adapts with warm_up_step_size (dual averaging towards
//          an acceptance of 0.574), then stays frozen.
// Every chain draws d uniforms per step (one per coordinate: one 32-bit draw each for float, two for double) and
// Dmala one more for the test, always. The flip probabilities and log q are computed in the model's precision,
// vectorized (Eigen's exp, log1p and logistic), and log q summed in double.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <span>

#include "ebm/samplers/binary_kernel.hpp"
#include "ebm/samplers/langevin_move.hpp"  // check_step_size

namespace ebm {

namespace detail {

template <BinaryEnergyModel M, bool Adjusted>
class DiscreteLangevin : public BinaryKernel<M> {
  using Base = BinaryKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = Adjusted;

  double step_size() const { return alpha_; }
  void set_step_size(double alpha) {
    check_step_size(alpha, this->name_);
    alpha_ = alpha;
  }

  BinaryStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const auto bias = Scalar(0.5 / alpha_);
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) propose(s, r, bias, rng[std::size_t(r)]);
      this->evaluate_proposals(model, b, r0, n);
      for (Index r = r0; r < r0 + n; ++r) {
        if constexpr (Adjusted) {
          accept_or_reject(s, r, bias, rng[std::size_t(r)]);
        } else {
          // Unadjusted: every finite proposal is taken (a non-finite one is rejected: the chain stays).
          this->decide(s, r, this->status_[std::size_t(r)] == Base::ok ? 1.0 : 0.0, 0.5);
        }
      }
    });
    return this->finish_step(s);
  }

protected:
  DiscreteLangevin(const char* name, double step_size, Index block_rows)
      : Base(name, true, block_rows, -3, 0), alpha_(step_size) {
    check_step_size(step_size, name);
  }

private:
  using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
  using Map = Eigen::Map<Array>;
  using ConstMap = Eigen::Map<const Array>;

  // One uniform in [0, 1) per coordinate: 24 bits from one 32-bit draw for float, 53 bits from two for double.
  static Scalar uniform(Rng& rng) {
    if constexpr (std::is_same_v<Scalar, float>)
      return float(rng() >> 8) * 0x1p-24f;
    else
      return Scalar(uniform01d(rng));
  }

  // z_i = d_i/2 − 1/(2α) at (x, g), into z.
  static void flip_logits(const Scalar* x, const Scalar* g, Index d, Scalar bias, Scalar* z) {
    Map(z, d) = (ConstMap(x, d) * Scalar(2) - Scalar(1)) * ConstMap(g, d) * Scalar(0.5) - bias;
  }
  // Σ_i log σ(t_i), t_i = z_i where x'_i ≠ x_i (a flip) and −z_i where it is kept; log σ(t) = min(t, 0) −
  // log1p(e^{−|t|}), vectorized in the model's precision (arithmetic only: Eigen 3.4 runs select(), comparisons
  // and casts a coefficient at a time, and with them the exp). The min terms go into out and are summed like
  // every row sum; the log1p terms are summed as logs of products (sum_log1p_exp_neg_abs).
  static double log_q(const Scalar* z, const Scalar* x, const Scalar* xp, Index d, Scalar* out) {
    const ConstMap za(z, d);
    Map(out, d) = (((ConstMap(xp, d) - ConstMap(x, d)).abs() * Scalar(2) - Scalar(1)) * za).min(Scalar(0));
    return detail::blocked_sum(out, d) - sum_log1p_exp_neg_abs(z, d);
  }
  // Σ_i log(1 + e^{−|z_i|}) as Σ log Π(1 + e^{−|z_i|}): 16 lanes, each the product of up to 16 factors in (1, 2]
  // (≤ 2^16, far from overflow), one log per lane per 256 sites; the last d mod 16 terms one by one in double.
  // One exp per site instead of an exp and a log1p, which were 41 % of a DMALA step on a 50 × 50 Ising model
  // (perf). Each product rounds 16 times (relative 2^−24 each), a difference in log q of ~10⁻⁶ per 256 sites.
  static double sum_log1p_exp_neg_abs(const Scalar* z, Index d) {
    using Packet = Eigen::Array<Scalar, 16, 1>;
    constexpr Index group = 16 * 16;
    const Index full = d - d % 16;
    double total = 0;
    Index i = 0;
    while (i < full) {
      Packet prod = Packet::Ones();
      for (const Index end = std::min(full, i + group); i < end; i += 16)
        prod *= Scalar(1) + (-Eigen::Map<const Packet>(z + i).abs()).exp();
      total += double(prod.log().sum());
    }
    for (; i < d; ++i) total += std::log1p(std::exp(-std::abs(double(z[i]))));
    return total;
  }

  // The scratch row holds d uniforms, d flip logits and d flip probabilities. All vectorized but the draws.
  void propose(State& s, Index r, Scalar bias, Rng& rng) {
    const Index d = s.x.cols();
    const Scalar *x = s.x.row(r).data(), *g = s.grad.row(r).data();
    Scalar* xp = this->xp_.row(r).data();
    Scalar *u = this->work_.row(r).data(), *z = u + d, *p = z + d;
    for (Index i = 0; i < d; ++i) u[i] = uniform(rng);
    flip_logits(x, g, d, bias, z);
    Map(p, d) = ConstMap(z, d).logistic();
    Index flips = 0;
    for (Index i = 0; i < d; ++i) {
      const bool flip = u[i] < p[i];
      xp[i] = flip ? Scalar(1) - x[i] : x[i];
      flips += flip;
    }
    this->flips_[r] = double(flips);
    if constexpr (Adjusted) this->lq_[r] = log_q(z, x, xp, d, p);  // p is spent
  }

  void accept_or_reject(State& s, Index r, Scalar bias, Rng& rng) {
    const double u = uniform01d(rng);
    double a = 0;
    if (this->status_[std::size_t(r)] == Base::ok) {
      const Index d = s.x.cols();
      const Scalar *x = s.x.row(r).data(), *xp = this->xp_.row(r).data();
      Scalar* z = this->work_.row(r).data() + d;  // the forward logits are spent: reuse them
      flip_logits(xp, this->gp_.row(r).data(), d, bias, z);
      const double lq_rev = log_q(z, xp, x, d, z + d);
      const double log_alpha = double(s.energy[r]) - double(this->ep_[r]) + lq_rev - this->lq_[r];
      a = log_alpha >= 0 ? 1.0 : std::exp(log_alpha);
    }
    this->decide(s, r, a, u);
  }

  double alpha_;
};

}  // namespace detail

template <BinaryEnergyModel M>
class Dula : public detail::DiscreteLangevin<M, false> {
public:
  explicit Dula(double step_size, Index block_rows = default_block_rows)
      : detail::DiscreteLangevin<M, false>("Dula", step_size, block_rows) {}
};

template <BinaryEnergyModel M>
class Dmala : public detail::DiscreteLangevin<M, true> {
public:
  explicit Dmala(double step_size, Index block_rows = default_block_rows)
      : detail::DiscreteLangevin<M, true>("Dmala", step_size, block_rows) {}
};

}  // namespace ebm
