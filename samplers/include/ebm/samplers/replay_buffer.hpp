#pragma once
// Replay-buffer persistent chains (Du & Mordatch 2019, "Implicit generation and generalization in
// energy-based models"), a chain policy beside PersistentChains and ContrastiveDivergence:
//
//   a buffer of `capacity` past chain states, filled with fresh noise at the start;
//   every update, chain r takes a distinct buffer slot j_r (uniform, without replacement) and starts
//     from fresh noise (the user's initializer) with probability ρ, from the state stored in slot j_r
//     otherwise; the chains take k kernel steps and are written back into their slots.
//
// Compared with PCD's fixed chains, the many stored states and the trickle of restarts keep the chains
// diverse (new modes are found from noise) while most chains still continue long runs. Distinct slots make
// the write-back free of conflicts. All draws of the policy (slots, coin flips, initializer noise) come, in
// chain order, from its own stream derived from the seed; the kernel's chains draw from their per-chain
// streams as in the other policies; so a run is bit-identical for any number of threads.
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

#include <boost/random/uniform_int_distribution.hpp>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/chain_policies.hpp"
#include "ebm/samplers/kernel_concept.hpp"

namespace ebm {

// Index of the policy's own stream among the StreamPurpose::init streams (arbitrary, far from the small
// indices models use for their own initialization).
inline constexpr std::uint64_t replay_buffer_stream_index = 0x5245504c4159ull;  // "REPLAY"

template <MarkovKernel K>
class ReplayBuffer : public ChainPool<K> {
  using Base = ChainPool<K>;

public:
  using Model = typename Base::Model;
  using Scalar = typename Base::Scalar;
  // Writes one fresh start state into `row` (of the model's dimension), drawing only from `rng`.
  using Initializer = std::function<void(Rng& rng, std::span<Scalar> row)>;

  // num_chains chains per update from a buffer of `capacity` ≥ num_chains states; k steps per update;
  // reinit_probability ρ ∈ [0, 1].
  ReplayBuffer(K kernel, Index num_chains, Index capacity, int k, std::uint64_t seed, Initializer init,
               double reinit_probability = 0.05)
      : Base(std::move(kernel), k, seed), n_(num_chains), capacity_(capacity), rho_(reinit_probability),
        init_(std::move(init)), draw_(make_stream(seed, StreamPurpose::init, replay_buffer_stream_index)) {
    ensure(num_chains > 0, "ReplayBuffer: number of chains = ", num_chains, " must be positive");
    ensure(capacity >= num_chains, "ReplayBuffer: capacity = ", capacity, " must be at least the number of chains (",
           num_chains, ")");
    ensure(rho_ >= 0 && rho_ <= 1, "ReplayBuffer: reinit_probability = ", rho_, " must lie in [0, 1]");
    ensure(static_cast<bool>(init_), "ReplayBuffer: the initializer is empty");
    this->ensure_streams(num_chains);
  }

  Index capacity() const { return capacity_; }
  double reinit_probability() const { return rho_; }
  // The stored states (capacity × d; empty before the first update).
  const MatrixX<Scalar>& buffer() const { return buffer_; }
  // The slots the chains of the last update came from and went back to, and which of them started fresh.
  const std::vector<Index>& last_slots() const { return slots_; }
  const std::vector<std::uint8_t>& last_fresh() const { return fresh_; }
  // Starts from noise and from the buffer, over all updates so far.
  std::int64_t fresh_starts() const { return fresh_total_; }
  std::int64_t buffer_starts() const { return buffer_total_; }
  // The policy's own stream (slots, coin flips, fresh states): with buffer() and the start counts, all a
  // checkpoint needs besides the chains' streams (the chains restart from the buffer at every update).
  const Rng& draw_stream() const { return draw_; }
  // Continues from a checkpoint: the stored states (capacity × d, or empty before the first update), the
  // policy's stream and the start counts, so the next update is the one the uninterrupted run would make.
  void restore(MatrixX<Scalar> buffer, const Rng& draw, std::int64_t fresh_starts, std::int64_t buffer_starts) {
    ensure(buffer.rows() == 0 || buffer.rows() == capacity_, "ReplayBuffer::restore: ", buffer.rows(),
           " stored states for a capacity of ", capacity_);
    ensure(fresh_starts >= 0 && buffer_starts >= 0, "ReplayBuffer::restore: negative start counts (", fresh_starts,
           ", ", buffer_starts, ")");
    buffer_ = std::move(buffer);
    draw_ = draw;
    fresh_total_ = fresh_starts;
    buffer_total_ = buffer_starts;
  }

