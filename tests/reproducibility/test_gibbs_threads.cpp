// Block Gibbs sweeps alone: chain states after many sweeps are bitwise identical on 1, 2 and 8 threads, for
// sparse states (gather path) and dense states (subset-sum path; the GEMM takes only non-binary rows), float
// and double; another seed gives other states. 60 chains in blocks of 25 make two full blocks and a partial one.
#include <catch2/catch.hpp>

#include "ebm/ebm.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;

namespace {

template <class S>
struct Sweeps {
  MatrixX<S> v, h, ph;
};

// 200 sweeps of 60 chains of a 64 × 32 RBM whose biases (all equal to `bias`) set the density of both layers.
template <class S>
Sweeps<S> run_sweeps(S bias, std::uint64_t seed) {
  constexpr Index nv = 64, nh = 32, chains = 60;
  BernoulliRBM<S> rbm = test::random_rbm<S>(nv, nh, 0.3, 0.0, 31);
  rbm.modify_params([&](VectorX<S>& t) { t.tail(nv + nh).setConstant(bias); });
  MatrixX<S> v0(chains, nv);
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  for (Index k = 0; k < v0.size(); ++k) v0.data()[k] = bernoulli(rng, S(0.5));
  BlockGibbs<BernoulliRBM<S>> gibbs;
  GibbsChains<S> state;
  auto streams = make_chain_streams(seed, chains);
  gibbs.init(rbm, state, v0, streams);
  for (int t = 0; t < 200; ++t) gibbs.step(rbm, state, streams);
  return {state.v, state.h, state.ph};
}

}  // namespace

TEMPLATE_TEST_CASE("block Gibbs sweeps are bitwise identical on 1, 2 and 8 threads", "[reproducibility][gibbs]", float,
                   double) {
  using S = TestType;
  const bool sparse = GENERATE(true, false);
  INFO((sparse ? "sparse states (gather path)" : "dense states (subset-sum path)"));
  const S bias = sparse ? S(-3) : S(0.5);

  const Sweeps<S> serial = test::with_threads(1, [&] { return run_sweeps(bias, 7); });
  const double t = detail::sparse_density_threshold;
  if (sparse) {
    CHECK(test::density(serial.v) < t);
    CHECK(test::density(serial.h) < t);
  } else {
    CHECK(test::density(serial.v) > t);
    CHECK(test::density(serial.h) > t);
  }
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    const Sweeps<S> parallel = test::with_threads(n, [&] { return run_sweeps(bias, 7); });
    CHECK(test::bitwise_equal(serial.v, parallel.v));
    CHECK(test::bitwise_equal(serial.h, parallel.h));
    CHECK(test::bitwise_equal(serial.ph, parallel.ph));
  }
  const Sweeps<S> other = test::with_threads(2, [&] { return run_sweeps(bias, 8); });
  CHECK_FALSE(test::bitwise_equal(serial.v, other.v));
  CHECK_FALSE(test::bitwise_equal(serial.ph, other.ph));
}
