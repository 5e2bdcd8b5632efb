#pragma once
// Small RBMs with known parameters and brute-force reference computations for the tests.
#include <cmath>
#include <cstdint>

#include "ebm/core/random.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm::test {

// A random RBM whose weights are N(0, sigma²) and biases N(0, bias_sigma²).
template <class S>
BernoulliRBM<S> random_rbm(Index nv, Index nh, double sigma, double bias_sigma, std::uint64_t seed) {
  BernoulliRBM<S> rbm(nv, nh);
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  rbm.modify_params([&](VectorX<S>& t) {
    for (Index k = 0; k < t.size(); ++k)
      t[k] = S((k < nv * nh ? sigma : bias_sigma) * standard_normal<double>(rng));
  });
  return rbm;
}

// Binary vector of the integer s (bit k → unit k).
template <class S>
RowVectorX<S> bits(std::uint64_t s, Index n) {
  RowVectorX<S> x(n);
  for (Index k = 0; k < n; ++k) x[k] = S((s >> k) & 1u);
  return x;
}

// E(v, h) straight from the definition, in double.
template <class S>
double brute_energy(const BernoulliRBM<S>& m, const RowVectorX<double>& v, const RowVectorX<double>& h) {
  const Matrixd W = m.W().template cast<double>();
  return -v.dot(m.b().template cast<double>().transpose()) - h.dot(m.c().template cast<double>().transpose()) -
         (v * W).dot(h);
}

// −log Σ_h exp(−E(v, h)) by enumerating h.
template <class S>
double brute_free_energy(const BernoulliRBM<S>& m, const RowVectorX<double>& v) {
  const Index nh = m.num_hidden();
  double mx = -INFINITY;
  std::vector<double> t;
  for (std::uint64_t s = 0; s < (1u << nh); ++s) {
    t.push_back(-brute_energy(m, v, bits<double>(s, nh)));
    mx = std::max(mx, t.back());
  }
  double sum = 0;
  for (double x : t) sum += std::exp(x - mx);
  return -(mx + std::log(sum));
}

// log Σ_{v,h} exp(−E) by enumerating both layers.
template <class S>
double brute_log_z(const BernoulliRBM<S>& m) {
  double mx = -INFINITY;
  std::vector<double> t;
  for (std::uint64_t s = 0; s < (1u << m.num_visible()); ++s) {
    t.push_back(-brute_free_energy(m, bits<double>(s, m.num_visible())));
    mx = std::max(mx, t.back());
  }
  double sum = 0;
  for (double x : t) sum += std::exp(x - mx);
  return mx + std::log(sum);
}

}  // namespace ebm::test
