#pragma once
// The q-state Potts model on a periodic 2-D lattice of L × W sites (site (a, b) at index a·W + b), the categorical
// benchmark target of discrete samplers (Grathwohl et al. 2021 sample Potts models with categorical GWG; Goshvadi
// et al. 2023, DISCS, use the lattice Potts model as a target):
//
//   p(x) ∝ exp(J Σ_{edges {s,t}} [x_s = x_t] + Σ_s h_{s, x_s}),   x ∈ {0, …, q−1}^{L·W},
//   E(x) = −J Σ_edges [x_s = x_t] − Σ_s h_{s, x_s}.
//
// The edges are the pairs (s, right(s)) and (s, down(s)) for every site s, with periodic boundaries (a torus): each
// edge counted ONCE, 2·L·W edges. A side of 2 is allowed and makes a multigraph: the two sites across that side are
// joined twice (once directly, once through the wrap), as the periodic sum over right and down neighbours says;
// every site keeps four neighbour slots, and every formula below holds unchanged. (The tiny 2 × 3 instances of the
// tests rely on it.) States are label rows (core/labels.hpp), one byte per site, as the CRFs store theirs.
//
// Critical coupling of the infinite square lattice, zero field: J_c = ln(1 + √q) (q = 2: ln(1 + √2) ≈ 0.881,
// q = 3: ≈ 1.005, q = 4: ln 3 ≈ 1.099). Conjectured from self-duality by Potts (1952) and Baxter (1973, "Potts
// model at the critical temperature", J. Phys. C 6, L445), proved for every q ≥ 1 by Beffara & Duminil-Copin
// (2012, "The self-dual point of the two-dimensional random-cluster model is critical for q ≥ 1", Probab. Theory
// Relat. Fields 153, 511–542). J < J_c is the disordered phase, J > J_c the ordered one; the transition is
// continuous for q ≤ 4 and first-order for q ≥ 5 (Duminil-Copin, Gagnebin, Harel, Manolescu & Tassion 2016).
// For q = 2 this is the Ising model with per-edge coupling J/2 on spins s = 2x − 1 ([x_s = x_t] = (1 + s_s s_t)/2):
// IsingModel (ising_model.hpp) at σ = J/4, whose σ_c = ln(1 + √2)/4 is this J_c/4.
// DISCS's Potts target (google-research/discs, discs/models/potts.py, read for its convention) sums every edge
// twice (right + left, down + up neighbours) with weight λ, so its λ is J/2 here; it also has OPEN boundaries (no
// wrap in its forward pass, though its docstring says cyclic) and a per-site, per-label field. Its numbers are
// comparable to ours only up to the boundary.
//
// The one-hot relaxation (core/categorical_model.hpp): o_{s,c} = [x_s = c],
//   E(o) = −J Σ_edges Σ_c o_{s,c} o_{t,c} − Σ_{s,c} h_{s,c} o_{s,c},
//   ∂E/∂o_{s,c} = −J n_{s,c} − h_{s,c},   n_{s,c} = the number of the four neighbour slots of s with label c.
// E is linear in each site's one-hot (no self-edges once sides are ≥ 2), so the first-order estimate of a label
// change is exact: ∂E/∂o_{s,c} − ∂E/∂o_{s,x_s} = E(x with x_s = c) − E(x), and the local energies of single-site
// Gibbs are these same numbers, e[c] = −J n_{s,c} − h_{s,c}.
//   θ = (J, h_{0,0}, h_{0,1}, …, h_{n−1,q−1}),   ∂E/∂J = −Σ_edges [x_s = x_t],   ∂E/∂h_{s,c} = −[x_s = c].
// Everything is a 4-neighbour stencil: a sweep of a 50 × 50 lattice is O(n q).
#include <array>
#include <cmath>
#include <span>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class PottsModel {
public:
  using Scalar = S;

  // labels: q; coupling: J; field: h, num_sites·q values, h[s·q + c] (empty: zero field).
  PottsModel(Index rows, Index cols, int labels, double coupling, VectorX<S> field = {})
      : rows_(rows), cols_(cols), q_(labels) {
    ensure(rows >= 2 && cols >= 2, "PottsModel: lattice ", rows, " x ", cols,
           ": both sides must be at least 2 (periodic 4-neighbour lattice)");
    ensure(labels >= 2 && labels <= max_labels, "PottsModel: q = ", labels, " labels; q must be between 2 and ",
           max_labels);
    ensure(std::isfinite(coupling), "PottsModel: coupling J = ", coupling, " must be finite");
    const Index nq = rows * cols * labels;
    if (field.size() == 0) field = VectorX<S>::Zero(nq);
    ensure(field.size() == nq, "PottsModel: field has ", field.size(), " entries for ", rows, " x ", cols,
           " sites and ", labels, " labels (", nq, " = sites · labels, h[site · q + label])");
    theta_.resize(1 + nq);
    theta_[0] = S(coupling);
    theta_.tail(nq) = field;
    check_params(theta_);
  }

  // J_c = ln(1 + √q): the critical coupling of the infinite square lattice, zero field (see above).
  static double critical_coupling(int q) {
    ensure(q >= 1, "PottsModel::critical_coupling: q = ", q, " must be at least 1");
    return std::log1p(std::sqrt(double(q)));
  }

  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  Index num_sites() const { return rows_ * cols_; }
  int num_labels() const { return q_; }
  double coupling() const { return double(theta_[0]); }
  auto field() const { return theta_.tail(num_sites() * q_); }

  // ---- parameters θ = (J, h) -----------------------------------------------------------------------------
  Index num_params() const { return 1 + num_sites() * q_; }
  const VectorX<S>& params() const { return theta_; }
  std::string param_name(Index k) const {
    if (k == 0) return "J";
    const Index s = (k - 1) / q_;
    return "h[" + std::to_string(s) + "][" + std::to_string(k - 1 - s * q_) + "]";
  }
  void set_params(const ConstVecRef<S>& theta) {
    ensure(theta.size() == num_params(), "PottsModel::set_params: ", theta.size(), " values for ", num_params(),
           " parameters (J and one field per site and label)");
    check_params(theta);
    theta_ = theta;
  }

  // ---- energies (x: num_sites() labels, each below q) ---------------------------------------------------------
  // E(x) = −J · (equal edges) − Σ_s h_{s, x_s}.
  double energy(std::span<const Label> x) const {
    const S* h = theta_.data() + 1;
    Index equal = 0;
    double field_sum = 0;
    for (Index a = 0; a < rows_; ++a)
      for (Index b = 0; b < cols_; ++b) {
        const Index s = a * cols_ + b;
        const Label l = x[std::size_t(s)];
        equal += (l == x[std::size_t(right(a, b))]) + (l == x[std::size_t(down(a, b))]);
        field_sum += double(h[s * q_ + l]);
      }
    return -coupling() * double(equal) - field_sum;
  }

  // e[c] = −J n_{i,c} − h_{i,c}: E(x with x_i = c) − E(x) = e[c] − e[x_i].
  void local_energies(std::span<const Label> x, Index i, std::span<S> e) const {
    const Index a = i / cols_;
    site_energies(x.data(), a, i - a * cols_, e.data());
  }

  // Returns E(x); g[s·q + c] = ∂E/∂o_{s,c} = −J n_{s,c} − h_{s,c} at the one-hot of x (the same bits as
  // local_energies).
  double energy_and_grad(std::span<const Label> x, std::span<S> g) const {
    for (Index a = 0; a < rows_; ++a)
      for (Index b = 0; b < cols_; ++b) site_energies(x.data(), a, b, g.data() + (a * cols_ + b) * q_);
    return energy(x);
  }

  // g += w · ∂E/∂θ(x): ∂E/∂J = −(equal edges), ∂E/∂h_{s,c} = −[x_s = c].
  void accumulate_grad(std::span<const Label> x, S weight, VecRef<S> g) const {
    ensure(g.size() == num_params(), "PottsModel::accumulate_grad: gradient has ", g.size(), " entries, the model ",
           num_params(), " parameters");
    Index equal = 0;
    for (Index a = 0; a < rows_; ++a)
      for (Index b = 0; b < cols_; ++b) {
        const Index s = a * cols_ + b;
        const Label l = x[std::size_t(s)];
        equal += (l == x[std::size_t(right(a, b))]) + (l == x[std::size_t(down(a, b))]);
        g[1 + s * q_ + l] -= weight;
      }
    g[0] -= S(double(weight) * double(equal));
  }

  // The sites in the four neighbour slots of site i (right, left, down, up; a side of 2 repeats a site).
  std::array<Index, 4> neighbours(Index i) const {
    const Index a = i / cols_, b = i - a * cols_;
    return {right(a, b), left(a, b), down(a, b), up(a, b)};
  }

