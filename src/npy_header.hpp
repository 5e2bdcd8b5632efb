#pragma once
// The .npy header, validated as numpy's reader validates it (numpy/lib/format.py, _read_array_header):
//
//   "\x93NUMPY" | major, minor: 1.0, 2.0 or 3.0 | header length: u16 (1.0) or u32 (2.0, 3.0), little-endian |
//   header: a Python dict literal with exactly the keys 'descr', 'fortran_order', 'shape' | data
//
// numpy evaluates the header with ast.literal_eval, so it accepts whitespace and comments around the tokens (the
// final '\n' and the 64-byte alignment are a writer's rule its reader does not check) and refuses anything else,
// such as NUL padding. ebm reads a strict subset of Python's literal syntax and refuses the rest rather than
// guessing: plain quoted strings without escapes, True/False, tuples of decimal integers (an 'L' right after the
// digits is allowed in 1.0/2.0 headers, which numpy filters for files written by Python 2), ASCII comments.
// numpy reads some files that ebm refuses: a duplicate key (numpy takes its last value), '1_000' or '0x10' in a
// shape, escapes in strings, dtypes written other than as numpy writes floats ('<f8', '>f4', …: 'f8' or 'd' mean
// the writer's byte order), bytes after the data (numpy ignores them; they mean a wrong shape or dtype). It
// never happens the other way round, and a file both read is the same array for both (checked against numpy
// 1.24 on the crafted files of tests/unit/test_npy_hardening.cpp).
#include <cstdint>
#include <string>
#include <string_view>

#include "ebm/core/types.hpp"

namespace ebm::detail {

inline constexpr std::uint64_t npy_max_header_length = 10000;  // numpy's default max_header_size
inline constexpr std::uint64_t npy_max_prefix = 12 + npy_max_header_length;

struct NpyHeader {
  bool f32 = false;            // float32 (else float64)
  bool big_endian = false;     // '>f4' / '>f8' (else '<')
  bool fortran_order = false;  // column-major data
  int ndim = 0;                // 1 or 2
  Index rows = 0, cols = 1;    // a 1-D array of length n is n × 1
  std::uint64_t data_offset = 0;
  std::uint64_t data_bytes = 0;  // rows · cols · item size, equal to file_size − data_offset
};

// prefix: the file's first min(file_size, npy_max_prefix) bytes or more; file_size: the file's length. Every
// problem is an ebm::Error naming `name` and the field.
NpyHeader parse_npy_header(std::string_view prefix, std::uint64_t file_size, const std::string& name);

}  // namespace ebm::detail
