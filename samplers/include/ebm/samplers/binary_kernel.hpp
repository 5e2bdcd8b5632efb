#pragma once
// What the kernels over binary chains share (Gibbs-with-Gradients, DULA/DMALA, random-scan Gibbs, random-walk
// Metropolis): the preallocated proposal buffers, the blocked evaluation of E (and ∇ₓE) at proposals, the
// versioned cache in the state (binary_chains.hpp) and its refresh, the checks of start states, and the
// summary of a step.
//
// Determinism: chains live in fixed blocks of rows (core/parallel.hpp), one oneTBB task per block, and chain r
// draws only from rng[r], a fixed number of draws per step whatever happens; so states after any number of
// steps are bit-identical for any number of threads. Every buffer is sized in prepare(): a step allocates
// nothing (with a model whose energy has a workspace form, as MlpEnergy, BaseTermEnergy and RbmFreeEnergy do).
//
// A NaN or infinite E or ∇ₓE at a proposal is a rejection, counted in the step's info; at a chain's current
// state (a bad start, or a model changed under the chains) it is an ebm::Error naming the chain and the value.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/energy_workspace.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/samplers/binary_chains.hpp"

namespace ebm::detail {

// log σ(z) = −softplus(−z), without overflow.
inline double log_sigmoid(double z) { return z >= 0 ? -std::log1p(std::exp(-z)) : z - std::log1p(std::exp(z)); }

// A uniform coordinate in [0, d) from one 32-bit draw (multiply-shift: off uniform by < d/2^32, and site
// selection probabilities need not be exact for single-site kernels, which are symmetric in the site).
inline Index uniform_site(Rng& rng, Index d) {
  return static_cast<Index>((static_cast<std::uint64_t>(rng()) * static_cast<std::uint64_t>(d)) >> 32);
}

// An exactly uniform index in [0, n), n < 2^32 (Lemire 2019, multiply-shift with rejection of the biased band).
inline Index uniform_index_exact(Rng& rng, Index n) {
  const std::uint32_t bound = static_cast<std::uint32_t>(n);
  std::uint64_t m = std::uint64_t(rng()) * bound;
  if (std::uint32_t(m) < bound) {
    const std::uint32_t threshold = static_cast<std::uint32_t>(-bound) % bound;
    while (std::uint32_t(m) < threshold) m = std::uint64_t(rng()) * bound;
  }
  return Index(m >> 32);
}

// Sums of d values of a row, vectorized in the row's precision over blocks of 16, the block sums added in double
// in order: a fixed order for a given d, so the same bits for every chain and any number of threads.
inline constexpr Index sum_block = 16;
template <class S>
S block_sum(const S* w, Index i, Index d) {
  if (i + sum_block <= d) return Eigen::Map<const Eigen::Array<S, sum_block, 1>>(w + i).sum();
  return Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>(w + i, d - i).sum();
}
template <class S>
double blocked_sum(const S* w, Index d) {
  double total = 0;
  for (Index i = 0; i < d; i += sum_block) total += double(block_sum(w, i, d));
  return total;
}

// The first i with Σ_{j ≤ i} w_j > u (u in [0, blocked_sum(w, d)), w ≥ 0): over the block sums of blocked_sum,
// then within the block, so an index is drawn with probability w_i / Σ w up to rounding. Never returns an index of
// zero weight unless all are (a block's sum and its running sum may round differently at the very top).
template <class S>
Index blocked_search(const S* w, Index d, double u) {
  double c = 0;
  Index i = 0;
  for (; i < d; i += sum_block) {
    const double b = double(block_sum(w, i, d));
    if (c + b > u) break;
    c += b;
  }
  if (i >= d) i = (d - 1) / sum_block * sum_block;  // u at the very top (rounding): the last block
  Index last = -1;
  for (Index j = i; j < std::min(i + sum_block, d); ++j) {
    if (w[j] > S(0)) last = j;
    c += double(w[j]);
    if (c > u && w[j] > S(0)) return j;
  }
  return last >= 0 ? last : d - 1;
}

template <BinaryEnergyModel M>
class BinaryKernel {
public:
  using Model = M;
  using Scalar = typename M::Scalar;
  using State = BinaryChains<Scalar>;

  Index block_rows() const { return block_rows_; }
  const char* name() const { return name_; }

  // Sizes the state and every buffer a step uses for n chains of this model.
  void prepare(const M& model, State& s, Index n) {
    ensure(n > 0, name_, ": number of chains = ", n, " must be positive");
    const Index d = model.dim();
    s.x.resize(n, d);
    s.energy.resize(n);
    s.grad.resize(needs_grad_ ? n : 0, d);
    s.stamp.reset(model.params().size());
    s.acceptance.setOnes(n);
    s.accepted.assign(std::size_t(n), 1);
    s.steps = 0;
    xp_.resize(n, d);
    ep_.resize(n);
    gp_.resize(needs_grad_ || !EnergyModelWithWorkspaceEnergy<M> ? n : 0, d);
    work_.resize(n, scratch_cols_ < 0 ? -scratch_cols_ * d : scratch_cols_);
    dwork_.resize(n, dscratch_cols_ < 0 ? -dscratch_cols_ * d : dscratch_cols_);
    lq_.resize(n);
    flips_.resize(n);
    picks_.assign(std::size_t(n * picks_per_chain_), 0);
    status_.assign(std::size_t(n), 0);
    plan_ = BlockPlan(n, block_rows_);
    make_block_workspaces(model, plan_, ws_);
  }

