#pragma once
// Tempering of an energy E(x) over real or binary x (TemperingOf in tempering_concept.hpp): replica k steps
// TemperedBinaryEnergy<M> at β_k (models/tempered_binary_energy.hpp, the path annealed importance sampling
// takes), so any kernel over energies tempers: MALA on a continuous energy, Gibbs-with-Gradients, DULA/DMALA or
// random-scan Gibbs on a binary one.
//
//   without a base (EnergyTempering<M>{}):          E_β(x) = β E(x),                 swap energy U = E(x)
//   with base logits a (binary x, a factorized       E_β(x) = β E(x) − (1 − β) aᵀx,   swap energy U = E(x) + aᵀx
//   Bernoulli base p_base ∝ exp(aᵀx)):
//
// Without a base, β = 0 is flat: on ℝ^d keep β_{K−1} > 0 unless the kernel has a box. With a base (a = the
// logits of the training marginals, as AIS uses), β = 0 is the base itself, which mixes at once.
//
// The replicas are views of the model (TemperedBinaryEnergy keeps a pointer) whose params() are [β] alone, so the
// chains' caches (E_β, ∇ₓE_β, stamped with the replica and its β) cannot see θ change: sync() compares the
// model's θ with the one of the last advance (a ParamStamp of its own) and marks every replica's cache stale when
// it moved. Swap energies are evaluated at swap time (one forward pass of the model per replica taking part);
// an exchange marks both replicas' caches stale (binary_chains.hpp, langevin_chains.hpp), so the next step
// re-evaluates E_β and ∇ₓE_β there (a stale cache is never used; the cost is one evaluation per replica and
// round in which a swap was accepted).
#include <cmath>
#include <span>
#include <utility>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/energy_workspace.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/tempered_binary_energy.hpp"
#include "ebm/samplers/view_tempering.hpp"

namespace ebm {

template <ContinuousEnergyModel M>
class EnergyTempering : public ViewTempering<M, TemperedBinaryEnergy<M>> {
public:
  using Model = M;
  using Replica = TemperedBinaryEnergy<M>;
  using Scalar = typename M::Scalar;
  static constexpr bool energy_from_sweep = false;
  // temper, sync and step: ViewTempering (view_tempering.hpp).

  // E_β = β E: plain scaling (continuous or binary x).
  EnergyTempering() = default;
  // E_β = β E − (1 − β) aᵀx: towards the factorized Bernoulli base with logits a (binary x; finite, one per
  // coordinate, checked against the model by make_replica).
  explicit EnergyTempering(VectorX<Scalar> base_logits) : a_(std::move(base_logits)) {}

  const VectorX<Scalar>& base_logits() const { return a_; }

  Replica make_replica(const M& model) const {
    if (a_.size() == 0) return Replica(model, VectorX<Scalar>::Zero(model.dim()), 1.0);
    ensure(a_.size() == model.dim(), "EnergyTempering: ", a_.size(), " base logits for an energy of dimension ",
           model.dim());
    return Replica(model, a_, 1.0);
  }

  void prepare(const M& model, Index n, Index block_rows) {
    plan_ = BlockPlan(n, block_rows);
    make_block_workspaces(model, plan_, ws_);
    e_.setZero(n);
    if constexpr (ContinuousEnergyModelWithWorkspace<M> && !EnergyModelWithWorkspaceEnergy<M>) g_.resize(n, model.dim());
  }

  // u[r] = E(x_r) + aᵀx_r, in double: the model's energy at β = 1 plus the base's log-weight.
  template <class State>
  void swap_energies(const M& model, const State& s, VecRef<double> u) {
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      const auto x = s.x.middleRows(r0, n);
      auto e = e_.segment(r0, n);
      if constexpr (EnergyModelWithWorkspaceEnergy<M>)
        model.energy(x, e, ws_[std::size_t(b)]);
      else if constexpr (ContinuousEnergyModelWithWorkspace<M>)
        model.energy_and_grad(x, e, g_.middleRows(r0, n), ws_[std::size_t(b)]);
      else
        model.energy(x, e);
      for (Index r = r0; r < r0 + n; ++r) {
        double base = 0;
        for (Index i = 0; i < a_.size(); ++i) base += double(s.x(r, i)) * double(a_[i]);
        u[r] = double(e_[r]) + base;
      }
    });
  }

  template <class State>
  void top_exchanged(const M&, State&) {}  // the exchange already marked the cache stale

  template <class K, class State>
  void accumulate_model_term(const K&, const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    model.accumulate_grad(s.x, weight, grad);
  }

private:
  VectorX<Scalar> a_;  // base logits (empty: no base)
  BlockPlan plan_;
  std::vector<energy_workspace_t<M>> ws_;
  VectorX<Scalar> e_;  // E(x) of one replica's rows
  MatrixX<Scalar> g_;  // ∇ₓE scratch, for models whose workspace form computes E only with the gradient
};

}  // namespace ebm
