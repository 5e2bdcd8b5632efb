#pragma once
// Pieces of the .ebm reader and writer shared by its two format versions (src/model_file.cpp, version 2;
// src/model_file_v1.cpp, version 1): the byte reader, float32 sections of a claimed shape, random streams as
// text, and the limits.
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ebm/core/checked_arithmetic.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/io/model_file.hpp"

namespace ebm::detail::model_file {

// The metadata of a 784-visible MNIST model is about 20 KB, nearly all of it the data marginals (~20 bytes per
// visible unit); 16 MiB holds those of 800,000 visible units and bounds what a crafted file can make the JSON
// parser build (up to ~16 bytes of nlohmann::json per 2 bytes of "0,").
inline constexpr std::size_t max_meta_bytes = std::size_t(16) << 20;
// Counters leave room to count on without overflow (an update takes far longer than a nanosecond).
inline constexpr std::int64_t max_updates = std::int64_t(1) << 62;

using Sections = std::map<std::string, std::string_view>;

// Sections end where the checksum begins: nothing may overlap it or hide between the last section and it.
struct Reader {
  const std::string& where;
  std::string_view bytes;  // without the checksum
  std::size_t pos = 0;
  template <class T>
  T get() {
    ensure(sizeof(T) <= bytes.size() - pos, where, ": truncated");
    T v;
    std::memcpy(&v, bytes.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string_view get_bytes(std::uint64_t n) {
    ensure(n <= bytes.size() - pos, where, ": truncated (a section claims ", n, " bytes, ", bytes.size() - pos,
           " are left)");
    const std::string_view s = bytes.substr(pos, std::size_t(n));
    pos += std::size_t(n);
    return s;
  }
};

// rows × cols float32 from a section whose length is compared with the claimed shape before anything is
// allocated.
inline Matrixf matrix_of(const std::string& where, const std::string& name, std::string_view bytes, Index rows,
                         Index cols) {
  const Index count = checked_mul(rows, cols, where + ": section " + name + " shape");
  const Index size = checked_mul(count, Index(sizeof(float)), where + ": section " + name + " size");
  ensure(bytes.size() == std::size_t(size), where, ": section ", name, " has ", bytes.size(), " bytes, expected ",
         size, " for ", rows, " x ", cols, " float32");
  Matrixf m(rows, cols);
  if (size > 0) std::memcpy(m.data(), bytes.data(), bytes.size());
  return m;
}

template <class Derived>
std::string floats(const Eigen::DenseBase<Derived>& m) {
  std::string s(std::size_t(m.size()) * sizeof(float), '\0');
  std::size_t k = 0;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c, ++k) {
      const float f = m(r, c);
      std::memcpy(s.data() + k * sizeof f, &f, sizeof f);
    }
  return s;
}

inline std::string streams_text(const std::vector<Rng>& rngs) {
  std::ostringstream os;
  for (const Rng& r : rngs) os << r << '\n';
  return os.str();
}

// The engine states written by streams_text: one line of mt19937's 624 state words (decimal, < 2³²) per stream,
// nothing else. Read strictly, since Boost's operator>> stops quietly at a partial or extra stream.
std::vector<Rng> streams_of(const std::string& where, const std::string& name, std::string_view text);

template <class Derived>
void check_probabilities(const Eigen::DenseBase<Derived>& m, const std::string& what) {
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c)
      if (!(m(r, c) >= 0 && m(r, c) <= 1))  // NaN fails too
        fail(what, ": entry (", r, ", ", c, ") is ", double(m(r, c)), "; a probability must lie in [0, 1]");
}

// A version-1 file's sections (container already checked) as a ModelFile in version 2's terms.
ModelFile parse_v1(const Sections& sections, const std::string& where, const std::string& expected_kind);
// Whether a section name is one version 1 knows.
bool is_v1_section(const std::string& name);

}  // namespace ebm::detail::model_file
