#pragma once
// A binary energy E(x) annealed towards a factorized Bernoulli base distribution p_base(x) ∝ exp(aᵀx), as a
// binary energy of its own, so that any binary kernel (Gibbs-with-Gradients, DULA/DMALA, random-scan Gibbs,
// random-walk Metropolis) steps on the tempered target of annealed importance sampling (estimate/ais_binary.hpp):
//
//   log p̃_β(x) = β log p̃(x) + (1 − β) log p_base(x)                 (up to a constant)
//   E_β(x)     = β E(x) − (1 − β) aᵀx = β u(x) − aᵀx,   u(x) = E(x) + aᵀx
//   ∇ₓE_β      = β ∇ₓE − (1 − β) a
//
// β = 1 is the energy itself, β = 0 the base. With a = 0 it is plain scaling, E_β = βE, of any continuous
// energy: parallel tempering's replicas (samplers/energy_tempering.hpp) are this adapter, with or without a base. The wrapped energy is viewed, not copied: it must outlive the
// adapter, and its θ must not change while chains cache values computed through the adapter.
//
// Parameters: the adapter's θ is (β) alone, params() = [β]. The binary kernels cache E and ∇ₓE per chain with the
// params() they were computed for (samplers/binary_chains.hpp), so every change of β invalidates that cache by
// the kernels' own check, and no stale energy of another temperature is ever used. β is kept in the model's
// precision: the β the kernel's target uses is exactly the β a caller reads back (AIS weights need that).
// accumulate_grad gives ∂E_β/∂β = u(x), the integrand of thermodynamic integration.
#include <cmath>
#include <utility>

#include "ebm/core/concepts.hpp"
#include "ebm/core/energy_workspace.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <BinaryEnergyModel M>
class TemperedBinaryEnergy {
public:
  using Scalar = typename M::Scalar;
  using S = Scalar;
  using Energy = M;
  using Workspace = energy_workspace_t<M>;

  // The energy, the base logits a (one per coordinate, finite) and the inverse temperature β ∈ [0, 1].
  TemperedBinaryEnergy(const M& energy, VectorX<S> base_logits, double beta = 1.0)
      : energy_(&energy), a_(std::move(base_logits)), theta_(1) {
    ensure(a_.size() == energy.dim(), "TemperedBinaryEnergy: ", a_.size(), " base logits for an energy of dimension ",
           energy.dim());
    for (Index i = 0; i < a_.size(); ++i)
      ensure(std::isfinite(double(a_[i])), "TemperedBinaryEnergy: base logit ", i, " is ", double(a_[i]),
             "; base logits must be finite");
    set_beta(beta);
  }

  const M& energy_model() const { return *energy_; }
  // Points the adapter at another object of the same shape (a copy of the model, moved or reloaded).
  void rebind(const M& energy) {
    ensure(energy.dim() == a_.size(), "TemperedBinaryEnergy::rebind: the energy has dimension ", energy.dim(),
           "; the base logits have ", a_.size());
    energy_ = &energy;
  }
  const VectorX<S>& base_logits() const { return a_; }

  S beta() const { return theta_[0]; }
  void set_beta(double beta) {
    ensure(beta >= 0 && beta <= 1, "TemperedBinaryEnergy: beta = ", beta, " must lie in [0, 1]");
    theta_[0] = S(beta);
  }

  // ---- the BinaryEnergyModel members ---------------------------------------------------------------------
  Index dim() const { return a_.size(); }
  Index num_params() const { return 1; }
  const VectorX<S>& params() const { return theta_; }

  Workspace make_workspace(Index rows) const
    requires ContinuousEnergyModelWithWorkspace<M>
  {
    return energy_->make_workspace(rows);
  }

  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    energy_->energy(x, e);
    temper(x, e);
  }
  void energy(const ConstBatchRef<S>& x, VecRef<S> e, Workspace& ws) const
    requires EnergyModelWithWorkspaceEnergy<M>
  {
    energy_->energy(x, e, ws);
    temper(x, e);
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    energy_->energy_and_grad(x, e, g);
    temper(x, e, g);
  }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g, Workspace& ws) const
    requires ContinuousEnergyModelWithWorkspace<M>
  {
    energy_->energy_and_grad(x, e, g, ws);
    temper(x, e, g);
  }
  // grad[0] += w · Σ_r ∂E_β/∂β(x_r) = w · Σ_r u(x_r). Allocates (not a sampler's hot path).
  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad) const {
    ensure(grad.size() == 1, "TemperedBinaryEnergy::accumulate_grad: a gradient of ", grad.size(),
           " entries; the adapter has one parameter (beta)");
    VectorX<S> e(x.rows());
    energy_->energy(x, e);
    double sum = 0;
    for (Index r = 0; r < x.rows(); ++r) sum += double(e[r]) + base_dot(x, r);
    grad[0] += S(double(weight) * sum);
  }

  // aᵀx_r in double: the log of the base's unnormalized probability.
  double base_dot(const ConstBatchRef<S>& x, Index r) const {
    double s = 0;
    for (Index i = 0; i < x.cols(); ++i) s += double(x(r, i)) * double(a_[i]);
    return s;
  }

private:
  // e ← β e − (1 − β) aᵀx, row by row, in double before the one rounding.
  void temper(const ConstBatchRef<S>& x, VecRef<S> e) const {
    const double beta = double(theta_[0]);
    if (beta == 1) return;
    for (Index r = 0; r < x.rows(); ++r) e[r] = S(beta * double(e[r]) - (1 - beta) * base_dot(x, r));
  }
  void temper(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    temper(x, e);
    const S beta = theta_[0];
    if (beta == S(1)) return;
    const S rest = S(1) - beta;
    for (Index r = 0; r < g.rows(); ++r)  // element by element: no temporary, so a step still allocates nothing
      for (Index i = 0; i < g.cols(); ++i) g(r, i) = beta * g(r, i) - rest * a_[i];
  }

  const M* energy_;
  VectorX<S> a_;
  VectorX<S> theta_;  // [β]
};

}  // namespace ebm
