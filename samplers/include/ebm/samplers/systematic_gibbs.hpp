#pragma once
// Systematic-scan single-site Gibbs over binary x ∈ {0,1}^d, for any binary energy: one step is one sweep that
// visits the sites 0, 1, …, d − 1 in order and draws each from its exact conditional,
//
//   x_i ← 1 − x_i with probability p(x_i = 1 − x_i | x_−i) = σ(−Δ_i),   Δ_i = E(x with x_i flipped) − E(x).
//
// Each site update leaves p invariant, so the sweep (their product) does, although it is not reversible
// (Geman & Geman 1984; the "Gibbs" baseline of Grathwohl et al. 2021 and DISCS, Goshvadi et al. 2023). A step is
// d site updates, the work of d steps of RandomScanGibbs (single_flip_kernels.hpp).
//
// Two paths, the same law and the same random draws:
//   BinaryFlipModel (core/binary_flip_model.hpp: the Ising and factorized Bernoulli models)  Δ_i from the model's
//       flip_delta, O(neighbours) per site; E is carried along, E += Δ_i on a flip (summed in double over the
//       sweep, so the cache differs from a fresh E by rounding only);
//   any other binary energy  E at x with x_i flipped, batched over the chains of a block, for every site: d
//       energy evaluations per sweep (O(d²) for a dense energy, the honest price of exact single-site updates).
// Each chain draws d uniforms per step (one per site), whatever happens; a NaN or infinite E(x') never moves the
// chain and is counted. The step reports acceptance_rate = mean flip probability over the sweep, and mean_flips =
// sites changed per sweep.
#include <cmath>
#include <span>

#include "ebm/core/binary_flip_model.hpp"
#include "ebm/samplers/binary_kernel.hpp"

namespace ebm {

template <BinaryEnergyModel M>
class SystematicScanGibbs : public detail::BinaryKernel<M> {
  using Base = detail::BinaryKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = false;
  static constexpr bool uses_flip_delta = BinaryFlipModel<M>;

  explicit SystematicScanGibbs(Index block_rows = default_block_rows)
      : Base("SystematicScanGibbs", false, block_rows, 0, 0, 2) {}

  BinaryStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      if constexpr (uses_flip_delta)
        for (Index r = r0; r < r0 + n; ++r) sweep_local(model, s, r, rng[std::size_t(r)]);
      else
        sweep_batched(model, s, b, r0, n, rng);
    });
    return this->finish_step(s);
  }

private:
  // Records chain r's sweep in the base's summary (acceptance = mean flip probability, dwork_(r, 1) non-finite
  // proposals).
  void record(State& s, Index r, double probability_sum, double flips, double bad) {
    const Index d = s.x.cols();
    s.acceptance[r] = probability_sum / double(d);
    s.accepted[std::size_t(r)] = flips > 0;
    this->flips_[r] = flips;
    this->status_[std::size_t(r)] = bad > 0 ? Base::non_finite : Base::ok;
  }

  void sweep_local(const M& model, State& s, Index r, Rng& rng) {
    const Index d = s.x.cols();
    Scalar* x = s.x.row(r).data();
    const std::span<const Scalar> row(x, std::size_t(d));
    double de = 0, psum = 0, flips = 0, bad = 0;
    for (Index i = 0; i < d; ++i) {
      const double delta = model.flip_delta(row, i);
      const double u = uniform01d(rng);
      double a = 0;
      if (std::isfinite(delta))
        a = std::exp(detail::log_sigmoid(-delta));
      else
        bad += 1;
      psum += a;
      if (u < a) {
        x[i] = Scalar(1) - x[i];
        de += delta;
        flips += 1;
      }
    }
    s.energy[r] = Scalar(double(s.energy[r]) + de);
    record(s, r, psum, flips, bad);
  }

  // Proposals xp_ = x with one site flipped, evaluated for the whole block at once, site after site.
  void sweep_batched(const M& model, State& s, Index b, Index r0, Index n, std::span<Rng> rng) {
    const Index d = s.x.cols();
    for (Index r = r0; r < r0 + n; ++r) {
      this->xp_.row(r) = s.x.row(r);
      this->dwork_(r, 0) = this->dwork_(r, 1) = 0;
      this->flips_[r] = 0;
    }
    for (Index i = 0; i < d; ++i) {
      for (Index r = r0; r < r0 + n; ++r) this->xp_(r, i) = Scalar(1) - s.x(r, i);
      this->evaluate(model, b, r0, n, this->xp_, this->ep_, this->gp_, false);
      for (Index r = r0; r < r0 + n; ++r) {
        const double u = uniform01d(rng[std::size_t(r)]);
        double a = 0;
        if (std::isfinite(double(this->ep_[r])))
          a = std::exp(detail::log_sigmoid(double(s.energy[r]) - double(this->ep_[r])));
        else
          this->dwork_(r, 1) += 1;
        this->dwork_(r, 0) += a;
        if (u < a) {
          s.x(r, i) = this->xp_(r, i);
          s.energy[r] = this->ep_[r];
          this->flips_[r] += 1;
        } else {
          this->xp_(r, i) = s.x(r, i);
        }
      }
    }
    for (Index r = r0; r < r0 + n; ++r) record(s, r, this->dwork_(r, 0), this->flips_[r], this->dwork_(r, 1));
  }
};

}  // namespace ebm