  // Chains start at the rows of x0 (every entry 0 or 1); E (and ∇ₓE) are evaluated there and must be finite.
  void init(const M& model, State& s, const ConstBatchRef<Scalar>& x0, std::span<Rng> rng) {
    ensure(x0.cols() == model.dim(), name_, "::init: start states have ", x0.cols(),
           " columns, the model has dimension ", model.dim());
    ensure(x0.rows() > 0, name_, "::init: no start states (0 rows)");
    for (Index r = 0; r < x0.rows(); ++r)
      for (Index i = 0; i < x0.cols(); ++i)
        if (!(x0(r, i) == Scalar(0) || x0(r, i) == Scalar(1)))
          fail(name_, "::init: chain ", r, ": start state entry ", i, " is ", double(x0(r, i)),
               "; binary chains take 0 or 1");
    if (s.size() != x0.rows() || s.x.cols() != model.dim() || plan_.rows != x0.rows() || xp_.cols() != model.dim() ||
        s.stamp.size() != model.params().size())
      prepare(model, s, x0.rows());
    check_streams(rng, s.size());
    const Index n = x0.rows();  // the state may come from elsewhere: size all of it (no-ops when it fits)
    s.x = x0;
    s.energy.resize(n);
    s.grad.resize(needs_grad_ ? n : 0, model.dim());
    s.acceptance.setOnes(n);
    s.accepted.assign(std::size_t(n), 1);
    s.steps = 0;
    evaluate_current(model, s, true);
  }

  // Re-evaluates E (and ∇ₓE) at the chains' current states for the model's current θ.
  void refresh(const M& model, State& s) {
    check_prepared(model, s);
    evaluate_current(model, s, false);
  }

  // Whether the state's cache belongs to this model's current θ (and holds a gradient if this kernel needs one).
  bool cache_is_current(const M& model, const State& s) const {
    if (needs_grad_ && !s.has_grad()) return false;
    return s.stamp.matches(model);
  }

  // grad += weight · Σ_chains ∂E/∂θ at the current states: the model term.
  void accumulate_stats(const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    model.accumulate_grad(s.x, weight, grad);
  }

protected:
  enum Status : std::uint8_t { ok = 0, non_finite = 1 };

  // scratch_cols: columns of the per-chain scratch in the model's precision (−k: k·d); picks: indices a chain
  // draws per step; double_scratch_cols: the same for a scratch in double, for kernels that sum or normalize
  // probabilities over a whole ball or path (Hamming ball, PAS, systematic-scan Gibbs).
  BinaryKernel(const char* name, bool needs_grad, Index block_rows, Index scratch_cols = -1, Index picks = 0,
               Index double_scratch_cols = 0)
      : name_(name), needs_grad_(needs_grad), block_rows_(block_rows), scratch_cols_(scratch_cols),
        dscratch_cols_(double_scratch_cols), picks_per_chain_(picks) {
    ensure(block_rows > 0, name, ": block_rows = ", block_rows, " must be positive");
  }

  // Checks before a step; re-evaluates the state's cache if it is stale.
  void begin_step(const M& model, State& s, std::span<Rng> rng) {
    check_prepared(model, s);
    check_streams(rng, s.size());
    if (!cache_is_current(model, s)) {
      if (needs_grad_ && !s.has_grad()) s.grad.resize(s.size(), model.dim());  // state came from an energy-only kernel
      evaluate_current(model, s, false);
    }
    if (!needs_grad_ && s.grad.rows() != 0) s.grad.resize(0, model.dim());  // moves below would make it stale
  }

  // E (and ∇ₓE if with_grad) at rows [r0, r0 + n) of x, into the same rows of e and g, with block b's workspace.
  void evaluate(const M& model, Index b, Index r0, Index n, const MatrixX<Scalar>& x, VectorX<Scalar>& e,
                MatrixX<Scalar>& g, bool with_grad) {
    auto& ws = ws_[std::size_t(b)];
    if (!with_grad) {
      if constexpr (EnergyModelWithWorkspaceEnergy<M>) {
        model.energy(x.middleRows(r0, n), e.segment(r0, n), ws);
        return;
      } else if constexpr (!ContinuousEnergyModelWithWorkspace<M>) {
        model.energy(x.middleRows(r0, n), e.segment(r0, n));
        return;
      }
    }
    // The gradient is wanted, or is the price of E with this model's workspace (then gp_ is the scratch).
    MatrixX<Scalar>& out = with_grad ? g : gp_;
    if constexpr (ContinuousEnergyModelWithWorkspace<M>)
      model.energy_and_grad(x.middleRows(r0, n), e.segment(r0, n), out.middleRows(r0, n), ws);
    else
      model.energy_and_grad(x.middleRows(r0, n), e.segment(r0, n), out.middleRows(r0, n));
  }
  // E (and ∇ₓE for gradient kernels) at the proposals xp_ of block b.
  void evaluate_proposals(const M& model, Index b, Index r0, Index n) {
    evaluate(model, b, r0, n, xp_, ep_, gp_, needs_grad_);
    for (Index r = r0; r < r0 + n; ++r) status_[std::size_t(r)] = proposal_finite(r) ? ok : non_finite;
  }