private:
  Index right(Index a, Index b) const { return a * cols_ + (b + 1 == cols_ ? 0 : b + 1); }
  Index left(Index a, Index b) const { return a * cols_ + (b == 0 ? cols_ - 1 : b - 1); }
  Index down(Index a, Index b) const { return (a + 1 == rows_ ? 0 : a + 1) * cols_ + b; }
  Index up(Index a, Index b) const { return (a == 0 ? rows_ - 1 : a - 1) * cols_ + b; }

  // out[c] = −h_{s,c} − J n_{s,c} for site s = (a, b): the field, then −J for each neighbour slot's label.
  void site_energies(const Label* x, Index a, Index b, S* out) const {
    const S* h = theta_.data() + 1 + (a * cols_ + b) * q_;
    const S j = theta_[0];
    for (int c = 0; c < q_; ++c) out[c] = -h[c];
    out[x[right(a, b)]] -= j;
    out[x[left(a, b)]] -= j;
    out[x[down(a, b)]] -= j;
    out[x[up(a, b)]] -= j;
  }

  static void check_params(const ConstVecRef<S>& theta) {
    for (Index k = 0; k < theta.size(); ++k)
      ensure(std::isfinite(double(theta[k])), "PottsModel: ", k == 0 ? std::string("coupling J") : "field entry " + std::to_string(k - 1),
             " is ", double(theta[k]), "; parameters must be finite");
  }

  Index rows_, cols_;
  int q_;
  VectorX<S> theta_;  // (J, h)
};

using PottsModelf = PottsModel<float>;
using PottsModeld = PottsModel<double>;

}  // namespace ebm
