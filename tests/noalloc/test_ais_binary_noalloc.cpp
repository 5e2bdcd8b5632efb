// Moving generic AIS runs through temperatures allocates nothing once they are set up (weight updates,
// re-tempering the chains' cache, the kernel's steps): GWG on an MLP energy with base term and DMALA on an RBM
// free energy (dense states: the GEMM path), 35 chains in a full block of 25 and a partial one of 10.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/estimate/ais_binary.hpp"
#include "ebm/samplers/discrete_langevin.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

template <class M, class K>
void check_advance_allocates_nothing(const M& model, const VectorX<typename M::Scalar>& base, K kernel) {
  BinaryAisOptions opt;
  opt.chains = 35;
  opt.num_betas = 20;
  opt.steps_per_beta = 2;
  BinaryAisRuns<M, K> runs(model, base, opt, std::move(kernel));
  runs.advance(model, 2);
  test::AllocationCounts counts;
  {
    test::NoAllocationScope scope;
    runs.advance(model, 16);  // stops before the last temperature
    counts = scope.counts();
  }
  CHECK(counts.operator_new == 0);
  CHECK(counts.malloc == 0);
  CHECK(runs.log_weights().allFinite());
}

}  // namespace

TEST_CASE("generic AIS: advancing the runs allocates nothing", "[noalloc][ais_binary]") {
  SECTION("GWG on an MLP energy with base term") {
    const auto model = test::mlp_with_base<double>(20, 64, 2.0, 1.0, 1);
    using M = std::decay_t<decltype(model)>;
    check_advance_allocates_nothing(model, model.base_logits(), DefaultAisKernel<M>());
  }
  SECTION("DMALA on an RBM free energy") {
    const auto model = test::rbm_free_energy<float>(64, 32, 0.5, 0.5, 2);
    using M = std::decay_t<decltype(model)>;
    check_advance_allocates_nothing(model, Vectorf::Constant(64, 0.5f), Dmala<TemperedBinaryEnergy<M>>(0.3));
  }
}
