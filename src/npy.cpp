#include "ebm/io/npy.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "ebm/core/error.hpp"
#include "ebm/io/atomic_file.hpp"

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

Matrixd read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ensure(bool(in), "npy file '", path, "': cannot open it");
  char pre[10] = {};
  in.read(pre, 10);
  ensure(in.gcount() == 10 && std::memcmp(pre, "\x93NUMPY", 6) == 0, "npy file '", path, "': not a .npy file (bad magic)");
  ensure(pre[6] == 1, "npy file '", path, "': format version ", int(pre[6]), " is not supported (only 1.0)");
  const std::size_t hlen = std::uint8_t(pre[8]) | (std::size_t(std::uint8_t(pre[9])) << 8);
  std::string header(hlen, '\0');
  in.read(header.data(), std::streamsize(hlen));
  ensure(std::size_t(in.gcount()) == hlen, "npy file '", path, "': truncated header");
  std::smatch m;
  ensure(std::regex_search(header, m, std::regex("'descr':\\s*'([<>|]?)(f4|f8)'")), "npy file '", path,
         "': dtype must be float32 or float64, header is ", header);
  ensure(m[1] != ">", "npy file '", path, "': big-endian data is not supported");
  const bool f32 = m[2] == "f4";
  ensure(std::regex_search(header, std::regex("'fortran_order':\\s*False")), "npy file '", path,
         "': Fortran-order arrays are not supported (save with C order)");
  std::smatch s;
  ensure(std::regex_search(header, s, std::regex("'shape':\\s*\\((\\d+)\\s*,\\s*(\\d*)\\s*\\)")), "npy file '", path,
         "': shape must be 1-D or 2-D, header is ", header);
  const Index rows = std::stoll(s[1]);
  const Index cols = s[2].length() ? std::stoll(s[2]) : 1;
  Matrixd out(rows, cols);
  const std::size_t width = f32 ? 4 : 8;
  std::string data(std::size_t(rows * cols) * width, '\0');
  in.read(data.data(), std::streamsize(data.size()));
  ensure(std::size_t(in.gcount()) == data.size(), "npy file '", path, "': truncated data (expected ", rows, " x ", cols,
         " values)");
  for (Index k = 0; k < rows * cols; ++k) {
    double v;
    if (f32) {
      float f;
      std::memcpy(&f, data.data() + k * 4, 4);
      v = f;
    } else {
      std::memcpy(&v, data.data() + k * 8, 8);
    }
    out(k / cols, k % cols) = v;
  }
  return out;
}

}  // namespace ebm
