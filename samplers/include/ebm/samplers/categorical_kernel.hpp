#pragma once
// What the kernels over categorical chains share (random-scan and systematic-scan single-site Gibbs, categorical
// Gibbs-with-Gradients): the preallocated buffers, the versioned cache in the state (categorical_chains.hpp) and
// its refresh, the checks of start states, the draw of one label from its local energies, and the step's summary.
//
// Determinism: chains live in fixed blocks of rows (core/parallel.hpp), one oneTBB task per block; the model is
// evaluated one chain at a time, and chain r draws only from rng[r], a fixed number of draws per step whatever
// happens; so states after any number of steps are bit-identical for any number of threads. Every buffer is sized
// in prepare(): a step allocates nothing.
//
// A NaN or infinite energy (or gradient) at a proposal is a rejection, counted in the step's info; at a chain's
// current state it is an ebm::Error naming the chain and the value.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "ebm/core/categorical_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/samplers/categorical_chains.hpp"

namespace ebm::detail {

// Draws a label c with probability ∝ exp(−e[c]) by inverse CDF (u uniform in [0, 1)), the weights in double into
// w (q values). Returns q (no label) when the weights are not a distribution (a NaN local energy, or all +∞); else
// the label, with p_current = the probability of `current`.
template <class S>
int draw_label(const S* e, int q, int current, double u, double* w, double& p_current) {
  double m = std::numeric_limits<double>::infinity();
  for (int c = 0; c < q; ++c) {
    if (std::isnan(e[c])) return q;
    m = std::min(m, double(e[c]));
  }
  if (!std::isfinite(m)) return q;  // all +∞ (−∞ is not an energy a distribution can have)
  double total = 0;
  for (int c = 0; c < q; ++c) total += (w[c] = std::exp(m - double(e[c])));
  p_current = w[current] / total;
  const double target = u * total;
  double cum = 0;
  int last = 0;
  for (int c = 0; c < q; ++c) {
    if (w[c] > 0) last = c;
    cum += w[c];
    if (target < cum && w[c] > 0) return c;
  }
  return last;  // u·total rounded above the cumulative sum
}

template <CategoricalModel M>
class CategoricalKernel {
public:
  using Model = M;
  using Scalar = typename M::Scalar;
  using State = CategoricalChains<Scalar>;

  Index block_rows() const { return block_rows_; }
  const char* name() const { return name_; }

  // Sizes the state and every buffer a step uses for n chains of this model.
  void prepare(const M& model, State& s, Index n) {
    ensure(n > 0, name_, ": number of chains = ", n, " must be positive");
    const Index sites = model.num_sites(), width = sites * model.num_labels();
    s.x.resize(n, sites);
    s.energy.resize(n);
    s.grad.resize(needs_grad_ ? n : 0, width);
    s.stamp.reset(model.params().size());
    s.acceptance.setOnes(n);
    s.accepted.assign(std::size_t(n), 1);
    s.steps = 0;
    xp_.resize(needs_grad_ ? n : 0, sites);
    ep_.resize(n);
    gp_.resize(needs_grad_ ? n : 0, width);
    work_.resize(n, needs_grad_ ? width : model.num_labels());
    dwork_.resize(n, model.num_labels());
    lq_.resize(n);
    changes_.resize(n);
    picks_.assign(std::size_t(n), 0);
    status_.assign(std::size_t(n), 0);
    plan_ = BlockPlan(n, block_rows_);
    sites_ = sites;
    labels_ = model.num_labels();
  }

  // Chains start at the label rows of x0 (every label below q); E (and its gradient) are evaluated there and must
  // be finite.
  void init(const M& model, State& s, const ConstLabelRef& x0, std::span<Rng> rng) {
    ensure(x0.rows() > 0, name_, "::init: no start states (0 rows)");
    check_labels(x0, model.num_sites(), model.num_labels(), std::string(name_) + "::init: start states");
    if (!prepared_for(model, s) || s.size() != x0.rows()) prepare(model, s, x0.rows());
    check_streams(rng, s.size());
    s.x = x0;
    s.acceptance.setOnes(x0.rows());
    s.accepted.assign(std::size_t(x0.rows()), 1);
    s.steps = 0;
    evaluate_current(model, s, true);
  }

  // Re-evaluates E (and its gradient) at the chains' current states for the model's current θ.
  void refresh(const M& model, State& s) {
    check_prepared(model, s);
    evaluate_current(model, s, false);
  }

  bool cache_is_current(const M& model, const State& s) const {
    if (needs_grad_ && s.grad.rows() != s.size()) return false;
    return s.stamp.matches(model);
  }

  // grad += weight · Σ_chains ∂E/∂θ at the current states, in chain order: the model term.
  void accumulate_stats(const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    for (Index r = 0; r < s.size(); ++r) model.accumulate_grad(label_row(ConstLabelRef(s.x), r), weight, grad);
  }

protected:
  enum Status : std::uint8_t { ok = 0, non_finite = 1 };

  CategoricalKernel(const char* name, bool needs_grad, Index block_rows)
      : name_(name), needs_grad_(needs_grad), block_rows_(block_rows) {
    ensure(block_rows > 0, name, ": block_rows = ", block_rows, " must be positive");
  }

