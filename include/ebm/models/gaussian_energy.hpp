#pragma once
// Two continuous energies with known answers: the simplest examples of a ContinuousEnergyModel, and the
// targets the Langevin samplers are tested on.
//
// GaussianEnergy: the quadratic energy of a Gaussian N(μ, P⁻¹),
//   E(x)    = ½ (x − μ)ᵀ P (x − μ),               log Z = (d/2) log 2π − ½ log det P
//   ∇ₓE     = P (x − μ)
//   ∂E/∂μ   = −P (x − μ),   ∂E/∂P_ij = ½ (x − μ)_i (x − μ)_j
// θ = [μ (d), P (d × d, row-major)]. Every entry of P is a parameter; the energy only sees its symmetric
// part Pₛ = ½ (P + Pᵀ), which must be positive definite (checked whenever θ changes). The gradient in P is
// symmetric, so gradient steps keep a symmetric P symmetric.
//
// GaussianMixtureEnergy: two isotropic Gaussian components, normalized (Z = 1),
//   p(x)    = w N(x; a, σa² I) + (1 − w) N(x; b, σb² I),     E(x) = −log p(x)
//   ∇ₓE     = ρa(x) (x − a)/σa² + ρb(x) (x − b)/σb²,        ρ: the posterior component probabilities
//   ∂E/∂a   = −ρa(x) (x − a)/σa²,   ∂E/∂b = −ρb(x) (x − b)/σb²
// θ = [a (d), b (d)]; w, σa and σb are fixed. In one dimension its moments and tails are closed-form.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "ebm/core/checks.hpp"
#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/gemm_workspace.hpp"

namespace ebm {

template <class S>
class GaussianEnergy {
public:
  using Scalar = S;
  using ParamMatrix = Eigen::Map<MatrixX<S>>;
  using ConstParamMatrix = Eigen::Map<const MatrixX<S>>;

  // Scratch of energy_and_grad for a block of rows: the packing buffers of the product x · Pₛ.
  struct Workspace {
    detail::GemmWorkspace<S> gemm;
  };

  GaussianEnergy(const ConstVecRef<S>& mean, const ConstBatchRef<S>& precision) : d_(mean.size()) {
    ensure(d_ > 0, "GaussianEnergy: the mean is empty");
    ensure(precision.rows() == d_ && precision.cols() == d_, "GaussianEnergy: precision is ", precision.rows(),
           " x ", precision.cols(), ", expected ", d_, " x ", d_, " (the size of the mean)");
    VectorX<S> theta(d_ + d_ * d_);
    theta.head(d_) = mean;
    precision_of(theta) = precision;
    theta_.resize(theta.size());
    set_params(theta);
  }
  // N(mean, covariance): P = covariance⁻¹.
  static GaussianEnergy from_covariance(const ConstVecRef<S>& mean, const ConstBatchRef<S>& covariance) {
    ensure(covariance.rows() == covariance.cols(), "GaussianEnergy::from_covariance: covariance is ",
           covariance.rows(), " x ", covariance.cols(), ", not square");
    const Eigen::LLT<Eigen::MatrixXd> llt(covariance.template cast<double>());
    ensure(llt.info() == Eigen::Success && covariance.allFinite(),
           "GaussianEnergy::from_covariance: the covariance is not finite and positive definite");
    const MatrixX<S> precision =
        llt.solve(Eigen::MatrixXd::Identity(covariance.rows(), covariance.cols())).template cast<S>();
    return GaussianEnergy(mean, precision);
  }

  // ---- shapes and parameters -------------------------------------------------------------------------
  Index dim() const { return d_; }
  Index num_params() const { return theta_.size(); }
  const VectorX<S>& params() const { return theta_; }
  auto mean() const { return theta_.head(d_); }
  ConstParamMatrix precision() const { return ConstParamMatrix(theta_.data() + d_, d_, d_); }
  // Views of the same layout inside any flat vector (a gradient, a momentum buffer).
  // A Map over v's memory: v.head() would point into the by-value Ref, dead after the return.
  Eigen::Map<VectorX<S>> mean_of(VecRef<S> v) const { return Eigen::Map<VectorX<S>>(v.data(), d_); }
  ParamMatrix precision_of(VecRef<S> v) const { return ParamMatrix(v.data() + d_, d_, d_); }
  std::string param_name(Index k) const {
    if (k < d_) return "mu(" + std::to_string(k) + ")";
    k -= d_;
    return "P(" + std::to_string(k / d_) + ", " + std::to_string(k % d_) + ")";
  }

  // Checked before anything changes: a rejected θ (non-finite, or Pₛ not positive definite) leaves the model
  // as it was.
  void set_params(const ConstVecRef<S>& theta) {
    ensure(theta.size() == theta_.size(), "GaussianEnergy::set_params: got ", theta.size(), " values, expected ",
           theta_.size(), " (d = ", d_, ": d means and d² precision entries)");
    Derived next = derive(theta);
    theta_ = theta;
    ps_.swap(next.ps);
    mu_ps_.swap(next.mu_ps);
    llt_ = std::move(next.llt);
  }
  // f(VectorX<S>& theta) edits a copy of the parameters, which then goes through set_params.
  template <class F>
  void modify_params(F&& f) {
    VectorX<S> theta = theta_;
    f(theta);
    set_params(theta);
  }

