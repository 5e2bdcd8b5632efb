// File formats: IDX (MNIST), .npy, the .ebm model file and PNG, including every way a file can be broken.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "support/checkpoint_fixture.hpp"
#include "support/scratch.hpp"
#include "ebm/core/error.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/io/idx.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/io/npy.hpp"
#include "ebm/io/png.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {
std::string io_scratch(const std::string& name) { return test::scratch_path("io", name); }
void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
// A 3-image 2×2 IDX file: magic 0 0 8 3, dims 3 2 2, then 12 bytes.
std::string idx_images() {
  std::string b{'\0', '\0', '\x08', '\x03', 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2};
  for (int k = 0; k < 12; ++k) b.push_back(char(k * 20));
  return b;
}
}  // namespace

TEST_CASE("IDX images are read as intensities in [0, 1]", "[io]") {
  const std::string p = io_scratch("ok.idx");
  write_bytes(p, idx_images());
  const Matrixf x = read_idx_images(p);
  REQUIRE(x.rows() == 3);
  REQUIRE(x.cols() == 4);
  CHECK(x(1, 2) == Approx(6 * 20 / 255.0));
  CHECK(read_idx_images(p, 2).rows() == 2);
}

TEST_CASE("broken IDX files are errors naming the file and the problem", "[io][errors]") {
  const std::string p = io_scratch("bad.idx");
  std::string b = idx_images();
  write_bytes(p, b.substr(0, b.size() - 1));
  CHECK_THROWS_AS(read_idx(p), ebm::Error);
  CHECK_THROWS_WITH(read_idx(p), Contains("bad.idx") && Contains("truncated"));
  write_bytes(p, b + "x");
  CHECK_THROWS_WITH(read_idx(p), Contains("trailing garbage"));
  b[0] = 1;
  write_bytes(p, b);
  CHECK_THROWS_WITH(read_idx(p), Contains("bad magic"));
  b[0] = 0;
  b[2] = 0x0D;  // float data
  write_bytes(p, b);
  CHECK_THROWS_WITH(read_idx(p), Contains("not supported"));
  write_bytes(p, std::string("\0\0", 2));
  CHECK_THROWS_WITH(read_idx(p), Contains("truncated header"));
  CHECK_THROWS_WITH(read_idx(io_scratch("missing.idx")), Contains("cannot open"));
  // labels read as images: wrong number of dimensions
  write_bytes(p, std::string{'\0', '\0', '\x08', '\x01', 0, 0, 0, 2, 1, 2});
  CHECK_THROWS_WITH(read_idx_images(p), Contains("images need 3"));
  CHECK(read_idx_labels(p) == std::vector<int>{1, 2});
}

TEST_CASE("npy files round-trip in float32 and float64, 1-D and 2-D", "[io]") {
  Matrixd m(2, 3);
  m << 1, 2.5, -3, 4e-8, 5, 6;
  for (const NpyType t : {NpyType::f32, NpyType::f64}) {
    const std::string p = io_scratch("m.npy");
    write_npy(p, m, t);
    const Matrixd r = read_npy(p);
    CHECK(r.rows() == 2);
    CHECK(r.cols() == 3);
    CHECK((r - m).cwiseAbs().maxCoeff() < (t == NpyType::f32 ? 1e-6 : 0.0) + 1e-300);
    // NumPy's header is padded so that the data starts at a multiple of 64 bytes.
    CHECK(read_bytes(p).size() % 8 == 0);
    CHECK((read_bytes(p).size() - std::size_t(m.size()) * (t == NpyType::f32 ? 4 : 8)) % 64 == 0);
  }
  const std::string v = io_scratch("v.npy");
  write_npy(v, m.col(1), NpyType::f32, true);
  CHECK(read_bytes(v).find("'shape': (2,)") != std::string::npos);
  CHECK(read_npy(v).cols() == 1);
  write_bytes(v, "not numpy at all");
  CHECK_THROWS_WITH(read_npy(v), Contains("bad magic"));
}

