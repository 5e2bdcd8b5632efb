#pragma once
// Parallel tempering (replica exchange; Swendsen & Wang 1986, Geyer 1991) as a chain policy around any kernel
// whose chains can be exchanged and whose model can be tempered (TemperingOf, tempering_concept.hpp): block Gibbs
// on an RBM (JointTempering, the default for TemperableModels), Gibbs-with-Gradients, DULA/DMALA or random-scan
// Gibbs on a binary energy and MALA on a continuous one (EnergyTempering, the default for kernels over
// TemperedBinaryEnergy), single-site Gibbs or categorical GWG on a categorical model (CategoricalTempering, the
// default for kernels over TemperedCategoricalModel; the chains start from label rows), for sampling and for
// training (PT-PCD, Desjardins et al. 2010).
//
// N independent ladders, each with K replicas at inverse temperatures 1 = β_0 > β_1 > … > β_{K−1} ≥ 0; replica
// k samples p_{β_k} ∝ exp(−E_{β_k}), E_β = β U + B (tempering_concept.hpp). One round = one kernel step of every
// replica, then swap proposals between neighbours, the even pairs (0,1), (2,3), … in even rounds and the odd
// pairs (1,2), … in odd ones: the deterministic even–odd scheme, which is non-reversible and makes states travel
// the ladder ballistically instead of diffusively (Okabe et al. 2001; Syed et al. 2022, "Non-reversible parallel
// tempering"). A swap of the states of replicas i, j is accepted with probability
//   min(1, exp((β_i − β_j)(U_i − U_j))),
// which keeps the product of the K tempered distributions invariant; a NaN energy rejects. advance() = k rounds.
//
// The β = 1 replicas are the policy's chains: state(), num_chains() = N and accumulate_model_term see only them,
// so the Trainer runs PT-PCD unchanged, and with K = 1 the policy is PersistentChains bit for bit.
//
// Layout and determinism: replica k of every ladder lives in one kernel state of N rows (states_[k]) run by its
// own kernel on its own tempered replica of the model, so each sweep is parallel over fixed blocks of chains.
// The chain in slot (k, n) draws from stream k·N + n (streams(), from (seed, k·N + n)) and ladder n's swap
// decisions from its own stream (swap_streams()), one uniform per proposed pair, whether or not it is needed,
// so states are bit-identical for any number of threads. A swap exchanges the two chains with everything their
// states cache (exchange_chain), and their swap energies; the streams stay with the slots.
//
// Swap cost: a tempering whose kernel leaves the swap energies in its sweep (BlockGibbs::step_tempered on an
// RBM: E(v, h) from the pre-activation the sweep computes anyway) makes a swap round O(N·K) decisions; bench_pt
// measured the swaps at 60 % of the sweeps before that. Otherwise the energies are evaluated at swap time for
// the replicas taking part (one forward pass each). K = 1 runs the plain step (no swaps, so nothing to cache).
//
// Replicas: when the tempering's replica type is the model type (RBMs), the β = 1 replica is the model itself
// and K−1 copies are re-tempered once per advance (the model only changes between advances); otherwise every
// temperature has a replica (views of the model for energies). Made on first use; a round allocates nothing.
#include <cmath>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/categorical_tempering.hpp"
#include "ebm/samplers/energy_tempering.hpp"
#include "ebm/samplers/joint_tempering.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "ebm/samplers/swap_ledger.hpp"
#include "ebm/samplers/temperature_ladder.hpp"
#include "ebm/samplers/tempering_concept.hpp"

