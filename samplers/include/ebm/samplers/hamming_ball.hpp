#pragma once
// The Hamming-ball sampler (Titsias & Yau 2017, "The Hamming ball sampler", JASA; a baseline of DISCS, Goshvadi
// et al. 2023) over binary x ∈ {0,1}^d, for any binary energy, with block size k and radius m as parameters.
// One step of a chain:
//   1. a block B of k consecutive coordinates (b, b+1, …, b+k−1 mod d; in row-major order a run along a lattice
//      row), b uniform on [0, d);
//   2. an auxiliary u uniform on the ball H(x) = {u : u = x off B, |u − x| ≤ m on B}, |H| = Σ_{j ≤ m} C(k, j);
//   3. x' drawn from p restricted to H(u): P(x' = y) = p̃(y) / Σ_{y' ∈ H(u)} p̃(y').
// q(u | x) = 1/|H| is symmetric (u ∈ H(x) ⇔ x ∈ H(u)), so step 3 is the exact Gibbs update of x in the joint
// p(x) q(u | x), whose x-marginal is p: p is invariant, no Metropolis test. x itself is in H(u), so the chain
// may stay; x' may be up to 2m flips away from x. The block choice does not depend on x, so drawing it at
// random keeps the kernel homogeneous. Every draw of an index is exact (Lemire's rejection), since a biased u
// would make step 3's target slightly wrong.
//
// Energies of the |H| states of H(u):
//   BinaryFlipModel (Ising, factorized Bernoulli)  by flip_delta along each state's flips from x (≤ 2m flips of
//       O(neighbours) each); E += the chosen state's Δ (in double; the cache differs from a fresh E by rounding);
//   any other binary energy  E at every state, batched over the chains of a block: |H| energy evaluations.
// Each chain draws two indices and one uniform per step. acceptance_rate reports the probability of moving
// (1 − P(x' = x)); a NaN or infinite E gives that state probability 0 and is counted.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "ebm/core/binary_flip_model.hpp"
#include "ebm/samplers/binary_kernel.hpp"

namespace ebm {

template <BinaryEnergyModel M>
class HammingBall : public detail::BinaryKernel<M> {
  using Base = detail::BinaryKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = false;
  static constexpr bool uses_flip_delta = BinaryFlipModel<M>;
  static constexpr Index max_ball = 1 << 14;

  // block_size k ∈ [1, 62], radius m ∈ [1, k], and a ball of at most 2^14 states.
  HammingBall(int block_size, int radius, Index block_rows = default_block_rows)
      : Base("HammingBall", false, block_rows, 0, 2, ball_size(block_size, radius)), k_(block_size), m_(radius) {
    // Members by weight, then value: x's own mask 0, then every k-bit mask of weight w (Gosper's hack).
    masks_.push_back(0);
    const std::uint64_t end = std::uint64_t{1} << k_;
    for (int w = 1; w <= m_; ++w)
      for (std::uint64_t mask = (std::uint64_t{1} << w) - 1; mask < end;) {
        masks_.push_back(mask);
        const std::uint64_t low = mask & (~mask + 1), ripple = mask + low;
        mask = (((ripple ^ mask) >> 2) / low) | ripple;
      }
  }

  int block_size() const { return k_; }
  int radius() const { return m_; }
  Index ball() const { return Index(masks_.size()); }

  BinaryStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const Index d = s.x.cols();
    ensure(k_ <= d, "HammingBall: block size ", k_, " exceeds the dimension ", d);
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) {
        Rng& g = rng[std::size_t(r)];
        this->picks_[std::size_t(2 * r)] = detail::uniform_index_exact(g, d);                  // block start
        this->picks_[std::size_t(2 * r + 1)] = detail::uniform_index_exact(g, Index(masks_.size()));  // u
      }
      if constexpr (uses_flip_delta)
        for (Index r = r0; r < r0 + n; ++r) ball_deltas_local(model, s, r);
      else
        ball_deltas_batched(model, s, b, r0, n);
      for (Index r = r0; r < r0 + n; ++r) choose(s, r, rng[std::size_t(r)]);
    });
    return this->finish_step(s);
  }

