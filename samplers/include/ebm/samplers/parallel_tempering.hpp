#pragma once
// Parallel tempering (replica exchange; Swendsen & Wang 1986, Geyer 1991) as a chain policy around any Gibbs
// kernel of a TemperableModel, for sampling and for training (PT-PCD, Desjardins et al. 2010).
//
// N independent ladders, each with K replicas at inverse temperatures 1 = β_0 > β_1 > … > β_{K−1} ≥ 0; replica
// k samples p_{β_k}(v, h) ∝ exp(−β_k E(v, h)). One round = one kernel sweep of every replica, then swap
// proposals between neighbours, the even pairs (0,1), (2,3), … in even rounds and the odd pairs (1,2), … in
// odd ones: the deterministic even–odd scheme, which is non-reversible and makes states travel the ladder
// ballistically instead of diffusively (Okabe et al. 2001; Syed et al. 2022, "Non-reversible parallel
// tempering"). A swap of the joint states (v, h) of replicas i, j is accepted with probability
//   min(1, exp((β_i − β_j)(E(v_i, h_i) − E(v_j, h_j)))),
// which keeps the product of the K tempered distributions invariant; a NaN energy rejects. advance() = k rounds.
//
// The β = 1 replicas are the policy's chains: state(), num_chains() = N and accumulate_model_term see only them,
// so the Trainer runs PT-PCD unchanged, and with K = 1 the policy is PersistentChains bit for bit.
//
// Layout and determinism: replica k of every ladder lives in one kernel state of N rows (states_[k]) run by its
// own kernel on its own tempered copy of the model, so each sweep is parallel over fixed blocks of chains.
// The chain in slot (k, n) draws from stream k·N + n (streams(), from (seed, k·N + n)) and ladder n's swap
// decisions from its own stream (swap_streams()), one uniform per proposed pair, whether or not it is needed,
// so states are bit-identical for any number of threads. Swaps exchange the rows of (v, h, ph, energy) between
// the two replicas' states; the streams stay with the slots.
//
// Swap cost: the energies E(v, h) at β = 1 come from the sweep (BlockGibbs::step_tempered computes the
// untempered pre-activation a = c + vW, samples h from σ(β a) and keeps E = −bᵀv − hᵀa, in double, per chain in
// State::energy), so a swap round is O(N·K) decisions instead of a product per replica: bench_pt measured the
// swaps at 60 % of the sweeps before, see benchmarks/README.md for after. Each row's energy depends only on
// its own state and block, so decisions stay thread-count independent. Kernels without step_tempered fall back
// to Model::energy at swap time. K = 1 runs the plain step (no swaps, so nothing to cache).
//
// Tempered copies: K−1 models of the same type, overwritten by Model::temper once per advance (the model only
// changes between advances), so a round allocates nothing. ph (= E[h | v]) is what the model term needs; after
// a swap brings a state to β = 1 its ph was computed at another temperature, so advance() recomputes ph of the
// β = 1 replicas when any such swap happened (the kernel itself never reads ph). ph of the other replicas is
// E[h | v] at the temperature where that row was last swept.
#include <cmath>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "ebm/samplers/swap_ledger.hpp"
#include "ebm/samplers/temperature_ladder.hpp"

namespace ebm {

template <MarkovKernel KernelT>
class ParallelTempering {
public:
  using Model = typename KernelT::Model;
  using Scalar = typename KernelT::Scalar;
  using State = typename KernelT::State;
  static_assert(TemperableModel<Model>, "ParallelTempering needs a TemperableModel (temper(beta, out), energy(v, h, e))");
  // Kernels that leave E(v, h) at β = 1 in State::energy during their sweep (BlockGibbs::step_tempered) spare
  // the swaps a product per replica; others fall back to Model::energy at swap time.
  static constexpr bool cached_energy =
      requires(KernelT& kk, const Model& m, State& s, std::span<Rng> r) { kk.step_tempered(m, m, 1.0, s, r); };