  // Checks before a step; re-evaluates the state's cache if it is stale.
  void begin_step(const M& model, State& s, std::span<Rng> rng) {
    check_prepared(model, s);
    check_streams(rng, s.size());
    if (!cache_is_current(model, s)) {
      if (needs_grad_) s.grad.resize(s.size(), sites_ * labels_);  // state came from an energy-only kernel
      evaluate_current(model, s, false);
    }
    if (!needs_grad_ && s.grad.rows() != 0) s.grad.resize(0, sites_ * labels_);  // moves below would make it stale
  }

  // One Gibbs update of site i of chain r: its label drawn from the local energies (work_ row r as scratch), one
  // uniform drawn whatever happens; E carried along in de. Returns whether the label changed; p_move += the
  // probability of a change; bad += 1 for a site whose conditional is not a distribution (the label stays).
  bool gibbs_site(const M& model, std::span<Label> x, Index r, Index i, Rng& rng, double& de, double& p_move,
                  double& bad) {
    Scalar* e = work_.row(r).data();
    model.local_energies(std::span<const Label>(x), i, std::span<Scalar>(e, std::size_t(labels_)));
    const double u = uniform01d(rng);
    const int old = x[std::size_t(i)];
    double p_stay = 1;
    const int c = draw_label(e, labels_, old, u, dwork_.row(r).data(), p_stay);
    if (c == labels_) {
      bad += 1;
      return false;
    }
    p_move += 1 - p_stay;
    if (c == old) return false;
    de += double(e[c]) - double(e[old]);
    x[std::size_t(i)] = static_cast<Label>(c);
    return true;
  }

  // Records chain r's step: acceptance probability, whether it moved, sites changed, a non-finite count.
  void record(State& s, Index r, double acceptance, bool moved, double changes, bool bad) {
    s.acceptance[r] = acceptance;
    s.accepted[std::size_t(r)] = moved;
    changes_[r] = changes;
    status_[std::size_t(r)] = bad ? non_finite : ok;
  }

  // The step's summary, summed in chain order (the same bits for any number of threads).
  CategoricalStepInfo finish_step(State& s) {
    ++s.steps;
    CategoricalStepInfo info;
    double sum = 0, changes = 0;
    for (Index r = 0; r < s.size(); ++r) {
      sum += s.acceptance[r];
      changes += changes_[r];
      info.accepted += s.accepted[std::size_t(r)];
      info.non_finite += status_[std::size_t(r)] == non_finite;
    }
    info.acceptance_rate = sum / double(s.size());
    info.mean_changes = changes / double(s.size());
    return info;
  }

  const char* name_;
  bool needs_grad_;
  Index block_rows_;
  Index sites_ = 0;
  int labels_ = 0;
  BlockPlan plan_;
  LabelMatrix xp_;                  // proposals (gradient kernels)
  VectorX<Scalar> ep_;              // their energies
  MatrixX<Scalar> gp_;              // and one-hot gradients
  MatrixX<Scalar> work_;            // per-chain scratch: local energies (q) or proposal weights (sites·q)
  MatrixX<double> dwork_;           // per-chain scratch in double: a site's label weights (q)
  Vectord lq_;                      // per-chain log q(x' | x) of the forward proposal
  Vectord changes_;                 // per-chain sites changed in the step
  std::vector<Index> picks_;        // per-chain index drawn by the proposal
  std::vector<std::uint8_t> status_;

private:
  bool prepared_for(const M& model, const State& s) const {
    return plan_.rows == s.size() && s.size() > 0 && sites_ == model.num_sites() && labels_ == model.num_labels() &&
           s.x.cols() == model.num_sites() && s.stamp.size() == model.params().size();
  }

  void evaluate_current(const M& model, State& s, bool at_start) {
    s.stamp.invalidate();
    for_each_block(plan_, [&](Index, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) {
        const auto x = label_row(ConstLabelRef(s.x), r);
        if constexpr (CategoricalGradientModel<M>) {
          if (needs_grad_) {
            s.energy[r] = Scalar(model.energy_and_grad(x, std::span<Scalar>(s.grad.row(r).data(), std::size_t(s.grad.cols()))));
            continue;
          }
        }
        s.energy[r] = Scalar(model.energy(x));
      }
    });
    for (Index r = 0; r < s.size(); ++r) {
      Index bad = -1;
      if (needs_grad_)
        for (Index k = 0; k < s.grad.cols() && bad < 0; ++k)
          if (!std::isfinite(s.grad(r, k))) bad = k;
      if (std::isfinite(s.energy[r]) && bad < 0) continue;
      const std::string when = at_start ? std::string("at its start state")
                                        : "at its current state, re-evaluated after step " + std::to_string(s.steps) +
                                              " because the model changed";
      if (!std::isfinite(s.energy[r])) fail(name_, ": chain ", r, ", ", when, ": the energy is ", double(s.energy[r]));
      fail(name_, ": chain ", r, ", ", when, ": gradient entry ", bad, " (site ", bad / labels_, ", label ",
           bad % labels_, ") is ", double(s.grad(r, bad)));
    }
    s.stamp.record(model);
  }
  void check_prepared(const M& model, const State& s) const {
    ensure(prepared_for(model, s), name_, ": chains were not prepared for this model (call init first)");
  }
  void check_streams(std::span<Rng> rng, Index n) const {
    ensure(static_cast<Index>(rng.size()) >= n, name_, ": ", rng.size(), " random streams for ", n, " chains");
  }
};

}  // namespace ebm::detail