private:
  static Index ball_size(int k, int m) {
    ensure(k >= 1 && k <= 62, "HammingBall: block size ", k, " must lie in [1, 62]");
    ensure(m >= 1 && m <= k, "HammingBall: radius ", m, " must lie in [1, block size ", k, "]");
    double c = 1, total = 1;
    for (int j = 1; j <= m; ++j) total += (c = c * double(k - j + 1) / double(j));
    ensure(total <= double(max_ball), "HammingBall: block size ", k, " and radius ", m, " give a ball of ", total,
           " states; at most ", max_ball, " are enumerated per step");
    return Index(total);
  }

  // Coordinate of block bit j for a block starting at b.
  static Index coord(Index b, int j, Index d) { return (b + j) % d; }
  // The flips (relative to x) of ball member j around chain r's u.
  std::uint64_t member_flips(Index r, Index j) const {
    return masks_[std::size_t(this->picks_[std::size_t(2 * r + 1)])] ^ masks_[std::size_t(j)];
  }

  // dwork_(r, j) = E(y_j) − E(x) by flip deltas along y_j's flips, applied to x in place and undone.
  void ball_deltas_local(const M& model, State& s, Index r) {
    const Index d = s.x.cols(), start = this->picks_[std::size_t(2 * r)];
    Scalar* x = s.x.row(r).data();
    const std::span<const Scalar> row(x, std::size_t(d));
    for (Index j = 0; j < ball(); ++j) {
      const std::uint64_t f = member_flips(r, j);
      double delta = 0;
      for (int t = 0; t < k_; ++t)
        if ((f >> t) & 1) {
          const Index i = coord(start, t, d);
          delta += model.flip_delta(row, i);
          x[i] = Scalar(1) - x[i];
        }
      for (int t = 0; t < k_; ++t)
        if ((f >> t) & 1) x[coord(start, t, d)] = Scalar(1) - x[coord(start, t, d)];
      this->dwork_(r, j) = delta;
    }
  }

  // dwork_(r, j) = E(y_j) − E(x) from E at every member, one batched evaluation per member.
  void ball_deltas_batched(const M& model, State& s, Index b, Index r0, Index n) {
    const Index d = s.x.cols();
    for (Index r = r0; r < r0 + n; ++r) this->xp_.row(r) = s.x.row(r);
    for (Index j = 0; j < ball(); ++j) {
      for (Index r = r0; r < r0 + n; ++r) toggle(this->xp_.row(r).data(), r, j, d);
      this->evaluate(model, b, r0, n, this->xp_, this->ep_, this->gp_, false);
      for (Index r = r0; r < r0 + n; ++r) {
        this->dwork_(r, j) = double(this->ep_[r]) - double(s.energy[r]);
        toggle(this->xp_.row(r).data(), r, j, d);
      }
    }
  }
  void toggle(Scalar* row, Index r, Index j, Index d) const {
    const std::uint64_t f = member_flips(r, j);
    const Index start = this->picks_[std::size_t(2 * r)];
    for (int t = 0; t < k_; ++t)
      if ((f >> t) & 1) row[coord(start, t, d)] = Scalar(1) - row[coord(start, t, d)];
  }

  // x' ~ softmax(−Δ) over the ball; one uniform.
  void choose(State& s, Index r, Rng& rng) {
    const Index d = s.x.cols(), h = ball();
    double* delta = this->dwork_.row(r).data();
    double lo = std::numeric_limits<double>::infinity();
    Index bad = 0;
    for (Index j = 0; j < h; ++j) {
      if (!std::isfinite(delta[j])) {
        delta[j] = std::numeric_limits<double>::infinity();  // probability 0
        ++bad;
      }
      lo = std::min(lo, delta[j]);  // finite: x itself (Δ = 0) is a member
    }
    double total = 0, stay = 0;
    for (Index j = 0; j < h; ++j) {
      const double w = std::exp(lo - delta[j]);
      total += w;
      if (member_flips(r, j) == 0) stay = w;
    }
    const double u = uniform01d(rng) * total;
    Index pick = h - 1;
    double acc = 0;
    for (Index j = 0; j < h; ++j) {
      acc += std::exp(lo - delta[j]);
      if (acc > u) {
        pick = j;
        break;
      }
    }
    while (pick > 0 && !std::isfinite(delta[pick])) --pick;  // rounding at the very end of the CDF
    const std::uint64_t f = member_flips(r, pick);
    const Index start = this->picks_[std::size_t(2 * r)];
    Scalar* x = s.x.row(r).data();
    for (int t = 0; t < k_; ++t)
      if ((f >> t) & 1) x[coord(start, t, d)] = Scalar(1) - x[coord(start, t, d)];
    if (f != 0) s.energy[r] = Scalar(double(s.energy[r]) + delta[pick]);
    s.acceptance[r] = 1 - stay / total;
    s.accepted[std::size_t(r)] = f != 0;
    this->flips_[r] = double(std::popcount(f));
    this->status_[std::size_t(r)] = bad > 0 ? Base::non_finite : Base::ok;
  }

  int k_, m_;
  std::vector<std::uint64_t> masks_;  // ball members as flip masks over the block's k bits
};

}  // namespace ebm
