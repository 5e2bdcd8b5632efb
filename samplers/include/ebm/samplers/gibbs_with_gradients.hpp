#pragma once
// Gibbs-with-Gradients (Grathwohl, Swersky, Hashemi, Duvenaud & Maddison 2021, "Oops I took a gradient:
// scalable sampling for discrete distributions"): a Metropolis–Hastings kernel over x ∈ {0,1}^d whose proposal
// picks the coordinates to flip by a first-order estimate of what each flip does to log p̃ = −E:
//
//   d_i(x) = −(2x_i − 1) ∂ log p̃/∂x_i = (2x_i − 1) ∂E/∂x_i   ≈ log p̃(x with x_i flipped) − log p̃(x)
//   q(i | x) = softmax(d(x)/2)_i
//
// With k = 1 the proposal flips one index i ~ q(· | x), and the test is
//   α = min(1, exp(E(x) − E(x')) · q(i | x') / q(i | x)),
// the reverse proposal q(i | x') computed from ∇ₓE at x' (the kernel evaluates E and ∇ₓE at every proposal, so an
// accepted proposal's gradient is the next step's). With k > 1, as in the paper's code (multi-hop), k indices
// i_1..i_k are drawn with replacement from q(· | x), the distinct ones are flipped, and the sequence's
// probability Π_t q(i_t | ·) stands for the proposal in both directions: the sequence is an auxiliary variable
// and (x, sequence) ↦ (x', sequence) is an involution, so the test with these products is exact.
//
// Softmax in the model's precision, vectorized: weights exp(d_i/2 − max d/2), summed in double over blocks of 16,
// and the inverse CDF by a walk over the block sums. Each chain draws k + 1 uniforms per step (k indices, one
// test), whatever happens.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "ebm/samplers/binary_kernel.hpp"

namespace ebm {

template <BinaryEnergyModel M>
class GibbsWithGradients : public detail::BinaryKernel<M> {
  using Base = detail::BinaryKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = true;

  // flips: the number k of indices drawn per proposal (k = 1: the standard GWG).
  explicit GibbsWithGradients(int flips = 1, Index block_rows = default_block_rows)
      : Base("GibbsWithGradients", true, block_rows, -1, flips), k_(flips) {
    ensure(flips >= 1, "GibbsWithGradients: flips = ", flips, " must be at least 1");
  }

  int flips() const { return k_; }

  BinaryStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) propose(s, r, rng[std::size_t(r)]);
      this->evaluate_proposals(model, b, r0, n);
      for (Index r = r0; r < r0 + n; ++r) accept_or_reject(s, r, rng[std::size_t(r)]);
    });
    return this->finish_step(s);
  }

private:
  using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;

  // The proposal's unnormalized weights at (x, g), w_i = exp(d_i/2 − max_j d_j/2), into w; returns Σ w_i. In the
  // model's precision and vectorized (a double exp per coordinate was most of a step); the sum runs over block
  // sums in a fixed order, in double, and detail::blocked_search (binary_kernel.hpp) walks the same block sums,
  // so the index drawn has probability w_i / Σ w up to rounding, which lq uses.
  static double softmax_weights(const Scalar* x, const Scalar* g, Index d, Scalar* w) {
    const Eigen::Map<const Array> xa(x, d), ga(g, d);
    Eigen::Map<Array> wa(w, d);
    wa = (xa * Scalar(2) - Scalar(1)) * ga * Scalar(0.5);
    const Scalar m = wa.maxCoeff();
    wa = (wa - m).exp();
    return detail::blocked_sum(w, d);
  }
  void propose(State& s, Index r, Rng& rng) {
    const Index d = s.x.cols();
    const Scalar *x = s.x.row(r).data(), *g = s.grad.row(r).data();
    Scalar* w = this->work_.row(r).data();
    const double total = softmax_weights(x, g, d, w);
    const double log_total = std::log(total);
    Index* picks = this->picks_.data() + r * k_;
    Scalar* xp = this->xp_.row(r).data();
    std::copy(x, x + d, xp);
    double lq = 0;
    for (int t = 0; t < k_; ++t) {
      const Index i = detail::blocked_search(w, d, uniform01d(rng) * total);
      picks[t] = i;
      lq += std::log(double(w[i])) - log_total;
      xp[i] = Scalar(1) - x[i];  // distinct indices flip once, repeats change nothing
    }
    this->lq_[r] = lq;
    double changed = 0;  // distinct flipped coordinates
    for (int t = 0; t < k_; ++t) changed += std::find(picks, picks + t, picks[t]) == picks + t ? 1 : 0;
    this->flips_[r] = changed;
  }

  void accept_or_reject(State& s, Index r, Rng& rng) {
    const double u = uniform01d(rng);
    double a = 0;
    if (this->status_[std::size_t(r)] == Base::ok) {
      const Index d = s.x.cols();
      Scalar* w = this->work_.row(r).data();  // the forward weights are spent: reuse the row
      const double log_total = std::log(softmax_weights(this->xp_.row(r).data(), this->gp_.row(r).data(), d, w));
      const Index* picks = this->picks_.data() + r * k_;
      double lq_rev = 0;  // −∞ if the reverse move's weight underflowed: then the proposal is rejected
      for (int t = 0; t < k_; ++t) lq_rev += std::log(double(w[picks[t]])) - log_total;
      const double log_alpha = double(s.energy[r]) - double(this->ep_[r]) + lq_rev - this->lq_[r];
      a = log_alpha >= 0 ? 1.0 : std::exp(log_alpha);  // NaN → exp(NaN) = NaN → rejected by decide
    }
    this->decide(s, r, a, u);
  }

  int k_;
};

}  // namespace ebm
