// One step of the gradient-informed binary samplers on 100 chains at MNIST size (d = 784), float:
//   gwg_*    Gibbs-with-Gradients, one flip (softmax over 784 flip scores, E and ∇ₓE at the proposal, MH test)
//   dula_*   DULA, every coordinate may flip (784 uniforms), E and ∇ₓE at the proposal, no test
//   dmala_*  DMALA, the same plus the test with the reverse flip probabilities
// on two energies:
//   *_mlp    an MLP energy with base term, 784 → 256 → 256 → 1, swish (E and ∇ₓE: ≈ 1.07 MFLOP per chain)
//   *_rbm    the free energy of a 784 × 500 Bernoulli RBM (c + vW and σ(·)Wᵀ: ≈ 1.57 MFLOP per chain)
// items_per_second counts chain steps; GFLOP counts the products above (2 flops per multiply-add).
// Args: threads. On a shared machine read cpu_time of the 1-thread cases (chain steps per CPU second =
// 100 / cpu_time); with 2 threads cpu_time leaves out oneTBB's worker, and real time depends on the load.
//
//   build/benchmarks/bench_discrete --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdint>

#include "ebm/samplers/binary_samplers.hpp"

namespace {

using namespace ebm;
using S = float;

constexpr Index dim = 784, chains = 100;

MatrixX<S> coin_rows(Index rows, double p, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  MatrixX<S> x(rows, dim);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = bernoulli(rng, S(p));
  return x;
}

// MNIST-like marginals: about 13 % of pixels on.
using Mlp = BaseTermEnergy<MlpEnergy<S>>;
Mlp make_mlp() {
  MlpEnergy<S> net(dim, {256, 256}, Activation::swish);
  Rng rng = make_stream(1, StreamPurpose::init, 0);
  net.init_normal(rng);
  return Mlp(std::move(net), base_logits_from_data<S>(coin_rows(1000, 0.13, 2)));
}
constexpr double mlp_flops = 2.0 * (784.0 * 256 + 256 * 256 + 256) + 2.0 * (256.0 * 256 + 256 * 784);

using Rbm = RbmFreeEnergy<S>;
Rbm make_rbm() {
  BernoulliRBM<S> rbm(dim, 500);
  Rng rng = make_stream(3, StreamPurpose::init, 0);
  rbm.init_normal(rng, 0.05f);
  rbm.init_visible_bias(coin_rows(1000, 0.13, 4));
  return Rbm(std::move(rbm));
}
constexpr double rbm_flops = 2.0 * 2 * 784 * 500;

template <class K, class M>
void run(benchmark::State& state, K kernel, const M& model, double flops) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  BinaryChains<S> s;
  auto rng = make_chain_streams(7, chains);
  kernel.init(model, s, coin_rows(chains, 0.13, 5), rng);
  for (int t = 0; t < 20; ++t) kernel.step(model, s, rng);  // away from the start states
  double acceptance = 0, flipped = 0;
  for (auto _ : state) {
    const auto info = kernel.step(model, s, rng);
    acceptance += info.acceptance_rate;
    flipped += info.mean_flips;
    benchmark::DoNotOptimize(s.x.data());
  }
  state.SetItemsProcessed(state.iterations() * chains);
  state.counters["GFLOP"] = benchmark::Counter(flops * double(chains) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["acceptance"] = acceptance / double(state.iterations());
  state.counters["flips"] = flipped / double(state.iterations());
}

void gwg_mlp(benchmark::State& st) { run(st, GibbsWithGradients<Mlp>(1), make_mlp(), mlp_flops); }
void dula_mlp(benchmark::State& st) { run(st, Dula<Mlp>(0.2), make_mlp(), mlp_flops); }
void dmala_mlp(benchmark::State& st) { run(st, Dmala<Mlp>(0.2), make_mlp(), mlp_flops); }
void gwg_rbm(benchmark::State& st) { run(st, GibbsWithGradients<Rbm>(1), make_rbm(), rbm_flops); }
void dula_rbm(benchmark::State& st) { run(st, Dula<Rbm>(0.2), make_rbm(), rbm_flops); }
void dmala_rbm(benchmark::State& st) { run(st, Dmala<Rbm>(0.2), make_rbm(), rbm_flops); }

}  // namespace

BENCHMARK(gwg_mlp)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dula_mlp)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dmala_mlp)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(gwg_rbm)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dula_rbm)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dmala_rbm)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
