#pragma once
// A neural energy: E(x) = MLP(x), a stack of linear layers with a smooth activation between them and one
// scalar output (no activation on the last layer),
//
//   a₀ = x,   z_l = W_l a_{l−1} + b_l,   a_l = σ(z_l) (l < L),   E(x) = z_L ∈ ℝ,
//   σ = softplus, log(1 + eᶻ), or swish, z · sigmoid(z): smooth, so ∇ₓE is continuous, which Langevin needs.
//
// Gradients by exact back-propagation (per row, with δ_L = ∂E/∂z_L = 1):
//   δ_{l−1} = (W_lᵀ δ_l) ⊙ σ'(z_{l−1}),   ∂E/∂W_l = δ_l a_{l−1}ᵀ,   ∂E/∂b_l = δ_l,   ∇ₓE = W_1ᵀ δ_1.
//
// The energy-magnitude regularizer of Du & Mordatch 2019 is not part of the model: it is a gradient transform
// for any energy (train/energy_penalty.hpp), which uses accumulate_weighted_grad below.
//
// θ = [W_1, …, W_L, b_1, …, b_L], each W_l (out × in) row-major: the weights first, so num_weights() marks
// them for weight decay and the biases are left alone.
//
// Work per block of rows lives in a Workspace (pre-activations, activations and their σ, back-propagated errors,
// the products' packing buffers and the first layer's sparsity pattern), sized once, so energy_and_grad with a
// workspace allocates nothing. The model keeps W_lᵀ beside θ (refreshed by set_params) for the forward products.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/dense_kernels.hpp"
#include "ebm/models/gemm_workspace.hpp"

namespace ebm {

enum class Activation { softplus, swish };

namespace detail {

template <class S>
S sigmoid(S z) {
  // Never exponentiates a large positive number.
  if (z >= 0) return S(1) / (S(1) + std::exp(-z));
  const S e = std::exp(z);
  return e / (S(1) + e);
}
template <class S>
S activate(Activation f, S z) {
  if (f == Activation::softplus) return std::max(z, S(0)) + std::log1p(std::exp(-std::abs(z)));
  return z * sigmoid(z);
}
template <class S>
S activate_derivative(Activation f, S z) {
  const S s = sigmoid(z);
  if (f == Activation::softplus) return s;
  return s + z * s * (S(1) - s);
}

}  // namespace detail

template <class S>
class MlpEnergy {
public:
  using Scalar = S;

  struct Workspace {
    Index rows = 0;
    std::vector<MatrixX<S>> z;      // z[l], l = 1..L (z[0] unused): pre-activations
    std::vector<MatrixX<S>> a;      // a[l], l = 1..L−1: activations (a[0] is x itself)
    std::vector<MatrixX<S>> sig;    // sig[l], l = 1..L−1: σ(z_l), kept for the activation's derivative
    std::vector<MatrixX<S>> delta;  // delta[l], l = 1..L: ∂(weighted E)/∂z_l
    detail::RowPattern pattern;     // the non-zeros of x, for the first layer's gather
    detail::GemmWorkspace<S> gemm;  // packing buffers of every product
  };

  // dim inputs, hidden layer widths (at least one), activation.
  MlpEnergy(Index dim, std::vector<Index> hidden, Activation activation = Activation::swish) : act_(activation) {
    ensure(dim > 0, "MlpEnergy: dim = ", dim, " must be positive");
    ensure(!hidden.empty(), "MlpEnergy: at least one hidden layer is needed");
    sizes_.push_back(dim);
    for (const Index h : hidden) {
      ensure(h > 0, "MlpEnergy: hidden layer width ", h, " must be positive");
      sizes_.push_back(h);
    }
    sizes_.push_back(1);
    const Index L = layers();
    w_off_.assign(std::size_t(L + 1), 0);
    b_off_.assign(std::size_t(L + 1), 0);
    Index k = 0;
    for (Index l = 1; l <= L; ++l) {
      w_off_[std::size_t(l)] = k;
      k += sizes_[std::size_t(l)] * sizes_[std::size_t(l - 1)];
    }
    num_weights_ = k;
    for (Index l = 1; l <= L; ++l) {
      b_off_[std::size_t(l)] = k;
      k += sizes_[std::size_t(l)];
    }
    theta_.setZero(k);
    transposed_.assign(std::size_t(L + 1), MatrixX<S>());
    for (Index l = 1; l <= L; ++l) transposed_[std::size_t(l)].setZero(sizes_[std::size_t(l - 1)], sizes_[std::size_t(l)]);
  }

