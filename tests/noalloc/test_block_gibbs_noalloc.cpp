// After init, a block Gibbs step on an MNIST-sized RBM (784 × 500, 100 chains) allocates nothing, on the
// gather path (sparse states) and on the subset-sum path (dense 0/1 states) alike. Each step runs inside a
// NoAllocationScope; the states that fed it are checked to lie on the intended side of the density
// threshold in every block, so neither path can be skipped without the test failing.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "ebm/models/bernoulli_rbm.hpp"
#include "ebm/samplers/block_gibbs.hpp"

namespace ebm::test {
void set_eigen_malloc_allowed(bool allowed) { Eigen::internal::set_is_malloc_allowed(allowed); }
}  // namespace ebm::test

using namespace ebm;

namespace {

struct DensityRange {
  double min = 1, max = 0;
};

// Fraction of non-zeros of each block of rows; the model picks its product path per block from it.
template <class S>
DensityRange block_densities(const MatrixX<S>& x, const BlockPlan& plan) {
  DensityRange d;
  for (Index b = 0; b < plan.count(); ++b) {
    const auto block = x.middleRows(plan.begin(b), plan.size(b));
    const double f = double((block.array() != S(0)).count()) / double(block.size());
    d.min = std::min(d.min, f);
    d.max = std::max(d.max, f);
  }
  return d;
}

}  // namespace

TEMPLATE_TEST_CASE("a block Gibbs step allocates nothing after init (784 x 500, 100 chains)", "[noalloc]", float,
                   double) {
  using S = TestType;
  constexpr Index nv = 784, nh = 500, chains = 100;
  const bool dense = GENERATE(false, true);
  INFO((dense ? "dense states: subset-sum path" : "sparse states: gather path"));

  // All biases −3 give ~5 % ones in both layers (gather path), all biases 0 give ~50 % (subset sums).
  const S bias = dense ? S(0) : S(-3);
  BernoulliRBM<S> rbm(nv, nh);
  Rng rng = make_stream(11, StreamPurpose::init, 0);
  rbm.init_normal(rng, S(0.01));
  rbm.modify_params([&](VectorX<S>& t) { t.tail(nv + nh).setConstant(bias); });
  const S p_on = S(1) / (S(1) + std::exp(-bias));
  MatrixX<S> v0(chains, nv);
  for (Index r = 0; r < chains; ++r)
    for (Index i = 0; i < nv; ++i) v0(r, i) = bernoulli(rng, p_on);

  BlockGibbs<BernoulliRBM<S>> gibbs;
  GibbsChains<S> state;
  auto streams = make_chain_streams(12, chains);
  gibbs.init(rbm, state, v0, streams);
  const BlockPlan plan(chains, gibbs.block_rows());
  REQUIRE(plan.count() > 1);  // the parallel path, with its per-block workspaces

  const double threshold = detail::sparse_density_threshold;
  for (int t = 0; t < 5; ++t) {
    const DensityRange h_in = block_densities(state.h, plan);  // input of p(v | h) in this sweep
    test::AllocationCounts counts;
    std::string error;
    {
      test::NoAllocationScope scope;
      try {
        gibbs.step(rbm, state, streams);
      } catch (const std::exception& e) {
        error = e.what();
      }
      counts = scope.counts();
    }
    const DensityRange v_in = block_densities(state.v, plan);  // input of p(h | v) in this sweep
    INFO("sweep " << t << ": h density in [" << h_in.min << ", " << h_in.max << "], v density in [" << v_in.min
                  << ", " << v_in.max << "]");
    CHECK(error == "");
    CHECK(counts.operator_new == 0);
    CHECK(counts.malloc == 0);
    if (dense) {
      CHECK(h_in.min >= threshold);
      CHECK(v_in.min >= threshold);
    } else {
      CHECK(h_in.max < threshold);
      CHECK(v_in.max < threshold);
    }
  }
}

// Guards against a silently inert hook: each kind of allocation must be seen.
TEST_CASE("the allocation hooks see allocations", "[noalloc]") {
  test::AllocationCounts counts;
  {
    test::NoAllocationScope scope;
    // Through volatile pointers, or the compiler may elide the pairs.
    int* volatile p = new int(1);
    delete p;
    void* volatile q = std::malloc(64);
    std::free(q);
    counts = scope.counts();
  }
  CHECK(counts.operator_new == 1);
  if (test::malloc_is_interposed()) CHECK(counts.malloc >= 2);
  std::string error;
  {
    test::NoAllocationScope scope;
    try {
      Matrixf big(512, 512);
      big.setZero();
    } catch (const test::EigenAssertion& e) {
      error = e.what();
    }
  }
  CHECK_THAT(error, Catch::Matchers::Contains("heap allocation is forbidden"));
}
