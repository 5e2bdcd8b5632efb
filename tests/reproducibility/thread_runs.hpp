#pragma once
// Helpers of the reproducibility tests: run the same computation on n oneTBB threads, compare bit patterns.
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#include "ebm/core/types.hpp"

namespace ebm::test {

// Thread counts every result must be identical for: serial, this machine's two cores, and more threads than
// cores (oversubscribed, so tasks are stolen in orders a 2-core run never sees).
inline constexpr int thread_counts[] = {1, 2, 8};

// f() run with exactly n threads: global_control caps the whole process, and an arena of n slots makes n
// threads take part even when n exceeds the number of cores.
template <class F>
auto with_threads(int n, F&& f) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(n));
  tbb::task_arena arena(n);
  return arena.execute(std::forward<F>(f));
}

// Same shape and the same bits (so −0 ≠ +0 and NaN payloads count, unlike ==).
template <class A, class B>
bool bitwise_equal(const A& a, const B& b) {
  using S = typename A::Scalar;
  static_assert(std::is_same_v<S, typename B::Scalar>);
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(S) * static_cast<std::size_t>(a.size())) == 0;
}

// Fraction of non-zero entries: which side of detail::sparse_density_threshold a batch falls on.
template <class M>
double density(const M& x) {
  return x.size() == 0 ? 0.0 : static_cast<double>((x.array() != typename M::Scalar(0)).count()) / double(x.size());
}

}  // namespace ebm::test