  // The energy-magnitude penalty α moved out of the model, into the EnergyMagnitudePenalty gradient transform
  // (train/energy_penalty.hpp): `trainer.add_transform(EnergyMagnitudePenalty(α))`. α = 0 is accepted, any
  // other α is an error rather than a silently unregularized model.
  [[deprecated("MlpEnergy's l2_energy is the EnergyMagnitudePenalty gradient transform now (train/energy_penalty.hpp)")]]
  MlpEnergy(Index dim, std::vector<Index> hidden, Activation activation, double l2_energy)
      : MlpEnergy(dim, std::move(hidden), activation) {
    ensure(l2_energy == 0, "MlpEnergy: l2_energy = ", l2_energy,
           ": the energy-magnitude penalty is a gradient transform now; construct the MLP without it and add "
           "EnergyMagnitudePenalty(", l2_energy, ") to the trainer (train/energy_penalty.hpp)");
  }

  // ---- shapes and parameters -------------------------------------------------------------------------
  Index dim() const { return sizes_.front(); }
  Index layers() const { return Index(sizes_.size()) - 1; }
  const std::vector<Index>& sizes() const { return sizes_; }
  Activation activation() const { return act_; }
  Index num_params() const { return theta_.size(); }
  Index num_weights() const { return num_weights_; }
  const VectorX<S>& params() const { return theta_; }
  std::string param_name(Index k) const {
    // Built by appending: GCC 12 warns (-Wrestrict, a false positive) on "literal" + std::string.
    std::string name;
    for (Index l = layers(); l >= 1; --l)
      if (k >= b_off_[std::size_t(l)]) {
        name += 'b';
        name += std::to_string(l);
        name += '(';
        name += std::to_string(k - b_off_[std::size_t(l)]);
        name += ')';
        return name;
      }
    for (Index l = layers(); l >= 1; --l)
      if (k >= w_off_[std::size_t(l)]) {
        const Index i = k - w_off_[std::size_t(l)], in = sizes_[std::size_t(l - 1)];
        name += 'W';
        name += std::to_string(l);
        name += '(';
        name += std::to_string(i / in);
        name += ", ";
        name += std::to_string(i % in);
        name += ')';
        return name;
      }
    name += '#';
    name += std::to_string(k);
    return name;
  }

  // Checked before assigning: a non-finite θ leaves the model as it was.
  void set_params(const ConstVecRef<S>& theta) {
    ensure(theta.size() == theta_.size(), "MlpEnergy::set_params: got ", theta.size(), " values, expected ",
           theta_.size());
    for (Index k = 0; k < theta.size(); ++k)
      if (!std::isfinite(double(theta[k])))
        fail("MlpEnergy: parameter ", param_name(k), " is ", double(theta[k]), "; parameters must be finite");
    theta_ = theta;
    for (Index l = 1; l <= layers(); ++l) transposed_[std::size_t(l)] = weight(l).transpose();
  }
  template <class F>
  void modify_params(F&& f) {
    VectorX<S> theta = theta_;
    f(theta);
    set_params(theta);
  }

  // Weights N(0, gain²/fan_in) (He-style scaling keeps the activations' size across layers), biases 0.
  void init_normal(Rng& rng, double gain = 1.0) {
    VectorX<S> theta = VectorX<S>::Zero(theta_.size());
    for (Index l = 1; l <= layers(); ++l) {
      const Index in = sizes_[std::size_t(l - 1)], n = in * sizes_[std::size_t(l)];
      const double sd = gain / std::sqrt(double(in));
      for (Index i = 0; i < n; ++i) theta[w_off_[std::size_t(l)] + i] = S(sd * standard_normal<double>(rng));
    }
    set_params(theta);
  }

  Workspace make_workspace(Index rows) const {
    Workspace ws;
    reserve(ws, rows);
    return ws;
  }

