#pragma once
// Gaussian–Bernoulli restricted Boltzmann machine: real visible units, binary hidden units, fixed visible
// standard deviations σ (given at construction, default 1; they are not learned).
//
//   E(v, h) = Σ_i (v_i − b_i)² / (2σ_i²) − cᵀh − Σ_ij (v_i/σ_i) W_ij h_j,     v ∈ ℝ^nv, h ∈ {0,1}^nh
//   F(v)    = Σ_i (v_i − b_i)² / (2σ_i²) − Σ_j softplus(c_j + Σ_i W_ij v_i/σ_i)          (free energy)
//   p(h_j = 1 | v) = σ(c_j + Σ_i W_ij v_i/σ_i),   p(v_i | h) = N(b_i + σ_i (Wh)_i, σ_i²)
//   ∂F/∂W_ij = −(v_i/σ_i) E[h_j|v],  ∂F/∂b_i = −(v_i − b_i)/σ_i²,  ∂F/∂c_j = −E[h_j|v]
//   ∇ᵥF     = (v − b)/σ² − (W E[h|v]) / σ
// With a = Wh, Σ_h ∫ e^{−E(v,h)} dv = (2π)^{nv/2} Π_i σ_i Σ_h exp(cᵀh + ½‖a‖² + (b/σ)ᵀa): p(v) is a mixture of
// 2^nh Gaussians N(b + σ⊙Wh, diag σ²) with those weights.
//
// The model is both a LatentGibbsModel (block Gibbs, CD/PCD, the Trainer) and a ContinuousEnergyModel on F
// (MALA/ULA sample p(v) ∝ e^{−F(v)}; energy() is F). θ is one flat vector [W (nv × nh, row-major), b (nv),
// c (nh)] as in BernoulliRBM, with named views. Visible states are dense, so the products are plain GEMMs
// through preallocated workspaces: a Gibbs step and a Langevin evaluation allocate nothing.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <string_view>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/rbm_params.hpp"
#include "ebm/models/bernoulli_rbm.hpp"  // softplus
#include "ebm/models/gemm_workspace.hpp"

namespace ebm {

template <class S>
class GaussianBernoulliRBM : public RbmParams<S> {
public:
  using Scalar = S;
  using Base = RbmParams<S>;
  using typename Base::ConstParamMatrix;
  using typename Base::ParamMatrix;
  using Base::b;
  using Base::b_of;
  using Base::c;
  using Base::c_of;
  using Base::param_name;
  using Base::W;
  using Base::W_of;

  // Scratch for one block of rows; created once per block so a Gibbs step or a Langevin evaluation
  // allocates nothing.
  struct Workspace {
    detail::GemmWorkspace<S> gemm;
    MatrixX<S> hidden;  // rows × nh: pre-activations / E[h|v] inside energy_and_grad
    Workspace() = default;
    Workspace(Index rows, Index nv, Index nh) : hidden(rows, nh) {
      gemm.reserve(rows, nh, nv);  // v·(W/σ)
      gemm.reserve(rows, nv, nh);  // h·(σW)ᵀ and h·(W/σ)ᵀ
    }
  };

  GaussianBernoulliRBM() = default;
  GaussianBernoulliRBM(Index num_visible, Index num_hidden, S sigma = S(1))
      : GaussianBernoulliRBM(num_visible, num_hidden, VectorX<S>::Constant(std::max<Index>(num_visible, 0), sigma)) {}
  GaussianBernoulliRBM(Index num_visible, Index num_hidden, const ConstVecRef<S>& sigma)
      : Base("GaussianBernoulliRBM", num_visible, num_hidden) {
    ensure(sigma.size() == num_visible, "GaussianBernoulliRBM: sigma has ", sigma.size(), " entries, expected ",
           num_visible, " (one per visible unit)");
    for (Index i = 0; i < sigma.size(); ++i)
      ensure(std::isfinite(double(sigma[i])) && sigma[i] > 0, "GaussianBernoulliRBM: sigma(", i, ") = ",
             double(sigma[i]), " must be positive and finite");
    sigma_ = sigma;
    inv_sigma_ = sigma_.cwiseInverse();
    inv_var_ = inv_sigma_.cwiseProduct(inv_sigma_);
    refresh();
  }

  // ---- shapes and parameters -------------------------------------------------------------------------
  const VectorX<S>& sigma() const { return sigma_; }

  void set_params(const ConstVecRef<S>& theta) {
    this->check_params(theta);  // before assigning: a rejected vector leaves the model as it was
    theta_ = theta;
    refresh();
  }
  // f(VectorX<S>& theta) edits a copy of the parameters, which then goes through set_params.
  template <class F>
  void modify_params(F&& f) {
    VectorX<S> theta = theta_;
    f(theta);
    set_params(theta);
  }

