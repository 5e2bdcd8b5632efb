#pragma once
// Opening an input file for the readers in src/: one clear ebm::Error for a missing file, a directory or
// anything else that is not a regular file, and the file's length, so that every size a header claims is
// compared with the real length before anything is allocated.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "ebm/core/error.hpp"

namespace ebm::detail {

struct InputFile {
  std::ifstream in;
  std::uint64_t size = 0;
};

// what: "npy file", "IDX file", …; hint: appended to the "cannot open" message.
inline InputFile open_input(const std::string& path, std::string_view what, std::string_view hint = "") {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  ensure(!ec && std::filesystem::exists(status), what, " '", path, "': cannot open it", hint);
  ensure(std::filesystem::is_regular_file(status), what, " '", path, "': is not a regular file");
  InputFile f;
  f.size = std::filesystem::file_size(path, ec);
  ensure(!ec, what, " '", path, "': cannot read its length (", ec.message(), ")");
  f.in.open(path, std::ios::binary);
  ensure(bool(f.in), what, " '", path, "': cannot open it", hint);
  return f;
}

// The first min(n, size) bytes; a short read (the file shrank while we read it) is an error.
inline std::string read_prefix(InputFile& f, std::uint64_t n, const std::string& path, std::string_view what) {
  std::string bytes(std::size_t(std::min(n, f.size)), '\0');
  f.in.read(bytes.data(), std::streamsize(bytes.size()));
  ensure(std::size_t(f.in.gcount()) == bytes.size(), what, " '", path, "': read failed");
  return bytes;
}

}  // namespace ebm::detail
