// The hot path of a grid CRF at segmentation size: a 64 × 64 grid, 11 labels, MLP unaries (hidden 32) on
// patch features PatchFeatures{2, 4, 2} (a 5 × 5 pixel patch and 5 × 5 cells of the 4×-pooled image: 50
// features), float, a batch of 32 random images:
//   sweep/checkerboard, sweep/raster   one single-site Gibbs sweep of 32 chains (4,096 site updates each)
//   condition                          the unaries of 32 images (features, MLP forward)
//   pcd1_update                        one Trainer::update: data term, PerExampleChains k = 1, model term, SGD
//   pseudo_likelihood, piecewise       one objective value and gradient on the batch of 32
// Pairwise: Potts (arg 0), a full 11 × 11 table (arg 1) or contrast (arg 2: the table plus a coupling per edge
// from an 8-unit edge network of the image, computed when a chain is conditioned; crf/edge_net.hpp).
//
// Counters: items_per_second counts chains (a sweep: chain-sweeps/s) or examples (the rest); site_updates
// is the rate of single-site updates (chains · 4,096 per sweep). Cases are timed in CPU time on one thread
// (threads = 1), so time spent descheduled on a shared machine does not count; with threads = 2 they report
// wall-clock time and the process's CPU time beside it.
//
//   build/benchmarks/bench_crf --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdint>
#include <vector>

#include "ebm/crf/grid_crf.hpp"
#include "ebm/crf/piecewise.hpp"
#include "ebm/crf/pseudo_likelihood.hpp"
#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "ebm/train/trainer.hpp"

namespace {

using namespace ebm;
using S = float;
using Crf = GridCrf<MlpUnary<S>>;

constexpr Index side = 64, sites = side * side, batch = 32;
constexpr int labels = 11;

Pairwise pairwise_arg(std::int64_t a) { return a == 0 ? Pairwise::potts : a == 1 ? Pairwise::full : Pairwise::contrast; }

Crf make_model(Pairwise pairwise) {
  const PatchFeatures f{2, 4, 2};
  Crf crf(side, side, f, MlpUnary<S>(f.count(), 32, labels), pairwise);
  crf.init(3, S(1), S(0.8));
  return crf;
}

// Smooth random images (a sum of a few bumps plus noise), so the unaries vary over the grid as in a picture,
// and labels: the nearest bump's index.
ConditionalBatch<S> make_batch() {
  Rng rng = make_stream(5, StreamPurpose::user, 0);
  ConditionalBatch<S> b;
  b.x.resize(batch, sites);
  b.y.resize(batch, sites);
  for (Index r = 0; r < batch; ++r) {
    double ci[labels], cj[labels];
    for (int k = 0; k < labels; ++k) {
      ci[k] = uniform01d(rng) * side;
      cj[k] = uniform01d(rng) * side;
    }
    for (Index i = 0; i < side; ++i)
      for (Index j = 0; j < side; ++j) {
        int best = 0;
        double dbest = 1e30;
        for (int k = 0; k < labels; ++k) {
          const double d = (i - ci[k]) * (i - ci[k]) + (j - cj[k]) * (j - cj[k]);
          if (d < dbest) dbest = d, best = k;
        }
        b.x(r, i * side + j) = S(best) / S(labels) + S(0.2) * standard_normal<S>(rng);
        b.y(r, i * side + j) = Label(best);
      }
    b.examples.push_back(r);
  }
  return b;
}

void set_threads_counters(benchmark::State& state, Index items, double site_updates) {
  state.SetItemsProcessed(state.iterations() * items);
  if (site_updates > 0)
    state.counters["site_updates"] = benchmark::Counter(site_updates, benchmark::Counter::kIsIterationInvariantRate);
}

// Args: threads, pairwise (0 Potts, 1 full, 2 contrast).
template <SiteScan scan>
void sweep(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const Crf crf = make_model(pairwise_arg(state.range(1)));
  const auto data = make_batch();
  SiteGibbs<Crf> kernel(scan);
  LabelChains<Crf> chains;
  auto rng = make_chain_streams(7, batch);
  kernel.init(crf, chains, data.x, data.y, rng);
  for (int t = 0; t < 3; ++t) kernel.step(crf, chains, rng);  // leave the start labelling
  for (auto _ : state) {
    kernel.step(crf, chains, rng);
    benchmark::ClobberMemory();
  }
  set_threads_counters(state, batch, double(batch) * double(sites));
}

// Args: threads.
void condition(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const Crf crf = make_model(Pairwise::potts);
  const auto data = make_batch();
  std::vector<Crf::Context> ctx(batch, crf.make_context());
  for (auto _ : state) {
    for_each_block(BlockPlan(batch, 1), [&](Index, Index r, Index) {
      crf.condition(data.x.row(r).transpose(), ctx[std::size_t(r)]);
    });
    benchmark::DoNotOptimize(ctx[0].unary.data());
    benchmark::ClobberMemory();
  }
  set_threads_counters(state, batch, 0);
}

// Args: threads, pairwise.
void pcd1_update(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  Crf crf = make_model(pairwise_arg(state.range(1)));
  const auto data = make_batch();
  PerExampleChains<SiteGibbs<Crf>> pcd(SiteGibbs<Crf>(SiteScan::checkerboard), batch, 1, 11);
  TrainOptions opt;
  opt.batch_size = batch;
  Trainer trainer(crf, pcd, opt);
  // A tiny learning rate keeps the model where it started.
  for (auto _ : state) trainer.update(data, 1e-6, 0.5);
  set_threads_counters(state, batch, double(batch) * double(sites));
}

// Args: threads, pairwise.
template <class Objective>
void objective(benchmark::State& state) {
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  const Crf crf = make_model(pairwise_arg(state.range(1)));
  const auto data = make_batch();
  Objective obj;
  VectorX<S> grad(crf.num_params());
  for (auto _ : state) {
    grad.setZero();
    benchmark::DoNotOptimize(obj.accumulate(crf, data, grad));
    benchmark::ClobberMemory();
  }
  set_threads_counters(state, batch, 0);
}

void register_all() {
  using benchmark::RegisterBenchmark;
  std::vector<benchmark::internal::Benchmark*> with_pairwise = {
      RegisterBenchmark("sweep/checkerboard", sweep<SiteScan::checkerboard>),
      RegisterBenchmark("sweep/raster", sweep<SiteScan::raster>),
      RegisterBenchmark("pcd1_update", pcd1_update),
      RegisterBenchmark("pseudo_likelihood", objective<PseudoLikelihood<MlpUnary<S>>>),
      RegisterBenchmark("piecewise", objective<PiecewiseObjective<MlpUnary<S>>>),
  };
  for (auto* b : with_pairwise) b->ArgNames({"threads", "pairwise"})->Args({1, 0})->Args({1, 1})->Args({1, 2});
  // Both cores: wall-clock time, with the process's CPU time beside it.
  RegisterBenchmark("sweep/checkerboard", sweep<SiteScan::checkerboard>)
      ->ArgNames({"threads", "pairwise"})
      ->Args({2, 0})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MeasureProcessCPUTime();
  auto* cond = RegisterBenchmark("condition", condition)->ArgNames({"threads"})->Arg(1);
  for (auto* b : with_pairwise) b->Unit(benchmark::kMillisecond);
  cond->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