  // ---- initialization --------------------------------------------------------------------------------
  // W ~ N(0, scale²), biases zero.
  void init_normal(Rng& rng, S scale = S(0.01)) {
    ensure(scale >= 0 && std::isfinite(double(scale)), "GaussianBernoulliRBM::init_normal: scale = ", scale,
           " must be finite and non-negative");
    modify_params([&](VectorX<S>& t) {
      t.setZero();
      for (Index k = 0; k < nv_ * nh_; ++k) t[k] = scale * standard_normal<S>(rng);
    });
  }
  // b = data mean: with W = 0 the model then starts at the data's mean.
  void init_visible_bias(const ConstBatchRef<S>& data) {
    validate_data(data, "GaussianBernoulliRBM::init_visible_bias: data");
    const VectorX<S> mean = data.colwise().mean().transpose();
    modify_params([&](VectorX<S>& t) { t.segment(nv_ * nh_, nv_) = mean; });
  }

  // A real visible layer takes any finite vector (the trainer calls this instead of its binary check).
  void validate_data(const ConstBatchRef<S>& x, std::string_view what) const {
    check_nonempty(x.rows(), what);
    check_cols(x.cols(), nv_, what);
    check_finite(x, what);
  }

  Workspace make_workspace(Index rows) const { return Workspace(rows, nv_, nh_); }

  // ---- conditionals (one block of rows, single-threaded) --------------------------------------------
  // ph = E[h | v] = σ(c + (v/σ)W)
  void hidden_mean(const ConstBatchRef<S>& v, BatchRef<S> ph, Workspace& ws) const {
    hidden_preactivation(v, ph, ws);
    ph.array() = ph.array().logistic();
  }
  // mv = E[v | h] = b + σ ⊙ (Wh)
  void visible_mean(const ConstBatchRef<S>& h, BatchRef<S> mv, Workspace& ws) const {
    ws.gemm.multiply(h, wsig_t_.data(), nv_, mv);
    mv.rowwise() += b().transpose();
  }
  // out = c + (v/σ)W
  void hidden_preactivation(const ConstBatchRef<S>& v, BatchRef<S> out, Workspace& ws) const {
    ws.gemm.multiply(v, ws_.data(), nh_, out);
    out.rowwise() += c().transpose();
  }
  void sample_hidden(std::span<const S> mean, Rng& rng, std::span<S> out) const {
    for (std::size_t k = 0; k < mean.size(); ++k) out[k] = bernoulli(rng, mean[k]);
  }
  // out_i = mean_i + σ_i · N(0, 1); one row (nv entries) of one chain, in place allowed.
  void sample_visible(std::span<const S> mean, Rng& rng, std::span<S> out) const {
    for (std::size_t k = 0; k < mean.size(); ++k)
      out[k] = mean[k] + sigma_[static_cast<Index>(k)] * standard_normal<S>(rng);
  }

  // ---- energies --------------------------------------------------------------------------------------
  // out(r) = F(v_r). Allocates a temporary: not a hot path.
  void free_energy(const ConstBatchRef<S>& v, VecRef<S> out) const {
    check_cols(v.cols(), nv_, "GaussianBernoulliRBM::free_energy: v");
    MatrixX<S> g(v.rows(), nv_);
    energy_and_grad(v, out, g);
  }
  // ContinuousEnergyModel: the energy of v is its free energy.
  void energy(const ConstBatchRef<S>& v, VecRef<S> e) const { free_energy(v, e); }
  // out(r) = E(v_r, h_r), the joint energy.
  void energy(const ConstBatchRef<S>& v, const ConstBatchRef<S>& h, VecRef<S> out) const {
    check_cols(v.cols(), nv_, "GaussianBernoulliRBM::energy: v");
    check_cols(h.cols(), nh_, "GaussianBernoulliRBM::energy: h");
    for (Index r = 0; r < v.rows(); ++r) {
      const auto d = (v.row(r) - b().transpose()).array();
      out[r] = S(0.5) * (d.square() * inv_var_.transpose().array()).sum() - h.row(r).dot(c().transpose()) -
               (v.row(r).cwiseProduct(inv_sigma_.transpose()) * W()).dot(h.row(r));
    }
  }
  // e(r) = F(v_r), g.row(r) = ∇ᵥF(v_r) = (v_r − b)/σ² − (W E[h|v_r]) / σ. Allocates a workspace.
  void energy_and_grad(const ConstBatchRef<S>& v, VecRef<S> e, BatchRef<S> g) const {
    Workspace ws = make_workspace(v.rows());
    energy_and_grad(v, e, g, ws);
  }
  // The same with a block's workspace: allocates nothing when v has at most the rows it was made for.
  void energy_and_grad(const ConstBatchRef<S>& v, VecRef<S> e, BatchRef<S> g, Workspace& ws) const {
    const Index n = v.rows();
    if (ws.hidden.rows() < n || ws.hidden.cols() != nh_) ws.hidden.resize(n, nh_);
    auto pre = ws.hidden.topRows(n);
    hidden_preactivation(v, pre, ws);
    for (Index r = 0; r < n; ++r) {
      S f = 0;
      for (Index i = 0; i < nv_; ++i) {
        const S d = v(r, i) - b()[i];
        f += S(0.5) * d * d * inv_var_[i];
      }
      for (Index j = 0; j < nh_; ++j) f -= softplus(pre(r, j));
      e[r] = f;
    }
    pre.array() = pre.array().logistic();
    ws.gemm.multiply(pre, ws_t_.data(), nv_, g);  // E[h|v] · (W/σ)ᵀ
    for (Index r = 0; r < n; ++r)
      for (Index i = 0; i < nv_; ++i) g(r, i) = (v(r, i) - b()[i]) * inv_var_[i] - g(r, i);
  }

