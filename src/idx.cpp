#include "ebm/io/idx.hpp"

#include <algorithm>
#include <cstring>

#include "ebm/core/error.hpp"
#include "input_file.hpp"

namespace ebm {
namespace {

constexpr std::uint64_t max_values = std::uint64_t{1} << 34;  // 16 GiB of bytes: far beyond any IDX data set
constexpr int max_dims = 4;

const char* type_name(int code) {
  switch (code) {
    case 0x09: return " (signed byte)";
    case 0x0B: return " (int16)";
    case 0x0C: return " (int32)";
    case 0x0D: return " (float32)";
    case 0x0E: return " (float64)";
    default: return " (not an IDX type)";
  }
}

struct IdxHeader {
  std::vector<std::uint32_t> dims;
  std::uint64_t data_offset = 0, count = 0;
};

// prefix: the file's first min(file_size, 4 + 4 · max_dims) bytes or more.
IdxHeader parse_header(std::string_view prefix, std::uint64_t file_size, const std::string& name) {
  ensure(prefix.size() >= 4, "IDX file '", name, "': truncated header (", file_size, " bytes)");
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(prefix[k]); };
  ensure(byte(0) == 0 && byte(1) == 0, "IDX file '", name, "': bad magic number (first two bytes must be 0)");
  ensure(byte(2) == 0x08, "IDX file '", name, "': value type 0x", std::hex, int(byte(2)), type_name(byte(2)),
         " is not supported (only unsigned bytes, 0x08)");
  const int ndim = byte(3);
  ensure(ndim >= 1 && ndim <= max_dims, "IDX file '", name, "': ", ndim, " dimensions (expected 1 to ", max_dims, ")");
  IdxHeader h;
  h.data_offset = 4 + 4 * std::uint64_t(ndim);
  ensure(prefix.size() >= h.data_offset, "IDX file '", name, "': truncated header (", file_size, " bytes, ", ndim,
         " dimensions need ", h.data_offset, ")");
  h.count = 1;
  for (int d = 0; d < ndim; ++d) {
    const std::size_t at = 4 + 4 * std::size_t(d);
    const std::uint32_t n = (std::uint32_t(byte(at)) << 24) | (std::uint32_t(byte(at + 1)) << 16) |
                            (std::uint32_t(byte(at + 2)) << 8) | byte(at + 3);
    ensure(n > 0, "IDX file '", name, "': dimension ", d, " is 0");
    // Checked before multiplying: count ≤ max_values < 2^35 and n < 2^32, so count · n cannot wrap either way.
    ensure(n <= max_values / h.count, "IDX file '", name, "': dimension ", d, " = ", n,
           " makes more than 2^34 values (implausibly large)");
    h.count *= n;
    h.dims.push_back(n);
  }
  const std::uint64_t expected = h.data_offset + h.count;
  ensure(file_size == expected, "IDX file '", name, "': ", file_size, " bytes, but its header announces ", expected,
         file_size < expected ? " (truncated)" : " (trailing garbage)");
  return h;
}

}  // namespace

IdxArray parse_idx(std::string_view bytes, const std::string& name) {
  const IdxHeader h = parse_header(bytes, bytes.size(), name);
  IdxArray a;
  a.dims = h.dims;
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data()) + h.data_offset;
  a.data.assign(data, data + h.count);
  return a;
}

IdxArray read_idx(const std::string& path) {
  detail::InputFile f = detail::open_input(path, "IDX file", " (run scripts/fetch-mnist for MNIST)");
  const std::string prefix = detail::read_prefix(f, 4 + 4 * max_dims, path, "IDX file");
  const IdxHeader h = parse_header(prefix, f.size, path);
  IdxArray a;
  a.dims = h.dims;
  a.data.resize(h.count);  // h.count + header == the file's length: nothing larger than the file is allocated
  f.in.seekg(std::streamoff(h.data_offset));
  f.in.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(h.count));
  ensure(static_cast<std::uint64_t>(f.in.gcount()) == h.count, "IDX file '", path, "': read failed");
  return a;
}

Matrixf idx_images(const IdxArray& a, const std::string& name, Index limit) {
  ensure(a.dims.size() == 3, "IDX file '", name, "': has ", a.dims.size(), " dimensions, images need 3");
  const Index total = a.dims[0], cols = Index(a.dims[1]) * a.dims[2];
  std::uint64_t values = 0;
  ensure(!__builtin_mul_overflow(std::uint64_t(total), std::uint64_t(cols), &values) && values == a.data.size(),
         "IDX file '", name, "': ", a.data.size(),
         " values for ", total, " images of ", cols, " pixels");
  const Index n = limit >= 0 ? std::min(limit, total) : total;
  Matrixf x(n, cols);
  for (Index r = 0; r < n; ++r)
    for (Index k = 0; k < cols; ++k) x(r, k) = float(a.data[std::size_t(r * cols + k)]) / 255.0f;
  return x;
}

std::vector<int> idx_labels(const IdxArray& a, const std::string& name, Index limit) {
  ensure(a.dims.size() == 1, "IDX file '", name, "': has ", a.dims.size(), " dimensions, labels need 1");
  ensure(a.dims[0] == a.data.size(), "IDX file '", name, "': ", a.data.size(), " values for ", a.dims[0], " labels");
  const Index n = limit >= 0 ? std::min<Index>(limit, a.dims[0]) : Index(a.dims[0]);
  return {a.data.begin(), a.data.begin() + n};
}

Matrixf read_idx_images(const std::string& path, Index limit) { return idx_images(read_idx(path), path, limit); }

std::vector<int> read_idx_labels(const std::string& path, Index limit) { return idx_labels(read_idx(path), path, limit); }

}  // namespace ebm