  // ---- energies ----------------------------------------------------------------------------------------
  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    Workspace ws = make_workspace(x.rows());
    check_x(x, "energy");
    ensure(e.size() == x.rows(), "MlpEnergy::energy: ", e.size(), " outputs for ", x.rows(), " rows");
    forward(x, ws);
    e = ws.z[std::size_t(layers())].col(0).head(x.rows());
  }
  // With a workspace made for at least x.rows() rows: the forward pass only, allocating nothing (samplers that
  // need E alone, e.g. single-site Gibbs over binary x).
  void energy(const ConstBatchRef<S>& x, VecRef<S> e, Workspace& ws) const {
    check_x(x, "energy");
    ensure(e.size() == x.rows(), "MlpEnergy::energy: ", e.size(), " outputs for ", x.rows(), " rows");
    if (ws.rows < x.rows()) reserve(ws, x.rows());
    forward(x, ws);
    e = ws.z[std::size_t(layers())].col(0).head(x.rows());
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }  // no latent variables

  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    Workspace ws = make_workspace(x.rows());
    energy_and_grad(x, e, g, ws);
  }
  // With a workspace made for at least x.rows() rows: allocates nothing.
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g, Workspace& ws) const {
    check_x(x, "energy_and_grad");
    ensure(e.size() == x.rows() && g.rows() == x.rows() && g.cols() == dim(), "MlpEnergy::energy_and_grad: outputs have ",
           e.size(), " energies and a ", g.rows(), " x ", g.cols(), " gradient for ", x.rows(), " rows of dimension ",
           dim());
    if (ws.rows < x.rows()) reserve(ws, x.rows());
    const Index n = x.rows();
    forward(x, ws);
    e = ws.z[std::size_t(layers())].col(0).head(n);
    ws.delta[std::size_t(layers())].topRows(n).setOnes();
    backward(x, ws, nullptr, &g);
  }

  // gθ += w · Σ_r ∂E/∂θ(x_r). Allocates its workspace.
  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad) const {
    check_x(x, "accumulate_grad");
    ensure(grad.size() == theta_.size(), "MlpEnergy::accumulate_grad: gradient has ", grad.size(),
           " entries, expected ", theta_.size());
    Workspace ws = make_workspace(x.rows());
    const Index n = x.rows();
    forward(x, ws);
    ws.delta[std::size_t(layers())].col(0).head(n).setConstant(weight);
    backward(x, ws, &grad, nullptr);
  }

  // gθ += Σ_r w_r ∂E/∂θ(x_r), one weight per row (the energy penalty's weights 2α|w| E(x_r)). Allocates its
  // workspace.
  void accumulate_weighted_grad(const ConstBatchRef<S>& x, const ConstVecRef<S>& w, VecRef<S> grad) const {
    check_x(x, "accumulate_weighted_grad");
    ensure(w.size() == x.rows(), "MlpEnergy::accumulate_weighted_grad: ", w.size(), " weights for ", x.rows(),
           " rows");
    ensure(grad.size() == theta_.size(), "MlpEnergy::accumulate_weighted_grad: gradient has ", grad.size(),
           " entries, expected ", theta_.size());
    Workspace ws = make_workspace(x.rows());
    forward(x, ws);
    ws.delta[std::size_t(layers())].col(0).head(x.rows()) = w;
    backward(x, ws, &grad, nullptr);
  }

