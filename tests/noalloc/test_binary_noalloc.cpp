// A step of every binary kernel allocates nothing once the chains are initialized: on an MLP energy with base
// term (widths 20 → 64 → 1) and on an RBM free energy (64 × 32, dense states: the GEMM path with its packing
// buffers in the workspace), with a full block of 25 chains and a partial one of 10.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/models/rbm_base_energy.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/rbm_proposal.hpp"
#include "noalloc/binary_step_noalloc.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

using test::check_steps_allocate_nothing;

template <class M>
void check_all_binary(const M& model) {
  check_steps_allocate_nothing("GWG, 1 flip", GibbsWithGradients<M>(1), model);
  check_steps_allocate_nothing("GWG, 4 flips", GibbsWithGradients<M>(4), model);
  check_steps_allocate_nothing("DULA", Dula<M>(0.3), model);
  check_steps_allocate_nothing("DMALA", Dmala<M>(0.3), model);
  check_steps_allocate_nothing("random-scan Gibbs", RandomScanGibbs<M>(), model);
  check_steps_allocate_nothing("random-walk Metropolis", RandomWalkMetropolis<M>(), model);
}

}  // namespace

TEST_CASE("binary kernels: a step on an MLP energy with base term allocates nothing", "[noalloc][binary]") {
  check_all_binary(test::mlp_with_base<double>(20, 64, 2.0, 1.0, 1));
}

TEST_CASE("binary kernels: a step on an RBM free energy allocates nothing", "[noalloc][binary]") {
  auto rbm = test::random_rbm<float>(64, 32, 0.3, 0.0, 2);
  rbm.modify_params([&](Vectorf& t) { t.tail(64 + 32).setConstant(0.5f); });
  check_all_binary(RbmFreeEnergy<float>(rbm));
}

// The RBM-base energy (net + free energy, both with workspaces): the RBM-proposal kernel and GWG/DMALA on it.
TEST_CASE("RBM-proposal Metropolis and gradient kernels on an RBM-base energy allocate nothing", "[noalloc][binary]") {
  using M = RbmBaseEnergy<MlpEnergyf>;
  auto rbm = test::random_rbm<float>(64, 32, 0.3, 0.0, 3);
  const M model(test::mlp_with_base<float>(64, 16, 2.0, 0.0, 4).net(), rbm);
  check_steps_allocate_nothing("RBM-proposal Metropolis", RbmProposalMetropolis<M>(), model);
  check_steps_allocate_nothing("GWG on RBM base", GibbsWithGradients<M>(1), model);
  check_steps_allocate_nothing("DMALA on RBM base", Dmala<M>(0.3), model);
}