  // ---- statistics ------------------------------------------------------------------------------------
  // grad += weight · Σ_r ∂F/∂θ(v_r) given ph_r = E[h|v_r]: −weight · Σ_r [(v_r/σ) ph_rᵀ, (v_r − b)/σ², ph_r].
  // The data term and the model term both use it. Parallel over rows of W, each task owning its slice, so
  // the result does not depend on threads.
  void accumulate_stats(const ConstBatchRef<S>& v, const ConstBatchRef<S>& ph, S weight, VecRef<S> grad) const {
    auto gW = W_of(grad);
    for_each_range(nv_, 32, [&](Index i0, Index n) {
      for (Index i = i0; i < i0 + n; ++i) gW.row(i).noalias() -= (weight * inv_sigma_[i]) * (v.col(i).transpose() * ph);
    });
    auto gb = b_of(grad);
    for (Index i = 0; i < nv_; ++i)
      gb[i] -= weight * inv_var_[i] * (v.col(i).sum() - S(v.rows()) * b()[i]);
    c_of(grad).noalias() -= weight * ph.colwise().sum().transpose();
  }
  // ContinuousEnergyModel: grad += weight · Σ_r ∂F/∂θ(x_r). Allocates E[h|x]: not a hot path.
  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad) const {
    MatrixX<S> ph(x.rows(), nh_);
    Workspace ws = make_workspace(x.rows());
    hidden_mean(x, ph, ws);
    accumulate_stats(x, ph, weight, grad);
  }

  // ---- exact answers (small nh) ----------------------------------------------------------------------
  // log Z = (nv/2) log 2π + Σ log σ_i + log Σ_h exp(cᵀh + ½‖Wh‖² + (b/σ)ᵀWh), by enumerating h (nh ≤ 30).
  double log_partition() const {
    ensure(nh_ <= 30, "GaussianBernoulliRBM::log_partition: nh = ", nh_, " is too many hidden units to enumerate");
    const Eigen::MatrixXd Wd = W().template cast<double>();
    const Eigen::VectorXd bs = (b().cwiseProduct(inv_sigma_)).template cast<double>();
    const Eigen::VectorXd cd = c().template cast<double>();
    double mx = -INFINITY;
    Eigen::VectorXd t(Index(1) << nh_);
    Eigen::VectorXd h(nh_);
    for (Index s = 0; s < t.size(); ++s) {
      for (Index j = 0; j < nh_; ++j) h[j] = double((s >> j) & 1);
      const Eigen::VectorXd a = Wd * h;
      t[s] = cd.dot(h) + 0.5 * a.squaredNorm() + bs.dot(a);
      mx = std::max(mx, t[s]);
    }
    const double lse = mx + std::log((t.array() - mx).exp().sum());
    return 0.5 * double(nv_) * std::log(2 * 3.14159265358979323846) +
           sigma_.template cast<double>().array().log().sum() + lse;
  }

private:
  void refresh() {
    ws_ = inv_sigma_.asDiagonal() * W();
    ws_t_ = ws_.transpose();
    wsig_t_ = (sigma_.asDiagonal() * W()).transpose();
  }

  using Base::nv_;
  using Base::nh_;
  using Base::theta_;
  VectorX<S> sigma_, inv_sigma_, inv_var_;
  MatrixX<S> ws_;      // W/σ (nv × nh): v · ws_ = (v/σ)W
  MatrixX<S> ws_t_;    // (W/σ)ᵀ (nh × nv): for ∇ᵥF
  MatrixX<S> wsig_t_;  // (σW)ᵀ (nh × nv): h · wsig_t_ = σ ⊙ (Wh)
};

using GaussianBernoulliRBMf = GaussianBernoulliRBM<float>;
using GaussianBernoulliRBMd = GaussianBernoulliRBM<double>;

}  // namespace ebm
