#pragma once
// The benchmark model shared by bench_rbm and bench_ais: an MNIST-sized float RBM (784 × 500) with small
// weights and biases that keep v at ~13 % ones (a binarized digit) and h at ~15 % while chains run.
#include <cmath>

#include "ebm/core/random.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm::bench {

inline constexpr Index nv = 784, nh = 500;
inline constexpr double visible_density = 0.13, hidden_density = 0.15;

inline float logit(double p) { return float(std::log(p / (1 - p))); }

inline BernoulliRBM<float> mnist_like_rbm() {
  BernoulliRBM<float> rbm(nv, nh);
  Rng rng = make_stream(1, StreamPurpose::init, 0);
  rbm.init_normal(rng, 0.01f);
  rbm.modify_params([](VectorX<float>& t) {
    t.segment(nv * nh, nv).setConstant(logit(visible_density));
    t.segment(nv * nh + nv, nh).setConstant(logit(hidden_density));
  });
  return rbm;
}

}  // namespace ebm::bench
