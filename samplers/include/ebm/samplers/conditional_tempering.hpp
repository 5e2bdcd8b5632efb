#pragma once
// Parallel tempering for conditional models p(y | x) (grid CRFs): the replica-exchange scheme of
// parallel_tempering.hpp — even pairs (0,1), (2,3), … in even rounds, odd pairs in odd ones (non-reversible),
// swaps accepted with swap_log_ratio(β_i, β_j, E_i, E_j) — as a chain policy around SiteGibbs.
//
// Chain n (one per input x_n) has K replicas at 1 = β_0 > β_1 > … > β_{K−1} > 0 (SiteGibbs needs β > 0), all
// conditioned on x_n; replica k samples ∝ exp(−β_k E(y, x_n)) with its own kernel (set_beta(β_k) scales the
// whole energy, so no tempered copy of the model is needed). One round = one sweep of every replica, then the
// swaps of that round's parity; a swap exchanges the two label rows (the contexts are the same: same x_n).
// The β = 1 replicas are the policy's chains (state(), num_chains(), accumulate_model_term), so with K = 1 it
// is SiteGibbs (sampling) or PerExampleChains (training) bit for bit.
//
// Contexts: x_n is conditioned once, in replica 0, and copied to the other replicas (a copy is cheaper than
// condition(), which runs the unary network); swaps therefore never touch contexts.
//
// Swap energies E = model.energy(ctx, y) (O(sites)) of every replica are computed each round, per chain,
// in parallel over fixed blocks of chains; the decisions of chain n draw one uniform per proposed pair from
// chain n's own swap stream, needed or not, so the result is bit-identical for any number of threads.
//
// Two uses, one per object:
//   sampling  start(model, x, y0) with N = num_examples rows, then advance(model): slot (k, n) draws from
//             chain stream k·N + n, chain n's swaps from chain stream swap_stream_offset + n; the round
//             counter's parity picks the pairs.
//   training  advance(model, batch) (what Trainer calls): like PerExampleChains, one stored label row per
//             training example per temperature (K rows an example), resumed whenever the example is in the
//             minibatch, starting the first time at its own labels in every replica. Visit v of example e
//             draws replica k from make_stream(seed, chain, e·K + k, v) and its swaps from
//             make_stream(seed, chain, swap_stream_offset + e, v); example e has done v·steps rounds before
//             visit v, which fixes the parity, so paths depend only on the seed and the minibatch order.
// Round trips (β_0 → β_{K−1} → β_0) are tracked per chain (per example in training), as in ParallelTempering.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "ebm/core/conditional_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "ebm/samplers/swap_ledger.hpp"
#include "ebm/samplers/temperature_ladder.hpp"

namespace ebm {

template <TransitionKernel KernelT>
class ConditionalTempering {
public:
  using Model = typename KernelT::Model;
  using Scalar = typename KernelT::Scalar;
  using State = typename KernelT::State;

  // num_examples: the chains to sample (rows of start's x) or the training examples (indices in a
  // ConditionalBatch); betas validated as in temperature_ladder.hpp, and β_{K−1} > 0; k rounds per advance.
  ConditionalTempering(KernelT kernel, Index num_examples, std::vector<double> betas, int k, std::uint64_t seed)
      : betas_(std::move(betas)), n_(num_examples), steps_(k), seed_(seed) {
    ensure(num_examples > 0, "ConditionalTempering: number of examples (chains) = ", num_examples, " must be positive");
    ensure(k > 0, "ConditionalTempering: k = ", k, " rounds per update must be at least 1");
    validate_ladder(betas_);
    ensure(betas_.back() > 0, "ConditionalTempering: β_", betas_.size() - 1, " = ", betas_.back(),
           " must be positive (site Gibbs samples ∝ exp(−β E) with β > 0)");
    const Index K = num_temperatures();
    kernels_.assign(std::size_t(K), kernel);
    for (Index j = 0; j < K; ++j) kernels_[std::size_t(j)].set_beta(betas_[std::size_t(j)]);
    states_.resize(std::size_t(K));
    ledger_.reset(K, n_);
  }

  // ---- chain-policy interface ---------------------------------------------------------------------------
  Index num_examples() const { return n_; }
  Index num_chains() const { return states_[0].size(); }
  int steps() const { return steps_; }
  const State& state() const { return states_[0]; }
  const State& replica(Index k) const { return states_[std::size_t(k)]; }
  KernelT& kernel(Index k = 0) { return kernels_[std::size_t(k)]; }
  const std::vector<double>& betas() const { return betas_; }
  Index num_temperatures() const { return Index(betas_.size()); }

  // grad += weight · Σ_chains ∂E/∂θ over the β = 1 replicas.
  void accumulate_model_term(const Model& model, Scalar weight, VecRef<Scalar> grad) const {
    kernels_[0].accumulate_stats(model, states_[0], weight, grad);
  }

