// The samplers added for the benchmark targets (systematic-scan Gibbs, Hamming ball, PAS) give bitwise identical
// chains, energies, gradients and step infos on 1, 2 and 8 threads: on a 6 × 7 Ising model (the flip-delta paths)
// and on an MLP energy with base term (the batched paths); another seed gives other chains. 60 chains in blocks
// of 25 make two full blocks and a partial one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ebm/samplers/binary_samplers.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

struct Run {
  Matrixd x, grad;
  Vectord energy;
  std::vector<double> acceptance, flips;
};

template <class K, class M>
Run run(K kernel, const M& model, std::uint64_t seed) {
  constexpr Index chains = 60;
  BinaryChains<double> s;
  auto rng = make_chain_streams(seed, chains);
  kernel.init(model, s, test::random_binary<double>(chains, model.dim(), seed), rng);
  Run out;
  for (int t = 0; t < 15; ++t) {
    const auto info = kernel.step(model, s, rng);
    out.acceptance.push_back(info.acceptance_rate);
    out.flips.push_back(info.mean_flips);
  }
  out.x = s.x;
  out.grad = s.grad;
  out.energy = s.energy;
  return out;
}

template <class K, class M>
void check_threads(const std::string& name, const K& kernel, const M& model) {
  INFO(name);
  const auto serial = test::with_threads(1, [&] { return run(kernel, model, 7); });
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    const auto parallel = test::with_threads(n, [&] { return run(kernel, model, 7); });
    CHECK(test::bitwise_equal(serial.x, parallel.x));
    CHECK(test::bitwise_equal(serial.grad, parallel.grad));
    CHECK(test::bitwise_equal(serial.energy, parallel.energy));
    CHECK(serial.acceptance == parallel.acceptance);
    CHECK(serial.flips == parallel.flips);
  }
  const auto other = test::with_threads(2, [&] { return run(kernel, model, 8); });
  CHECK_FALSE(test::bitwise_equal(serial.x, other.x));
}

template <class M>
void check_all_kernels(const M& model) {
  check_threads("systematic-scan Gibbs", SystematicScanGibbs<M>(), model);
  check_threads("Hamming ball 6/2", HammingBall<M>(6, 2), model);
  check_threads("PAS 3", PathAuxiliary<M>(3), model);
  check_threads("PAS, length uniform on 1..4", PathAuxiliary<M>(4, PathLength::uniform), model);
}

}  // namespace

TEST_CASE("new binary kernels on a periodic Ising model are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary][ising]") {
  Vectord h(42);
  for (Index i = 0; i < 42; ++i) h[i] = 0.1 * double(i % 5) - 0.2;
  check_all_kernels(IsingModel<double>(6, 7, 0.3, h));
}

TEST_CASE("new binary kernels on an MLP energy with base term are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary]") {
  check_all_kernels(test::mlp_with_base<double>(30, 16, 2.0, 1.0, 3));
}
