#include "ebm/io/idx.hpp"

#include <fstream>

#include "ebm/core/error.hpp"

namespace ebm {

IdxArray read_idx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ensure(bool(in), "IDX file '", path, "': cannot open it (run scripts/fetch-mnist for MNIST)");
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  unsigned char magic[4] = {};
  in.read(reinterpret_cast<char*>(magic), 4);
  ensure(in.gcount() == 4, "IDX file '", path, "': truncated header (", file_size, " bytes)");
  ensure(magic[0] == 0 && magic[1] == 0, "IDX file '", path, "': bad magic number (first two bytes must be 0)");
  ensure(magic[2] == 0x08, "IDX file '", path, "': value type 0x", std::hex, int(magic[2]),
         " is not supported (only unsigned bytes, 0x08)");
  const int ndim = magic[3];
  ensure(ndim >= 1 && ndim <= 4, "IDX file '", path, "': ", ndim, " dimensions (expected 1 to 4)");
  IdxArray a;
  std::uint64_t count = 1;
  for (int d = 0; d < ndim; ++d) {
    unsigned char b[4] = {};
    in.read(reinterpret_cast<char*>(b), 4);
    ensure(in.gcount() == 4, "IDX file '", path, "': truncated header (", file_size, " bytes)");
    const std::uint32_t n = (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
    ensure(n > 0, "IDX file '", path, "': dimension ", d, " is 0");
    a.dims.push_back(n);
    count *= n;
    ensure(count <= (std::uint64_t{1} << 34), "IDX file '", path, "': dimensions are implausibly large");
  }
  const std::uint64_t expected = 4 + 4 * std::uint64_t(ndim) + count;
  ensure(file_size == expected, "IDX file '", path, "': ", file_size, " bytes, but its header announces ", expected,
         file_size < expected ? " (truncated)" : " (trailing garbage)");
  a.data.resize(count);
  in.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(count));
  ensure(static_cast<std::uint64_t>(in.gcount()) == count, "IDX file '", path, "': read failed");
  return a;
}

Matrixf read_idx_images(const std::string& path, Index limit) {
  const IdxArray a = read_idx(path);
  ensure(a.dims.size() == 3, "IDX file '", path, "': has ", a.dims.size(), " dimensions, images need 3");
  const Index total = a.dims[0], cols = Index(a.dims[1]) * a.dims[2];
  const Index n = limit >= 0 ? std::min(limit, total) : total;
  Matrixf x(n, cols);
  for (Index r = 0; r < n; ++r)
    for (Index k = 0; k < cols; ++k) x(r, k) = float(a.data[std::size_t(r * cols + k)]) / 255.0f;
  return x;
}

std::vector<int> read_idx_labels(const std::string& path, Index limit) {
  const IdxArray a = read_idx(path);
  ensure(a.dims.size() == 1, "IDX file '", path, "': has ", a.dims.size(), " dimensions, labels need 1");
  const Index n = limit >= 0 ? std::min<Index>(limit, a.dims[0]) : Index(a.dims[0]);
  return {a.data.begin(), a.data.begin() + n};
}

}  // namespace ebm
