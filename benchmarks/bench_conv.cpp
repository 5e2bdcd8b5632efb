// Convolutions (models/conv_net.hpp: im2col + Eigen GEMM) on a batch of 32 images of 64 × 64, against the
// machine's measured SGEMM rate:
//   layer16    one 3 × 3 layer, 16 → 16 channels (ReLU): the GEMM-shaped core, K = 144, N = 16
//   unary      the `ebm crf --unary cnn` default: 1 → 16, 16, 16, 16 (dilations 1, 2, 4, 8) → 1 × 1 to 11
// each forward only, and forward + backward (weights, biases and the inputs of every layer but the first)
// through ConvBatch, one thread (CPU time) or two (wall time, process CPU beside it).
// Counters: GFLOP = 2 × multiply-adds of the GEMMs per second; peak = Eigen's SGEMM 1024³ on one core (GFLOP/s,
// thread CPU time, best of 5); peak_frac = GFLOP/s over peak × threads.
//
//   build/benchmarks/bench_conv --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "ebm/core/random.hpp"
#include "ebm/models/conv_batch.hpp"
#include "sgemm_peak.hpp"

namespace {

using namespace ebm;
using S = float;
constexpr Index batch = 32, side = 64;

using bench::sgemm_peak;
using bench::thread_cpu_seconds;

struct Setup {
  ConvNet<S> net;
  VectorX<S> theta;
  MatrixX<S> x;
};
Setup setup(bool unary) {
  // layer16: a 16 → 16 3 × 3 layer is the first layer of a net with 16 input channels; its 1 × 1 head (16 → 1)
  // adds 1/9 of a channel's work and is counted.
  ConvNet<S> net = unary ? ConvNet<S>(1, {16, 16, 16, 16}, {1, 2, 4, 8}, 11, ConvActivation::relu)
                         : ConvNet<S>(16, {16}, {1}, 1, ConvActivation::relu);
  Rng rng = make_stream(1, StreamPurpose::init, 0);
  VectorX<S> theta(net.num_params());
  net.init(theta.data(), rng, 1.0f);
  MatrixX<S> x(batch, side * side * net.in_channels());
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = standard_normal<S>(rng);
  return {std::move(net), std::move(theta), std::move(x)};
}

void report(benchmark::State& state, double flops, double seconds, int threads) {
  const double peak = sgemm_peak();
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["GFLOP"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_frac"] = flops * 1e-9 * double(state.iterations()) / seconds / (peak * threads);
  state.counters["peak"] = peak;
}

// Args: {unary (0/1)}; forward of the batch on one thread, one workspace.
void BM_conv_forward(benchmark::State& state) {
  const auto s = setup(state.range(0) != 0);
  ConvNet<S>::Workspace ws;
  const double t0 = thread_cpu_seconds();
  for (auto _ : state)
    for (Index r = 0; r < batch; ++r) benchmark::DoNotOptimize(s.net.forward(s.theta.data(), s.x.row(r).data(), side, side, ws).data());
  report(state, s.net.forward_flops(side, side) * batch, thread_cpu_seconds() - t0, 1);
}

// Args: {unary (0/1), threads}; forward + backward of the batch through ConvBatch (one image per block).
void BM_conv_forward_backward(benchmark::State& state) {
  const auto s = setup(state.range(0) != 0);
  const int threads = int(state.range(1));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
  ConvBatch<S> cb(1);
  VectorX<S> grad = VectorX<S>::Zero(s.net.num_params());
  auto loss = [](Index, const auto& u, MatrixX<S>& g) {
    g.setConstant(u.rows(), u.cols(), 1e-3f);  // any ∂loss/∂out: the cost is the backward pass
    return 0.0;
  };
  const auto now = [threads] {
    return threads == 1 ? thread_cpu_seconds()
                        : std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
  const double t0 = now();
  for (auto _ : state) {
    cb.value_and_grad(s.net, s.theta.data(), s.x, side, side, loss, grad);
    benchmark::DoNotOptimize(grad.data());
  }
  const double flops = (s.net.forward_flops(side, side) + s.net.backward_flops(side, side)) * batch;
  report(state, flops, now() - t0, threads);
}

BENCHMARK(BM_conv_forward)->ArgNames({"unary"})->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv_forward_backward)->ArgNames({"unary", "threads"})->Args({0, 1})->Args({1, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv_forward_backward)
    ->ArgNames({"unary", "threads"})
    ->Args({0, 2})
    ->Args({1, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