  bool proposal_finite(Index r) const {
    if (!std::isfinite(ep_[r])) return false;
    if (!needs_grad_) return true;
    // g·0 is 0 (or −0) for a finite g and NaN for ±∞ or NaN: one vectorized sum, where a test per entry was 15 %
    // of a Gibbs-with-Gradients step on a 50 × 50 Ising model (perf).
    const Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>> g(gp_.row(r).data(), gp_.cols());
    return (g * Scalar(0)).sum() == Scalar(0);
  }

  // Chain r takes its proposal: state, energy and (for gradient kernels) gradient.
  void take_proposal(State& s, Index r) {
    s.x.row(r) = xp_.row(r);
    s.energy[r] = ep_[r];
    if (needs_grad_) s.grad.row(r) = gp_.row(r);
  }

  // Records chain r's acceptance probability a and draws the decision u < a (u drawn by the caller, always).
  bool decide(State& s, Index r, double a, double u) {
    if (!(a >= 0)) a = 0;  // NaN → reject
    if (a > 1) a = 1;
    s.acceptance[r] = a;
    const bool accept = u < a;
    s.accepted[std::size_t(r)] = accept;
    if (accept) take_proposal(s, r);
    return accept;
  }

  // The step's summary, summed in chain order (the same bits for any number of threads).
  BinaryStepInfo finish_step(State& s) {
    ++s.steps;
    BinaryStepInfo info;
    double sum = 0, flips = 0;
    for (Index r = 0; r < s.size(); ++r) {
      sum += s.acceptance[r];
      flips += flips_[r];
      info.accepted += s.accepted[std::size_t(r)];
      info.non_finite += status_[std::size_t(r)] == non_finite;
    }
    info.acceptance_rate = sum / double(s.size());
    info.mean_flips = flips / double(s.size());
    return info;
  }

  const char* name_;
  bool needs_grad_;
  Index block_rows_;
  Index scratch_cols_;
  Index dscratch_cols_;
  Index picks_per_chain_;
  BlockPlan plan_;
  std::vector<energy_workspace_t<M>> ws_;
  MatrixX<Scalar> xp_, gp_;        // proposals and their gradients
  VectorX<Scalar> ep_;             // and energies
  MatrixX<Scalar> work_;           // per-chain scratch (softmax weights, uniforms, flip logits)
  MatrixX<double> dwork_;          // per-chain scratch in double (ball energies, path weights, sweep sums)
  Vectord lq_;                     // per-chain log q(x' | x) of the forward proposal
  Vectord flips_;                  // per-chain number of coordinates the proposal changed
  std::vector<Index> picks_;       // per-chain indices drawn by the proposal
  std::vector<std::uint8_t> status_;

private:
  void evaluate_current(const M& model, State& s, bool at_start) {
    s.stamp.invalidate();
    for_each_block(plan_, [&](Index b, Index r0, Index n) { evaluate(model, b, r0, n, s.x, s.energy, s.grad, needs_grad_); });
    const Index d = s.x.cols();
    for (Index r = 0; r < s.size(); ++r) {
      Index bad = -1;
      if (needs_grad_)
        for (Index i = 0; i < d && bad < 0; ++i)
          if (!std::isfinite(s.grad(r, i))) bad = i;
      if (std::isfinite(s.energy[r]) && bad < 0) continue;
      const std::string when = at_start ? std::string("at its start state")
                                        : "at its current state, re-evaluated after step " + std::to_string(s.steps) +
                                              " because the model changed";
      if (!std::isfinite(s.energy[r])) fail(name_, ": chain ", r, ", ", when, ": the energy is ", shown(s.energy[r]));
      fail(name_, ": chain ", r, ", ", when, ": gradient entry ", bad, " is ", shown(s.grad(r, bad)));
    }
    s.stamp.record(model);
  }
  static double shown(double v) { return std::isnan(v) ? std::numeric_limits<double>::quiet_NaN() : v; }
  void check_prepared(const M& model, const State& s) const {
    ensure(plan_.rows == s.size() && s.size() > 0 && s.x.cols() == model.dim() && xp_.cols() == model.dim(), name_,
           ": chains were not prepared for this model (call init first)");
  }
  void check_streams(std::span<Rng> rng, Index n) const {
    ensure(static_cast<Index>(rng.size()) >= n, name_, ": ", rng.size(), " random streams for ", n, " chains");
  }
};

}  // namespace ebm::detail
