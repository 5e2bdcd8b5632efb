#pragma once
// Sizes computed from values read out of a file (rows × cols, counts + counts) must not overflow: signed
// overflow is undefined behaviour, and a product that wraps can even come back to a plausible size. These
// throw an ebm::Error naming what was being computed instead.
#include <string_view>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

inline Index checked_mul(Index a, Index b, std::string_view what) {
  Index r = 0;
  ensure(!__builtin_mul_overflow(a, b, &r), what, ": ", a, " x ", b, " overflows a 64-bit size");
  return r;
}

inline Index checked_add(Index a, Index b, std::string_view what) {
  Index r = 0;
  ensure(!__builtin_add_overflow(a, b, &r), what, ": ", a, " + ", b, " overflows a 64-bit size");
  return r;
}

}  // namespace ebm