private:
  void check_x(const ConstBatchRef<S>& x, const char* fn) const {
    if (x.cols() != dim()) {
      std::string what = "MlpEnergy::";
      what += fn;
      what += ": x";
      check_cols(x.cols(), dim(), what);
    }
  }

  void reserve(Workspace& ws, Index rows) const {
    const Index L = layers();
    ws.rows = rows;
    ws.z.assign(std::size_t(L + 1), MatrixX<S>());
    ws.a.assign(std::size_t(L), MatrixX<S>());
    ws.delta.assign(std::size_t(L + 1), MatrixX<S>());
    ws.sig.assign(std::size_t(L), MatrixX<S>());
    for (Index l = 1; l <= L; ++l) {
      const Index in = sizes_[std::size_t(l - 1)], out = sizes_[std::size_t(l)];
      ws.z[std::size_t(l)].resize(rows, out);
      ws.delta[std::size_t(l)].resize(rows, out);
      if (l < L) {
        ws.a[std::size_t(l)].resize(rows, out);
        ws.sig[std::size_t(l)].resize(rows, out);
      }
      ws.gemm.reserve(rows, out, in);  // forward
      ws.gemm.reserve(rows, in, out);  // backward
    }
    ws.pattern.reserve(rows, dim());
  }

  Eigen::Map<const MatrixX<S>> weight(Index l) const {
    return {theta_.data() + w_off_[std::size_t(l)], sizes_[std::size_t(l)], sizes_[std::size_t(l - 1)]};
  }
  const S* weight_data(Index l) const { return theta_.data() + w_off_[std::size_t(l)]; }
  auto bias(Index l) const { return theta_.segment(b_off_[std::size_t(l)], sizes_[std::size_t(l)]); }

  // z_l and a_l (and σ(z_l)) for the first x.rows() rows of the workspace. The products run on the transposed
  // weights (in × out, row-major) with the workspace's packing buffers; the first layer, when x is mostly zeros
  // (binary data), as a gather-sum over its non-zeros (dense_kernels.hpp), which on binarized MNIST does an
  // eighth of the multiply-adds. The activation is vectorized (Eigen's logistic, exp, log1p).
  void forward(const ConstBatchRef<S>& x, Workspace& ws) const {
    const Index n = x.rows(), L = layers();
    for (Index l = 1; l <= L; ++l) {
      auto z = ws.z[std::size_t(l)].topRows(n);
      const MatrixX<S>& wt = transposed_[std::size_t(l)];
      const auto b = bias(l);
      if (l == 1 && ws.pattern.build(x, detail::sparse_density_threshold) < detail::sparse_density_threshold) {
        detail::gather_rows<S>(x, ws.pattern, wt.data(), wt.cols(), b.data(), z);
      } else {
        if (l == 1)
          ws.gemm.multiply(x, wt.data(), wt.cols(), z);
        else
          ws.gemm.multiply(ws.a[std::size_t(l - 1)].topRows(n), wt.data(), wt.cols(), z);
        z.rowwise() += b.transpose();
      }
      if (l < L) {
        auto a = ws.a[std::size_t(l)].topRows(n).array();
        auto sig = ws.sig[std::size_t(l)].topRows(n).array();
        sig = z.array().logistic();
        if (act_ == Activation::swish)
          a = z.array() * sig;
        else
          a = z.array().max(S(0)) + (-z.array().abs()).exp().log1p();
      }
    }
  }

  // From delta[L] (set by the caller) down: θ-gradients into grad (if given) and ∇ₓ into gx (if given).
  void backward(const ConstBatchRef<S>& x, Workspace& ws, VecRef<S>* grad, BatchRef<S>* gx) const {
    const Index n = x.rows(), L = layers();
    for (Index l = L; l >= 1; --l) {
      const auto delta = ws.delta[std::size_t(l)].topRows(n);
      if (grad) {
        Eigen::Map<MatrixX<S>> gw(grad->data() + w_off_[std::size_t(l)], sizes_[std::size_t(l)],
                                  sizes_[std::size_t(l - 1)]);
        if (l == 1)
          gw.noalias() += delta.transpose() * x;
        else
          gw.noalias() += delta.transpose() * ws.a[std::size_t(l - 1)].topRows(n);
        grad->segment(b_off_[std::size_t(l)], sizes_[std::size_t(l)]) += delta.colwise().sum().transpose();
      }
      if (l > 1) {
        auto below = ws.delta[std::size_t(l - 1)].topRows(n);
        ws.gemm.multiply(delta, weight_data(l), sizes_[std::size_t(l - 1)], below);
        // σ'(z) from the forward pass's σ(z): swish' = σ + z σ (1 − σ) = σ + a (1 − σ), softplus' = σ.
        const auto sig = ws.sig[std::size_t(l - 1)].topRows(n).array();
        if (act_ == Activation::swish)
          below.array() *= sig + ws.a[std::size_t(l - 1)].topRows(n).array() * (S(1) - sig);
        else
          below.array() *= sig;
      } else if (gx) {
        ws.gemm.multiply(delta, weight_data(1), dim(), *gx);
      }
    }
  }

  Activation act_;
  std::vector<Index> sizes_;  // d, hidden widths, 1
  std::vector<Index> w_off_, b_off_;
  Index num_weights_ = 0;
  VectorX<S> theta_;
  std::vector<MatrixX<S>> transposed_;  // transposed_[l] = W_lᵀ (in × out, row-major), refreshed by set_params
};

using MlpEnergyf = MlpEnergy<float>;
using MlpEnergyd = MlpEnergy<double>;

static_assert(ContinuousEnergyModelWithWorkspace<MlpEnergy<double>>);

}  // namespace ebm
