#pragma once
// An energy plus a factorized Bernoulli base term, for deep energies over binary x ∈ {0,1}^d (Grathwohl et al.
// 2021, "Oops I took a gradient", whose MNIST energies are log p̃(x) = f(x) + log p_base(x)):
//
//   E(x) = E_net(x) − aᵀx,       log p̃(x) = −E_net(x) + aᵀx,       ∇ₓE = ∇ₓE_net − a,
//
// with a the logits of the training data's marginals (base_logits_from_data), fixed, not trained: p_base(x) ∝
// exp(aᵀx) is the product of Bernoullis with those marginals, so an untrained net (E_net ≈ const) already gives
// the data's pixel means, and the net learns what the marginals do not explain. a = 0 is "no base term".
// θ is the net's θ alone (detail::NetParams: params(), accumulate_grad, weight decay on the net's weights), so the
// optimizers and the trainer see the net; the energy-magnitude penalty (train/energy_penalty.hpp) applies to E_net = net().
#include <algorithm>
#include <cmath>
#include <functional>
#include <span>
#include <string>
#include <utility>

#include "ebm/core/checks.hpp"
#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/net_params.hpp"

namespace ebm {

namespace detail {
template <class M>
struct InnerWorkspace {
  struct type {};
};
template <ContinuousEnergyModelWithWorkspace M>
struct InnerWorkspace<M> {
  using type = typename M::Workspace;
};
}  // namespace detail

// a_i = log(m_i / (1 − m_i)) with m_i the mean of column i of binary data, pulled into [eps, 1 − eps] (as
// Grathwohl et al. do: m (1 − 2 eps) + eps), so a pixel that is always off gets a large negative logit, not −∞.
template <class S>
VectorX<S> base_logits_from_data(const ConstBatchRef<S>& data, double eps = 1e-2) {
  check_nonempty(data.rows(), "base_logits_from_data: data");
  ensure(eps > 0 && eps < 0.5, "base_logits_from_data: eps = ", eps, " must lie in (0, 0.5)");
  VectorX<S> a(data.cols());
  for (Index i = 0; i < data.cols(); ++i) {
    const double m = double(data.col(i).template cast<double>().mean()) * (1 - 2 * eps) + eps;
    a[i] = S(std::log(m / (1 - m)));
  }
  return a;
}

// Draws from the base distribution, x_i ~ Bernoulli(σ(a_i)) independently: the fresh states of a replay buffer
// (ReplayBuffer's initializer; Du & Mordatch 2019 restart from noise, Grathwohl et al. from the base), or
// start states of chains. Draws d uniforms from rng, one per coordinate.
template <class S>
std::function<void(Rng&, std::span<S>)> base_distribution_initializer(const VectorX<S>& base_logits) {
  VectorX<double> p(base_logits.size());
  for (Index i = 0; i < p.size(); ++i) {
    ensure(std::isfinite(double(base_logits[i])), "base_distribution_initializer: logit ", i, " is ",
           double(base_logits[i]));
    p[i] = 1 / (1 + std::exp(-double(base_logits[i])));
  }
  return [p](Rng& rng, std::span<S> row) {
    ensure(Index(row.size()) == p.size(), "base_distribution_initializer: a row of ", row.size(),
           " entries for ", p.size(), " logits");
    for (std::size_t i = 0; i < row.size(); ++i) row[i] = S(uniform01d(rng) < p[Index(i)]);
  };
}

template <ContinuousEnergyModel M>
class BaseTermEnergy : public detail::NetParams<M> {
  using detail::NetParams<M>::net_;

public:
  using Scalar = typename M::Scalar;
  using S = Scalar;
  using Net = M;
  struct Workspace {
    typename detail::InnerWorkspace<M>::type net;
  };

  // The net with base logits a (one per input); a of zeros, or without_base(net), is no base term.
  BaseTermEnergy(M net, VectorX<S> base_logits) : detail::NetParams<M>(std::move(net)), a_(std::move(base_logits)) {
    ensure(a_.size() == net_.dim(), "BaseTermEnergy: ", a_.size(), " base logits for an energy of dimension ",
           net_.dim());
    for (Index i = 0; i < a_.size(); ++i)
      ensure(std::isfinite(double(a_[i])), "BaseTermEnergy: base logit ", i, " is ", double(a_[i]),
             "; base logits must be finite");
    has_base_ = !a_.isZero(0);
  }
  static BaseTermEnergy without_base(M net) {
    const Index d = net.dim();
    return BaseTermEnergy(std::move(net), VectorX<S>::Zero(d));
  }

  const VectorX<S>& base_logits() const { return a_; }
  bool has_base() const { return has_base_; }

  Workspace make_workspace(Index rows) const {
    Workspace ws;
    if constexpr (ContinuousEnergyModelWithWorkspace<M>) ws.net = net_.make_workspace(rows);
    return ws;
  }

  // ---- energies ----------------------------------------------------------------------------------------
  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    net_.energy(x, e);
    subtract_base(x, e);
  }
  void energy(const ConstBatchRef<S>& x, VecRef<S> e, Workspace& ws) const {
    if constexpr (EnergyModelWithWorkspaceEnergy<M>)
      net_.energy(x, e, ws.net);
    else
      net_.energy(x, e);
    subtract_base(x, e);
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    net_.energy_and_grad(x, e, g);
    subtract_base(x, e, g);
  }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g, Workspace& ws) const {
    if constexpr (ContinuousEnergyModelWithWorkspace<M>)
      net_.energy_and_grad(x, e, g, ws.net);
    else
      net_.energy_and_grad(x, e, g);
    subtract_base(x, e, g);
  }

private:
  void subtract_base(const ConstBatchRef<S>& x, VecRef<S> e) const {
    if (!has_base_) return;
    for (Index r = 0; r < x.rows(); ++r) e[r] -= x.row(r).dot(a_.transpose());
  }
  void subtract_base(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    if (!has_base_) return;
    subtract_base(x, e);
    g.rowwise() -= a_.transpose();
  }

  VectorX<S> a_;
  bool has_base_ = false;
};

}  // namespace ebm
