#pragma once
// Branch-free whole-array scans for the checks that run on every update or epoch (parameters after an
// optimizer step, a training set). They only answer "is everything fine"; when not, the caller rescans with
// the slow loop that names the first bad entry. Written on the bit patterns so the compiler vectorizes them
// (a float OR-reduction would need -fassociative-math; an integer one does not).
#include <bit>
#include <cstdint>
#include <type_traits>

#include "ebm/core/types.hpp"

namespace ebm::detail {

// True iff some p[k], k < n, is NaN or ±∞ (all exponent bits set).
template <class S>
bool any_nonfinite(const S* p, Index n) {
  using U = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
  constexpr U exponent = sizeof(S) == 4 ? U(0x7f800000u) : U(0x7ff0000000000000ull);
  U bad = 0;
  for (Index k = 0; k < n; ++k) bad |= U((std::bit_cast<U>(p[k]) & exponent) == exponent);
  return bad != 0;
}

// True iff some a[k] + b[k], k < n, is NaN or ±∞: an optimizer's would-be parameters, before it commits them.
template <class S>
bool any_nonfinite_sum(const S* a, const S* b, Index n) {
  using U = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
  constexpr U exponent = sizeof(S) == 4 ? U(0x7f800000u) : U(0x7ff0000000000000ull);
  U bad = 0;
  for (Index k = 0; k < n; ++k) bad |= U((std::bit_cast<U>(S(a[k] + b[k])) & exponent) == exponent);
  return bad != 0;
}

// True iff some p[k], k < n, is neither 0 nor 1 (−0 counts as 0; NaN and ∞ are neither).
template <class S>
bool any_nonbinary(const S* p, Index n) {
  unsigned bad = 0;
  for (Index k = 0; k < n; ++k) bad |= unsigned(!(p[k] == S(0) || p[k] == S(1)));
  return bad != 0;
}

}  // namespace ebm::detail
