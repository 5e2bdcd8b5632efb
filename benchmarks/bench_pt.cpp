// The cost of parallel tempering's swaps at MNIST size (784 × 500 float RBM, benchmarks/mnist_like_rbm.hpp):
// N = 100 ladders of K = 10 replicas (linear ladder 1 … 0).
//   plain_sweeps  K block-Gibbs sweeps of 100 chains at β = 1: the same number of chain-sweeps without PT
//   pt_sweeps     one sweep of all K·N replicas, each replica on its tempered copy; it also leaves E(v, h) at
//                 β = 1 of every replica (BlockGibbs::step_tempered), from the pre-activations it computes anyway
//   pt_swaps      one round of swap proposals from those cached energies: decisions and row exchanges (even
//                 and odd rounds alternate across iterations)
//   pt_round      sweep + swaps: one PT round; pt_round − pt_sweeps is what swapping costs on top of the sweeps
//   temper_copies refreshing the K − 1 tempered copies (once per advance(), i.e. per training update)
// Swap overhead = (pt_round − pt_sweeps) / pt_sweeps, pt_swaps / pt_sweeps for the decisions alone.
// One thread, CPU time (the machine is shared).
//
//   build-pt/benchmarks/bench_pt --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include "ebm/ebm.hpp"
#include "ebm/samplers/parallel_tempering.hpp"

#include "mnist_like_rbm.hpp"

namespace {

using namespace ebm;
using Kernel = BlockGibbs<BernoulliRBMf>;
constexpr Index ladders = 100;
constexpr int temperatures = 10;

Matrixf binary_rows(Index rows, double p, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Matrixf x(rows, bench::nv);
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < bench::nv; ++i) x(r, i) = bernoulli(rng, float(p));
  return x;
}

// A started PT with a few rounds behind it, so every replica sits at its own temperature's densities.
ParallelTempering<Kernel> settled_pt(const BernoulliRBMf& rbm) {
  ParallelTempering<Kernel> pt(Kernel{}, ladders, linear_ladder(temperatures), 1, 7);
  pt.start(rbm, binary_rows(ladders, bench::visible_density, 2));
  for (int t = 0; t < 5; ++t) pt.advance(rbm);
  return pt;
}

void plain_sweeps(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
  const auto rbm = bench::mnist_like_rbm();
  Kernel kernel;
  GibbsChains<float> s;
  auto rng = make_chain_streams(7, ladders);
  kernel.init(rbm, s, binary_rows(ladders, bench::visible_density, 2), rng);
  for (int t = 0; t < 5; ++t) kernel.step(rbm, s, rng);
  for (auto _ : state) {
    for (int k = 0; k < temperatures; ++k) kernel.step(rbm, s, rng);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * ladders * temperatures);
}

void pt_sweeps(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
  const auto rbm = bench::mnist_like_rbm();
  auto pt = settled_pt(rbm);
  for (auto _ : state) {
    pt.sweep(rbm);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * ladders * temperatures);
}

void pt_swaps(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
  const auto rbm = bench::mnist_like_rbm();
  auto pt = settled_pt(rbm);
  pt.reset_swap_stats();
  for (auto _ : state) {
    pt.swap(rbm);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * ladders * temperatures);
  const auto rates = pt.swap_rates();
  state.counters["rate_0_1"] = rates.front();
  state.counters["rate_8_9"] = rates.back();
}

void pt_round(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 1);
  const auto rbm = bench::mnist_like_rbm();
  auto pt = settled_pt(rbm);
  for (auto _ : state) {
    pt.sweep(rbm);
    pt.swap(rbm);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * ladders * temperatures);
}

void temper_copies(benchmark::State& state) {
  const auto rbm = bench::mnist_like_rbm();
  std::vector<BernoulliRBMf> copies(temperatures - 1);
  const auto betas = linear_ladder(temperatures);
  for (auto _ : state) {
    for (int k = 1; k < temperatures; ++k) rbm.temper(float(betas[std::size_t(k)]), copies[std::size_t(k - 1)]);
    benchmark::ClobberMemory();
  }
}

BENCHMARK(plain_sweeps)->Unit(benchmark::kMillisecond);
BENCHMARK(pt_sweeps)->Unit(benchmark::kMillisecond);
BENCHMARK(pt_swaps)->Unit(benchmark::kMillisecond);
BENCHMARK(pt_round)->Unit(benchmark::kMillisecond);
BENCHMARK(temper_copies)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
