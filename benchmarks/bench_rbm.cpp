// The hot path of a Bernoulli RBM at MNIST size (nv = 784, nh = 500, float):
//   gibbs_sweep       one block-Gibbs sweep of 100 chains                         (2 products per chain)
//   pcd1_update       one PCD-1 Trainer::update, batch 100, 100 persistent chains  (5 products per row)
//   hidden/visible    one block of rows through each product path (sparse: gather-sum, dense: GEMM, subset:
//                     subset sums of 0/1 rows, model: what the model picks), at several densities of the
//                     input, so the switch-overs (detail::sparse_density_threshold, subset_density_threshold)
//                     are chosen from data
//   accumulate_stats  the gradient statistics −vᵀ·E[h|v] (model, then each path alone: outer/…)
//   sample_states, logistic, sgd_step, param_refresh, validate_batch: the rest of a sweep and of an update
// Data are binarized-MNIST-like: independent binary pixels with 13 % ones (no real MNIST needed). The model
// has small weights and biases set so that v stays at 13 % ones and h at 15 % ones while the chains run,
// which keeps the densities of a trained MNIST RBM's states throughout a benchmark.
//
// Counters: items_per_second counts chains (sweeps) or rows (the rest); GFLOP is a rate in GFLOP/s counting
// 2·rows·nv·nh per product, the work of the dense product. For the sparse paths it is therefore the
// dense-equivalent rate (how fast a GEMM would have to run to keep up), not the arithmetic actually done.
// Compare it with bench_gemm_peak. Single-threaded cases are timed in CPU time; multi-threaded ones take the
// thread count as an argument and report wall-clock rates, with the process's CPU time beside them.
//
//   build-bench/benchmarks/bench_rbm --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ebm/ebm.hpp"

#include "mnist_like_rbm.hpp"

namespace {

using namespace ebm;
using S = float;

using bench::hidden_density;
using bench::nh;
using bench::nv;
using bench::visible_density;
constexpr Index chains = 100;

MatrixX<S> binary_rows(Index rows, Index cols, double p, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  MatrixX<S> x(rows, cols);
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < cols; ++i) x(r, i) = bernoulli(rng, S(p));
  return x;
}

BernoulliRBM<S> make_model() { return bench::mnist_like_rbm(); }

double product_flops(Index rows) { return 2.0 * double(rows) * double(nv) * double(nh); }

