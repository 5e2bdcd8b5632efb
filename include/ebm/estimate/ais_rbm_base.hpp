#pragma once
// AIS for an energy with an RBM base (models/rbm_base_energy.hpp, p ∝ p_RBM·exp(−E_net)), in two legs that the
// same runs walk one after the other:
//   1. the RBM's own AIS (estimate/ais.hpp: base-rate model → p_RBM by block Gibbs, Salakhutdinov & Murray's
//      schedule), which ends with runs v_r and log-weights log w_r, E[w] = Z_RBM / Z_A;
//   2. from those runs, p_β ∝ p_RBM·exp(−β E_net) for 0 = β_0 < … < β_K = 1: add −(β_k − β_{k−1}) E_net(v) to
//      log w, then move v by the RBM-proposal kernel at β_k (samplers/rbm_proposal.hpp, which leaves p_β
//      invariant), `steps_per_beta` times.
// The product of the two legs' weights is one AIS weight over the joined path, so E[w] = Z / Z_A and
// log Ẑ = log mean(w) + log Z_A, with the usual delta-method error and ESS (summarize_ais). Why not the generic
// AIS (ais_binary.hpp) from a factorized base: on a trained MNIST RBM its weights degenerate (ESS 5 of 100 at
// 100,000 temperatures with DMALA moves) where block Gibbs' stay healthy (ESS 64), and a net that corrects an
// RBM changes p little, so the second leg is short.
//
// Deterministic for any number of threads: leg 1 is AisRuns (bit-identical), leg 2 gives run r the stream
// (seed, ais, runs + r) and the kernel's blocks draw per chain.
#include <algorithm>
#include <span>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/estimate/ais.hpp"
#include "ebm/estimate/ais_binary.hpp"
#include "ebm/samplers/rbm_proposal.hpp"

namespace ebm {

struct RbmBaseAisOptions {
  AisOptions rbm;             // leg 1: runs, the RBM's schedule, seed, blocks
  Index net_betas = 1000;     // leg 2: linear schedule of β on E_net, 0 and 1 included
  Index steps_per_beta = 1;   // leg 2: kernel moves per β
};

struct RbmBaseAisResult : AisResult {
  AisResult rbm;                 // leg 1 alone: log Z_RBM
  double mean_acceptance = 0;    // leg 2: the kernel's acceptance, averaged over all moves
  Index net_betas = 0;
};

// The runs of both legs as a resumable state (progress reports): leg 1 first, then leg 2, by advance().
template <class M>
class RbmBaseAisRuns {
public:
  using S = typename M::Scalar;

  RbmBaseAisRuns(const M& model, const std::type_identity_t<ConstVecRef<S>>& base_bias, const RbmBaseAisOptions& o)
      : opt_(o), leg1_(model.base_rbm(), base_bias, o.rbm) {
    ensure(o.net_betas >= 2, "RBM-base AIS: net_betas = ", o.net_betas, "; at least 2 (0 and 1) are needed");
    ensure(o.steps_per_beta >= 1, "RBM-base AIS: steps_per_beta = ", o.steps_per_beta, " must be at least 1");
    betas_ = linear_ais_schedule(o.net_betas);
  }

  Index total_steps() const { return leg1_.num_betas() - 1 + Index(betas_.size()) - 1; }
  Index steps_done() const { return leg1_.next_beta() - 1 + (next_ > 0 ? next_ - 1 : 0); }
  bool done() const { return next_ == Index(betas_.size()); }

  // The next `steps` temperatures of the joined path.
  void advance(const M& model, Index steps) {
    while (steps > 0 && !done()) {
      if (!leg1_.done()) {
        const Index k = std::min(steps, leg1_.num_betas() - leg1_.next_beta());
        leg1_.advance(model.base_rbm(), k);
        steps -= k;
        continue;
      }
      if (next_ == 0) start_leg2(model);
      const double db = betas_[std::size_t(next_)] - betas_[std::size_t(next_ - 1)];
      const auto& e = kernel_.net_energies();  // E_net at the current states
      for (Index r = 0; r < log_w_.size(); ++r) log_w_[r] -= db * double(e[r]);
      kernel_.set_net_beta(betas_[std::size_t(next_)]);
      for (Index t = 0; t < opt_.steps_per_beta; ++t) {
        acc_ += kernel_.step(model, state_, rng_).acceptance_rate;
        ++moves_;
      }
      ++next_;
      --steps;
    }
  }

  RbmBaseAisResult result() const {
    ensure(done(), "RBM-base AIS: result() before the last temperature");
    RbmBaseAisResult r;
    static_cast<AisResult&>(r) = summarize_ais(log_w_, leg1_.log_z_base(), total_steps() + 1);
    r.rbm = leg1_.result();
    r.mean_acceptance = moves_ > 0 ? acc_ / double(moves_) : 0;
    r.net_betas = Index(betas_.size());
    return r;
  }
  const MatrixX<S>& states() const { return state_.x; }

private:
  // Leg 2 starts at leg 1's runs, its weights, and a first step at β_0 = 0 to get E_net at the states.
  void start_leg2(const M& model) {
    const Index n = leg1_.num_runs();
    log_w_ = leg1_.log_weights();
    for (Index r = 0; r < n; ++r) rng_.push_back(make_stream(opt_.rbm.seed, StreamPurpose::ais, std::uint64_t(n + r)));
    kernel_.init(model, state_, leg1_.visible(), rng_);
    // E_net at the start states: one move at β = 0 is a block Gibbs sweep of the RBM (always accepted), which
    // leaves p_RBM invariant and records E_net at the states it reaches.
    kernel_.set_net_beta(0);
    kernel_.step(model, state_, rng_);
    next_ = 1;
  }

  RbmBaseAisOptions opt_;
  AisRuns<S> leg1_;
  std::vector<double> betas_;
  RbmProposalMetropolis<M> kernel_;
  BinaryChains<S> state_;
  std::vector<Rng> rng_;
  Vectord log_w_;
  Index next_ = 0;  // 0: leg 2 not started; else the index of the next β
  double acc_ = 0;
  Index moves_ = 0;
};

template <class M>
RbmBaseAisResult ais_log_z_rbm_base(const M& model, const std::type_identity_t<ConstVecRef<typename M::Scalar>>& base_bias,
                                    const RbmBaseAisOptions& o = {}) {
  RbmBaseAisRuns<M> runs(model, base_bias, o);
  runs.advance(model, runs.total_steps());
  return runs.result();
}

}  // namespace ebm
