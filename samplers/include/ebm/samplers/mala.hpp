#pragma once
// Metropolis-adjusted Langevin algorithm (Roberts & Tweedie 1996): the Langevin move of langevin_move.hpp as
// a proposal, corrected by a Metropolis–Hastings test with the asymmetric proposal density,
//
//   x' ~ q(· | x) = N(x − ε ∇E(x), 2ε I),
//   α  = min(1, exp(E(x) − E(x')) · q(x | x') / q(x' | x)),
//
// so p(x) ∝ exp(−E(x)) is invariant for every step size ε (restricted to the box, if one is given). A
// proposal whose energy, gradient or position is NaN or infinite is rejected (α = 0), as Stan and BlackJAX
// do; it is counted in the step's info. A non-finite energy or gradient at a chain's current position (a
// bad start state, or a model changed under the chains) is an ebm::Error naming the step, the chain and the
// value. Every chain draws d normals and one uniform per step from its own stream, whatever the outcome.
#include <optional>
#include <span>

#include "ebm/samplers/langevin_kernel.hpp"

namespace ebm {

template <ContinuousEnergyModel M>
class Mala : public detail::LangevinKernel<M> {
  using Base = detail::LangevinKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = true;

  explicit Mala(double step_size, std::optional<Box> box = std::nullopt, Index block_rows = default_block_rows)
      : Base("Mala", step_size, box, block_rows) {}

  // One proposal and accept/reject on every chain.
  LangevinStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const LangevinMove<Scalar> move(this->eps_, this->box_);
    const Index d = s.x.cols();
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) {
        const bool clamped = move.propose(s.x.row(r).data(), s.grad.row(r).data(), d,
                                          rng[static_cast<std::size_t>(r)], this->xp_.row(r).data());
        this->status_[static_cast<std::size_t>(r)] = clamped ? Base::outside : Base::ok;
      }
      this->evaluate(model, b, r0, n, this->xp_, this->ep_, this->gp_);
      for (Index r = r0; r < r0 + n; ++r) accept_or_reject(move, s, r, rng[static_cast<std::size_t>(r)]);
    });
    ++s.steps;
    LangevinStepInfo info;
    double sum = 0;  // in chain order: the same bits for any thread count
    for (Index r = 0; r < s.size(); ++r) {
      sum += s.acceptance[r];
      const auto k = static_cast<std::size_t>(r);
      info.accepted += s.accepted[k];
      info.non_finite += this->status_[k] == Base::non_finite;
      info.outside_box += this->status_[k] == Base::outside;
    }
    info.acceptance_rate = sum / double(s.size());
    return info;
  }

private:
  void accept_or_reject(const LangevinMove<Scalar>& move, State& s, Index r, Rng& rng) {
    const auto k = static_cast<std::size_t>(r);
    const double u = uniform01d(rng);
    double a = 0;
    if (this->status_[k] == Base::ok && !this->proposal_finite(r)) this->status_[k] = Base::non_finite;
    if (this->status_[k] == Base::ok) {
      const Index d = s.x.cols();
      const Scalar *x = s.x.row(r).data(), *g = s.grad.row(r).data();
      const Scalar *xp = this->xp_.row(r).data(), *gp = this->gp_.row(r).data();
      const double log_alpha = double(s.energy[r]) - double(this->ep_[r]) + move.log_density(x, xp, gp, d) -
                               move.log_density(xp, x, g, d);
      a = log_alpha >= 0 ? 1.0 : (log_alpha < 0 ? std::exp(log_alpha) : 0.0);  // NaN → 0
    }
    s.acceptance[r] = a;
    const bool accept = u < a;
    s.accepted[k] = accept;
    if (accept) {
      s.x.row(r) = this->xp_.row(r);
      s.grad.row(r) = this->gp_.row(r);
      s.energy[r] = this->ep_[r];
    }
  }
};

}  // namespace ebm
