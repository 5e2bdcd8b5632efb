#pragma once
// A categorical model (core/categorical_model.hpp) at inverse temperature β, as a categorical model of its own,
// so that every categorical kernel (single-site Gibbs, categorical Gibbs-with-Gradients) steps on a tempered
// replica of parallel tempering (samplers/categorical_tempering.hpp):
//
//   E_β(x) = β E(x),   local energies β e[c],   one-hot gradient β ∂E/∂o,   β ∈ [0, 1].
//
// β = 1 is the model itself, β = 0 the uniform law over {0, …, q−1}^n (finite, so a ladder may reach it). There is
// no base distribution: the uniform law already mixes at once. The model is viewed, not copied: it must outlive the
// adapter, and its θ must not change while chains cache values computed through the adapter (the tempering marks
// them stale when it does).
//
// Parameters: θ = (β) alone, params() = [β], so the chains' caches (stamped with the replica and its params())
// can never hold E of another temperature; β is kept in the model's precision. accumulate_grad gives
// ∂E_β/∂β = E(x), the integrand of thermodynamic integration.
#include <cmath>
#include <span>

#include "ebm/core/categorical_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <CategoricalModel M>
class TemperedCategoricalModel {
public:
  using Scalar = typename M::Scalar;
  using S = Scalar;
  using Base = M;

  explicit TemperedCategoricalModel(const M& model, double beta = 1.0) : model_(&model), theta_(1) { set_beta(beta); }

  const M& base_model() const { return *model_; }
  // Points the adapter at another object of the same shape (a copy of the model, moved or reloaded).
  void rebind(const M& model) {
    ensure(model.num_sites() == model_->num_sites() && model.num_labels() == model_->num_labels(),
           "TemperedCategoricalModel::rebind: a model of ", model.num_sites(), " sites x ", model.num_labels(),
           " labels for an adapter of ", model_->num_sites(), " x ", model_->num_labels());
    model_ = &model;
  }
  S beta() const { return theta_[0]; }
  void set_beta(double beta) {
    ensure(beta >= 0 && beta <= 1, "TemperedCategoricalModel: beta = ", beta, " must lie in [0, 1]");
    theta_[0] = S(beta);
  }

  // ---- the CategoricalModel members ----------------------------------------------------------------------
  Index num_sites() const { return model_->num_sites(); }
  int num_labels() const { return model_->num_labels(); }
  Index num_params() const { return 1; }
  const VectorX<S>& params() const { return theta_; }

  double energy(std::span<const Label> x) const { return double(theta_[0]) * model_->energy(x); }

  void local_energies(std::span<const Label> x, Index i, std::span<S> e) const {
    model_->local_energies(x, i, e);
    const S beta = theta_[0];
    if (beta != S(1))
      for (S& v : e) v *= beta;
  }

  double energy_and_grad(std::span<const Label> x, std::span<S> g) const
    requires CategoricalGradientModel<M>
  {
    const double e = model_->energy_and_grad(x, g);
    const S beta = theta_[0];
    if (beta != S(1))
      for (S& v : g) v *= beta;
    return double(beta) * e;
  }

  // g[0] += w · ∂E_β/∂β = w · E(x).
  void accumulate_grad(std::span<const Label> x, S weight, VecRef<S> g) const {
    ensure(g.size() == 1, "TemperedCategoricalModel::accumulate_grad: a gradient of ", g.size(),
           " entries; the adapter has one parameter (beta)");
    g[0] += S(double(weight) * model_->energy(x));
  }

private:
  const M* model_;
  VectorX<S> theta_;  // [β]
};

}  // namespace ebm
