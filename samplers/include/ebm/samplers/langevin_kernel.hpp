#pragma once
// What ULA and MALA share: step size and box, the preallocated proposal buffers, the blocked evaluation of
// the model, the cache of E and ∇ₓE at the chains' positions and its invalidation, and the checks that turn
// a NaN or infinity at a chain's position into an ebm::Error naming the step, the chain and the value.
//
// Both kernels have BlockGibbs's shape (Model/Scalar/State, prepare/init/step/accumulate_stats), so the chain
// policies (PersistentChains, ContrastiveDivergence) run them unchanged. Chains live in fixed blocks of rows
// (core/parallel.hpp), one oneTBB task per block; chain r draws only from rng[r]; so the states after any
// number of steps are bit-identical for any number of threads. Every buffer is sized in prepare().
//
// Cache invalidation: the energies and gradients cached in the state belong to one model object with one θ,
// recorded in the state's stamp (param_stamp.hpp). At the start of every step the kernel compares the model it
// is given (its address, and params()) with that stamp; if they differ — a PCD trainer has just updated θ — it
// re-evaluates the current positions first (refresh). The stamp is the state's, not the kernel's, so one
// kernel stepping several chain sets refreshes each of them. A model whose energy changes in any other way (a
// hyper-parameter outside params()) needs an explicit refresh(model, state).
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/energy_workspace.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/samplers/langevin_chains.hpp"
#include "ebm/samplers/langevin_move.hpp"

namespace ebm::detail {

// A value for an error message: NaN without its sign bit (streams print −NaN as "-nan").
inline double shown(double v) { return std::isnan(v) ? std::numeric_limits<double>::quiet_NaN() : v; }

// Index of the first non-finite entry of p[0..d), or −1.
template <class S>
Index first_non_finite(const S* p, Index d) {
  for (Index i = 0; i < d; ++i)
    if (!std::isfinite(p[i])) return i;
  return -1;
}

template <ContinuousEnergyModel M>
class LangevinKernel {
public:
  using Model = M;
  using Scalar = typename M::Scalar;
  using State = LangevinChains<Scalar>;

  double step_size() const { return eps_; }
  void set_step_size(double step_size) {
    check_step_size(step_size, name_);
    eps_ = step_size;
  }
  const std::optional<Box>& box() const { return box_; }
  Index block_rows() const { return block_rows_; }

  // Sizes the state and every buffer a step uses for n chains of this model.
  void prepare(const M& model, State& s, Index n) {
    ensure(n > 0, name_, ": number of chains = ", n, " must be positive");
    const Index d = model.dim();
    s.x.resize(n, d);
    s.energy.resize(n);
    s.grad.resize(n, d);
    s.acceptance.setOnes(n);
    s.accepted.assign(static_cast<std::size_t>(n), 1);
    s.steps = 0;
    s.stamp.reset(model.num_params());
    xp_.resize(n, d);
    gp_.resize(n, d);
    ep_.resize(n);
    status_.assign(static_cast<std::size_t>(n), 0);
    plan_ = BlockPlan(n, block_rows_);
    make_block_workspaces(model, plan_, ws_);
  }

  // Chains start at the rows of x0; E and ∇ₓE are evaluated there and must be finite.
  void init(const M& model, State& s, const ConstBatchRef<Scalar>& x0, std::span<Rng> rng) {
    ensure(x0.cols() == model.dim(), name_, "::init: start states have ", x0.cols(), " columns, the model has dimension ",
           model.dim());
    ensure(x0.rows() > 0, name_, "::init: no start states (0 rows)");
    for (Index r = 0; r < x0.rows(); ++r) {
      const Index i = first_non_finite(x0.row(r).data(), x0.cols());
      if (i >= 0) fail(name_, "::init: chain ", r, ": start state entry ", i, " is ", shown(double(x0(r, i))));
      if (box_)
        for (Index k = 0; k < x0.cols(); ++k)
          ensure(double(x0(r, k)) >= box_->lo && double(x0(r, k)) <= box_->hi, name_, "::init: chain ", r,
                 ": start state entry ", k, " = ", double(x0(r, k)), " lies outside the box [", box_->lo, ", ",
                 box_->hi, "]");
    }
    if (s.size() != x0.rows() || s.x.cols() != model.dim() || plan_.rows != x0.rows() ||
        s.stamp.size() != model.num_params())
      prepare(model, s, x0.rows());
    check_streams(rng, s.size());
    const Index n = x0.rows();  // the state may come from elsewhere: size all of it (no-ops when it fits)
    s.x = x0;
    s.energy.resize(n);
    s.grad.resize(n, model.dim());
    s.acceptance.setOnes(n);
    s.accepted.assign(static_cast<std::size_t>(n), 1);
    s.steps = 0;
    evaluate_current(model, s, true);
  }

