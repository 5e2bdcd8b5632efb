#pragma once
// Input validation shared by models, trainers and estimators. Each check names the argument it guards and
// the first offending entry, because "NaN somewhere" is not an error message a user can act on.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <string_view>
#include <type_traits>

#include "ebm/core/detail/scan.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

namespace detail {
// True when `bad(p, n)` is false on every row of m, scanned in vector loops (parallel over rows for large
// matrices; a yes/no answer, so the thread count cannot change it). False also when m's layout has no
// contiguous rows: the caller's entry-by-entry loop then decides, and names the first bad entry.
template <class Derived, class Bad>
bool rows_pass(const Eigen::DenseBase<Derived>& m, Bad bad) {
  const Derived& d = m.derived();
  if constexpr (bool(Derived::Flags & Eigen::DirectAccessBit)) {
    if (d.innerStride() != 1) return false;
    if constexpr (Derived::IsVectorAtCompileTime) {
      return !bad(d.data(), d.size());
    } else if constexpr (bool(Derived::Flags & Eigen::RowMajorBit)) {
      const Index rows = d.rows(), cols = d.cols(), stride = d.outerStride();
      if (rows * cols < (Index(1) << 18)) {
        for (Index r = 0; r < rows; ++r)
          if (bad(d.data() + r * stride, cols)) return false;
        return true;
      }
      std::atomic<bool> ok{true};
      for_each_range(rows, std::max<Index>(1, (Index(1) << 16) / std::max<Index>(cols, 1)), [&](Index r0, Index n) {
        for (Index r = r0; r < r0 + n; ++r)
          if (bad(d.data() + r * stride, cols)) ok.store(false, std::memory_order_relaxed);
      });
      return ok.load();
    }
  }
  return false;
}
}  // namespace detail

template <class Derived>
void check_finite(const Eigen::DenseBase<Derived>& m, std::string_view what) {
  using S = typename Derived::Scalar;
  if constexpr (std::is_floating_point_v<S>)
    if (detail::rows_pass(m, [](const S* p, Index n) { return detail::any_nonfinite(p, n); })) return;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c) {
      const auto x = m(r, c);
      if (!std::isfinite(static_cast<double>(x)))
        fail(what, ": entry (", r, ", ", c, ") is ", static_cast<double>(x), "; values must be finite");
    }
}

template <class Derived>
void check_binary(const Eigen::DenseBase<Derived>& m, std::string_view what) {
  using S = typename Derived::Scalar;
  if (detail::rows_pass(m, [](const S* p, Index n) { return detail::any_nonbinary(p, n); })) return;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c) {
      const auto x = m(r, c);
      if (!(x == 0 || x == 1))
        fail(what, ": entry (", r, ", ", c, ") is ", static_cast<double>(x),
             "; a Bernoulli layer takes only 0 or 1");
    }
}

// check_finite and check_binary in one scan when all is well (0 and 1 are finite); a failing matrix gets
// check_finite's message for a NaN or ∞, check_binary's for any other value.
template <class Derived>
void check_finite_binary(const Eigen::DenseBase<Derived>& m, std::string_view what) {
  using S = typename Derived::Scalar;
  if (detail::rows_pass(m, [](const S* p, Index n) { return detail::any_nonbinary(p, n); })) return;
  check_finite(m, what);
  check_binary(m, what);
}

inline void check_cols(Index got, Index expected, std::string_view what) {
  ensure(got == expected, what, ": has ", got, " columns, expected ", expected);
}

inline void check_nonempty(Index rows, std::string_view what) {
  ensure(rows > 0, what, ": is empty (0 rows)");
}

}  // namespace ebm