  // Exact answers: covariance Pₛ⁻¹ and log Z = (d/2) log 2π − ½ log det Pₛ (in double).
  Eigen::MatrixXd covariance() const {
    return llt_.solve(Eigen::MatrixXd::Identity(d_, d_));
  }
  double log_partition() const {
    const Eigen::VectorXd diag = Eigen::MatrixXd(llt_.matrixL()).diagonal();
    return 0.5 * double(d_) * std::log(2 * std::numbers::pi) - diag.array().log().sum();
  }

  Workspace make_workspace(Index rows) const {
    Workspace ws;
    ws.gemm.reserve(rows, d_, d_);
    return ws;
  }

  // ---- energies ----------------------------------------------------------------------------------------
  // e(r) = E(x_r). Allocates a gradient buffer: not a hot path (samplers call energy_and_grad).
  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    MatrixX<S> g(x.rows(), d_);
    energy_and_grad(x, e, g);
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }  // no latent variables

  // e(r) = E(x_r), g.row(r) = ∇ₓE(x_r). The 3-argument form may let Eigen allocate packing buffers for
  // large d; the workspace form never allocates. Both give the same bits.
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    check_shapes(x, e, g);
    g.noalias() = x * ps_;
    finish(x, e, g);
  }
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g, Workspace& ws) const {
    check_shapes(x, e, g);
    ws.gemm.multiply(x, ps_.data(), d_, g);
    finish(x, e, g);
  }

  // grad += weight · Σ_r ∂E/∂θ(x_r). Allocates (x − μ and its product with Pₛ).
  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad) const {
    check_cols(x.cols(), d_, "GaussianEnergy::accumulate_grad: x");
    ensure(grad.size() == theta_.size(), "GaussianEnergy::accumulate_grad: gradient has ", grad.size(),
           " entries, expected ", theta_.size());
    const MatrixX<S> dx = x.rowwise() - mean().transpose();
    const MatrixX<S> gx = dx * ps_;
    mean_of(grad).noalias() -= weight * gx.colwise().sum().transpose();
    precision_of(grad).noalias() += (weight / S(2)) * (dx.transpose() * dx);
  }

private:
  void check_shapes(const ConstBatchRef<S>& x, const VecRef<S>& e, const BatchRef<S>& g) const {
    check_cols(x.cols(), d_, "GaussianEnergy::energy_and_grad: x");
    ensure(e.size() == x.rows() && g.rows() == x.rows() && g.cols() == d_,
           "GaussianEnergy::energy_and_grad: outputs have ", e.size(), " energies and a ", g.rows(), " x ", g.cols(),
           " gradient for ", x.rows(), " rows of dimension ", d_);
  }
  // g holds x Pₛ: subtract μᵀPₛ, then E = ½ (x − μ)·g.
  void finish(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    g.rowwise() -= mu_ps_;
    for (Index r = 0; r < x.rows(); ++r) e[r] = S(0.5) * (x.row(r) - mean().transpose()).dot(g.row(r));
  }

  // What the energy uses, computed from a candidate θ: Pₛ, μᵀPₛ and the Cholesky factor of Pₛ.
  struct Derived {
    MatrixX<S> ps;
    RowVectorX<S> mu_ps;
    Eigen::LLT<Eigen::MatrixXd> llt;
  };
  Derived derive(const ConstVecRef<S>& theta) const {
    for (Index k = 0; k < theta.size(); ++k)
      if (!std::isfinite(double(theta[k])))
        fail("GaussianEnergy: parameter ", param_name(k), " is ", double(theta[k]), "; parameters must be finite");
    const Eigen::Map<const MatrixX<S>> p(theta.data() + d_, d_, d_);
    Derived out;
    out.ps = S(0.5) * (p + p.transpose());
    out.llt.compute(out.ps.template cast<double>());
    ensure(out.llt.info() == Eigen::Success,
           "GaussianEnergy: the precision matrix (its symmetric part) is not positive definite, so exp(-E) has "
           "no finite integral");
    out.mu_ps = theta.head(d_).transpose() * out.ps;
    return out;
  }

  Index d_ = 0;
  VectorX<S> theta_;
  MatrixX<S> ps_;        // Pₛ = ½ (P + Pᵀ)
  RowVectorX<S> mu_ps_;  // μᵀ Pₛ
  Eigen::LLT<Eigen::MatrixXd> llt_;
};

template <class S>
class GaussianMixtureEnergy {
public:
  using Scalar = S;

