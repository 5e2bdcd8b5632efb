#pragma once
// Two baselines over binary x ∈ {0,1}^d that need E alone (no gradient), for any binary energy. One step picks
// one coordinate i uniformly per chain, evaluates E at x' = x with x_i flipped (one batched forward pass per
// block of chains), and
//   RandomScanGibbs       draws x_i from p(x_i | x_−i): moves to x' with probability σ(E(x) − E(x'))
//                         (the Gibbs update of one site, written through the flip);
//   RandomWalkMetropolis  accepts x' with probability min(1, exp(E(x) − E(x'))) (the proposal is symmetric).
// Both leave p ∝ exp(−E) invariant; a NaN or infinite E(x') never moves the chain. A step changes one site of
// every chain, so d steps are one sweep's worth of work. Each chain draws two numbers per step (the site and
// the decision), whatever happens.
#include <cmath>
#include <span>

#include "ebm/samplers/binary_kernel.hpp"

namespace ebm {

namespace detail {

enum class FlipRule { gibbs, metropolis };

template <BinaryEnergyModel M, FlipRule Rule>
class SingleFlip : public BinaryKernel<M> {
  using Base = BinaryKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;

  BinaryStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const Index d = s.x.cols();
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) {
        const Index i = uniform_site(rng[std::size_t(r)], d);
        this->xp_.row(r) = s.x.row(r);
        this->xp_(r, i) = Scalar(1) - s.x(r, i);
        this->flips_[r] = 1;
      }
      this->evaluate_proposals(model, b, r0, n);
      for (Index r = r0; r < r0 + n; ++r) {
        const double u = uniform01d(rng[std::size_t(r)]);
        double a = 0;
        if (this->status_[std::size_t(r)] == Base::ok) {
          const double delta = double(s.energy[r]) - double(this->ep_[r]);  // log p̃(x') − log p̃(x)
          if constexpr (Rule == FlipRule::gibbs)
            a = std::exp(log_sigmoid(delta));
          else
            a = delta >= 0 ? 1.0 : std::exp(delta);
        }
        this->decide(s, r, a, u);
      }
    });
    return this->finish_step(s);
  }

protected:
  SingleFlip(const char* name, Index block_rows) : Base(name, false, block_rows, 0, 0) {}
};

}  // namespace detail

template <BinaryEnergyModel M>
class RandomScanGibbs : public detail::SingleFlip<M, detail::FlipRule::gibbs> {
public:
  static constexpr bool metropolis_adjusted = false;
  explicit RandomScanGibbs(Index block_rows = default_block_rows)
      : detail::SingleFlip<M, detail::FlipRule::gibbs>("RandomScanGibbs", block_rows) {}
};

template <BinaryEnergyModel M>
class RandomWalkMetropolis : public detail::SingleFlip<M, detail::FlipRule::metropolis> {
public:
  static constexpr bool metropolis_adjusted = false;  // no step size to adapt
  explicit RandomWalkMetropolis(Index block_rows = default_block_rows)
      : detail::SingleFlip<M, detail::FlipRule::metropolis>("RandomWalkMetropolis", block_rows) {}
};

}  // namespace ebm
