#include "ebm/io/npy.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>

#include "ebm/core/error.hpp"
#include "ebm/io/atomic_file.hpp"
#include "input_file.hpp"
#include "npy_header.hpp"

namespace ebm {

void write_npy(const std::string& path, const Matrixd& m, NpyType type, bool as_vector) {
  ensure(!as_vector || m.cols() == 1, "write_npy '", path, "': a vector must have one column, got ", m.cols());
  std::ostringstream hs;
  hs << "{'descr': '" << (type == NpyType::f32 ? "<f4" : "<f8") << "', 'fortran_order': False, 'shape': (" << m.rows()
     << (as_vector ? ",)" : ", " + std::to_string(m.cols()) + ")") << ", }";
  std::string header = hs.str();
  // magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64 bytes.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = "\x93NUMPY";
  bytes.push_back('\x01');
  bytes.push_back('\x00');
  const auto len = static_cast<std::uint16_t>(header.size());
  bytes.push_back(char(len & 0xff));
  bytes.push_back(char(len >> 8));
  bytes += header;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c) {
      if (type == NpyType::f32) {
        const float f = float(m(r, c));
        bytes.append(reinterpret_cast<const char*>(&f), sizeof f);
      } else {
        const double d = m(r, c);
        bytes.append(reinterpret_cast<const char*>(&d), sizeof d);
      }
    }
  write_file_atomically(path, bytes);
}

namespace {

// Converts `count` stored values, starting at element `first` of the file's order, into m.
void decode_values(const char* src, std::uint64_t first, std::uint64_t count, const detail::NpyHeader& h, Matrixd& m) {
  const std::uint64_t rows = std::uint64_t(h.rows);
  // The file's byte order against this machine's: reverse each value's bytes when they differ.
  const bool swap = h.big_endian != (std::endian::native == std::endian::big);
  for (std::uint64_t k = 0; k < count; ++k) {
    double v;
    if (h.f32) {
      std::uint32_t u;
      std::memcpy(&u, src + k * 4, 4);
      v = std::bit_cast<float>(swap ? __builtin_bswap32(u) : u);
    } else {
      std::uint64_t u;
      std::memcpy(&u, src + k * 8, 8);
      v = std::bit_cast<double>(swap ? __builtin_bswap64(u) : u);
    }
    const std::uint64_t e = first + k;
    // Matrixd is row-major: C-order data lands in storage order; Fortran order walks down the columns.
    if (h.fortran_order) m(Index(e % rows), Index(e / rows)) = v;
    else m.data()[e] = v;
  }
}

Matrixd allocate(const detail::NpyHeader& h, const std::string& name) {
  try {
    return Matrixd(h.rows, h.cols);
  } catch (const std::bad_alloc&) {
    fail("npy file '", name, "': not enough memory for ", h.rows, " x ", h.cols, " values");
  }
}

}  // namespace

Matrixd read_npy(const std::string& path) {
  detail::InputFile f = detail::open_input(path, "npy file");
  const std::string prefix = detail::read_prefix(f, detail::npy_max_prefix, path, "npy file");
  const detail::NpyHeader h = detail::parse_npy_header(prefix, f.size, path);
  Matrixd out = allocate(h, path);
  f.in.seekg(std::streamoff(h.data_offset));
  // In blocks, so that a large file is never held twice in memory.
  const std::uint64_t item = h.f32 ? 4 : 8, total = h.data_bytes / item, block = std::uint64_t{1} << 16;
  std::string buffer;
  for (std::uint64_t first = 0; first < total; first += block) {
    const std::uint64_t n = std::min(block, total - first);
    buffer.resize(std::size_t(n * item));
    f.in.read(buffer.data(), std::streamsize(buffer.size()));
    ensure(std::size_t(f.in.gcount()) == buffer.size(), "npy file '", path, "': read failed at value ", first);
    decode_values(buffer.data(), first, n, h, out);
  }
  return out;
}

Matrixd parse_npy(std::string_view bytes, const std::string& name) {
  const detail::NpyHeader h = detail::parse_npy_header(bytes, bytes.size(), name);
  Matrixd out = allocate(h, name);
  decode_values(bytes.data() + h.data_offset, 0, h.data_bytes / (h.f32 ? 4 : 8), h, out);
  return out;
}

}  // namespace ebm
