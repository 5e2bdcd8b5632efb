#pragma once
// The Ising model on a periodic 2-D lattice of L × W sites, as a binary energy over x ∈ {0,1}^d (d = L·W, site
// (a, b) at index a·W + b), the standard target of discrete-sampler benchmarks (Grathwohl et al. 2021, "Oops I
// took a gradient", §6.1; Goshvadi et al. 2023, DISCS):
//
//   s = 2x − 1 ∈ {−1, 1}^d,    log p̃(x) = sᵀJs + hᵀs,    J = σ·A,
//
// A the symmetric 0/1 adjacency of the 4-neighbour lattice with periodic boundaries (a torus). sᵀJs sums over
// ordered pairs, so every edge is counted TWICE: sᵀJs = 2σ Σ_{edges {i,j}} s_i s_j, a coupling of 2σ per edge.
// That is Grathwohl et al.'s convention (their LatticeIsingModel: x ↦ 2x − 1, then (x J) · x with J = σ G, G the
// adjacency of a circular igraph lattice) and DISCS's (its forward sums λ s_i s_j over right, left, down and up
// neighbours: σ here is DISCS's λ). The critical point of the square lattice, 2σ_c = ln(1 + √2)/2, is
// σ_c = ln(1 + √2)/4 ≈ 0.2203: σ below it is the disordered (high-temperature) phase, above it the ordered one.
// Field h is per site (zero by default).
//
//   E(x)        = −sᵀJs − hᵀs = −Σ_i s_i (σ N_i + h_i),  N_i = Σ_{j ∈ nbr(i)} s_j
//   ∇ₓE         = 2 ∇ₛE = −4σ N − 2h                                               (chain rule through s = 2x − 1)
//   flip_delta  = E(x with x_i flipped) − E(x) = 2 s_i (2σ N_i + h_i)                 (exact: E is multilinear)
//   p(x_i = 1 | x_−i) = σ(4σ N_i + 2h_i)                                              (the exact conditional)
//   θ = (σ, h_0 … h_{d−1}),   ∂E/∂σ = −sᵀAs,   ∂E/∂h_i = −s_i
//
// Everything is a 4-neighbour stencil, O(d) per row (no d × d matrix): a 50 × 50 lattice is as cheap as it looks.
// energy and energy_and_grad run it vectorized over chunks of a lattice row (row_terms): a scalar loop in double
// with the periodic index arithmetic per site was half of a Gibbs-with-Gradients step on 50 × 50 (perf).
// Since E is multilinear in x, the first-order flip estimate of the gradient samplers, (1 − 2x_i) ∂E/∂x_i, equals
// flip_delta exactly. Sides must be ≥ 3 so that the four neighbours of a site are distinct (the torus is then a
// simple graph, as in the references; a side of 2 would make left and right the same site).
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class IsingModel {
public:
  using Scalar = S;

  // σ: the coupling (half the per-edge coupling, see above); field: h per site (empty: zero field).
  IsingModel(Index rows, Index cols, double sigma, VectorX<S> field = {}) : rows_(rows), cols_(cols) {
    ensure(rows >= 3 && cols >= 3, "IsingModel: lattice ", rows, " x ", cols,
           ": both sides must be at least 3 (periodic 4-neighbour lattice)");
    ensure(std::isfinite(sigma), "IsingModel: coupling sigma = ", sigma, " must be finite");
    if (field.size() == 0) field = VectorX<S>::Zero(rows * cols);
    ensure(field.size() == rows * cols, "IsingModel: field has ", field.size(), " entries for ", rows, " x ", cols,
           " = ", rows * cols, " sites");
    theta_.resize(1 + rows * cols);
    theta_[0] = S(sigma);
    theta_.tail(rows * cols) = field;
    check_params(theta_);
  }
  // The same field h on every site.
  static IsingModel uniform_field(Index rows, Index cols, double sigma, double h) {
    ensure(rows >= 3 && cols >= 3, "IsingModel: lattice ", rows, " x ", cols, ": both sides must be at least 3");
    return IsingModel(rows, cols, sigma, VectorX<S>::Constant(rows * cols, S(h)));
  }

  // σ_c = ln(1 + √2)/4: the critical coupling of the infinite square lattice in this convention.
  static double critical_sigma() { return std::log(1 + std::numbers::sqrt2) / 4; }

  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  Index dim() const { return rows_ * cols_; }
  double sigma() const { return double(theta_[0]); }
  auto field() const { return theta_.tail(dim()); }

  // ---- parameters θ = (σ, h) ---------------------------------------------------------------------------
  Index num_params() const { return 1 + dim(); }
  const VectorX<S>& params() const { return theta_; }
  std::string param_name(Index k) const { return k == 0 ? std::string("sigma") : "h[" + std::to_string(k - 1) + "]"; }
  void set_params(const ConstVecRef<S>& theta) {
    ensure(theta.size() == num_params(), "IsingModel::set_params: ", theta.size(), " values for ", num_params(),
           " parameters (sigma and one field per site)");
    check_params(theta);
    theta_ = theta;
  }

  // ---- energies --------------------------------------------------------------------------------------------
  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const {
    check_shape(x, e.size(), "energy");
    for (Index r = 0; r < x.rows(); ++r) e[r] = S(row_terms(x.row(r).data(), nullptr));
  }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { energy(x, e); }

  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> g) const {
    check_shape(x, e.size(), "energy_and_grad");
    ensure(g.rows() == x.rows() && g.cols() == dim(), "IsingModel::energy_and_grad: gradient is ", g.rows(), " x ",
           g.cols(), ", states are ", x.rows(), " x ", dim());
    for (Index r = 0; r < x.rows(); ++r) e[r] = S(row_terms(x.row(r).data(), g.row(r).data()));
  }

  // gθ += w · Σ_r ∂E/∂θ(x_r): ∂E/∂σ = −sᵀAs, ∂E/∂h = −s.
  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad) const {
    ensure(x.cols() == dim() && grad.size() == num_params(), "IsingModel::accumulate_grad: states have ", x.cols(),
           " columns, gradient ", grad.size(), " entries; the model has ", dim(), " sites and ", num_params(),
           " parameters");
    for (Index r = 0; r < x.rows(); ++r) {
      const S* xr = x.row(r).data();
      double sas = 0;
      for (Index a = 0; a < rows_; ++a)
        for (Index b = 0; b < cols_; ++b) {
          const Index i = a * cols_ + b;
          sas += 2 * spin(xr[i]) * (spin(xr[right(a, b)]) + spin(xr[down(a, b)]));
          grad[1 + i] -= S(double(weight) * spin(xr[i]));
        }
      grad[0] -= S(double(weight) * sas);
    }
  }

  // E(x with x_i flipped) − E(x) = 2 s_i (2σ N_i + h_i), from the four neighbours.
  double flip_delta(std::span<const S> x, Index i) const {
    const Index a = i / cols_, b = i - a * cols_;
    return 2 * spin(x[std::size_t(i)]) * (2 * sigma() * neighbour_sum(x.data(), a, b) + double(theta_[1 + i]));
  }

  // N_i = Σ_{j ∈ nbr(i)} s_j, the sum of the four neighbours' spins of site i.
  double neighbour_sum(std::span<const S> x, Index i) const {
    const Index a = i / cols_;
    return neighbour_sum(x.data(), a, i - a * cols_);
  }

