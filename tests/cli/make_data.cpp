// Writes small data sets for the command-line tests:
//   make_data OUT.npy ROWS [COLS]     exact samples of a known 64 x 8 RBM, as .npy (only the first COLS
//                                     visible units: small enough for exact log Z of a model over them)
//   make_data --mnist DIR TRAIN TEST  the four MNIST IDX files in DIR, with 8 x 8 synthetic "digits" (class c is
//                                     a bar at row or column c, drawn with random thickness and intensity), for
//                                     `ebm crf --data-dir DIR` without the real MNIST
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/io/npy.hpp"

namespace {

void write_idx(const std::string& path, const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data) {
  std::ofstream out(path, std::ios::binary);
  const auto put32 = [&](std::uint32_t v) {
    const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    out.write(b, 4);
  };
  const char magic[4] = {0, 0, 0x08, char(dims.size())};
  out.write(magic, 4);
  for (auto d : dims) put32(d);
  out.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size()));
  if (!out) {
    std::fprintf(stderr, "make_data: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

void write_digits(const std::string& dir, const std::string& prefix, std::uint32_t n, std::uint64_t seed) {
  constexpr std::uint32_t side = 8;
  ebm::Rng rng = ebm::make_stream(seed, ebm::StreamPurpose::user, 0);
  std::vector<std::uint8_t> images(std::size_t(n) * side * side, 0), labels(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const int c = int(rng() % 10u);
    labels[i] = std::uint8_t(c);
    const auto level = std::uint8_t(180 + rng() % 76u);
    const std::uint32_t pos = 1 + std::uint32_t(c % 5), width = 1 + rng() % 2u;
    for (std::uint32_t r = 0; r < side; ++r)
      for (std::uint32_t k = 0; k < side; ++k) {
        const std::uint32_t across = c < 5 ? r : k;  // classes 0–4 horizontal bars, 5–9 vertical
        if (across >= pos && across < pos + width && k > 0 && r > 0 && k + 1 < side && r + 1 < side)
          images[(std::size_t(i) * side + r) * side + k] = level;
      }
  }
  write_idx(dir + "/" + prefix + "-images-idx3-ubyte", {n, side, side}, images);
  write_idx(dir + "/" + prefix + "-labels-idx1-ubyte", {n}, labels);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--mnist") {
    write_digits(argv[2], "train", std::uint32_t(std::atol(argv[3])), 1);
    write_digits(argv[2], "t10k", std::uint32_t(std::atol(argv[4])), 2);
    return 0;
  }
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: make_data OUT.npy ROWS [COLS] | make_data --mnist DIR TRAIN TEST\n");
    return 2;
  }
  // 64 visible units so that `ebm filters` / `--png` can draw 8 x 8 tiles; sampled by long Gibbs runs.
  ebm::BernoulliRBMd truth(64, 8);
  ebm::Rng rng = ebm::make_stream(5, ebm::StreamPurpose::user, 0);
  truth.init_normal(rng, 1.0);
  const ebm::Index n = std::atol(argv[2]);
  ebm::BlockGibbs<ebm::BernoulliRBMd> gibbs;
  ebm::GibbsChains<double> s;
  auto streams = ebm::make_chain_streams(9, n);
  gibbs.init(truth, s, ebm::Matrixd::Zero(n, 64), streams);
  for (int t = 0; t < 200; ++t) gibbs.step(truth, s, streams);
  const ebm::Index cols = argc == 4 ? std::atol(argv[3]) : 64;
  if (cols < 1 || cols > 64) {
    std::fprintf(stderr, "make_data: COLS = %s must lie in [1, 64]\n", argv[3]);
    return 2;
  }
  ebm::write_npy(argv[1], s.v.leftCols(cols), ebm::NpyType::f32);
}
