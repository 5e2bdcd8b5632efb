#include "cli/data_source.hpp"

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/idx.hpp"
#include "ebm/io/npy.hpp"

namespace ebm::cli {

DataSpec load_data(const std::string& spec, const std::string& data_dir, Index limit) {
  DataSpec d{spec, {}};
  if (spec == "mnist" || spec == "mnist:train") {
    d.intensities = read_idx_images(data_dir + "/train-images-idx3-ubyte", limit);
  } else if (spec == "mnist:test") {
    d.intensities = read_idx_images(data_dir + "/t10k-images-idx3-ubyte", limit);
  } else if (spec.size() > 4 && spec.substr(spec.size() - 4) == ".npy") {
    const Matrixd m = read_npy(spec);
    const Index n = limit >= 0 ? std::min(limit, m.rows()) : m.rows();
    d.intensities = m.topRows(n).cast<float>();
    // Before minCoeff, which has no answer for an empty matrix: shapes (0, 64) and (200, 0) are valid .npy files.
    check_nonempty(d.intensities.rows(), "--data " + spec);
    ensure(d.intensities.cols() > 0, "--data ", spec, ": has 0 columns (shape ", m.rows(), " x 0)");
    check_finite(d.intensities, "--data " + spec);
    ensure(d.intensities.minCoeff() >= 0 && d.intensities.maxCoeff() <= 1, "--data ", spec,
           ": values must lie in [0, 1]");
  } else {
    fail("--data '", spec, "' is unknown; use mnist, mnist:train, mnist:test or a .npy file");
  }
  check_nonempty(d.intensities.rows(), "--data " + spec);
  return d;
}

}  // namespace ebm::cli
