#pragma once
// Data named on the command line: "mnist" / "mnist:train", "mnist:test", or a path to a .npy matrix with
// values in [0, 1] (one example per row).
#include <string>

#include "ebm/core/types.hpp"

namespace ebm::cli {

struct DataSpec {
  std::string name;  // as given
  Matrixf intensities;
};

// data_dir holds the four MNIST IDX files (scripts/fetch-mnist puts them in data/mnist).
DataSpec load_data(const std::string& spec, const std::string& data_dir, Index limit = -1);

}  // namespace ebm::cli
