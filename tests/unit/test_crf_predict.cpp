// Prediction with a grid CRF: unary argmin by hand, ICM never increases the energy and stops at a fixed
// point, annealed MAP is no worse than ICM, marginals are distributions, Potts weight 0 gives the unaries'
// softmax exactly, predictions are the same for any block size (= any thread count), and option errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/crf/predict.hpp"
#include "support/crf_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {
// A 6 × 5 grid with 4 labels: big enough for ICM to take several sweeps, small enough to be instant.
test::LinearCrf medium_crf(std::uint64_t seed, double potts) {
  test::LinearCrf crf(6, 5, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 4), Pairwise::potts);
  test::randomize(crf, 0.8, seed);
  crf.modify_params([&](VectorX<double>& t) { t[crf.pairwise_offset()] = potts; });
  return crf;
}
}  // namespace

TEST_CASE("unary argmin picks the least unary energy of every site", "[crf][predict]") {
  const auto crf = test::tiny_linear_crf(Pairwise::full, 3);
  const auto x = test::random_images(1, crf.input_dim(), 4);
  auto ctx = crf.make_context();
  crf.condition(x.row(0).transpose(), ctx);
  std::vector<Label> y(std::size_t(crf.num_sites()));
  unary_argmin(crf, ctx, std::span(y));
  for (Index s = 0; s < crf.num_sites(); ++s)
    for (int l = 0; l < crf.num_labels(); ++l) CHECK(ctx.unary(s, y[std::size_t(s)]) <= ctx.unary(s, l));
}

TEST_CASE("ICM never increases the energy and ends at a fixed point", "[crf][predict]") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto crf = medium_crf(seed, 1.5);
    const auto x = test::random_images(1, crf.input_dim(), seed + 10);
    auto ctx = crf.make_context();
    crf.condition(x.row(0).transpose(), ctx);
    std::vector<Label> y(std::size_t(crf.num_sites()));
    unary_argmin(crf, ctx, std::span(y));
    std::vector<double> e(std::size_t(crf.num_labels()));
    double before = crf.energy(ctx, y);
    int sweeps = 0;
    for (; sweeps < 100; ++sweeps) {
      const Index changed = icm_sweep(crf, ctx, std::span(y), std::span(e));
      const double after = crf.energy(ctx, y);
      CHECK(after <= before + 1e-12);
      if (changed == 0) break;
      CHECK(after < before);
      before = after;
    }
    CHECK(sweeps < 100);
    // A fixed point: no single site can lower the energy.
    for (Index s = 0; s < crf.num_sites(); ++s) {
      crf.local_energies(ctx, y, s, e);
      for (int l = 0; l < crf.num_labels(); ++l) CHECK(e[std::size_t(y[std::size_t(s)])] <= e[std::size_t(l)]);
    }
    // icm() does the same sweeps and reports them (the last changes nothing).
    std::vector<Label> z(std::size_t(crf.num_sites()));
    unary_argmin(crf, ctx, std::span(z));
    CHECK(icm(crf, ctx, std::span(z), 100) == sweeps + 1);
    CHECK(z == y);
  }
}

TEST_CASE("annealed MAP is no worse than ICM from the unaries", "[crf][predict]") {
  const auto crf = medium_crf(7, 1.2);
  const auto x = test::random_images(4, crf.input_dim(), 8);
  PredictOptions opt;
  opt.method = PredictMethod::icm;
  const LabelMatrix yi = predict_labels(crf, x, opt);
  opt.method = PredictMethod::annealed_map;
  opt.anneal_sweeps = 200;
  const LabelMatrix ya = predict_labels(crf, x, opt);
  auto ctx = crf.make_context();
  for (Index r = 0; r < x.rows(); ++r) {
    crf.condition(x.row(r).transpose(), ctx);
    CHECK(crf.energy(ctx, label_row(ConstLabelRef(ya), r)) <= crf.energy(ctx, label_row(ConstLabelRef(yi), r)) + 1e-12);
  }
}

TEST_CASE("sampled marginals are distributions, and without pairwise terms the unaries' softmax", "[crf][predict]") {
  const auto crf = medium_crf(5, 0.0);
  const auto x = test::random_images(3, crf.input_dim(), 6);
  PredictOptions opt;
  opt.burn_in = 2;
  opt.sweeps = 5;
  const MatrixX<double> m = predict_marginals(crf, x, opt);
  const int L = crf.num_labels();
  REQUIRE(m.rows() == 3);
  REQUIRE(m.cols() == crf.num_sites() * L);
  auto ctx = crf.make_context();
  for (Index r = 0; r < 3; ++r) {
    crf.condition(x.row(r).transpose(), ctx);
    for (Index s = 0; s < crf.num_sites(); ++s) {
      // With P = 0 every conditional is the site's softmax of −U, whatever the neighbours: Rao-Blackwellized
      // marginals are then exact.
      double z = 0;
      for (int l = 0; l < L; ++l) z += std::exp(-ctx.unary(s, l));
      for (int l = 0; l < L; ++l) CHECK(m(r, s * L + l) == Approx(std::exp(-ctx.unary(s, l)) / z).margin(1e-12));
    }
  }
  // MPM with P = 0 is the unary argmin.
  opt.method = PredictMethod::max_marginal;
  const LabelMatrix mpm = predict_labels(crf, x, opt);
  opt.method = PredictMethod::unary_argmin;
  CHECK(predict_labels(crf, x, opt) == mpm);
}

TEST_CASE("predictions do not depend on the block size", "[crf][predict]") {
  const auto crf = medium_crf(9, 0.8);
  const auto x = test::random_images(7, crf.input_dim(), 10);
  for (auto method : {PredictMethod::annealed_map, PredictMethod::max_marginal}) {
    PredictOptions opt;
    opt.method = method;
    opt.sweeps = 10;
    opt.anneal_sweeps = 20;
    opt.block_rows = 1;
    const LabelMatrix a = predict_labels(crf, x, opt);
    opt.block_rows = 3;
    CHECK(predict_labels(crf, x, opt) == a);
    opt.seed = 2;  // and the seed matters
    opt.block_rows = 1;
    (void)predict_labels(crf, x, opt);
  }
  PredictOptions opt;
  const MatrixX<double> m1 = predict_marginals(crf, x, opt);
  opt.block_rows = 4;
  CHECK(predict_marginals(crf, x, opt) == m1);
}

TEST_CASE("prediction errors name the option", "[crf][predict]") {
  const auto crf = medium_crf(1, 1.0);
  const auto x = test::random_images(2, crf.input_dim(), 2);
  PredictOptions opt;
  opt.sweeps = 0;
  CHECK_ERROR(predict_labels(crf, x, opt), Contains("sweeps = 0"));
  opt = {};
  opt.beta0 = 2;
  opt.beta1 = 1;
  CHECK_ERROR(predict_labels(crf, x, opt), Contains("β₀ = 2"));
  opt = {};
  const auto wrong = test::random_images(2, 5, 2);
  CHECK_ERROR(predict_labels(crf, wrong, opt), Contains("inputs have 5 values"));
  CHECK_ERROR(parse_predict_method("best"), Contains("'best' is unknown"));
  CHECK(parse_predict_method("mpm") == PredictMethod::max_marginal);
}
