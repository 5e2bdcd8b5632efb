#pragma once
// A deep energy with a Bernoulli RBM as its base distribution: a product of experts over x ∈ {0,1}^d,
//
//   E(x) = E_net(x) + F(x),      log p̃(x) = −E_net(x) − F(x),      ∇ₓE = ∇ₓE_net + ∇ₓF,
//
// with F the free energy of a fixed, already trained RBM (models/rbm_free_energy.hpp). It is BaseTermEnergy's
// idea with a stronger base: there p_base is the product of the pixels' marginals, here it is an RBM, so an
// untrained net (E_net ≈ const) already gives the RBM's likelihood and the net learns only what the RBM does
// not explain. Two things follow that a factorized base cannot give:
//   - a sampler that mixes as well as the RBM's block Gibbs: x → h → x' by the base RBM's conditionals is
//     reversible for p_RBM, so as a Metropolis–Hastings proposal for p ∝ p_RBM·exp(−E_net) it is accepted with
//     probability min(1, exp(E_net(x) − E_net(x'))) (samplers/rbm_proposal.hpp);
//   - AIS in two legs: the RBM's own AIS to log Z_RBM, then on to p from the same runs by tempering E_net alone
//     (estimate/ais_rbm_base.hpp).
// θ is the net's θ alone (detail::NetParams: params(), accumulate_grad, weight decay, the energy penalty on
// net()); the RBM is fixed, as a base distribution is. Any binary kernel (Gibbs-with-Gradients, DMALA, ...) runs on it as well.
#include <string>
#include <utility>

#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/net_params.hpp"
#include "ebm/models/rbm_free_energy.hpp"

namespace ebm {

template <ContinuousEnergyModel M>
class RbmBaseEnergy : public detail::NetParams<M> {
  using detail::NetParams<M>::net_;

public:
  using Scalar = typename M::Scalar;
  using S = Scalar;
  using Net = M;
  struct Workspace {
    typename detail::InnerWorkspace<M>::type net;
    typename RbmFreeEnergy<S>::Workspace base;
    VectorX<S> e;   // rows: F(x) while E_net(x) is in the output
    MatrixX<S> g;   // rows × d: ∇ₓF while ∇ₓE_net is in the output
  };

  RbmBaseEnergy(M net, BernoulliRBM<S> base) : detail::NetParams<M>(std::move(net)), base_(std::move(base)) {
    ensure(base_.dim() == net_.dim(), "RbmBaseEnergy: a base RBM with ", base_.dim(),
           " visible units for an energy of dimension ", net_.dim());
  }

  const RbmFreeEnergy<S>& base() const { return base_; }
  const BernoulliRBM<S>& base_rbm() const { return base_.rbm(); }

  Workspace make_workspace(Index rows) const {
    Workspace ws;
    if constexpr (ContinuousEnergyModelWithWorkspace<M>) ws.net = net_.make_workspace(rows);
    ws.base = base_.make_workspace(rows);
    ws.e.resize(rows);
    ws.g.resize(rows, this->dim());
    return ws;
  }

  // ---- the two terms apart (the RBM-proposal kernel and the two-leg AIS read them) ----------------------
  void net_energy(const ConstBatchRef<S>& x, VecRef<S> e, Workspace& ws) const {
    if constexpr (EnergyModelWithWorkspaceEnergy<M>)
      net_.energy(x, e, ws.net);
    else
      net_.energy(x, e);
  }
  void base_energy(const ConstBatchRef<S>& x, VecRef<S> e, Workspace& ws) const { base_.energy(x, e, ws.base); }

  // ---- energies ----------------------------------------------------------------------------------------
  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    Workspace ws = make_workspace(x.rows());
    energy(x, e, ws);
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }
  // With a workspace made for at least x.rows() rows: allocates nothing (when the net's energy does not).
  void energy(const ConstBatchRef<S>& x, VecRef<S> e, Workspace& ws) const {
    fit(ws, x.rows());
    net_energy(x, e, ws);
    auto f = ws.e.head(x.rows());
    base_.energy(x, f, ws.base);
    e += f;
  }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    Workspace ws = make_workspace(x.rows());
    energy_and_grad(x, e, g, ws);
  }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g, Workspace& ws) const {
    fit(ws, x.rows());
    if constexpr (ContinuousEnergyModelWithWorkspace<M>)
      net_.energy_and_grad(x, e, g, ws.net);
    else
      net_.energy_and_grad(x, e, g);
    auto f = ws.e.head(x.rows());
    auto gf = ws.g.topRows(x.rows());
    base_.energy_and_grad(x, f, gf, ws.base);
    e += f;
    g += gf;
  }
  void accumulate_weighted_grad(const ConstBatchRef<S>& x, const ConstVecRef<S>& w, VecRef<S> grad) const
    requires requires(const M& m) { m.accumulate_weighted_grad(x, w, grad); }
  {
    net_.accumulate_weighted_grad(x, w, grad);
  }

private:
  // A workspace made for fewer rows grows once (an allocation outside the steady state, never per step).
  void fit(Workspace& ws, Index rows) const {
    if (ws.e.size() < rows || ws.g.rows() < rows) ws = make_workspace(rows);
  }

  RbmFreeEnergy<S> base_;
};

}  // namespace ebm
