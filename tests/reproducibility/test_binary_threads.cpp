// The binary kernels (GWG with 1 and 2 flips, DULA, DMALA, random-scan Gibbs, random-walk Metropolis) give
// bitwise identical chains, energies, gradients and step infos on 1, 2 and 8 threads, on an MLP energy with
// base term (double) and an RBM free energy (float, sparse and dense states); another seed gives other chains.
// 60 chains in blocks of 25 make two full blocks and a partial one.
#include <catch2/catch.hpp>

#include "ebm/samplers/binary_samplers.hpp"
#include "reproducibility/kernel_thread_runs.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

template <class M>
void check_binary_kernels(const M& model) {
  const auto start = test::coin_start(model);
  const auto check_threads = [&](const char* name, const auto& kernel) {
    test::check_kernel_threads(name, kernel, model, start, 30);
  };
  check_threads("GWG, 1 flip", GibbsWithGradients<M>(1));
  check_threads("GWG, 2 flips", GibbsWithGradients<M>(2));
  check_threads("DULA", Dula<M>(0.3));
  check_threads("DMALA", Dmala<M>(0.5));
  check_threads("random-scan Gibbs", RandomScanGibbs<M>());
  check_threads("random-walk Metropolis", RandomWalkMetropolis<M>());
}

}  // namespace

TEST_CASE("binary kernels on an MLP energy with base term are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary]") {
  check_binary_kernels(test::mlp_with_base<double>(50, 32, 2.0, 1.0, 3));
}

TEST_CASE("binary kernels on an RBM free energy are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary]") {
  const bool sparse = GENERATE(true, false);
  INFO((sparse ? "sparse states (gather path)" : "dense states (GEMM path)"));
  auto rbm = test::random_rbm<float>(64, 32, 0.3, 0.0, 31);
  rbm.modify_params([&](Vectorf& t) { t.tail(64 + 32).setConstant(sparse ? -3.0f : 0.5f); });
  check_binary_kernels(RbmFreeEnergy<float>(rbm));
}
