#pragma once
// NumPy .npy files (format 1.0), little-endian float32 or float64, C order, 1-D or 2-D: the exchange format
// of `ebm export` / `ebm import` and of `ebm sample`.
#include <string>

#include "ebm/core/types.hpp"

namespace ebm {

enum class NpyType { f32, f64 };

// A 1-D array is written for vectors (cols == 1 and as_vector), else 2-D (rows, cols).
void write_npy(const std::string& path, const Matrixd& m, NpyType type, bool as_vector = false);
// Reads float32 or float64; a 1-D array of length n comes back as n × 1.
Matrixd read_npy(const std::string& path);

}  // namespace ebm
