#pragma once
// Long block-Gibbs runs for the statistical tests: chains started at uniform random visible states, a
// burn-in that is thrown away, then a callback after every kept sweep.
#include <cstdint>
#include <utility>
#include <vector>

#include "ebm/core/random.hpp"
#include "ebm/samplers/block_gibbs.hpp"

namespace ebm::test {

// on_sweep(t, chains) is called after sweeps t = 0 .. sweeps−1 following the burn-in; chains.v, chains.h
// and chains.ph (= E[h | v]) hold the current states, one row per chain.
template <LatentGibbsModel M, class F>
void run_block_gibbs(const M& model, Index num_chains, std::uint64_t seed, int burn_in, int sweeps, F&& on_sweep) {
  using S = typename M::Scalar;
  BlockGibbs<M> kernel;
  GibbsChains<S> chains;
  std::vector<Rng> rng = make_chain_streams(seed, num_chains);
  Rng init = make_stream(seed, StreamPurpose::init, 0);
  MatrixX<S> v0(num_chains, model.dim());
  for (Index r = 0; r < v0.rows(); ++r)
    for (Index i = 0; i < v0.cols(); ++i) v0(r, i) = bernoulli(init, S(0.5));
  kernel.init(model, chains, v0, rng);
  for (int t = 0; t < burn_in; ++t) kernel.step(model, chains, rng);
  for (int t = 0; t < sweeps; ++t) {
    kernel.step(model, chains, rng);
    on_sweep(t, std::as_const(chains));
  }
}

}  // namespace ebm::test