  // num_ladders independent ladders (the chains of the policy), inverse temperatures `betas` (validated: see
  // temperature_ladder.hpp), k rounds per advance.
  ParallelTempering(KernelT kernel, Index num_ladders, std::vector<double> betas, int k, std::uint64_t seed)
      : betas_(std::move(betas)), n_(num_ladders), steps_(k) {
    ensure(num_ladders > 0, "ParallelTempering: number of ladders (chains) = ", num_ladders, " must be positive");
    ensure(k > 0, "ParallelTempering: k = ", k, " rounds per update must be at least 1");
    validate_ladder(betas_);
    const Index K = num_temperatures();
    kernels_.assign(std::size_t(K), kernel);
    states_.resize(std::size_t(K));
    tempered_.resize(std::size_t(K - 1));
    rng_ = make_chain_streams(seed, K * n_);
    swap_rng_.reserve(std::size_t(n_));
    for (Index n = 0; n < n_; ++n)
      swap_rng_.push_back(make_stream(seed, StreamPurpose::chain, swap_stream_offset + std::uint64_t(n)));
    energy_.setZero(n_);  // compute_energies' scratch
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

  // grad += weight · Σ_chains ∂E/∂θ over the β = 1 replicas.
  void accumulate_model_term(const Model& model, Scalar weight, VecRef<Scalar> grad) const {
    kernels_[0].accumulate_stats(model, states_[0], weight, grad);
  }

  bool started() const { return states_[0].size() == n_; }

  // Every replica of ladder n starts at row n of x0 (N rows).
  void start(const Model& model, const ConstBatchRef<Scalar>& x0) {
    ensure(x0.rows() == n_, "ParallelTempering::start: got ", x0.rows(), " start states for ", n_, " ladders");
    refresh(model);
    for (Index k = 0; k < num_temperatures(); ++k)
      kernels_[std::size_t(k)].init(at(k, model), states_[std::size_t(k)], x0, streams_of(k));
    prepare_top(model);
  }

  // Training: k rounds; the first call starts the ladders at the minibatch's rows (cycled), like PCD.
  void advance(const Model& model, const ConstBatchRef<Scalar>& batch) {
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
    if (top_changed_) recompute_top_ph(model);
  }

  // ---- the two halves of a round (advance() is k × sweep + swap) ---------------------------------------
  // One kernel step of every replica, each on its tempered copy as of the last start/advance/restore.
  void sweep(const Model& model) {
    const Index K = num_temperatures();
    for (Index k = 0; k < K; ++k) {
      State& s = states_[std::size_t(k)];
      if constexpr (cached_energy) {
        if (K > 1) {  // K = 1 never swaps: the plain step keeps it PersistentChains bit for bit
          kernels_[std::size_t(k)].step_tempered(model, at(k, model), betas_[std::size_t(k)], s, streams_of(k));
          continue;
        }
      }
      kernels_[std::size_t(k)].step(at(k, model), s, streams_of(k));
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
    if constexpr (!cached_energy)
      for (Index k = first; k <= last; ++k) compute_energies(model, k);
    // Decisions: serial, ladder by ladder, pair by pair, from the energies of the last sweep.
    for (Index n = 0; n < n_; ++n) {
      Rng& rng = swap_rng_[std::size_t(n)];
      for (Index k = first; k < last; k += 2) {
        const double log_r = swap_log_ratio(betas_[std::size_t(k)], betas_[std::size_t(k + 1)],
                                            states_[std::size_t(k)].energy[n], states_[std::size_t(k + 1)].energy[n]);
        if (ledger_.decide(k, log_r, uniform01d(rng))) exchange(k, n);
      }
      ledger_.track_round_trips(n);
    }
  }

  // ---- ladder, replicas, statistics ------------------------------------------------------------------
  const std::vector<double>& betas() const { return betas_; }
  Index num_temperatures() const { return Index(betas_.size()); }
  const State& replica(Index k) const { return states_[std::size_t(k)]; }
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

  // ---- checkpoints -----------------------------------------------------------------------------------
  // Every replica's (v, h, ph) stacked replica by replica: rows k·N … k·N + N − 1 hold temperature k.
  void stack_states(MatrixX<Scalar>& v, MatrixX<Scalar>& h, MatrixX<Scalar>& ph) const {
    ensure(started(), "ParallelTempering::stack_states: the ladders were not started");
    const Index K = num_temperatures();
    v.resize(K * n_, states_[0].v.cols());
    h.resize(K * n_, states_[0].h.cols());
    ph.resize(K * n_, states_[0].ph.cols());
    for (Index k = 0; k < K; ++k) {
      v.middleRows(k * n_, n_) = states_[std::size_t(k)].v;
      h.middleRows(k * n_, n_) = states_[std::size_t(k)].h;
      ph.middleRows(k * n_, n_) = states_[std::size_t(k)].ph;
    }
  }
  // The inverse of stack_states (streams, swap streams and rounds are restored through their accessors).
  void restore(const Model& model, const ConstBatchRef<Scalar>& v, const ConstBatchRef<Scalar>& h,
               const ConstBatchRef<Scalar>& ph) {
    const Index K = num_temperatures();
    ensure(v.rows() == K * n_ && h.rows() == K * n_ && ph.rows() == K * n_, "ParallelTempering::restore: ",
           v.rows(), " stacked states for ", K, " temperatures x ", n_, " ladders");
    ensure(v.cols() == model.dim() && h.cols() == model.num_hidden() && ph.cols() == model.num_hidden(),
           "ParallelTempering::restore: states of width ", v.cols(), "/", h.cols(), " for a model of ", model.dim(),
           " visible and ", model.num_hidden(), " hidden units");
    refresh(model);
    for (Index k = 0; k < K; ++k) {
      State& s = states_[std::size_t(k)];
      kernels_[std::size_t(k)].prepare(at(k, model), s, n_);
      s.v = v.middleRows(k * n_, n_);
      s.h = h.middleRows(k * n_, n_);
      s.ph = ph.middleRows(k * n_, n_);
    }
    prepare_top(model);
  }

private:
  const Model& at(Index k, const Model& model) const { return k == 0 ? model : tempered_[std::size_t(k - 1)]; }
  std::span<Rng> streams_of(Index k) { return std::span<Rng>(rng_.data() + k * n_, std::size_t(n_)); }

  void refresh(const Model& model) {
    for (Index k = 1; k < num_temperatures(); ++k)
      model.temper(Scalar(betas_[std::size_t(k)]), tempered_[std::size_t(k - 1)]);
  }

  // Blocks for the energies and for ph of the β = 1 replicas: the kernel's own block size, so recomputed ph
  // takes the same product paths as a sweep's.
  void prepare_top(const Model& model) {
    Index rows = default_block_rows;
    if constexpr (requires(const KernelT& kk) { kk.block_rows(); }) rows = kernels_[0].block_rows();
    plan_ = BlockPlan(n_, rows);
    ws_.clear();
    for (Index b = 0; b < plan_.count(); ++b) ws_.push_back(model.make_workspace(plan_.size(b)));
    for (Index k = 0; k < num_temperatures(); ++k) compute_energies(model, k);
  }

  // State::energy of replica k from Model::energy (one product): the fallback for kernels without cached
  // energies, and the energies of freshly started or restored states, so swap() is valid before any sweep.
  void compute_energies(const Model& model, Index k) {
    State& s = states_[std::size_t(k)];
    for_each_block(plan_, [&](Index, Index r0, Index n) {
      model.energy(s.v.middleRows(r0, n), s.h.middleRows(r0, n), energy_.segment(r0, n));
      for (Index r = r0; r < r0 + n; ++r) s.energy[r] = double(energy_[r]);
    });
  }

  void recompute_top_ph(const Model& model) {
    State& s = states_[0];
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      model.hidden_mean(s.v.middleRows(r0, n), s.ph.middleRows(r0, n), ws_[std::size_t(b)]);
    });
  }

  // Exchange the states of ladder n's replicas k and k + 1 (the streams stay with the slots).
  void exchange(Index k, Index n) {
    State& a = states_[std::size_t(k)];
    State& b = states_[std::size_t(k + 1)];
    a.v.row(n).swap(b.v.row(n));
    a.h.row(n).swap(b.h.row(n));
    a.ph.row(n).swap(b.ph.row(n));
    std::swap(a.energy[n], b.energy[n]);
    ledger_.exchanged(k, n);
    if (k == 0) top_changed_ = true;
  }

  std::vector<double> betas_;
  Index n_;
  int steps_;
  std::vector<KernelT> kernels_;
  std::vector<State> states_;
  std::vector<Model> tempered_;  // replicas 1 … K−1
  std::vector<Rng> rng_, swap_rng_;
  VectorX<Scalar> energy_;  // without cached energies: E(v, h) of one replica's rows, before widening to double
  SwapLedger ledger_;
  BlockPlan plan_;
  std::vector<typename Model::Workspace> ws_;
  std::int64_t rounds_ = 0;
  bool top_changed_ = false;
};

}  // namespace ebm