void set_rates(benchmark::State& state, Index rows, double products) {
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["GFLOP"] =
      benchmark::Counter(products * product_flops(rows) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

double density(const MatrixX<S>& x) { return double((x.array() != S(0)).count()) / double(x.size()); }

// ---- (a) one block-Gibbs sweep of 100 chains. Args: threads, block rows. ------------------------------
void gibbs_sweep(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const auto model = make_model();
  BlockGibbs<BernoulliRBM<S>> kernel(state.range(1));
  GibbsChains<S> s;
  auto rng = make_chain_streams(7, chains);
  kernel.init(model, s, binary_rows(chains, nv, visible_density, 2), rng);
  for (int t = 0; t < 5; ++t) kernel.step(model, s, rng);  // settle at the model's densities
  for (auto _ : state) {
    kernel.step(model, s, rng);
    benchmark::ClobberMemory();
  }
  set_rates(state, chains, 2);
  state.counters["v_density"] = density(s.v);
  state.counters["h_density"] = density(s.h);
}

// ---- (b) one PCD-1 update: data term, one sweep of the persistent chains, model term, SGD step. ------
void pcd1_update(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  auto model = make_model();
  const MatrixX<S> data = binary_rows(1000, nv, visible_density, 3);
  PersistentChains<BlockGibbs<BernoulliRBM<S>>> pcd({}, chains, 1, 11);
  TrainOptions opt;
  opt.batch_size = 100;
  Trainer trainer(model, pcd, opt);
  Index batch = 0;
  // A tiny learning rate keeps the model, and so the densities, where they started.
  for (auto _ : state) {
    trainer.update(data.middleRows(batch * 100, 100), 1e-5, 0.5);
    batch = (batch + 1) % 10;
  }
  set_rates(state, opt.batch_size, 5);  // hidden means + stats of the data, a sweep, stats of the chains
}

// ---- (c) one block through one product path. Args: density in %, block rows. -------------------------
enum class Layer { hidden, visible };  // hidden: x is v (rows × nv) times W; visible: x is h times Wᵀ
enum class Path { sparse, dense, subset, model };

template <Layer layer, Path path>
void product(benchmark::State& state) {
  const auto model = make_model();
  const MatrixX<S> wt = model.W().transpose();
  const Index rows = state.range(1), in = layer == Layer::hidden ? nv : nh, out_cols = layer == Layer::hidden ? nh : nv;
  const S* m = layer == Layer::hidden ? model.W().data() : wt.data();
  const VectorX<S> bias = layer == Layer::hidden ? VectorX<S>(model.c()) : VectorX<S>(model.b());
  // Several inputs in turn, so the branch predictor does not learn one pattern.
  std::vector<MatrixX<S>> xs;
  for (std::uint64_t k = 0; k < 8; ++k) xs.push_back(binary_rows(rows, in, double(state.range(0)) / 100, 20 + k));
  MatrixX<S> out(rows, out_cols);
  auto ws = model.make_workspace(rows);
  std::size_t k = 0;
  for (auto _ : state) {
    const MatrixX<S>& x = xs[k++ % xs.size()];
    if constexpr (path == Path::sparse) {
      ws.pattern.build<S>(x, 1.0);
      detail::gather_rows<S>(x, ws.pattern, m, out_cols, bias.data(), out);
    } else if constexpr (path == Path::subset) {
      ws.subsets.build_masks(x);  // the 4-bit masks are part of the path's cost
      ws.subsets.multiply(rows, m, in, out_cols, bias.data(), out);
    } else if constexpr (path == Path::dense) {
      ws.gemm.multiply(x, m, out_cols, out);  // what the model runs: Eigen's GEMM, preallocated buffers
      out.rowwise() += bias.transpose();
    } else if constexpr (layer == Layer::hidden) {
      model.hidden_mean(x, out, ws);
    } else {
      model.visible_mean(x, out, ws);
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_rates(state, rows, 1);
}

// ---- (d) gradient statistics. ------------------------------------------------------------------------
// The model's accumulate_stats on 100 chain states at 13 % ones. Args: threads.
void accumulate_stats(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const auto model = make_model();
  const MatrixX<S> v = binary_rows(chains, nv, visible_density, 4);
  MatrixX<S> ph(chains, nh);
  auto ws = model.make_workspace(chains);
  model.hidden_mean(v, ph, ws);
  VectorX<S> grad = VectorX<S>::Zero(model.num_params());
  for (auto _ : state) {
    model.accumulate_stats(v, ph, S(0.01), grad);
    benchmark::DoNotOptimize(grad.data());
    benchmark::ClobberMemory();
  }
  set_rates(state, chains, 1);
}

// One path of the W-statistics on a single thread, in slices of `grain` rows of the gradient as
// accumulate_stats splits it into tasks. Args: density of v in %, grain.
template <Path path>
void outer(benchmark::State& state) {
  const MatrixX<S> v = binary_rows(chains, nv, double(state.range(0)) / 100, 5);
  const MatrixX<S> ph = MatrixX<S>::Random(chains, nh).array().abs();
  MatrixX<S> g = MatrixX<S>::Zero(nv, nh);
  const Index grain = state.range(1);
  for (auto _ : state) {
    for (Index i0 = 0; i0 < nv; i0 += grain) {
      const Index n = std::min(grain, nv - i0);
      if constexpr (path == Path::sparse)
        detail::add_outer_sparse<S>(v, ph, S(-0.01), i0, n, g.row(i0).data());
      else
        detail::add_outer_dense<S>(v, ph, S(-0.01), i0, n, g.row(i0).data());
    }
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
  }
  set_rates(state, chains, 1);
}

// ---- what a sweep and an update do besides products ----------------------------------------------------
// Drawing the states of 100 chains from their means: 100 · (nv + nh) Bernoulli draws, one stream per chain.
void sample_states(benchmark::State& state) {
  const auto model = make_model();
  MatrixX<S> pv = MatrixX<S>::Constant(chains, nv, S(visible_density)), v(chains, nv);
  MatrixX<S> ph = MatrixX<S>::Constant(chains, nh, S(hidden_density)), h(chains, nh);
  auto rng = make_chain_streams(9, chains);
  for (auto _ : state) {
    for (Index r = 0; r < chains; ++r) {
      auto& g = rng[std::size_t(r)];
      model.sample_visible({pv.row(r).data(), std::size_t(nv)}, g, {v.row(r).data(), std::size_t(nv)});
      model.sample_hidden({ph.row(r).data(), std::size_t(nh)}, g, {h.row(r).data(), std::size_t(nh)});
    }
    benchmark::DoNotOptimize(v.data());
    benchmark::DoNotOptimize(h.data());
  }
  state.SetItemsProcessed(state.iterations() * chains);
}

// The logistic of 100 chains' pre-activations of both layers.
void logistic(benchmark::State& state) {
  MatrixX<S> a = MatrixX<S>::Random(chains, nv + nh), out(chains, nv + nh);
  for (auto _ : state) {
    out.array() = a.array().logistic();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * chains);
}

// One SGD step with momentum on all 392,500 parameters, including the model's validation and its Wᵀ refresh.
void sgd_step(benchmark::State& state) {
  auto model = make_model();
  Sgd<S> sgd;
  const VectorX<S> grad = VectorX<S>::Random(model.num_params()) * S(1e-3);
  for (auto _ : state) sgd.step(model, grad, 1e-6, 0.5);
  state.SetItemsProcessed(state.iterations() * model.num_params());
}

// What every parameter change costs the model besides the change itself: validation of all parameters and
// the refresh of its cached Wᵀ (part of sgd_step).
void param_refresh(benchmark::State& state) {
  auto model = make_model();
  for (auto _ : state) model.modify_params([](VectorX<S>&) {});
  state.SetItemsProcessed(state.iterations() * model.num_params());
}

// The trainer's check of a minibatch of 100 rows (finite, binary).
void validate_batch(benchmark::State& state) {
  const auto model = make_model();
  const MatrixX<S> batch = binary_rows(100, nv, visible_density, 3);
  for (auto _ : state) validate_data(model, batch, "minibatch");
  state.SetItemsProcessed(state.iterations() * 100);
}

void register_all() {
  using benchmark::RegisterBenchmark;
  std::vector<benchmark::internal::Benchmark*> all, threaded;
  auto* sweep = RegisterBenchmark("gibbs_sweep", gibbs_sweep)->ArgNames({"threads", "block"});
  for (int t : {1, 2})
    for (int block : {10, 20, 25, 50, 100}) sweep->Args({t, block});
  threaded.push_back(sweep);
  threaded.push_back(RegisterBenchmark("pcd1_update", pcd1_update)->ArgNames({"threads"})->Arg(1)->Arg(2));

  const struct {
    const char* name;
    void (*run)(benchmark::State&);
  } products[] = {
      {"hidden/sparse", product<Layer::hidden, Path::sparse>},   {"hidden/dense", product<Layer::hidden, Path::dense>},
      {"hidden/subset", product<Layer::hidden, Path::subset>},   {"visible/subset", product<Layer::visible, Path::subset>},
      {"hidden/model", product<Layer::hidden, Path::model>},     {"visible/sparse", product<Layer::visible, Path::sparse>},
      {"visible/dense", product<Layer::visible, Path::dense>},   {"visible/model", product<Layer::visible, Path::model>},
  };
  for (const auto& p : products) {
    auto* b = RegisterBenchmark(p.name, p.run)->ArgNames({"density_pct", "rows"});
    for (int d : {5, 13, 20, 30, 40, 50}) b->Args({d, default_block_rows});
    b->Args({50, 100});
    for (int rows : {50, 100}) b->Args({13, rows});
    all.push_back(b);
  }

  threaded.push_back(RegisterBenchmark("accumulate_stats", accumulate_stats)->ArgNames({"threads"})->Arg(1)->Arg(2));
  for (auto* b : {RegisterBenchmark("outer/sparse", outer<Path::sparse>), RegisterBenchmark("outer/dense", outer<Path::dense>)}) {
    b->ArgNames({"density_pct", "grain"});
    for (int d : {5, 13, 20, 30, 40, 50}) b->Args({d, 32});
    for (int grain : {64, 112, 196}) b->Args({13, grain});
    all.push_back(b);
  }
  for (auto* b : {RegisterBenchmark("sample_states", sample_states), RegisterBenchmark("logistic", logistic),
                  RegisterBenchmark("sgd_step", sgd_step), RegisterBenchmark("param_refresh", param_refresh),
                  RegisterBenchmark("validate_batch", validate_batch)})
    all.push_back(b);

  // Single-threaded cases are timed in CPU time: on a shared machine, time spent descheduled is not the
  // kernel's. Multi-threaded ones need wall-clock time.
  for (auto* b : all) b->Unit(benchmark::kMicrosecond);
  for (auto* b : threaded) b->Unit(benchmark::kMicrosecond)->UseRealTime()->MeasureProcessCPUTime();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
