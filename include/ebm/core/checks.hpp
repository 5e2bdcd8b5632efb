#pragma once
// Input validation shared by models, trainers and estimators. Each check names the argument it guards and
// the first offending entry, because "NaN somewhere" is not an error message a user can act on.
#include <cmath>
#include <string_view>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class Derived>
void check_finite(const Eigen::DenseBase<Derived>& m, std::string_view what) {
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c) {
      const auto x = m(r, c);
      if (!std::isfinite(static_cast<double>(x)))
        fail(what, ": entry (", r, ", ", c, ") is ", static_cast<double>(x), "; values must be finite");
    }
}

template <class Derived>
void check_binary(const Eigen::DenseBase<Derived>& m, std::string_view what) {
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c) {
      const auto x = m(r, c);
      if (!(x == 0 || x == 1))
        fail(what, ": entry (", r, ", ", c, ") is ", static_cast<double>(x),
             "; a Bernoulli layer takes only 0 or 1");
    }
}

inline void check_cols(Index got, Index expected, std::string_view what) {
  ensure(got == expected, what, ": has ", got, " columns, expected ", expected);
}

inline void check_nonempty(Index rows, std::string_view what) {
  ensure(rows > 0, what, ": is empty (0 rows)");
}

}  // namespace ebm
