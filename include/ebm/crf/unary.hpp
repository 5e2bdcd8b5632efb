#pragma once
// Unary energies of a grid CRF: U (sites × L) = f(Φ; θ_u), a function of each site's features Φ (sites × F),
// shared by all sites. Two choices:
//   LinearUnary  U = Φ Aᵀ + 1 aᵀ                              θ_u = [A (L × F), a (L)]
//   MlpUnary     U = tanh(Φ A₁ᵀ + 1 a₁ᵀ) A₂ᵀ + 1 a₂ᵀ           θ_u = [A₁ (m × F), A₂ (L × m), a₁ (m), a₂ (L)]
// Weights come first so weight decay (the leading num_weights() parameters) leaves the biases alone.
// backward() adds Σ_s Σ_l G(s,l) ∂U(s,l)/∂θ_u for any G (sites × L): with G = w·onehot(y) that is w·∂E/∂θ_u.
// Everything a call needs beyond θ lives in a Scratch owned by the caller's context, so const models are
// safe to share between threads.
#include <cmath>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class LinearUnary {
public:
  using Scalar = S;
  struct Scratch {};

  LinearUnary() = default;
  LinearUnary(Index features, int labels) : f_(features), l_(labels) {
    ensure(features > 0, "LinearUnary: features = ", features, " must be positive");
    ensure(labels >= 2, "LinearUnary: labels = ", labels, " must be at least 2");
  }
  Index features() const { return f_; }
  int labels() const { return l_; }
  Index hidden() const { return 0; }
  Index num_params() const { return l_ * f_ + l_; }
  Index num_weights() const { return l_ * f_; }
  std::string param_name(Index k) const {
    if (k < l_ * f_) return "unary A(" + std::to_string(k / f_) + ", " + std::to_string(k % f_) + ")";
    return "unary a(" + std::to_string(k - l_ * f_) + ")";
  }

  void init(S* theta, Rng& rng, S scale) const {
    for (Index k = 0; k < num_weights(); ++k) theta[k] = scale * standard_normal<S>(rng);
    for (Index k = num_weights(); k < num_params(); ++k) theta[k] = 0;
  }

  void forward(const S* theta, const MatrixX<S>& phi, MatrixX<S>& u, Scratch&) const {
    u.noalias() = phi * A(theta).transpose();
    u.rowwise() += a(theta).transpose();
  }
  void backward(const S* theta, const MatrixX<S>& phi, Scratch&, const MatrixX<S>& g, S* grad) const {
    (void)theta;
    Eigen::Map<MatrixX<S>>(grad, l_, f_).noalias() += g.transpose() * phi;
    Eigen::Map<VectorX<S>>(grad + l_ * f_, l_) += g.colwise().sum().transpose();
  }

private:
  Eigen::Map<const MatrixX<S>> A(const S* t) const { return {t, l_, f_}; }
  Eigen::Map<const VectorX<S>> a(const S* t) const { return {t + l_ * f_, l_}; }
  Index f_ = 0;
  Index l_ = 0;
};

template <class S>
class MlpUnary {
public:
  using Scalar = S;
  struct Scratch {
    MatrixX<S> hid;    // tanh(Φ A₁ᵀ + a₁), sites × m: kept from forward for backward
    MatrixX<S> delta;  // back-propagated error at the hidden layer
  };

  MlpUnary() = default;
  MlpUnary(Index features, Index hidden, int labels) : f_(features), m_(hidden), l_(labels) {
    ensure(features > 0, "MlpUnary: features = ", features, " must be positive");
    ensure(hidden > 0, "MlpUnary: hidden = ", hidden, " must be positive");
    ensure(labels >= 2, "MlpUnary: labels = ", labels, " must be at least 2");
  }
  Index features() const { return f_; }
  int labels() const { return int(l_); }
  Index hidden() const { return m_; }
  Index num_weights() const { return m_ * f_ + l_ * m_; }
  Index num_params() const { return num_weights() + m_ + l_; }
  std::string param_name(Index k) const {
    if (k < m_ * f_) return "unary A1(" + std::to_string(k / f_) + ", " + std::to_string(k % f_) + ")";
    k -= m_ * f_;
    if (k < l_ * m_) return "unary A2(" + std::to_string(k / m_) + ", " + std::to_string(k % m_) + ")";
    k -= l_ * m_;
    if (k < m_) return "unary a1(" + std::to_string(k) + ")";
    return "unary a2(" + std::to_string(k - m_) + ")";
  }

  // Glorot-like: A₁ ~ N(0, 1/F), A₂ ~ N(0, scale²/m); biases 0.
  void init(S* theta, Rng& rng, S scale) const {
    const S s1 = S(1) / std::sqrt(S(f_)), s2 = scale / std::sqrt(S(m_));
    for (Index k = 0; k < m_ * f_; ++k) theta[k] = s1 * standard_normal<S>(rng);
    for (Index k = m_ * f_; k < num_weights(); ++k) theta[k] = s2 * standard_normal<S>(rng);
    for (Index k = num_weights(); k < num_params(); ++k) theta[k] = 0;
  }

  void forward(const S* theta, const MatrixX<S>& phi, MatrixX<S>& u, Scratch& sc) const {
    sc.hid.noalias() = phi * A1(theta).transpose();
    sc.hid.rowwise() += a1(theta).transpose();
    sc.hid = sc.hid.array().tanh();
    u.noalias() = sc.hid * A2(theta).transpose();
    u.rowwise() += a2(theta).transpose();
  }
  void backward(const S* theta, const MatrixX<S>& phi, Scratch& sc, const MatrixX<S>& g, S* grad) const {
    Eigen::Map<MatrixX<S>>(grad + m_ * f_, l_, m_).noalias() += g.transpose() * sc.hid;
    Eigen::Map<VectorX<S>>(grad + num_weights() + m_, l_) += g.colwise().sum().transpose();
    sc.delta.noalias() = g * A2(theta);
    sc.delta.array() *= S(1) - sc.hid.array().square();
    Eigen::Map<MatrixX<S>>(grad, m_, f_).noalias() += sc.delta.transpose() * phi;
    Eigen::Map<VectorX<S>>(grad + num_weights(), m_) += sc.delta.colwise().sum().transpose();
  }

private:
  Eigen::Map<const MatrixX<S>> A1(const S* t) const { return {t, m_, f_}; }
  Eigen::Map<const MatrixX<S>> A2(const S* t) const { return {t + m_ * f_, l_, m_}; }
  Eigen::Map<const VectorX<S>> a1(const S* t) const { return {t + num_weights(), m_}; }
  Eigen::Map<const VectorX<S>> a2(const S* t) const { return {t + num_weights() + m_, l_}; }
  Index f_ = 0, m_ = 0, l_ = 0;
};

}  // namespace ebm
