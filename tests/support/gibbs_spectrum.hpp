#pragma once
// Exact mixing behaviour of block Gibbs on a small Bernoulli RBM, for choosing burn-in and thinning from
// the model instead of by guesswork, and for testing the kernel's dynamics, not only its stationary law.
//
// One sweep moves v → h ~ p(h|v) → v' ~ p(v'|h), so the visible states form a Markov chain with kernel
// K = A B, A(v,h) = p(h|v), B(h,v') = p(v'|h). With the joint J(v,h) = p(v) p(h|v) = p(h) p(v|h),
//   D_v K = J D_h⁻¹ Jᵀ   (symmetric, positive semi-definite),
// so K is reversible with eigenvalues in [0, 1]; they are the squared singular values of
// M = D_v^{-1/2} J D_h^{-1/2}, the largest being 1 (constants). The second, λ₂, bounds every lag-t
// autocorrelation of every function of v: |ρ_t| ≤ λ₂^t, and a chain started from μ₀ is within
// ‖μ_t/p − 1‖_{L²(p)} ≤ λ₂^t ‖μ₀/p − 1‖_{L²(p)} of p. Its eigenfunction f (E_p f = 0, E_p f² = 1)
// has ρ_t = λ₂^t exactly, which a correct sampler must reproduce.
// Sizes: J is 2^nv × 2^nh, so keep nv ≤ 12 and nh ≤ 8.
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ebm/core/error.hpp"
#include "ebm/estimate/exact.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm::test {

struct GibbsSpectrum {
  Vectord p;            // p(v), indexed by the visible state's binary number (as exact_visible_distribution)
  double lambda2 = 0;   // second eigenvalue of the visible-chain kernel
  Vectord slowest;      // its eigenfunction f(v), normalized: E_p f = 0, E_p f² = 1
};

// Binary number of a visible row (unit k → bit k), the index used by exact_visible_distribution.
template <class Row>
std::uint32_t state_index(const Row& v) {
  std::uint32_t s = 0;
  for (Index k = 0; k < v.size(); ++k)
    if (v[k] != 0) s |= 1u << k;
  return s;
}

template <class S>
GibbsSpectrum block_gibbs_spectrum(const BernoulliRBM<S>& model) {
  const Index nv = model.num_visible(), nh = model.num_hidden();
  ensure(nv <= 12 && nh <= 8, "block_gibbs_spectrum: ", nv, " x ", nh, " is too large to tabulate");
  BernoulliRBMd rbm(nv, nh);  // conditionals in double whatever S is
  rbm.set_params(model.params().template cast<double>());
  GibbsSpectrum g;
  g.p = exact_visible_distribution(rbm);
  const Index V = g.p.size(), H = Index{1} << nh;
  Matrixd v(V, nv), ph(V, nh);
  for (Index s = 0; s < V; ++s)
    for (Index k = 0; k < nv; ++k) v(s, k) = double((s >> k) & 1);
  auto ws = rbm.make_workspace(V);
  rbm.hidden_mean(v, ph, ws);
  Matrixd J(V, H);
  for (Index s = 0; s < V; ++s)
    for (Index t = 0; t < H; ++t) {
      double q = g.p[s];
      for (Index j = 0; j < nh; ++j) q *= ((t >> j) & 1) ? ph(s, j) : 1 - ph(s, j);
      J(s, t) = q;
    }
  const Vectord p_h = J.colwise().sum().transpose();
  const Matrixd M = g.p.cwiseSqrt().cwiseInverse().asDiagonal() * J * p_h.cwiseSqrt().cwiseInverse().asDiagonal();
  // MᵀM (H × H) has the same non-zero eigenvalues as MMᵀ (V × V), and is small.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(M.transpose() * M);
  ensure(es.info() == Eigen::Success, "block_gibbs_spectrum: eigen-decomposition failed");
  const Index second = H - 2;  // eigenvalues ascend
  g.lambda2 = es.eigenvalues()[second];
  // u eigenvector of MᵀM ⇒ M u / √λ unit eigenvector of MMᵀ = D_v^{1/2} K D_v^{-1/2} ⇒ f = D_v^{-1/2} M u / √λ.
  const Vectord w = M * es.eigenvectors().col(second) / std::sqrt(g.lambda2);
  g.slowest = w.cwiseQuotient(g.p.cwiseSqrt());
  return g;
}

// Sweeps after which a chain started from μ₀ is within chi-distance `target` of p (bound above).
inline Index burn_in_sweeps(const GibbsSpectrum& g, const Vectord& mu0, double target) {
  const double chi0 = std::sqrt(std::max((mu0.array().square() / g.p.array()).sum() - 1.0, 0.0));
  if (chi0 <= target) return 0;
  return Index(std::ceil(std::log(target / chi0) / std::log(g.lambda2)));
}

}  // namespace ebm::test
