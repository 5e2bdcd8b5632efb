#pragma once
// The GEMM peak the benchmarks report their rates against: GFLOP/s of one core on a 1024³ Eigen SGEMM, best
// of 5 in thread CPU time (CPU time, so that a loaded machine lowers it less than wall time would), measured
// once per process.
#include <benchmark/benchmark.h>
#include <time.h>

#include <Eigen/Core>
#include <algorithm>

namespace ebm::bench {

inline double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

inline double sgemm_peak() {
  static const double peak = [] {
    using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
    const Mat a = Mat::Random(1024, 1024), b = Mat::Random(1024, 1024);
    Mat c(1024, 1024);
    double best = 1e30;
    for (int t = 0; t < 6; ++t) {
      const double t0 = thread_cpu_seconds();
      c.noalias() = a * b;
      benchmark::DoNotOptimize(c.data());
      if (t > 0) best = std::min(best, thread_cpu_seconds() - t0);  // the first one warms the caches
    }
    return 2.0 * 1024 * 1024 * 1024 / best * 1e-9;
  }();
  return peak;
}

}  // namespace ebm::bench
