#pragma once
// The free energy of a Bernoulli RBM as a binary energy over its visible units (core/concepts.hpp,
// BinaryEnergyModel), so that the discrete samplers for deep energies (Gibbs-with-Gradients, DULA, DMALA) run
// on an RBM too, with the hidden layer summed out:
//
//   F(v)  = −bᵀv − Σ_j softplus(c_j + (vᵀW)_j)
//   ∇ᵥF   = −b − W σ(c + Wᵀv)
//   ∂F/∂θ = −[v σ(c + Wᵀv)ᵀ, v, σ(c + Wᵀv)]        (BernoulliRBM::accumulate_stats at ph = E[h | v])
//
// It holds the RBM by value (θ, set_params and modify_params are the RBM's), so a trainer could train it through
// this view and block Gibbs could be run on rbm() for comparison. With a workspace, energy and energy_and_grad
// allocate nothing: c + vW takes the RBM's own sparse/dense product, and W σ(·) the GEMM with preallocated
// packing buffers.
#include <cmath>
#include <string>
#include <utility>

#include "ebm/core/checks.hpp"
#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm {

template <class S>
class RbmFreeEnergy {
public:
  using Scalar = S;
  struct Workspace {
    typename BernoulliRBM<S>::Workspace rbm;
    MatrixX<S> a;                                   // rows × nh: c + vW, then σ of it
    Eigen::Array<S, 1, Eigen::Dynamic> sp;          // nh: softplus of one row of a
  };

  explicit RbmFreeEnergy(BernoulliRBM<S> rbm) : rbm_(std::move(rbm)) {}

  const BernoulliRBM<S>& rbm() const { return rbm_; }

  Index dim() const { return rbm_.num_visible(); }
  Index num_params() const { return rbm_.num_params(); }
  Index num_weights() const { return rbm_.num_weights(); }
  const VectorX<S>& params() const { return rbm_.params(); }
  std::string param_name(Index k) const { return rbm_.param_name(k); }
  void set_params(const ConstVecRef<S>& theta) { rbm_.set_params(theta); }
  template <class F>
  void modify_params(F&& f) {
    rbm_.modify_params(std::forward<F>(f));
  }

  Workspace make_workspace(Index rows) const {
    Workspace ws{rbm_.make_workspace(rows), MatrixX<S>(rows, rbm_.num_hidden()),
                 Eigen::Array<S, 1, Eigen::Dynamic>(rbm_.num_hidden())};
    return ws;
  }

  void energy(const ConstBatchRef<S>& v, VecRef<S> e) const {
    Workspace ws = make_workspace(v.rows());
    energy(v, e, ws);
  }
  void free_energy(const ConstBatchRef<S>& v, VecRef<S> e) const { energy(v, e); }
  // With a workspace made for at least v.rows() rows: allocates nothing.
  void energy(const ConstBatchRef<S>& v, VecRef<S> e, Workspace& ws) const {
    check(v, e.size(), "energy");
    auto a = preactivation(v, ws);
    // softplus(a) = max(a, 0) + log1p(e^{−|a|}), a row at a time into sp, vectorized (a scalar log1p per hidden
    // unit was a seventh of a GWG step).
    auto sp = ws.sp.head(a.cols());
    for (Index r = 0; r < v.rows(); ++r) {
      const auto ar = a.row(r).array();
      sp = ar.max(S(0)) + (-ar.abs()).exp().log1p();
      e[r] = -v.row(r).dot(rbm_.b().transpose()) - sp.sum();
    }
  }
  void energy_and_grad(const ConstBatchRef<S>& v, VecRef<S> e, BatchRef<S> g) const {
    Workspace ws = make_workspace(v.rows());
    energy_and_grad(v, e, g, ws);
  }
  void energy_and_grad(const ConstBatchRef<S>& v, VecRef<S> e, BatchRef<S> g, Workspace& ws) const {
    check(v, e.size(), "energy_and_grad");
    ensure(g.rows() == v.rows() && g.cols() == dim(), "RbmFreeEnergy::energy_and_grad: a ", g.rows(), " x ", g.cols(),
           " gradient for ", v.rows(), " rows of dimension ", dim());
    energy(v, e, ws);
    auto ph = ws.a.topRows(v.rows());
    ph.array() = ph.array().logistic();
    ws.rbm.gemm.multiply(ph, rbm_.W_transposed().data(), dim(), g);  // σ(c + vW) Wᵀ
    g = -g;
    g.rowwise() -= rbm_.b().transpose();
  }
  // gθ += w · Σ_r ∂F/∂θ(v_r). Allocates (not a sampler's hot path).
  void accumulate_grad(const ConstBatchRef<S>& v, S weight, VecRef<S> grad) const {
    check(v, v.rows(), "accumulate_grad");
    Workspace ws = make_workspace(v.rows());
    rbm_.hidden_mean(v, ws.a, ws.rbm);
    rbm_.accumulate_stats(v, ws.a, weight, grad);
  }

private:
  void check(const ConstBatchRef<S>& v, Index outputs, const char* fn) const {
    if (v.cols() != dim()) check_cols(v.cols(), dim(), std::string("RbmFreeEnergy::") + fn + ": v");
    ensure(outputs == v.rows(), "RbmFreeEnergy::", fn, ": ", outputs, " outputs for ", v.rows(), " rows");
  }
  auto preactivation(const ConstBatchRef<S>& v, Workspace& ws) const {
    if (ws.a.rows() < v.rows()) ws = make_workspace(v.rows());
    auto a = ws.a.topRows(v.rows());
    rbm_.hidden_preactivation(v, a, ws.rbm);
    return a;
  }

  BernoulliRBM<S> rbm_;
};

static_assert(ContinuousEnergyModelWithWorkspace<RbmFreeEnergy<double>>);
static_assert(EnergyModelWithWorkspaceEnergy<RbmFreeEnergy<double>>);
static_assert(BinaryEnergyModel<RbmFreeEnergy<float>>);

}  // namespace ebm