TEST_CASE("model files round-trip and every corruption is detected", "[io][errors]") {
  ModelFile f = test::small_checkpoint();
  f.training->streams["chains"][2]();  // a stream that has moved must come back where it was
  const TrainingState t = *f.training;
  const std::string p = io_scratch("m.ebm");
  save_model_file(p, f);
  const ModelFile g = load_model_file(p);
  CHECK(g.params == f.params);
  REQUIRE(g.training.has_value());
  CHECK(g.training->epoch == 4);
  CHECK(g.training->updates == 40);
  CHECK(g.training->chains.at("ph") == t.chains.at("ph"));
  CHECK(g.training->state.at("centering.hidden") == t.state.at("centering.hidden"));
  CHECK(g.training->streams == t.streams);
  CHECK(g.training->optimizer.kind == "sgd");
  CHECK(g.training->optimizer.steps == 40);
  CHECK(g.training->optimizer.vectors.at("velocity") == t.optimizer.vectors.at("velocity"));
  CHECK_FALSE(std::filesystem::exists(p + ".tmp." + std::to_string(::getpid())));  // temp file renamed away

  const std::string bytes = read_bytes(p);
  const std::string q = io_scratch("broken.ebm");
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  write_bytes(q, flipped);
  CHECK_THROWS_AS(load_model_file(q), ebm::Error);
  CHECK_THROWS_WITH(load_model_file(q), Contains("broken.ebm") && Contains("checksum mismatch"));
  write_bytes(q, bytes.substr(0, bytes.size() - 7));
  CHECK_THROWS_WITH(load_model_file(q), Contains("checksum mismatch"));
  std::string version = bytes;
  version[8] = 9;
  write_bytes(q, version);
  CHECK_THROWS_WITH(load_model_file(q), Contains("format version 9"));
  write_bytes(q, "EBMMODEX" + bytes.substr(8));
  CHECK_THROWS_WITH(load_model_file(q), Contains("bad magic"));
  CHECK_THROWS_WITH(load_model_file(p, "gaussian_rbm"), Contains("kind 'bernoulli_rbm'") && Contains("'gaussian_rbm'"));
  f.params.resize(3);
  CHECK_THROWS_WITH(save_model_file(q, f), Contains("3 parameters, but the hyper-parameters of bernoulli_rbm make 11"));
}

TEST_CASE("binarization: threshold is > 0.5, stochastic is seeded and has the right mean", "[io]") {
  Matrixf x(2000, 3);
  x.col(0).setConstant(0.5f);
  x.col(1).setConstant(0.9f);
  x.col(2).setConstant(0.1f);
  Matrixf a(x.rows(), x.cols()), b(x.rows(), x.cols());
  binarize(x, Binarize::threshold, 1, 0, a);
  CHECK(a.col(0).sum() == 0);
  CHECK(a.col(1).sum() == 2000);
  binarize(x, Binarize::stochastic, 1, 0, a);
  binarize(x, Binarize::stochastic, 1, 0, b);
  CHECK(a == b);
  binarize(x, Binarize::stochastic, 1, 1, b);
  CHECK(a != b);  // another epoch, another draw
  // Column means within 5 binomial standard errors (sd ≤ 0.5/√2000 = 0.011).
  CHECK(std::abs(a.col(0).mean() - 0.5) < 5 * 0.0112);
  CHECK(std::abs(a.col(1).mean() - 0.9) < 5 * 0.0068);
  x(3, 1) = 1.5f;
  CHECK_THROWS_WITH(binarize(x, Binarize::stochastic, 1, 0, a), Contains("(3, 1) is 1.5"));
  CHECK_THROWS_WITH(parse_binarize("fuzzy"), Contains("'fuzzy'"));
}

TEST_CASE("PNG grids are written as valid PNG files", "[io]") {
  const std::string p = io_scratch("g.png");
  write_png_grid(p, Matrixf::Random(7, 16), TileGrid{4, 4, 3, 1, 2, true});
  const std::string bytes = read_bytes(p);
  REQUIRE(bytes.size() > 8);
  CHECK(bytes.substr(1, 3) == "PNG");
  CHECK_THROWS_WITH(write_png_grid(p, Matrixf::Zero(2, 15), TileGrid{4, 4, 3, 1, 2, false}), Contains("15 values"));
}
