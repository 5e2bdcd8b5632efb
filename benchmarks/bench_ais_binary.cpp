// The generic AIS (estimate/ais_binary.hpp) on a 784-d MLP energy with base term (784 → 256 → 256 → 1, swish,
// float; the energy of bench_discrete), 100 chains: one iteration is 10 temperatures, each one weight update,
// one re-tempering of the cache and one Gibbs-with-Gradients step (E and ∇ₓE at the proposal). items_per_second
// counts chain-temperatures; CPU time per chain per temperature = cpu_time / 1000. Args: threads.
// On a shared machine read cpu_time of the 1-thread case.
//
//   build/benchmarks/bench_ais_binary --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdint>

#include "ebm/estimate/ais_binary.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/mlp_energy.hpp"

namespace {

using namespace ebm;
using S = float;
using Mlp = BaseTermEnergy<MlpEnergy<S>>;

constexpr Index dim = 784, chains = 100, betas_per_iteration = 10;

Mlp make_mlp() {
  MlpEnergy<S> net(dim, {256, 256}, Activation::swish);
  Rng rng = make_stream(1, StreamPurpose::init, 0);
  net.init_normal(rng);
  MatrixX<S> x(1000, dim);  // MNIST-like marginals: about 13 % of pixels on
  Rng coins = make_stream(2, StreamPurpose::user, 0);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = bernoulli(coins, S(0.13));
  return Mlp(std::move(net), base_logits_from_data<S>(x));
}

void ais_gwg_mlp(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const Mlp model = make_mlp();
  BinaryAisOptions opt;
  opt.chains = chains;
  opt.num_betas = 100000;  // more than the benchmark reaches
  opt.schedule = AisScheduleShape::linear;
  BinaryAisRuns<Mlp> runs(model, model.base_logits(), opt);
  runs.advance(model, 20);  // away from the base samples
  for (auto _ : state) {
    runs.advance(model, betas_per_iteration);
    benchmark::DoNotOptimize(runs.log_weights().data());
  }
  state.SetItemsProcessed(state.iterations() * chains * betas_per_iteration);
}

BENCHMARK(ais_gwg_mlp)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
