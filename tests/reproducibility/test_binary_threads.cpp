// The binary kernels (GWG with 1 and 2 flips, DULA, DMALA, random-scan Gibbs, random-walk Metropolis) give
// bitwise identical chains, energies, gradients and step infos on 1, 2 and 8 threads, on an MLP energy with
// base term (double) and an RBM free energy (float, sparse and dense states); another seed gives other chains.
// 60 chains in blocks of 25 make two full blocks and a partial one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ebm/samplers/binary_samplers.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

template <class S>
struct Run {
  MatrixX<S> x, grad;
  VectorX<S> energy;
  std::vector<double> acceptance;
};

template <class K, class M>
Run<typename M::Scalar> run(K kernel, const M& model, std::uint64_t seed) {
  using S = typename M::Scalar;
  constexpr Index chains = 60;
  BinaryChains<S> s;
  auto rng = make_chain_streams(seed, chains);
  kernel.init(model, s, test::random_binary<S>(chains, model.dim(), seed), rng);
  Run<S> out;
  for (int t = 0; t < 30; ++t) out.acceptance.push_back(kernel.step(model, s, rng).acceptance_rate);
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
  }
  const auto other = test::with_threads(2, [&] { return run(kernel, model, 8); });
  CHECK_FALSE(test::bitwise_equal(serial.x, other.x));
}

template <class M>
void check_all_kernels(const M& model) {
  check_threads("GWG, 1 flip", GibbsWithGradients<M>(1), model);
  check_threads("GWG, 2 flips", GibbsWithGradients<M>(2), model);
  check_threads("DULA", Dula<M>(0.3), model);
  check_threads("DMALA", Dmala<M>(0.5), model);
  check_threads("random-scan Gibbs", RandomScanGibbs<M>(), model);
  check_threads("random-walk Metropolis", RandomWalkMetropolis<M>(), model);
}

}  // namespace

TEST_CASE("binary kernels on an MLP energy with base term are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary]") {
  check_all_kernels(test::mlp_with_base<double>(50, 32, 2.0, 1.0, 3));
}

TEST_CASE("binary kernels on an RBM free energy are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][binary]") {
  const bool sparse = GENERATE(true, false);
  INFO((sparse ? "sparse states (gather path)" : "dense states (GEMM path)"));
  auto rbm = test::random_rbm<float>(64, 32, 0.3, 0.0, 31);
  rbm.modify_params([&](Vectorf& t) { t.tail(64 + 32).setConstant(sparse ? -3.0f : 0.5f); });
  check_all_kernels(RbmFreeEnergy<float>(rbm));
}
