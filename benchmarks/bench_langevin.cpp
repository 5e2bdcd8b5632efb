// Langevin steps on the quadratic energy E(x) = ½ (x − μ)ᵀ P (x − μ) at MNIST size: 1,024 chains of
// dimension 784, float, P a dense random positive definite 784 × 784 matrix.
//   mala_step        one MALA step of every chain (move, E and ∇ₓE at the proposals, accept/reject)
//   ula_step         one ULA step of every chain (move, E and ∇ₓE at the new positions)
//   energy_and_grad  the model alone: E and ∇ₓE of 1,024 rows in blocks of 25 (the product x · P)
//   langevin_move    the move alone: 784 normal draws and an axpy per chain
// items_per_second counts chain steps (rows); GFLOP/s counts the 2 · rows · 784² of the product x · P.
// Args: threads. Wall-clock rates.
//
//   build/benchmarks/bench_langevin --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdint>
#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/models/mlp_energy.hpp"

namespace {

using namespace ebm;
using S = float;

constexpr Index dim = 784, chains = 1024;

MatrixX<S> normal_rows(Index rows, Index cols, std::uint64_t seed, double sd) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  MatrixX<S> x(rows, cols);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = S(sd * standard_normal<double>(rng));
  return x;
}

// P = I + A Aᵀ / (4 d), A standard normal: eigenvalues in [1, ~2.5], so every coordinate is coupled.
GaussianEnergy<S> make_model() {
  const MatrixX<S> a = normal_rows(dim, dim, 1, 1.0);
  const MatrixX<S> p = MatrixX<S>::Identity(dim, dim) + a * a.transpose() / S(4 * dim);
  return GaussianEnergy<S>(VectorX<S>::Zero(dim), p);
}

void set_rates(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * chains);
  state.counters["GFLOP"] = benchmark::Counter(2.0 * double(chains) * double(dim) * double(dim) * 1e-9,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

template <template <class> class Kernel>
void kernel_step(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const auto model = make_model();
  Kernel<GaussianEnergy<S>> kernel(0.1);
  LangevinChains<S> s;
  auto rng = make_chain_streams(7, chains);
  kernel.init(model, s, normal_rows(chains, dim, 2, 0.8), rng);
  if constexpr (Kernel<GaussianEnergy<S>>::metropolis_adjusted)
    warm_up_step_size(kernel, model, s, std::span<Rng>(rng), {100, {}});
  double acceptance = 0;
  for (auto _ : state) {
    acceptance += kernel.step(model, s, rng).acceptance_rate;
    benchmark::DoNotOptimize(s.x.data());
  }
  state.counters["acceptance"] = acceptance / double(state.iterations());
  state.counters["step_size"] = kernel.step_size();
  set_rates(state);
}

void mala_step(benchmark::State& state) { kernel_step<Mala>(state); }
void ula_step(benchmark::State& state) { kernel_step<Ula>(state); }

void energy_and_grad(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const auto model = make_model();
  const MatrixX<S> x = normal_rows(chains, dim, 3, 1.0);
  VectorX<S> e(chains);
  MatrixX<S> g(chains, dim);
  const BlockPlan plan(chains, default_block_rows);
  std::vector<GaussianEnergy<S>::Workspace> ws;
  for (Index b = 0; b < plan.count(); ++b) ws.push_back(model.make_workspace(plan.size(b)));
  for (auto _ : state) {
    for_each_block(plan, [&](Index b, Index r0, Index n) {
      model.energy_and_grad(x.middleRows(r0, n), e.segment(r0, n), g.middleRows(r0, n), ws[std::size_t(b)]);
    });
    benchmark::DoNotOptimize(g.data());
  }
  set_rates(state);
}

void langevin_move(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const MatrixX<S> x = normal_rows(chains, dim, 4, 1.0), g = normal_rows(chains, dim, 5, 1.0);
  MatrixX<S> out(chains, dim);
  auto rng = make_chain_streams(8, chains);
  const LangevinMove<S> move(0.1, std::nullopt);
  const BlockPlan plan(chains, default_block_rows);
  for (auto _ : state) {
    for_each_block(plan, [&](Index, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r)
        move.propose(x.row(r).data(), g.row(r).data(), dim, rng[std::size_t(r)], out.row(r).data());
    });
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * chains);
}

// MLP energies (swish): 2 → 128 → 128 → 1 (a toy-density model) and 784 → 256 → 256 → 1 (an MNIST-sized one).
// E and ∇ₓE cost a forward and a backward pass, ≈ 4 · Σ_layers in·out flops per row; GFLOP/s counts that.
// Args: input dimension (2 or 784), threads.
template <template <class> class Kernel>
void mlp_step(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(1)));
  const Index d = state.range(0), width = d == 2 ? 128 : 256;
  MlpEnergy<S> model(d, {width, width}, Activation::swish);
  Rng init = make_stream(1, StreamPurpose::init, 0);
  model.init_normal(init);
  Kernel<MlpEnergy<S>> kernel(d == 2 ? 0.01 : 1e-4);
  LangevinChains<S> s;
  auto rng = make_chain_streams(7, chains);
  kernel.init(model, s, normal_rows(chains, d, 2, 1.0), rng);
  double acceptance = 0;
  for (auto _ : state) {
    acceptance += kernel.step(model, s, rng).acceptance_rate;
    benchmark::DoNotOptimize(s.x.data());
  }
  state.counters["acceptance"] = acceptance / double(state.iterations());
  const double flops = 4.0 * double(d * width + width * width + width) * double(chains);
  state.SetItemsProcessed(state.iterations() * chains);
  state.counters["GFLOP"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
void mlp_mala_step(benchmark::State& state) { mlp_step<Mala>(state); }
void mlp_ula_step(benchmark::State& state) { mlp_step<Ula>(state); }

}  // namespace

BENCHMARK(mlp_mala_step)->ArgsProduct({{2, 784}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(mlp_ula_step)->ArgsProduct({{2, 784}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(mala_step)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ula_step)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(energy_and_grad)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(langevin_move)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
