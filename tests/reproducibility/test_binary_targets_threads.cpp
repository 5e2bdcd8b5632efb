// The samplers added for the benchmark targets (systematic-scan Gibbs, Hamming ball, PAS) give bitwise identical
// chains, energies, gradients and step infos on 1, 2 and 8 threads: on a 6 × 7 Ising model (the flip-delta paths)
// and on an MLP energy with base term (the batched paths); another seed gives other chains. 60 chains in blocks
// of 25 make two full blocks and a partial one.
#include <catch2/catch.hpp>

#include "ebm/samplers/binary_samplers.hpp"
#include "reproducibility/kernel_thread_runs.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

template <class M>
void check_new_binary_kernels(const M& model) {
  const auto start = test::coin_start(model);
  const auto check_threads = [&](const char* name, const auto& kernel) {
    test::check_kernel_threads(name, kernel, model, start, 15);
  };
  check_threads("systematic-scan Gibbs", SystematicScanGibbs<M>());
  check_threads("Hamming ball 6/2", HammingBall<M>(6, 2));
  check_threads("PAS 3", PathAuxiliary<M>(3));
  check_threads("PAS, length uniform on 1..4", PathAuxiliary<M>(4, PathLength::uniform));
}

}  // namespace

TEST_CASE("new binary kernels on a periodic Ising model are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary][ising]") {
  Vectord h(42);
  for (Index i = 0; i < 42; ++i) h[i] = 0.1 * double(i % 5) - 0.2;
  check_new_binary_kernels(IsingModel<double>(6, 7, 0.3, h));
}

TEST_CASE("new binary kernels on an MLP energy with base term are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary]") {
  check_new_binary_kernels(test::mlp_with_base<double>(30, 16, 2.0, 1.0, 3));
}
