#pragma once
// Unadjusted Langevin algorithm: every chain takes the Langevin move (langevin_move.hpp) and keeps it,
//
//   x' = x − ε ∇E(x) + √(2ε) ξ      (clamped or reflected into the box, if one is given).
//
// ULA has no accept/reject step, so its stationary law is p only as ε → 0: for a Gaussian the variance is
// inflated by a known factor (tests/statistical/test_langevin.cpp). Having no rejection, it also cannot
// refuse a bad move: a NaN or infinite energy, gradient or position after a move is an ebm::Error naming the
// step, the chain and the value, and the chains keep the positions they had before that step.
#include <optional>
#include <span>

#include "ebm/samplers/langevin_kernel.hpp"

namespace ebm {

template <ContinuousEnergyModel M>
class Ula : public detail::LangevinKernel<M> {
  using Base = detail::LangevinKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = false;

  explicit Ula(double step_size, std::optional<Box> box = std::nullopt, Index block_rows = default_block_rows)
      : Base("Ula", step_size, box, block_rows) {}

  // One move of every chain. acceptance_rate is 1.
  LangevinStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const LangevinMove<Scalar> move(this->eps_, this->box_);
    const Index d = s.x.cols();
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r)
        move.propose(s.x.row(r).data(), s.grad.row(r).data(), d, rng[static_cast<std::size_t>(r)],
                     this->xp_.row(r).data());
      this->evaluate(model, b, r0, n, this->xp_, this->ep_, this->gp_);
      for (Index r = r0; r < r0 + n; ++r) this->status_[static_cast<std::size_t>(r)] = !this->proposal_finite(r);
    });
    for (Index r = 0; r < s.size(); ++r)
      if (this->status_[static_cast<std::size_t>(r)])
        this->fail_non_finite(detail::concat("after the move of step ", s.steps + 1), r, this->ep_[r],
                              this->xp_.row(r).data(), this->gp_.row(r).data(), d,
                              detail::concat("; ULA cannot reject a move: lower the step size (", this->eps_,
                                             ") or use Mala"));
    s.x.swap(this->xp_);
    s.energy.swap(this->ep_);
    s.grad.swap(this->gp_);
    ++s.steps;
    LangevinStepInfo info;
    info.acceptance_rate = 1.0;
    info.accepted = s.size();
    return info;
  }
};

}  // namespace ebm
