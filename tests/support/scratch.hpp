#pragma once
// A path for a test's scratch file: <temp>/ebm-test-<suite>-<pid>/<name>. The process id is part of the folder
// because ctest runs every test case as its own process, two at a time (-j): cases of one suite that write
// the same file name would otherwise overwrite each other's file between its write and its read.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace ebm::test {

inline std::string scratch_path(const std::string& suite, const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ebm-test-" + suite + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

}  // namespace ebm::test