  // Sampling: chain n conditions on x.row(n); all its replicas start at y0.row(n).
  void start(const Model& model, const ConstBatchRef<Scalar>& x, const ConstLabelRef& y0) {
    ensure(y0.rows() == x.rows(), "ConditionalTempering::start: ", y0.rows(), " start labels for ", x.rows(), " inputs");
    prepare_sampling(x);
    init_replicas(model, x, [&](Index, Index r) { return label_row(y0, r); });
  }
  // Sampling: replica k of chain n starts at y0[k].row(n) (e.g. draws from its own tempered law).
  void start_replicas(const Model& model, const ConstBatchRef<Scalar>& x, const std::vector<LabelMatrix>& y0) {
    ensure(Index(y0.size()) == num_temperatures(), "ConditionalTempering::start_replicas: ", y0.size(),
           " start labellings for ", num_temperatures(), " temperatures");
    for (const auto& y : y0)
      ensure(y.rows() == x.rows(), "ConditionalTempering::start_replicas: ", y.rows(), " start labels for ", x.rows(),
             " inputs");
    prepare_sampling(x);
    init_replicas(model, x, [&](Index k, Index r) { return label_row(ConstLabelRef(y0[std::size_t(k)]), r); });
  }

  // Sampling: k rounds of the started chains.
  void advance(const Model& model) {
    ensure(sampling_, "ConditionalTempering::advance: the chains were not started (call start first)");
    for (int t = 0; t < steps_; ++t) {
      sweep(model);
      swap(model, [&](Index) { return rounds_; });
      ++rounds_;
    }
  }

  // Training: resume the chains of the minibatch's examples for k rounds, then store them again.
  void advance(const Model& model, const ConditionalBatch<Scalar>& batch) {
    ensure(!sampling_, "ConditionalTempering::advance: this object already serves sampling (start)");
    training_ = true;
    const Index m = batch.rows(), K = num_temperatures();
    ensure(Index(batch.examples.size()) == m, "ConditionalTempering: the minibatch names ", batch.examples.size(),
           " examples for ", m, " rows");
    if (stored_.size() != std::size_t(K)) {
      stored_.assign(std::size_t(K), LabelMatrix(n_, model.num_sites()));
      visits_.assign(std::size_t(n_), 0);
    }
    ensure(batch.y.cols() == stored_[0].cols(), "ConditionalTempering: labels have ", batch.y.cols(),
           " sites, chains have ", stored_[0].cols());
    rng_.clear();
    swap_rng_.clear();
    chain_id_.resize(std::size_t(m));
    for (Index k = 0; k < K; ++k)
      for (Index r = 0; r < m; ++r) {
        const Index e = batch.examples[std::size_t(r)];
        ensure(e >= 0 && e < n_, "ConditionalTempering: example index ", e, " is outside the ", n_,
               " training examples");
        const auto v = visits_[std::size_t(e)];
        rng_.push_back(make_stream(seed_, StreamPurpose::chain, std::uint64_t(e * K + k), v));
        if (k == 0) {
          swap_rng_.push_back(make_stream(seed_, StreamPurpose::chain, swap_stream_offset + std::uint64_t(e), v));
          chain_id_[std::size_t(r)] = e;
        }
      }
    init_replicas(model, batch.x, [&](Index k, Index r) -> std::span<const Label> {
      const Index e = batch.examples[std::size_t(r)];
      if (visits_[std::size_t(e)] == 0) return label_row(ConstLabelRef(batch.y), r);
      return label_row(ConstLabelRef(stored_[std::size_t(k)]), e);
    });
    for (int t = 0; t < steps_; ++t) {
      sweep(model);
      swap(model, [&](Index r) {
        return std::int64_t(visits_[std::size_t(batch.examples[std::size_t(r)])]) * steps_ + t;
      });
    }
    for (Index r = 0; r < m; ++r) {
      const Index e = batch.examples[std::size_t(r)];
      for (Index k = 0; k < K; ++k) stored_[std::size_t(k)].row(e) = states_[std::size_t(k)].y.row(r);
      ++visits_[std::size_t(e)];
    }
  }

  // ---- the two halves of a round ------------------------------------------------------------------------
  // One sweep of every replica.
  void sweep(const Model& model) {
    for (Index k = 0; k < num_temperatures(); ++k)
      kernels_[std::size_t(k)].step(model, states_[std::size_t(k)], streams_of(k));
  }

  // ---- streams, statistics --------------------------------------------------------------------------------
  // The current chain streams (slot (k, r) at k·rows + r) and swap streams (one per row).
  std::vector<Rng>& streams() { return rng_; }
  std::vector<Rng>& swap_streams() { return swap_rng_; }
  // Sampling rounds done; its parity picks the next round's pairs.
  std::int64_t rounds() const { return rounds_; }
  // Training: stored labels of temperature k (rows of never-visited examples undefined) and visit counts.
  const LabelMatrix& stored(Index k = 0) const { return stored_[std::size_t(k)]; }
  const std::vector<std::uint32_t>& visits() const { return visits_; }