namespace ebm {

namespace detail {
// The tempering a kernel gets when none is named: its model's joint energy for TemperableModels (RBMs), the
// energy tempering for kernels over TemperedBinaryEnergy (pass EnergyTempering<M>(base_logits) for a base).
template <class K>
struct DefaultTempering {};
template <class K>
  requires TemperableModel<typename K::Model>
struct DefaultTempering<K> {
  using type = JointTempering<K>;
};
template <class K>
  requires requires { typename K::Model::Energy; } &&
           std::same_as<typename K::Model, TemperedBinaryEnergy<typename K::Model::Energy>>
struct DefaultTempering<K> {
  using type = EnergyTempering<typename K::Model::Energy>;
};
template <class K>
  requires requires { typename K::Model::Base; } &&
           std::same_as<typename K::Model, TemperedCategoricalModel<typename K::Model::Base>>
struct DefaultTempering<K> {
  using type = CategoricalTempering<typename K::Model::Base>;
};
}  // namespace detail

template <TransitionKernel KernelT, class TemperingT = typename detail::DefaultTempering<KernelT>::type>
  requires TemperingOf<TemperingT, KernelT>
class ParallelTempering {
public:
  using Tempering = TemperingT;
  using Model = typename TemperingT::Model;
  using Replica = typename TemperingT::Replica;
  using Scalar = typename KernelT::Scalar;
  using State = typename KernelT::State;
  // Whether the sweeps leave the swap energies (then a swap round evaluates no model).
  static constexpr bool cached_energy = TemperingT::energy_from_sweep;

  // num_ladders independent ladders (the chains of the policy), inverse temperatures `betas` (validated: see
  // temperature_ladder.hpp), k rounds per advance; `tempering` says how the model is tempered.
  ParallelTempering(KernelT kernel, Index num_ladders, std::vector<double> betas, int k, std::uint64_t seed,
                    TemperingT tempering = {})
      : betas_(std::move(betas)), n_(num_ladders), steps_(k), tempering_(std::move(tempering)) {
    ensure(num_ladders > 0, "ParallelTempering: number of ladders (chains) = ", num_ladders, " must be positive");
    ensure(k > 0, "ParallelTempering: k = ", k, " rounds per update must be at least 1");
    validate_ladder(betas_);
    const Index K = num_temperatures();
    kernels_.assign(std::size_t(K), kernel);
    states_.resize(std::size_t(K));
    rng_ = make_chain_streams(seed, K * n_);
    swap_rng_.reserve(std::size_t(n_));
    for (Index n = 0; n < n_; ++n)
      swap_rng_.push_back(make_stream(seed, StreamPurpose::chain, swap_stream_offset + std::uint64_t(n)));
    u_.assign(std::size_t(K), Eigen::VectorXd(Eigen::VectorXd::Zero(n_)));
    fresh_.assign(std::size_t(K), 0);
    ledger_.reset(K, n_);
  }

  // ---- chain-policy interface (what the Trainer uses) ------------------------------------------------
  Index num_chains() const { return n_; }
  // The β = 1 chains.
  const State& state() const { return states_[0]; }
  State& state() { return states_[0]; }
  // All K·N chain streams, slot (k, n) at k·N + n.
  std::vector<Rng>& streams() { return rng_; }
  const std::vector<Rng>& streams() const { return rng_; }
  int steps() const { return steps_; }
  KernelT& kernel(Index k = 0) { return kernels_[std::size_t(k)]; }
  const KernelT& kernel(Index k = 0) const { return kernels_[std::size_t(k)]; }
  TemperingT& tempering() { return tempering_; }

  // grad += weight · Σ_chains ∂E/∂θ over the β = 1 replicas.
  void accumulate_model_term(const Model& model, Scalar weight, VecRef<Scalar> grad) const {
    tempering_.accumulate_model_term(kernels_[0], model, states_[0], weight, grad);
  }

  bool started() const { return states_[0].size() == n_; }

  // Every replica of ladder n starts at row n of x0 (N rows): rows of x, or label rows for categorical kernels.
  void start(const Model& model, const ConstBatchRef<Scalar>& x0)
    requires MarkovKernel<KernelT>
  {
    start_from(model, x0);
  }
  void start(const Model& model, const ConstLabelRef& x0)
    requires KernelStartingFrom<KernelT, ConstLabelRef>
  {
    start_from(model, x0);
  }

  // Training: k rounds; the first call starts the ladders at the minibatch's rows (cycled), like PCD.
  void advance(const Model& model, const ConstBatchRef<Scalar>& batch)
    requires MarkovKernel<KernelT>
  {
    if (!started()) {
      ensure(batch.rows() > 0, "ParallelTempering: cannot start chains from an empty batch");
      MatrixX<Scalar> x0(n_, batch.cols());
      for (Index r = 0; r < n_; ++r) x0.row(r) = batch.row(r % batch.rows());
      start(model, x0);
    }
    advance(model);
  }

