#pragma once
// Shared by the fuzz targets: a scratch file for loaders that take a path, and a check that aborts, so that
// libFuzzer (and the corpus replay) report a broken invariant as a crash with the input that caused it.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace ebm::fuzz {

inline std::string_view bytes_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// /dev/shm when there is one (memory, no disk traffic at thousands of files a second), else the temp folder;
// one name per process and tag, so parallel fuzzers and replays never share a file.
inline std::string scratch_path(const std::string& tag) {
  std::error_code ec;
  const std::filesystem::path dir =
      std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0 ? std::filesystem::path("/dev/shm")
                                                                                       : std::filesystem::temp_directory_path();
  return (dir / ("ebm-fuzz-" + std::to_string(::getpid()) + "-" + tag)).string();
}

inline void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out.flush()) {
    std::fprintf(stderr, "fuzz: cannot write scratch file %s\n", path.c_str());
    std::abort();
  }
}

// Removes the scratch file when the iteration ends, however it ends.
struct ScratchFile {
  std::string path;
  ScratchFile(const std::string& tag, std::string_view bytes) : path(scratch_path(tag)) { write_file(path, bytes); }
  ~ScratchFile() { std::remove(path.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
};

[[noreturn]] inline void broken(const char* what, const std::string& detail = "") {
  std::fprintf(stderr, "fuzz: invariant broken: %s %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace ebm::fuzz