  SwapStats swap_stats() const { return ledger_.stats(); }
  std::vector<double> swap_rates() const { return swap_stats().rates(); }
  void reset_swap_stats() { ledger_.reset_stats(); }

private:
  void prepare_sampling(const ConstBatchRef<Scalar>& x) {
    ensure(!training_, "ConditionalTempering::start: this object already serves training (advance with batches)");
    ensure(x.rows() == n_, "ConditionalTempering::start: got ", x.rows(), " inputs for ", n_, " chains");
    sampling_ = true;
    const Index K = num_temperatures();
    if (Index(rng_.size()) != K * n_) rng_ = make_chain_streams(seed_, K * n_);
    if (Index(swap_rng_.size()) != n_) {
      swap_rng_.clear();
      for (Index n = 0; n < n_; ++n)
        swap_rng_.push_back(make_stream(seed_, StreamPurpose::chain, swap_stream_offset + std::uint64_t(n)));
    }
    chain_id_.resize(std::size_t(n_));
    for (Index n = 0; n < n_; ++n) chain_id_[std::size_t(n)] = n;
  }

  std::span<Rng> streams_of(Index k) {
    return std::span<Rng>(rng_.data() + k * rows_, std::size_t(rows_));
  }

  // Replica 0 conditions on x; the others get its contexts; replica k of row r starts at start_of(k, r).
  template <class StartOf>
  void init_replicas(const Model& model, const ConstBatchRef<Scalar>& x, StartOf start_of) {
    const Index m = x.rows(), K = num_temperatures();
    ensure(m > 0, "ConditionalTempering: no chains to start (empty input)");
    rows_ = m;
    start_.resize(m, model.num_sites());
    for (Index k = 0; k < K; ++k) {
      for (Index r = 0; r < m; ++r) {
        const auto row = start_of(k, r);
        ensure(Index(row.size()) == start_.cols(), "ConditionalTempering: start labels have ", row.size(),
               " sites, the model has ", start_.cols());
        std::copy(row.begin(), row.end(), label_row(start_, r).begin());
      }
      State& s = states_[std::size_t(k)];
      if (k == 0) {
        kernels_[0].init(model, s, x, start_, streams_of(0));
      } else {
        check_labels(start_, model.num_sites(), model.num_labels(), "ConditionalTempering: start labels");
        kernels_[std::size_t(k)].prepare(model, s, m);
        s.y = start_;
        for (Index r = 0; r < m; ++r) s.context[std::size_t(r)] = states_[0].context[std::size_t(r)];
      }
    }
    energy_.resize(std::size_t(K * m));
    // Swap energies: blocks of ~16k site terms (a function of the shapes only, never of the thread count).
    plan_ = BlockPlan(m, std::max<Index>(1, (Index(1) << 14) / (K * model.num_sites())));
  }

  // The swaps of one round for every row; rounds_of(r) = rounds row r's chain has done (its parity picks the pairs).
  template <class RoundsOf>
  void swap(const Model& model, RoundsOf rounds_of) {
    const Index K = num_temperatures(), m = states_[0].size();
    if (K == 1) return;
    // Energies of every replica, in blocks of rows (a row is O(K·sites) work).
    for_each_block(plan_, [&](Index, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r)
        for (Index k = 0; k < K; ++k) {
          const State& s = states_[std::size_t(k)];
          energy_[std::size_t(k * m + r)] = model.energy(s.context[std::size_t(r)], label_row(ConstLabelRef(s.y), r));
        }
    });
    for (Index r = 0; r < m; ++r) {
      const Index parity = Index(rounds_of(r) % 2);
      Rng& rng = swap_rng_[std::size_t(r)];
      for (Index k = parity; k + 1 < K; k += 2) {
        const double log_r = swap_log_ratio(betas_[std::size_t(k)], betas_[std::size_t(k + 1)],
                                            energy_[std::size_t(k * m + r)], energy_[std::size_t((k + 1) * m + r)]);
        if (ledger_.decide(k, log_r, uniform01d(rng))) exchange(k, r, m);
      }
      ledger_.track_round_trips(chain_id_[std::size_t(r)]);
    }
  }

  void exchange(Index k, Index r, Index m) {
    states_[std::size_t(k)].y.row(r).swap(states_[std::size_t(k + 1)].y.row(r));
    std::swap(energy_[std::size_t(k * m + r)], energy_[std::size_t((k + 1) * m + r)]);
    const Index c = chain_id_[std::size_t(r)];
    ledger_.exchanged(k, c);
  }

  std::vector<double> betas_;
  Index n_, rows_ = 0;  // chains (or training examples); rows of the current states
  int steps_;
  std::uint64_t seed_;
  bool sampling_ = false, training_ = false;
  std::vector<KernelT> kernels_;
  std::vector<State> states_;
  std::vector<Rng> rng_, swap_rng_;
  std::vector<Index> chain_id_;       // row → chain (sampling) or training example
  std::vector<double> energy_;        // E of replica k, row r at k·rows + r
  SwapLedger ledger_;
  std::vector<LabelMatrix> stored_;   // training: per temperature, one row per example
  std::vector<std::uint32_t> visits_;
  LabelMatrix start_;
  BlockPlan plan_;
  std::int64_t rounds_ = 0;
};

}  // namespace ebm
