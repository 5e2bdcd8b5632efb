// Annealed importance sampling on an MNIST-sized Bernoulli RBM (nv = 784, nh = 500, float, 100 runs):
//   ais_step   one inverse temperature for all 100 runs (weight increment + one Gibbs move at β), at a
//              chosen β. The hidden density depends on β (σ(β x) → ½ as β → 0): 39 % ones at β = 0.25,
//              16 % at 0.95; AIS takes each column of h relative to its majority in the block, so both
//              run the gather, over fewer entries at β = 0.25. A trained RBM keeps h near 40 % for most
//              of the schedule (benchmarks/README.md, AIS, times `ebm eval` on one).
//   ais_full   the whole default estimate, 100 runs × 14,500 inverse temperatures, timed once.
// The model is bench_rbm's: small weights, biases that keep v at 13 % ones and h (at β = 1) at 15 % ones,
// the densities of a trained MNIST RBM's states; the base rate is the visible bias itself.
//
// Counters: items_per_second counts run-steps (one run through one temperature); GFLOP/s counts the two
// products of a step as dense, 2 · 2·nv·nh per run-step, so for the sparse paths it is the dense-equivalent
// rate. Thread count is the first argument; rates are wall-clock.
//
//   build-ais/benchmarks/bench_ais --benchmark_filter=ais_step
//   build-ais/benchmarks/bench_ais --benchmark_filter=ais_full        (about 10 s per thread count)
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ebm/estimate/ais.hpp"

#include "mnist_like_rbm.hpp"

namespace {

using namespace ebm;
using S = float;

using bench::hidden_density;
using bench::nh;
using bench::nv;
using bench::visible_density;
constexpr Index runs = 100;

BernoulliRBM<S> make_model() { return bench::mnist_like_rbm(); }

double step_flops() { return 2.0 * 2.0 * double(nv) * double(nh); }  // per run-step, both products dense

void set_rates(benchmark::State& state, double run_steps) {
  state.SetItemsProcessed(std::int64_t(run_steps));
  state.counters["GFLOP"] = benchmark::Counter(run_steps * step_flops() * 1e-9, benchmark::Counter::kIsRate);
}

double density(const MatrixX<S>& x) { return double((x.array() != S(0)).count()) / double(x.size()); }

// ---- one temperature, all runs. Args: threads, β in thousandths. --------------------------------------
// The schedule jumps from 0 to β and then creeps up by 1e−9 per step, so every iteration is one step at
// (practically) the same β, and there are more steps than any run of the benchmark takes.
void ais_step(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const double beta = double(state.range(1)) / 1000;
  const auto model = make_model();
  AisOptions opt;
  opt.runs = runs;
  constexpr Index steps = 200000;
  opt.betas.resize(steps + 2);
  opt.betas[0] = 0;
  for (Index k = 0; k < steps; ++k) opt.betas[std::size_t(k + 1)] = beta + double(k) * 1e-9;
  opt.betas.back() = 1;
  AisRuns<S> ais(model, model.b(), opt);
  ais.advance(model, 20);  // settle at β's densities
  for (auto _ : state) {
    if (ais.next_beta() >= steps) {
      state.SkipWithError("schedule exhausted");
      break;
    }
    ais.advance(model, 1);
  }
  set_rates(state, double(state.iterations()) * double(runs));
  state.counters["v_density"] = density(ais.visible());
  state.counters["h_density"] = density(ais.hidden());
}
BENCHMARK(ais_step)
    ->ArgNames({"threads", "beta_milli"})
    ->ArgsProduct({{1, 2}, {250, 950}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- the full default estimate. Args: threads. ----------------------------------------------------------
void ais_full(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const auto model = make_model();
  AisOptions opt;
  opt.runs = runs;
  double log_z = 0, stderr_ = 0;
  for (auto _ : state) {
    const AisResult r = ais_log_z(model, model.b(), opt);
    log_z = r.log_z;
    stderr_ = r.log_z_stderr;
  }
  set_rates(state, double(state.iterations()) * double(runs) * double(ais_default_num_betas - 1));
  state.counters["log_z"] = log_z;
  state.counters["log_z_stderr"] = stderr_;
}
BENCHMARK(ais_full)->ArgNames({"threads"})->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