  // Draw the chains (noise or buffer), k steps, write them back. The batch is not used (the chains never
  // start at data); it is taken for the policy interface the trainer calls.
  void advance(const Model& model, const ConstBatchRef<Scalar>& /*batch*/) {
    const Index d = model.dim();
    if (buffer_.rows() != capacity_ || buffer_.cols() != d) fill(d);
    draw_slots();
    x0_.resize(n_, d);
    fresh_.assign(static_cast<std::size_t>(n_), 0);
    for (Index r = 0; r < n_; ++r) {
      const auto k = static_cast<std::size_t>(r);
      // Both draws are always made, so the stream's position never depends on the outcomes.
      const bool fresh = uniform01d(draw_) < rho_;
      if (fresh) {
        init_(draw_, std::span<Scalar>(x0_.row(r).data(), static_cast<std::size_t>(d)));
        ++fresh_total_;
      } else {
        x0_.row(r) = buffer_.row(slots_[k]);
        ++buffer_total_;
      }
      fresh_[k] = fresh;
    }
    this->kernel_.init(model, this->state_, x0_, std::span<Rng>(this->rng_));
    this->run(model);
    const auto& x = positions(this->state_);
    for (Index r = 0; r < n_; ++r) buffer_.row(slots_[static_cast<std::size_t>(r)]) = x.row(r);
  }

private:
  template <class State>
  static const auto& positions(const State& s) {
    if constexpr (requires { s.x; })
      return s.x;  // Langevin chains
    else
      return s.v;  // Gibbs chains: the visible layer
  }

  void fill(Index d) {
    buffer_.resize(capacity_, d);
    for (Index j = 0; j < capacity_; ++j)
      init_(draw_, std::span<Scalar>(buffer_.row(j).data(), static_cast<std::size_t>(d)));
  }

  // n_ distinct slots, uniform: the first n_ steps of a Fisher–Yates shuffle of 0..capacity−1, with Boost's
  // portable uniform_int_distribution (the same draws on every standard library).
  void draw_slots() {
    perm_.resize(static_cast<std::size_t>(capacity_));
    std::iota(perm_.begin(), perm_.end(), Index{0});
    slots_.resize(static_cast<std::size_t>(n_));
    for (Index i = 0; i < n_; ++i) {
      boost::random::uniform_int_distribution<Index> pick(i, capacity_ - 1);
      std::swap(perm_[static_cast<std::size_t>(i)], perm_[static_cast<std::size_t>(pick(draw_))]);
      slots_[static_cast<std::size_t>(i)] = perm_[static_cast<std::size_t>(i)];
    }
  }

  Index n_, capacity_;
  double rho_;
  Initializer init_;
  Rng draw_;  // the policy's own stream (the base class holds the chains' streams)
  MatrixX<Scalar> buffer_, x0_;
  std::vector<Index> perm_, slots_;
  std::vector<std::uint8_t> fresh_;
  std::int64_t fresh_total_ = 0, buffer_total_ = 0;
};

// An initializer drawing every coordinate uniformly from [lo, hi) (the usual noise of Du & Mordatch).
template <class S>
std::function<void(Rng&, std::span<S>)> uniform_box_initializer(double lo, double hi) {
  ensure(lo < hi && std::isfinite(lo) && std::isfinite(hi), "uniform_box_initializer: the box [", lo, ", ", hi,
         "] must be finite and non-empty");
  return [lo, hi](Rng& rng, std::span<S> row) {
    for (S& v : row) v = S(lo + (hi - lo) * uniform01d(rng));
  };
}

}  // namespace ebm
