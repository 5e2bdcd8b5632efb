#pragma once
// A factorized Bernoulli distribution over x ∈ {0,1}^d as a binary energy: the sanity target of the sampler
// benchmarks (issue 13), where everything is known in closed form for any d:
//
//   E(x) = −aᵀx,   ∇ₓE = −a,   p(x) = Π_i σ(a_i)^{x_i} (1 − σ(a_i))^{1 − x_i},   log Z = Σ_i softplus(a_i),
//   flip_delta(x, i) = E(x with x_i flipped) − E(x) = a_i (2x_i − 1),   θ = a,   ∂E/∂a = −x.
//
// Every coordinate is independent, so a sampler that mixes slowly here is broken, and the exact mean σ(a) and
// the exact independent draws (sample) are the reference of any statistic. The first-order flip estimate of the
// gradient samplers is exact here too.
#include <cmath>
#include <span>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class FactorizedBernoulli {
public:
  using Scalar = S;

  explicit FactorizedBernoulli(VectorX<S> logits) : a_(std::move(logits)) {
    ensure(a_.size() > 0, "FactorizedBernoulli: no logits (dimension 0)");
    check_params(a_);
  }

  Index dim() const { return a_.size(); }
  const VectorX<S>& logits() const { return a_; }

  // ---- parameters θ = a ------------------------------------------------------------------------------------
  Index num_params() const { return a_.size(); }
  const VectorX<S>& params() const { return a_; }
  std::string param_name(Index k) const { return "a[" + std::to_string(k) + "]"; }
  void set_params(const ConstVecRef<S>& theta) {
    ensure(theta.size() == dim(), "FactorizedBernoulli::set_params: ", theta.size(), " values for ", dim(), " logits");
    check_params(theta);
    a_ = theta;
  }

  // ---- energies --------------------------------------------------------------------------------------------
  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    check_shape(x, e.size(), "energy");
    for (Index r = 0; r < x.rows(); ++r) e[r] = S(row_energy(x.row(r).data()));
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    check_shape(x, e.size(), "energy_and_grad");
    ensure(g.rows() == x.rows() && g.cols() == dim(), "FactorizedBernoulli::energy_and_grad: gradient is ", g.rows(),
           " x ", g.cols(), ", states are ", x.rows(), " x ", dim());
    for (Index r = 0; r < x.rows(); ++r) {
      e[r] = S(row_energy(x.row(r).data()));
      g.row(r) = -a_.transpose();
    }
  }
  // gθ += w · Σ_r ∂E/∂a(x_r) = −w Σ_r x_r.
  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad) const {
    ensure(x.cols() == dim() && grad.size() == dim(), "FactorizedBernoulli::accumulate_grad: states have ", x.cols(),
           " columns, gradient ", grad.size(), " entries, for ", dim(), " logits");
    for (Index r = 0; r < x.rows(); ++r) grad -= weight * x.row(r).transpose();
  }
  double flip_delta(std::span<const S> x, Index i) const {
    return double(a_[i]) * (2 * double(x[std::size_t(i)]) - 1);
  }

  // ---- exact answers -------------------------------------------------------------------------------------
  // E[x] = σ(a).
  Vectord mean() const {
    Vectord m(dim());
    for (Index i = 0; i < dim(); ++i) m[i] = 1 / (1 + std::exp(-double(a_[i])));
    return m;
  }
  // log Z = Σ_i log(1 + e^{a_i}).
  double log_z() const {
    double z = 0;
    for (Index i = 0; i < dim(); ++i) {
      const double v = double(a_[i]);
      z += v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
    }
    return z;
  }
  // An exact independent draw into row (d uniforms from rng).
  void sample(Rng& rng, std::span<S> row) const {
    ensure(Index(row.size()) == dim(), "FactorizedBernoulli::sample: a row of ", row.size(), " entries for dimension ",
           dim());
    for (Index i = 0; i < dim(); ++i) row[std::size_t(i)] = S(uniform01d(rng) * (1 + std::exp(-double(a_[i]))) < 1);
  }

private:
  double row_energy(const S* x) const {
    double en = 0;
    for (Index i = 0; i < dim(); ++i) en -= double(a_[i]) * double(x[i]);
    return en;
  }
  void check_shape(const ConstBatchRef<S>& x, Index e_size, const char* what) const {
    ensure(x.cols() == dim(), "FactorizedBernoulli::", what, ": states have ", x.cols(), " columns, the model has ",
           dim(), " coordinates");
    ensure(e_size == x.rows(), "FactorizedBernoulli::", what, ": ", e_size, " energies for ", x.rows(), " states");
  }
  static void check_params(const ConstVecRef<S>& a) {
    for (Index i = 0; i < a.size(); ++i)
      ensure(std::isfinite(double(a[i])), "FactorizedBernoulli: logit a[", i, "] is ", double(a[i]),
             "; logits must be finite");
  }

  VectorX<S> a_;
};

}  // namespace ebm