  // Sampling: k rounds of the started ladders.
  void advance(const Model& model) {
    ensure(started(), "ParallelTempering::advance: the ladders were not started (call start first)");
    refresh(model);
    top_changed_ = false;
    for (int t = 0; t < steps_; ++t) {
      sweep(model);
      swap(model);
    }
    if (top_changed_) tempering_.top_exchanged(model, states_[0]);
  }

  // ---- the two halves of a round (advance() is k × sweep + swap) ---------------------------------------
  // One kernel step of every replica, each on its tempered replica as of the last start/advance/restore.
  void sweep(const Model& model) {
    const Index K = num_temperatures();
    for (Index k = 0; k < K; ++k) {
      State& s = states_[std::size_t(k)];
      if (K == 1) {  // K = 1 never swaps: the plain step keeps it PersistentChains bit for bit
        kernels_[0].step(at(0, model), s, streams_of(0));
        continue;
      }
      fresh_[std::size_t(k)] = tempering_.step(kernels_[std::size_t(k)], model, at(k, model), betas_[std::size_t(k)],
                                               s, streams_of(k), u_[std::size_t(k)]);
    }
  }

  // One round of swap proposals (even or odd pairs by the parity of rounds()), then ++rounds().
  void swap(const Model& model) {
    const Index K = num_temperatures();
    const Index parity = Index(rounds_ % 2);
    ++rounds_;
    if (K - 2 < parity) return;  // no pair of this parity (K = 1, or K = 2 in an odd round)
    // Pairs (k, k + 1) for k = parity, parity + 2, … ≤ K − 2: replicas first … last take part.
    const Index first = parity, last = (K - 2) - ((K - 2 - parity) % 2) + 1;
    for (Index k = first; k <= last; ++k)
      if (!fresh_[std::size_t(k)]) tempering_.swap_energies(model, states_[std::size_t(k)], u_[std::size_t(k)]);
    // Decisions: serial, ladder by ladder, pair by pair, from the energies of the last sweep.
    for (Index n = 0; n < n_; ++n) {
      Rng& rng = swap_rng_[std::size_t(n)];
      for (Index k = first; k < last; k += 2) {
        const double log_r = swap_log_ratio(betas_[std::size_t(k)], betas_[std::size_t(k + 1)],
                                            u_[std::size_t(k)][n], u_[std::size_t(k + 1)][n]);
        if (ledger_.decide(k, log_r, uniform01d(rng))) exchange(k, n);
      }
      ledger_.track_round_trips(n);
    }
  }

  // ---- ladder, replicas, statistics ------------------------------------------------------------------
  const std::vector<double>& betas() const { return betas_; }
  Index num_temperatures() const { return Index(betas_.size()); }
  // The chains at temperature k.
  const State& replica(Index k) const { return states_[std::size_t(k)]; }
  // The model replica k steps (k ≥ 1, or any k when the replica type is not the model type), as of the last
  // start/advance/restore.
  const Replica& replica_model(Index k) const { return replicas_[std::size_t(k)]; }
  // Swap energies U of replica k's chains as of the last swap round (or start/restore).
  const Eigen::VectorXd& swap_energies(Index k) const { return u_[std::size_t(k)]; }
  std::vector<Rng>& swap_streams() { return swap_rng_; }
  const std::vector<Rng>& swap_streams() const { return swap_rng_; }
  // Rounds done; its parity picks the next round's pairs, so a checkpoint must keep it.
  std::int64_t rounds() const { return rounds_; }
  void set_rounds(std::int64_t r) {
    ensure(r >= 0, "ParallelTempering::set_rounds: ", r, " rounds must be non-negative");
    rounds_ = r;
  }

  SwapStats swap_stats() const { return ledger_.stats(); }
  std::vector<double> swap_rates() const { return swap_stats().rates(); }
  void reset_swap_stats() { ledger_.reset_stats(); }