  GaussianMixtureEnergy(const ConstVecRef<S>& a, const ConstVecRef<S>& b, S sigma_a, S sigma_b, S weight_a)
      : d_(a.size()), sigma_a_(sigma_a), sigma_b_(sigma_b), w_(weight_a) {
    ensure(d_ > 0, "GaussianMixtureEnergy: the mean a is empty");
    ensure(b.size() == d_, "GaussianMixtureEnergy: means have sizes ", a.size(), " and ", b.size());
    ensure(sigma_a > 0 && std::isfinite(double(sigma_a)), "GaussianMixtureEnergy: sigma_a = ", sigma_a,
           " must be positive and finite");
    ensure(sigma_b > 0 && std::isfinite(double(sigma_b)), "GaussianMixtureEnergy: sigma_b = ", sigma_b,
           " must be positive and finite");
    ensure(weight_a > 0 && weight_a < 1, "GaussianMixtureEnergy: weight_a = ", weight_a, " must lie in (0, 1)");
    theta_.resize(2 * d_);
    theta_ << a, b;
    check_params(theta_);
    const double va = double(sigma_a_) * double(sigma_a_), vb = double(sigma_b_) * double(sigma_b_);
    inv_va_ = 1 / va;
    inv_vb_ = 1 / vb;
    const double half_d = 0.5 * double(d_);
    log_norm_a_ = std::log(double(w_)) - half_d * std::log(2 * std::numbers::pi * va);
    log_norm_b_ = std::log1p(-double(w_)) - half_d * std::log(2 * std::numbers::pi * vb);
  }

  Index dim() const { return d_; }
  Index num_params() const { return theta_.size(); }
  const VectorX<S>& params() const { return theta_; }
  auto a() const { return theta_.head(d_); }
  auto b() const { return theta_.tail(d_); }
  S sigma_a() const { return sigma_a_; }
  S sigma_b() const { return sigma_b_; }
  S weight_a() const { return w_; }
  std::string param_name(Index k) const {
    return (k < d_ ? "a(" : "b(") + std::to_string(k < d_ ? k : k - d_) + ")";
  }

  void set_params(const ConstVecRef<S>& theta) {
    ensure(theta.size() == theta_.size(), "GaussianMixtureEnergy::set_params: got ", theta.size(),
           " values, expected ", theta_.size());
    check_params(theta);  // before assigning: a rejected θ leaves the model as it was
    theta_ = theta;
  }
  template <class F>
  void modify_params(F&& f) {
    VectorX<S> theta = theta_;
    f(theta);
    set_params(theta);
  }

  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    check_cols(x.cols(), d_, "GaussianMixtureEnergy::energy: x");
    for (Index r = 0; r < x.rows(); ++r) e[r] = S(components(x.row(r)).energy);
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }

  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    check_cols(x.cols(), d_, "GaussianMixtureEnergy::energy_and_grad: x");
    for (Index r = 0; r < x.rows(); ++r) {
      const Split c = components(x.row(r));
      e[r] = S(c.energy);
      g.row(r) = S(c.rho_a * inv_va_) * (x.row(r) - a().transpose()) + S(c.rho_b * inv_vb_) * (x.row(r) - b().transpose());
    }
  }

  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad) const {
    check_cols(x.cols(), d_, "GaussianMixtureEnergy::accumulate_grad: x");
    ensure(grad.size() == theta_.size(), "GaussianMixtureEnergy::accumulate_grad: gradient has ", grad.size(),
           " entries, expected ", theta_.size());
    for (Index r = 0; r < x.rows(); ++r) {
      const Split c = components(x.row(r));
      grad.head(d_) -= S(double(weight) * c.rho_a * inv_va_) * (x.row(r).transpose() - a());
      grad.tail(d_) -= S(double(weight) * c.rho_b * inv_vb_) * (x.row(r).transpose() - b());
    }
  }

private:
  struct Split {
    double energy, rho_a, rho_b;
  };
  // log w N(x; a, σa²) and log (1−w) N(x; b, σb²), combined stably.
  template <class Row>
  Split components(const Row& x) const {
    const double la = log_norm_a_ - 0.5 * inv_va_ * double((x - a().transpose()).squaredNorm());
    const double lb = log_norm_b_ - 0.5 * inv_vb_ * double((x - b().transpose()).squaredNorm());
    const double m = std::max(la, lb);
    const double lse = m + std::log(std::exp(la - m) + std::exp(lb - m));
    return {-lse, std::exp(la - lse), std::exp(lb - lse)};
  }
  void check_params(const ConstVecRef<S>& theta) const {
    for (Index k = 0; k < theta.size(); ++k)
      if (!std::isfinite(double(theta[k])))
        fail("GaussianMixtureEnergy: parameter ", param_name(k), " is ", double(theta[k]),
             "; parameters must be finite");
  }

  Index d_;
  S sigma_a_, sigma_b_, w_;
  VectorX<S> theta_;
  double inv_va_ = 1, inv_vb_ = 1, log_norm_a_ = 0, log_norm_b_ = 0;
};

using GaussianEnergyf = GaussianEnergy<float>;
using GaussianEnergyd = GaussianEnergy<double>;
using GaussianMixtureEnergyf = GaussianMixtureEnergy<float>;
using GaussianMixtureEnergyd = GaussianMixtureEnergy<double>;

static_assert(ContinuousEnergyModelWithWorkspace<GaussianEnergy<double>>);
static_assert(ContinuousEnergyModel<GaussianMixtureEnergy<double>>);

}  // namespace ebm
