#pragma once
// Small binary energies whose distributions over {0,1}^d are known exactly by enumeration: an MLP energy with
// a base term (Grathwohl et al.'s form) and an RBM's free energy. Their scales make p far from uniform (a few
// nats between likely and unlikely states) and the gradient an imperfect guide to flips, so the samplers' tests
// are not trivial.
#include <cstdint>

#include "ebm/core/random.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/models/rbm_free_energy.hpp"
#include "support/rbm_fixtures.hpp"

namespace ebm::test {

// E(x) = MLP(x) − aᵀx: d → hidden → 1 swish net with weights N(0, gain²/fan_in), base logits N(0, base_sd²).
template <class S>
BaseTermEnergy<MlpEnergy<S>> mlp_with_base(Index d, Index hidden, double gain, double base_sd, std::uint64_t seed) {
  MlpEnergy<S> net(d, {hidden}, Activation::swish);
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  net.init_normal(rng, gain);
  net.modify_params([&](VectorX<S>& t) {  // biases too, so the net is not symmetric around x = 0
    for (Index k = net.num_weights(); k < t.size(); ++k) t[k] = S(0.5 * standard_normal<double>(rng));
  });
  VectorX<S> a(d);
  for (Index i = 0; i < d; ++i) a[i] = S(base_sd * standard_normal<double>(rng));
  return BaseTermEnergy<MlpEnergy<S>>(std::move(net), a);
}

template <class S>
RbmFreeEnergy<S> rbm_free_energy(Index nv, Index nh, double sigma, double bias_sigma, std::uint64_t seed) {
  return RbmFreeEnergy<S>(random_rbm<S>(nv, nh, sigma, bias_sigma, seed));
}

// n rows of independent fair coin flips (start states far from p), from their own stream.
template <class S>
MatrixX<S> random_binary(Index n, Index d, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::init, 1);
  MatrixX<S> x(n, d);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = bernoulli(rng, S(0.5));
  return x;
}

}  // namespace ebm::test