  // Re-evaluates E and ∇ₓE at the chains' current positions (after the model changed).
  void refresh(const M& model, State& s) {
    check_prepared(model, s);
    evaluate_current(model, s, false);
  }

  // Whether the state's cache belongs to this model at its current θ (else the next step refreshes it first).
  bool cache_is_current(const M& model, const State& s) const { return s.stamp.matches(model); }

  // grad += weight · Σ_chains ∂E/∂θ at the current positions: the model term.
  void accumulate_stats(const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    model.accumulate_grad(s.x, weight, grad);
  }

protected:
  // Proposal outcomes, per chain.
  enum Status : std::uint8_t { ok = 0, non_finite = 1, outside = 2 };

  LangevinKernel(const char* name, double step_size, std::optional<Box> box, Index block_rows)
      : name_(name), eps_(step_size), box_(box), block_rows_(block_rows) {
    check_step_size(step_size, name);
    if (box) box->validate(name);
    ensure(block_rows > 0, name, ": block_rows = ", block_rows, " must be positive");
  }

  // Checks before a step; re-evaluates the cache if the model is not the one it was computed with.
  void begin_step(const M& model, State& s, std::span<Rng> rng) {
    check_prepared(model, s);
    check_streams(rng, s.size());
    if (!cache_is_current(model, s)) refresh(model, s);
  }

  // E and ∇ₓE at rows [r0, r0 + n) of x, into the same rows of e and g, with block b's workspace.
  void evaluate(const M& model, Index b, Index r0, Index n, const MatrixX<Scalar>& x, VectorX<Scalar>& e,
                MatrixX<Scalar>& g) {
    if constexpr (ContinuousEnergyModelWithWorkspace<M>)
      model.energy_and_grad(x.middleRows(r0, n), e.segment(r0, n), g.middleRows(r0, n),
                            ws_[static_cast<std::size_t>(b)]);
    else
      model.energy_and_grad(x.middleRows(r0, n), e.segment(r0, n), g.middleRows(r0, n));
  }

  // Whether chain r's proposal (xp_, ep_, gp_) is finite everywhere.
  bool proposal_finite(Index r) const {
    const Index d = xp_.cols();
    return std::isfinite(ep_[r]) && first_non_finite(xp_.row(r).data(), d) < 0 &&
           first_non_finite(gp_.row(r).data(), d) < 0;
  }

  // Throws for chain r whose energy e, gradient row g or position row x is not finite.
  [[noreturn]] void fail_non_finite(std::string_view when, Index r, Scalar e, const Scalar* x, const Scalar* g,
                                    Index d, std::string_view hint = {}) const {
    if (const Index i = first_non_finite(x, d); i >= 0)
      fail(name_, ": chain ", r, ", ", when, ": position entry ", i, " is ", shown(double(x[i])), hint);
    if (!std::isfinite(e)) fail(name_, ": chain ", r, ", ", when, ": the energy is ", shown(double(e)), hint);
    const Index i = first_non_finite(g, d);
    fail(name_, ": chain ", r, ", ", when, ": gradient entry ", i, " is ", shown(double(g[i])), hint);
  }

  const char* name_;
  double eps_;
  std::optional<Box> box_;
  Index block_rows_;
  BlockPlan plan_;
  std::vector<energy_workspace_t<M>> ws_;
  MatrixX<Scalar> xp_, gp_;  // proposals and their gradients
  VectorX<Scalar> ep_;       // and energies
  std::vector<std::uint8_t> status_;

private:
  void evaluate_current(const M& model, State& s, bool at_start) {
    s.stamp.invalidate();
    for_each_block(plan_, [&](Index b, Index r0, Index n) { evaluate(model, b, r0, n, s.x, s.energy, s.grad); });
    const Index d = s.x.cols();
    for (Index r = 0; r < s.size(); ++r)
      if (!std::isfinite(s.energy[r]) || first_non_finite(s.grad.row(r).data(), d) >= 0)
        fail_non_finite(at_start ? std::string("at its start state")
                                 : "at its current state, re-evaluated after step " + std::to_string(s.steps) +
                                       " because the model changed",
                        r, s.energy[r], s.x.row(r).data(), s.grad.row(r).data(), d);
    s.stamp.record(model);
  }
  void check_prepared(const M& model, const State& s) const {
    ensure(plan_.rows == s.size() && s.size() > 0 && s.x.cols() == model.dim(), name_,
           ": chains were not prepared for this model (call init first)");
  }
  void check_streams(std::span<Rng> rng, Index n) const {
    ensure(static_cast<Index>(rng.size()) >= n, name_, ": ", rng.size(), " random streams for ", n, " chains");
  }
};

}  // namespace ebm::detail
