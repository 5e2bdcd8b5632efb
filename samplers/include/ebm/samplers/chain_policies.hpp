#pragma once
// Where chains start and how long they live, as policies around any transition kernel:
//   ContrastiveDivergence  CD-k: the chains restart at the minibatch for every update and take k steps.
//   PersistentChains       PCD-k: a fixed set of chains lives across updates (Tieleman 2008), k steps each.
// The kernel contract (State, prepare/init/step/accumulate_stats) is written down in kernel_concept.hpp
// (TransitionKernel, MarkovKernel); the policies meet ChainPolicy (chain_policy_concept.hpp). Chain r always
// draws from stream r, derived from (seed, r), so a policy's output depends on the seed, never on threads.
#include <cstdint>
#include <span>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/kernel_concept.hpp"

namespace ebm {

// What both policies share: a kernel, its chain state, one stream per chain and the number of steps.
template <TransitionKernel K>
class ChainPool {
public:
  using Model = typename K::Model;
  using Scalar = typename K::Scalar;
  using State = typename K::State;

  ChainPool(K kernel, int steps, std::uint64_t seed) : kernel_(std::move(kernel)), steps_(steps), seed_(seed) {
    ensure(steps > 0, "chain policy: k = ", steps, " steps per update must be at least 1");
  }

  const State& state() const { return state_; }
  State& state() { return state_; }
  std::vector<Rng>& streams() { return rng_; }
  const std::vector<Rng>& streams() const { return rng_; }
  int steps() const { return steps_; }
  K& kernel() { return kernel_; }

  // grad += weight · Σ_chains ∂E/∂θ at the current chain states.
  void accumulate_model_term(const Model& model, Scalar weight, VecRef<Scalar> grad) const {
    kernel_.accumulate_stats(model, state_, weight, grad);
  }
  Index num_chains() const { return state_.size(); }

protected:
  void ensure_streams(Index n) {
    if (static_cast<Index>(rng_.size()) < n) {
      auto more = make_chain_streams(seed_, n - static_cast<Index>(rng_.size()), rng_.size());
      rng_.insert(rng_.end(), more.begin(), more.end());
    }
  }
  void run(const Model& model) {
    for (int t = 0; t < steps_; ++t) kernel_.step(model, state_, std::span<Rng>(rng_));
  }

  K kernel_;
  State state_;
  std::vector<Rng> rng_;
  int steps_;
  std::uint64_t seed_;
};

template <TransitionKernel K>
class ContrastiveDivergence : public ChainPool<K> {
  using Base = ChainPool<K>;

public:
  ContrastiveDivergence(K kernel, int k, std::uint64_t seed) : Base(std::move(kernel), k, seed) {}

  // One chain per minibatch row, started at that row, k steps. (For a conditional model the batch holds
  // inputs and labels, and each chain restarts at its example's labels.)
  template <class Batch>
    requires KernelStartingFrom<K, Batch>
  void advance(const typename Base::Model& model, const Batch& batch) {
    this->ensure_streams(batch.rows());
    this->kernel_.init(model, this->state_, batch, std::span<Rng>(this->rng_));
    this->run(model);
  }
};

template <MarkovKernel K>
class PersistentChains : public ChainPool<K> {
  using Base = ChainPool<K>;

public:
  PersistentChains(K kernel, Index num_chains, int k, std::uint64_t seed)
      : Base(std::move(kernel), k, seed), n_(num_chains) {
    ensure(num_chains > 0, "PersistentChains: number of chains = ", num_chains, " must be positive");
    this->ensure_streams(num_chains);
  }

  bool started() const { return this->state_.size() == n_; }
  Index requested_chains() const { return n_; }

  // Start the chains at given states, one row per chain (e.g. training examples, or random states).
  void start(const typename Base::Model& model, const ConstBatchRef<typename Base::Scalar>& x0) {
    ensure(x0.rows() == n_, "PersistentChains::start: got ", x0.rows(), " start states for ", n_, " chains");
    this->kernel_.init(model, this->state_, x0, std::span<Rng>(this->rng_));
  }

  // k more steps of the living chains. The first call starts them at the minibatch's rows (cycled when
  // there are more chains than rows) unless start() was called.
  void advance(const typename Base::Model& model, const ConstBatchRef<typename Base::Scalar>& batch) {
    if (!started()) {
      ensure(batch.rows() > 0, "PersistentChains: cannot start chains from an empty batch");
      MatrixX<typename Base::Scalar> x0(n_, batch.cols());
      for (Index r = 0; r < n_; ++r) x0.row(r) = batch.row(r % batch.rows());
      start(model, x0);
    }
    this->run(model);
  }

private:
  Index n_;
};

}  // namespace ebm
