#pragma once
// Reader for the IDX format of the MNIST files: a 4-byte magic (0, 0, type, number of dimensions), the
// dimensions as big-endian 32-bit integers, then the values. Only unsigned bytes (type 0x08) are accepted,
// which is what MNIST uses. Every inconsistency (wrong magic or type, zero or absurd dimensions, truncated or
// over-long file) is an ebm::Error naming the file and the problem; the size the dimensions claim is computed
// without overflow and compared with the file's length before anything is allocated.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ebm/core/types.hpp"

namespace ebm {

struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;  // row-major, product(dims) bytes
};

IdxArray read_idx(const std::string& path);
// The same from a whole file's bytes in memory; `name` stands for the file in error messages.
IdxArray parse_idx(std::string_view bytes, const std::string& name);

// Images as rows of intensities in [0, 1] (n × rows·cols); at most `limit` images when limit ≥ 0.
Matrixf read_idx_images(const std::string& path, Index limit = -1);
// Labels as integers (n).
std::vector<int> read_idx_labels(const std::string& path, Index limit = -1);
// The same conversions of an array already read (name: its file, for messages).
Matrixf idx_images(const IdxArray& a, const std::string& name, Index limit = -1);
std::vector<int> idx_labels(const IdxArray& a, const std::string& name, Index limit = -1);

}  // namespace ebm
