// One step of each binary sampler on the benchmark target of issue 13: a 50 × 50 periodic Ising model
// (models/ising_model.hpp, d = 2500, σ = 0.4 in the sᵀJs convention: the ordered phase, σ_c ≈ 0.22; a uniform
// field 0.05), 100 chains, float:
//   sysgibbs      systematic-scan Gibbs: one step is a whole sweep (2500 site updates by flip_delta)
//   rsgibbs       random-scan Gibbs: one site (E evaluated on the whole flipped row: O(d) per step)
//   hamming_k_m   Hamming ball, block k, radius m (|H| states by flip_delta)
//   pas_R         path auxiliary sampler, path length R (E and ∇ₓE at the proposal, softmax over 2500 scores)
//   gwg, dmala    Gibbs-with-Gradients (1 flip) and DMALA (α = 0.1), for comparison
// and on a 50 × 50 periodic Potts model with q = 4 (models/potts_model.hpp, J = 1.0 just below J_c = ln 3 ≈ 1.099,
// zero field), 100 chains, float, the categorical kernels:
//   potts_sysgibbs  systematic-scan Gibbs over 4 labels: one step is a sweep (2500 site updates from local energies)
//   potts_rsgibbs   random-scan Gibbs: one site update
//   potts_gwg       categorical Gibbs-with-Gradients: softmax over 2500 × 3 (site, label) pairs, E and the one-hot
//                   gradient at the proposal, the reverse softmax
// items_per_second counts chain steps (so sweeps for sysgibbs); "site_updates" counts single-site updates per
// second where that is the unit (sysgibbs: 2500 per chain step). Arg: threads. On a shared machine read
// cpu_time of the 1-thread cases (chain steps per CPU second = 100 / cpu_time).
//
//   build/benchmarks/bench_targets --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdint>

#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/categorical_samplers.hpp"

namespace {

using namespace ebm;
using S = float;
using Ising = IsingModel<S>;

constexpr Index side = 50, chains = 100;

Ising make_ising() { return Ising::uniform_field(side, side, 0.4, 0.05); }

MatrixX<S> coin_rows(Index rows, Index d, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  MatrixX<S> x(rows, d);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = bernoulli(rng, S(0.5));
  return x;
}

template <class K>
void run(benchmark::State& state, K kernel, double sites_per_step = 0) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const Ising model = make_ising();
  BinaryChains<S> s;
  auto rng = make_chain_streams(7, chains);
  kernel.init(model, s, coin_rows(chains, model.dim(), 5), rng);
  for (int t = 0; t < 5; ++t) kernel.step(model, s, rng);  // away from the start states
  double acceptance = 0, flipped = 0;
  for (auto _ : state) {
    const auto info = kernel.step(model, s, rng);
    acceptance += info.acceptance_rate;
    flipped += info.mean_flips;
    benchmark::DoNotOptimize(s.x.data());
  }
  state.SetItemsProcessed(state.iterations() * chains);
  if (sites_per_step > 0)
    state.counters["site_updates"] =
        benchmark::Counter(sites_per_step * double(chains), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["acceptance"] = acceptance / double(state.iterations());
  state.counters["flips"] = flipped / double(state.iterations());
}

using Potts = PottsModel<S>;
constexpr int potts_labels = 4;

template <class K>
void run_potts(benchmark::State& state, K kernel, double sites_per_step = 0) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const Potts model(side, side, potts_labels, 1.0);
  CategoricalChains<S> s;
  auto rng = make_chain_streams(7, chains);
  LabelMatrix x0(chains, model.num_sites());
  Rng init = make_stream(5, StreamPurpose::user, 0);
  for (Index k = 0; k < x0.size(); ++k) x0.data()[k] = static_cast<Label>(init() % potts_labels);
  kernel.init(model, s, x0, rng);
  for (int t = 0; t < 5; ++t) kernel.step(model, s, rng);  // away from the start states
  double acceptance = 0, changed = 0;
  for (auto _ : state) {
    const auto info = kernel.step(model, s, rng);
    acceptance += info.acceptance_rate;
    changed += info.mean_changes;
    benchmark::DoNotOptimize(s.x.data());
  }
  state.SetItemsProcessed(state.iterations() * chains);
  if (sites_per_step > 0)
    state.counters["site_updates"] =
        benchmark::Counter(sites_per_step * double(chains), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["acceptance"] = acceptance / double(state.iterations());
  state.counters["changes"] = changed / double(state.iterations());
}

void sysgibbs(benchmark::State& st) { run(st, SystematicScanGibbs<Ising>(), double(side * side)); }
void rsgibbs(benchmark::State& st) { run(st, RandomScanGibbs<Ising>(), 1.0); }
void hamming_4_1(benchmark::State& st) { run(st, HammingBall<Ising>(4, 1)); }
void hamming_10_2(benchmark::State& st) { run(st, HammingBall<Ising>(10, 2)); }
void pas_1(benchmark::State& st) { run(st, PathAuxiliary<Ising>(1)); }
void pas_5(benchmark::State& st) { run(st, PathAuxiliary<Ising>(5)); }
void gwg(benchmark::State& st) { run(st, GibbsWithGradients<Ising>(1)); }
void dmala(benchmark::State& st) { run(st, Dmala<Ising>(0.1)); }
void potts_sysgibbs(benchmark::State& st) { run_potts(st, CategoricalSystematicGibbs<Potts>(), double(side * side)); }
void potts_rsgibbs(benchmark::State& st) { run_potts(st, CategoricalRandomScanGibbs<Potts>(), 1.0); }
void potts_gwg(benchmark::State& st) { run_potts(st, CategoricalGibbsWithGradients<Potts>()); }

}  // namespace

BENCHMARK(sysgibbs)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(rsgibbs)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(hamming_4_1)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(hamming_10_2)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(pas_1)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(pas_5)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(gwg)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(dmala)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(potts_sysgibbs)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(potts_rsgibbs)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(potts_gwg)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