private:
  static double spin(S x) { return 2 * double(x) - 1; }
  Index right(Index a, Index b) const { return a * cols_ + (b + 1 == cols_ ? 0 : b + 1); }
  Index left(Index a, Index b) const { return a * cols_ + (b == 0 ? cols_ - 1 : b - 1); }
  Index down(Index a, Index b) const { return (a + 1 == rows_ ? 0 : a + 1) * cols_ + b; }
  Index up(Index a, Index b) const { return (a == 0 ? rows_ - 1 : a - 1) * cols_ + b; }
  double neighbour_sum(const S* x, Index a, Index b) const {
    return spin(x[right(a, b)]) + spin(x[left(a, b)]) + spin(x[down(a, b)]) + spin(x[up(a, b)]);
  }

  // E(x) = −(σ Σ_i s_i N_i + Σ_i s_i h_i) of one state x (Σ_i s_i N_i = sᵀAs: each edge twice, as defined), and
  // ∇ₓE = −4σN − 2h into g unless g is null: energy and energy_and_grad share it, so their E are the same bits.
  // A lattice row at a time: its two end sites (the periodic wrap) one by one, the others in chunks of `chunk`
  // sites as arrays in S, N = 2(x_left + x_right + x_up + x_down) − 4 (exact for binary x: small integers), each
  // chunk's two sums added in double in a fixed order. For binary x, Σ s_i N_i is exact (chunk sums ≤ 4·chunk) and
  // so is the gradient's −4σN_i (σ times a power of two) before its one rounding with −2h_i, as in double.
  double row_terms(const S* x, S* g) const {
    using Array = Eigen::Array<S, Eigen::Dynamic, 1>;
    using Map = Eigen::Map<const Array>;
    constexpr Index chunk = 64;
    alignas(64) S nb_buf[chunk];
    const S minus_4sg = S(-4) * theta_[0];
    const S* h = theta_.data() + 1;
    const Index W = cols_;
    double sn = 0, shf = 0;  // Σ s_i N_i, Σ s_i h_i
    auto site = [&](Index i, S nb_x) {  // nb_x = the sum of the four neighbours' x
      const S n = S(2) * nb_x - S(4), si = S(2) * x[i] - S(1);
      sn += double(si * n);
      shf += double(si * h[i]);
      if (g) g[i] = minus_4sg * n - S(2) * h[i];
    };
    for (Index a = 0; a < rows_; ++a) {
      const S* cur = x + a * W;
      const S* up = x + (a == 0 ? rows_ - 1 : a - 1) * W;
      const S* dn = x + (a + 1 == rows_ ? 0 : a + 1) * W;
      site(a * W, cur[W - 1] + cur[1] + up[0] + dn[0]);
      for (Index b0 = 1; b0 < W - 1; b0 += chunk) {
        const Index n = std::min(chunk, W - 1 - b0);
        Eigen::Map<Array> nb(nb_buf, n);
        nb = (Map(cur + b0 - 1, n) + Map(cur + b0 + 1, n) + Map(up + b0, n) + Map(dn + b0, n)) * S(2) - S(4);
        const auto s = Map(cur + b0, n) * S(2) - S(1);
        const Map hb(h + a * W + b0, n);
        sn += double((s * nb).sum());
        shf += double((s * hb).sum());
        if (g) Eigen::Map<Array>(g + a * W + b0, n) = minus_4sg * nb - S(2) * hb;
      }
      site(a * W + W - 1, cur[W - 2] + cur[0] + up[W - 1] + dn[W - 1]);
    }
    return -(sigma() * sn + shf);
  }

  void check_shape(const ConstBatchRef<S>& x, Index e_size, const char* what) const {
    ensure(x.cols() == dim(), "IsingModel::", what, ": states have ", x.cols(), " columns, the lattice has ", rows_,
           " x ", cols_, " = ", dim(), " sites");
    ensure(e_size == x.rows(), "IsingModel::", what, ": ", e_size, " energies for ", x.rows(), " states");
  }
  static void check_params(const ConstVecRef<S>& theta) {
    for (Index k = 0; k < theta.size(); ++k)
      ensure(std::isfinite(double(theta[k])), "IsingModel: ", k == 0 ? std::string("sigma") : "field h[" + std::to_string(k - 1) + "]",
             " is ", double(theta[k]), "; parameters must be finite");
  }

  Index rows_, cols_;
  VectorX<S> theta_;  // (σ, h)
};

using IsingModelf = IsingModel<float>;
using IsingModeld = IsingModel<double>;

}  // namespace ebm
