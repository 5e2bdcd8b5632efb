#pragma once
// NumPy .npy files, float32 or float64, 1-D or 2-D: the exchange format of `ebm export` / `ebm import` and of
// `ebm sample`. Written as format 1.0, little-endian, C order; read in formats 1.0, 2.0 and 3.0, either byte
// order, C or Fortran order, by numpy's own rules (see src/npy_header.hpp): a file ebm reads is the array numpy reads from
// it, and every other file is an ebm::Error naming the file and the field (bad magic or version, a header
// that is not the dict numpy expects, a duplicate key, an unsupported dtype, a shape whose size does not match
// the file's length, compared before anything is allocated). Empty arrays, such as shape (0, 64), are read.
#include <string>
#include <string_view>

#include "ebm/core/types.hpp"

namespace ebm {

enum class NpyType { f32, f64 };

// A 1-D array is written for vectors (cols == 1 and as_vector), else 2-D (rows, cols).
void write_npy(const std::string& path, const Matrixd& m, NpyType type, bool as_vector = false);
// Reads float32 or float64; a 1-D array of length n comes back as n × 1.
Matrixd read_npy(const std::string& path);
// The same from a whole file's bytes in memory; `name` stands for the file in error messages.
Matrixd parse_npy(std::string_view bytes, const std::string& name);

}  // namespace ebm
