#pragma once
// Categorical Gibbs-with-Gradients (Grathwohl, Swersky, Hashemi, Duvenaud & Maddison 2021, "Oops I took a
// gradient", §4 and their DiffSamplerMultiDim): a Metropolis–Hastings kernel over x ∈ {0, …, q−1}^n for any
// CategoricalGradientModel (core/categorical_model.hpp). With g = ∂E/∂o, the gradient of the energy over the one-hot
// encoding o of x, the first-order estimate of what changing site i to label c does to log p̃ = −E is
//   −(g_{i,c} − g_{i,x_i}),
// and the proposal draws one (site, label) pair among the n(q − 1) pairs that change the state,
//   q(i, c | x) = softmax over {(j, c') : c' ≠ x_j} of d_{j,c'},   d_{i,c} = −(g_{i,c} − g_{i,x_i}) / 2,
// (the current labels are excluded, as in the paper's code: a proposal to stay would be a wasted evaluation). The
// test uses the reverse proposal, (i, x_i) from x', with the gradient at x':
//   α = min(1, exp(E(x) − E(x')) · q(i, x_i | x') / q(i, c | x)).
// The kernel evaluates E and g at every proposal, so an accepted proposal's gradient is the next step's. For the
// Potts model the first-order estimate is exact and the proposal is the locally balanced one, ∝ √(p(x')/p(x)).
//
// Logits and weights in the model's precision, vectorized; the weights summed in double over blocks of 16 and
// searched by the same blocks (binary_kernel.hpp, as binary GWG does). Each chain draws two uniforms per step (the
// pair, the test), whatever happens. A pair whose weight underflowed to zero is never drawn; if rounding drew one,
// the proposal is rejected.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "ebm/samplers/binary_kernel.hpp"  // detail::blocked_sum, detail::blocked_search
#include "ebm/samplers/categorical_kernel.hpp"

namespace ebm {

template <CategoricalGradientModel M>
class CategoricalGibbsWithGradients : public detail::CategoricalKernel<M> {
  using Base = detail::CategoricalKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = true;

  explicit CategoricalGibbsWithGradients(Index block_rows = default_block_rows)
      : Base("CategoricalGibbsWithGradients", true, block_rows) {}

  CategoricalStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    for_each_block(this->plan_, [&](Index, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) {
        propose(model, s, r, rng[std::size_t(r)]);
        accept_or_reject(s, r, rng[std::size_t(r)]);
      }
    });
    return this->finish_step(s);
  }

private:
  using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;

  // The proposal's unnormalized weights at (x, g) into w (n·q values): exp(d_{i,c} − max d) for c ≠ x_i, 0 for
  // the current labels. Returns Σ w in double (blocked, a fixed order).
  double proposal_weights(const Label* x, const Scalar* g, Scalar* w) const {
    const Index n = this->sites_, q = this->labels_;
    for (Index i = 0; i < n; ++i) {
      const Scalar* gi = g + i * q;
      Scalar* wi = w + i * q;
      const Scalar current = gi[x[i]];
      for (Index c = 0; c < q; ++c) wi[c] = (current - gi[c]) * Scalar(0.5);
      wi[x[i]] = -std::numeric_limits<Scalar>::infinity();
    }
    Eigen::Map<Array> wa(w, n * q);
    const Scalar m = wa.maxCoeff();
    wa = (wa - m).exp();
    return detail::blocked_sum(w, n * q);
  }

  void propose(const M& model, State& s, Index r, Rng& rng) {
    const Index n = this->sites_, q = this->labels_, width = n * q;
    const Label* x = s.x.row(r).data();
    Scalar* w = this->work_.row(r).data();
    const double total = proposal_weights(x, s.grad.row(r).data(), w);
    const double u = uniform01d(rng);
    Label* xp = this->xp_.row(r).data();
    std::copy(x, x + n, xp);
    Scalar* gp = this->gp_.row(r).data();
    if (!(total > 0) || !std::isfinite(total)) {  // a NaN logit: nothing to propose
      this->picks_[std::size_t(r)] = -1;
      this->status_[std::size_t(r)] = Base::non_finite;
      return;
    }
    const Index k = detail::blocked_search(w, width, u * total);
    this->picks_[std::size_t(r)] = k;
    this->lq_[r] = std::log(double(w[k])) - std::log(total);  // −∞ for a zero weight: rejected below
    xp[k / q] = static_cast<Label>(k % q);
    const double e = model.energy_and_grad(std::span<const Label>(xp, std::size_t(n)), std::span<Scalar>(gp, std::size_t(width)));
    this->ep_[r] = Scalar(e);
    bool finite = std::isfinite(this->ep_[r]);
    for (Index j = 0; j < width && finite; ++j) finite = std::isfinite(gp[j]);
    this->status_[std::size_t(r)] = finite ? Base::ok : Base::non_finite;
  }

  void accept_or_reject(State& s, Index r, Rng& rng) {
    const double u = uniform01d(rng);
    const Index q = this->labels_, k = this->picks_[std::size_t(r)];
    double a = 0;
    if (this->status_[std::size_t(r)] == Base::ok && std::isfinite(this->lq_[r])) {
      const Index i = k / q;
      Scalar* w = this->work_.row(r).data();  // the forward weights are spent: reuse the row
      const double total = proposal_weights(this->xp_.row(r).data(), this->gp_.row(r).data(), w);
      const double lq_rev = std::log(double(w[i * q + s.x(r, i)])) - std::log(total);
      const double log_alpha = double(s.energy[r]) - double(this->ep_[r]) + lq_rev - this->lq_[r];
      a = log_alpha >= 0 ? 1.0 : std::exp(log_alpha);
      if (!(a >= 0)) a = 0;  // NaN → reject
    }
    s.acceptance[r] = a;
    const bool accept = u < a;
    s.accepted[std::size_t(r)] = accept;
    this->changes_[r] = accept ? 1 : 0;
    if (accept) {
      s.x.row(r) = this->xp_.row(r);
      s.energy[r] = this->ep_[r];
      s.grad.row(r) = this->gp_.row(r);
    }
  }
};

}  // namespace ebm
