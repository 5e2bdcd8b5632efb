// The machine's measured single-precision GEMM rate with Eigen: the yardstick for the GFLOP/s counters of
// bench_rbm. A large square product (n³ with n = 2048 by default) runs at the best rate Eigen reaches here;
// "both cores" runs two independent products at once in two oneTBB tasks (Eigen's own threading is off), so
// it measures the aggregate rate two blocks of chains can reach, shared caches and memory bandwidth included.
// GFLOP counts 2·n³ per product; the counter is a rate (GFLOP per second).
//
//   build-bench/benchmarks/bench_gemm_peak --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>
#include <tbb/task_group.h>

#include <Eigen/Core>
#include <vector>

namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;

struct Product {
  Mat a, b, c;
  explicit Product(Eigen::Index n) : a(Mat::Random(n, n)), b(Mat::Random(n, n)), c(n, n) {}
  void run() { c.noalias() = a * b; }
};

// Args: {n, tasks}. Each task multiplies its own pair of n × n matrices.
void BM_sgemm(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const auto tasks = static_cast<int>(state.range(1));
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(tasks));
  std::vector<Product> work;
  for (int t = 0; t < tasks; ++t) work.emplace_back(n);
  for (auto _ : state) {
    if (tasks == 1) {
      work[0].run();
    } else {
      tbb::task_group g;
      for (auto& p : work) g.run([&p] { p.run(); });
      g.wait();
    }
    for (auto& p : work) benchmark::DoNotOptimize(p.c.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * double(n) * double(n) * double(n) * tasks;
  state.counters["GFLOP"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
// One task: CPU time, which time spent descheduled by other work on a shared machine does not inflate.
// Two tasks: wall-clock time (the rate both cores reach together) and the process's CPU time beside it.
BENCHMARK(BM_sgemm)->ArgNames({"n", "tasks"})->Args({2048, 1})->Args({1024, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sgemm)
    ->ArgNames({"n", "tasks"})
    ->Args({2048, 2})
    ->Args({1024, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
