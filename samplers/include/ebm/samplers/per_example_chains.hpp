#pragma once
// Persistent chains for a conditional model: the model term E_{y~p(·|x_i)}[∂E/∂θ] is a different expectation
// for every training example x_i, so PCD keeps one chain per training example (the labels only, one byte a
// site) and resumes it whenever example i is in the minibatch: k more sweeps under the current θ, then it is
// stored again. A chain starts at its example's own labels the first time it is visited.
//
// Chain randomness: the v-th visit of example i draws from the stream (seed, i, v), so the chains' paths
// depend only on the seed and the order of minibatches, never on threads or on which other examples share
// the minibatch.
#include <cstdint>
#include <span>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/random.hpp"
#include "ebm/samplers/kernel_concept.hpp"

namespace ebm {

template <TransitionKernel K>
class PerExampleChains {
public:
  using Model = typename K::Model;
  using Scalar = typename K::Scalar;
  using State = typename K::State;

  PerExampleChains(K kernel, Index num_examples, int k, std::uint64_t seed)
      : kernel_(std::move(kernel)), n_(num_examples), steps_(k), seed_(seed) {
    ensure(num_examples > 0, "PerExampleChains: number of training examples = ", num_examples, " must be positive");
    ensure(k > 0, "PerExampleChains: k = ", k, " sweeps per update must be at least 1");
    visits_.assign(std::size_t(num_examples), 0);
  }

  Index num_examples() const { return n_; }
  Index num_chains() const { return state_.size(); }
  int steps() const { return steps_; }
  const State& state() const { return state_; }
  K& kernel() { return kernel_; }
  // The stored chain of every example (rows of examples never visited are undefined) and its visit count.
  const LabelMatrix& stored() const { return stored_; }
  const std::vector<std::uint32_t>& visits() const { return visits_; }

  void advance(const Model& model, const ConditionalBatch<Scalar>& batch) {
    const Index m = batch.rows();
    ensure(Index(batch.examples.size()) == m, "PerExampleChains: the minibatch names ", batch.examples.size(),
           " examples for ", m, " rows");
    if (stored_.rows() != n_) stored_.resize(n_, model.num_sites());
    ensure(batch.y.cols() == stored_.cols(), "PerExampleChains: labels have ", batch.y.cols(), " sites, chains have ",
           stored_.cols());
    start_.resize(m, stored_.cols());
    rng_.clear();
    for (Index r = 0; r < m; ++r) {
      const Index e = batch.examples[std::size_t(r)];
      ensure(e >= 0 && e < n_, "PerExampleChains: example index ", e, " is outside the ", n_, " training examples");
      auto& v = visits_[std::size_t(e)];
      if (v == 0)
        start_.row(r) = batch.y.row(r);
      else
        start_.row(r) = stored_.row(e);
      rng_.push_back(make_stream(seed_, StreamPurpose::chain, std::uint64_t(e), v));
      ++v;
    }
    kernel_.init(model, state_, batch.x, start_, std::span<Rng>(rng_));
    for (int t = 0; t < steps_; ++t) kernel_.step(model, state_, std::span<Rng>(rng_));
    for (Index r = 0; r < m; ++r) stored_.row(batch.examples[std::size_t(r)]) = state_.y.row(r);
  }

  void accumulate_model_term(const Model& model, Scalar weight, VecRef<Scalar> grad) const {
    kernel_.accumulate_stats(model, state_, weight, grad);
  }

private:
  K kernel_;
  State state_;
  Index n_;
  int steps_;
  std::uint64_t seed_;
  LabelMatrix stored_, start_;
  std::vector<std::uint32_t> visits_;
  std::vector<Rng> rng_;
};

}  // namespace ebm
