#pragma once
// θ of an energy that wraps a network with fixed terms around it (BaseTermEnergy: a factorized Bernoulli base;
// RbmBaseEnergy: a fixed RBM): the wrapper's parameters are the net's alone, so optimizers, weight decay, the
// energy penalty (on net()) and checkpoints see the net. Derive from it and add the energies.
#include <string>
#include <utility>

#include "ebm/core/concepts.hpp"
#include "ebm/core/types.hpp"

namespace ebm::detail {

template <ContinuousEnergyModel M>
class NetParams {
public:
  using Scalar = typename M::Scalar;
  using Net = M;

  const M& net() const { return net_; }
  M& net() { return net_; }

  Index dim() const { return net_.dim(); }
  Index num_params() const { return net_.num_params(); }
  Index num_weights() const
    requires requires(const M& m) { m.num_weights(); }
  {
    return net_.num_weights();
  }
  const VectorX<Scalar>& params() const { return net_.params(); }
  std::string param_name(Index k) const
    requires requires(const M& m) { m.param_name(k); }
  {
    return net_.param_name(k);
  }
  void set_params(const ConstVecRef<Scalar>& theta) { net_.set_params(theta); }
  template <class F>
  void modify_params(F&& f) {
    net_.modify_params(std::forward<F>(f));
  }
  // gθ += w · Σ_r ∂E/∂θ(x_r): the fixed terms have no parameters.
  void accumulate_grad(const ConstBatchRef<Scalar>& x, Scalar weight, VecRef<Scalar> grad) const {
    net_.accumulate_grad(x, weight, grad);
  }

protected:
  explicit NetParams(M net) : net_(std::move(net)) {}
  M net_;
};

}  // namespace ebm::detail
