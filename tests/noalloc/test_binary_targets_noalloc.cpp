// A step of the samplers added for the benchmark targets (systematic-scan Gibbs, Hamming ball, PAS) allocates
// nothing once the chains are initialized: on an 8 × 8 Ising model (flip-delta paths) and on an MLP energy with
// base term (batched paths, workspaces), with a full block of 25 chains and a partial one of 10.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/samplers/binary_samplers.hpp"
#include "noalloc/binary_step_noalloc.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

using test::check_steps_allocate_nothing;

template <class M>
void check_all_new_kernels(const M& model) {
  check_steps_allocate_nothing("systematic-scan Gibbs", SystematicScanGibbs<M>(), model);
  check_steps_allocate_nothing("Hamming ball 5/2", HammingBall<M>(5, 2), model);
  check_steps_allocate_nothing("PAS 4", PathAuxiliary<M>(4), model);
  check_steps_allocate_nothing("PAS, length uniform on 1..4", PathAuxiliary<M>(4, PathLength::uniform), model);
}

}  // namespace

TEST_CASE("new binary kernels: a step on a periodic Ising model allocates nothing", "[noalloc][binary][ising]") {
  check_all_new_kernels(IsingModel<double>(8, 8, 0.3));
  check_all_new_kernels(IsingModel<float>(8, 8, 0.3));
}

TEST_CASE("new binary kernels: a step on an MLP energy with base term allocates nothing", "[noalloc][binary]") {
  check_all_new_kernels(test::mlp_with_base<double>(20, 64, 2.0, 1.0, 1));
}