  // ---- checkpoints (io/tempering_checkpoint.hpp writes and reads them for any kernel) ------------------
  // Replica k's chains are replica(k); the streams, swap streams and rounds have their accessors above.
  // The states' round-trip marks, slot (k, n) at k·N + n (swap_ledger.hpp).
  const std::vector<signed char>& swap_directions() const { return ledger_.directions(); }
  // Swap statistics and marks of a checkpoint; `where` names the file in errors.
  void restore_swap_ledger(const SwapStats& stats, std::vector<signed char> directions, const std::string& where) {
    ledger_.restore(stats, std::move(directions), where);
  }
  // Every replica's chains from a checkpoint: the replicas are made and tempered for the model's θ, replica k's
  // kernel prepares its state for N chains (sized, caches empty), then fill(k, state) writes the stored chains
  // into it; the swap energies are evaluated at the restored states, so swap() and advance() continue as if
  // the ladders had never stopped.
  template <class Fill>
  void restore_states(const Model& model, Fill&& fill) {
    refresh(model);
    for (Index k = 0; k < num_temperatures(); ++k) {
      State& s = states_[std::size_t(k)];
      kernels_[std::size_t(k)].prepare(at(k, model), s, n_);
      fill(k, s);
      ensure(s.size() == n_, "ParallelTempering::restore_states: replica ", k, " holds ", s.size(), " chains, not ",
             n_);
    }
    prepare_top(model);
  }

private:
  static constexpr bool model_is_top = std::same_as<Replica, Model>;

  template <class Start>
  void start_from(const Model& model, const Start& x0) {
    ensure(x0.rows() == n_, "ParallelTempering::start: got ", x0.rows(), " start states for ", n_, " ladders");
    refresh(model);
    for (Index k = 0; k < num_temperatures(); ++k)
      kernels_[std::size_t(k)].init(at(k, model), states_[std::size_t(k)], x0, streams_of(k));
    prepare_top(model);
  }

  const Replica& at(Index k, const Model& model) const {
    if constexpr (model_is_top)
      if (k == 0) return model;
    return replicas_[std::size_t(k)];
  }
  std::span<Rng> streams_of(Index k) { return std::span<Rng>(rng_.data() + k * n_, std::size_t(n_)); }

  // Replicas at their temperatures for the model's current θ (made on first use), then the tempering's sync.
  void refresh(const Model& model) {
    const Index K = num_temperatures();
    if (replicas_.empty()) {
      replicas_.reserve(std::size_t(K));
      for (Index k = 0; k < K; ++k) replicas_.push_back(tempering_.make_replica(model));
    }
    for (Index k = model_is_top ? 1 : 0; k < K; ++k)
      tempering_.temper(model, betas_[std::size_t(k)], replicas_[std::size_t(k)]);
    tempering_.sync(model, std::span<State>(states_));
  }

  // The tempering's scratch in the kernel's own block size, and the swap energies of freshly started or
  // restored states, so swap() is valid before any sweep.
  void prepare_top(const Model& model) {
    Index rows = default_block_rows;
    if constexpr (requires(const KernelT& kk) { kk.block_rows(); }) rows = kernels_[0].block_rows();
    tempering_.prepare(model, n_, rows);
    for (Index k = 0; k < num_temperatures(); ++k) {
      tempering_.swap_energies(model, states_[std::size_t(k)], u_[std::size_t(k)]);
      fresh_[std::size_t(k)] = 1;
    }
  }

  // Exchange the chains of ladder n's replicas k and k + 1 (the streams stay with the slots).
  void exchange(Index k, Index n) {
    exchange_chain(states_[std::size_t(k)], states_[std::size_t(k + 1)], n);
    std::swap(u_[std::size_t(k)][n], u_[std::size_t(k + 1)][n]);
    ledger_.exchanged(k, n);
    if (k == 0) top_changed_ = true;
  }

  std::vector<double> betas_;
  Index n_;
  int steps_;
  TemperingT tempering_;
  std::vector<KernelT> kernels_;
  std::vector<State> states_;
  std::vector<Replica> replicas_;          // per temperature (slot 0 unused when the model is the top replica)
  std::vector<Rng> rng_, swap_rng_;
  std::vector<Eigen::VectorXd> u_;         // swap energies U per replica and ladder
  std::vector<unsigned char> fresh_;       // whether u_[k] belongs to replica k's current states
  SwapLedger ledger_;
  std::int64_t rounds_ = 0;
  bool top_changed_ = false;
};

}  // namespace ebm
