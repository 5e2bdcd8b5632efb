// The grid CRF against its definition: local energies are energy differences, accumulate_grad is ∂E/∂θ
// (central differences), the exact model term is −∂ log Z(x)/∂θ, patch features by hand, and every error.
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/crf/exact_crf.hpp"
#include "ebm/crf/grid_crf.hpp"
#include "support/crf_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

static_assert(ConditionalGibbsModel<test::ConvCrf>);  // convolutional unaries are a conditional model like the others

namespace {

std::vector<Label> random_labels(Index n, int labels, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 7);
  std::vector<Label> y(static_cast<std::size_t>(n));
  for (auto& l : y) l = Label(rng() % unsigned(labels));
  return y;
}

template <class Crf>
void check_local_energies(const Crf& crf, std::uint64_t seed) {
  const auto x = test::random_images(1, crf.input_dim(), seed);
  auto ctx = crf.make_context();
  crf.condition(x.row(0).transpose(), ctx);
  auto y = random_labels(crf.num_sites(), crf.num_labels(), seed);
  std::vector<double> e(std::size_t(crf.num_labels()));
  for (Index s = 0; s < crf.num_sites(); ++s) {
    crf.local_energies(ctx, y, s, e);
    auto z = y;
    z[std::size_t(s)] = 0;
    const double e0 = crf.energy(ctx, z);
    for (int l = 1; l < crf.num_labels(); ++l) {
      z[std::size_t(s)] = Label(l);
      CHECK(crf.energy(ctx, z) - e0 == Approx(e[std::size_t(l)] - e[0]).margin(1e-12));
    }
  }
}

// Central differences of E(y, x; θ) in every parameter against accumulate_grad (O(h²) error).
template <class Crf>
void check_energy_gradient(Crf crf, std::uint64_t seed) {
  const auto x = test::random_images(1, crf.input_dim(), seed);
  const auto y = random_labels(crf.num_sites(), crf.num_labels(), seed + 1);
  auto ctx = crf.make_context();
  crf.condition(x.row(0).transpose(), ctx);
  VectorX<double> g = VectorX<double>::Zero(crf.num_params());
  crf.accumulate_grad(ctx, y, 1.0, g);
  const VectorX<double> theta = crf.params();
  const double h = 1e-5;
  for (Index k = 0; k < crf.num_params(); ++k) {
    auto at = [&](double d) {
      VectorX<double> t = theta;
      t[k] += d;
      crf.set_params(t);
      crf.condition(x.row(0).transpose(), ctx);
      return crf.energy(ctx, y);
    };
    const double fd = (at(h) - at(-h)) / (2 * h);
    INFO(crf.param_name(k));
    CHECK(g[k] == Approx(fd).margin(1e-7));
  }
}

// ∂ log Z(x)/∂θ = −E_{y~p(·|x)}[∂E/∂θ], both sides exact.
template <class Crf>
void check_log_z_gradient(Crf crf, std::uint64_t seed) {
  const auto x = test::random_images(1, crf.input_dim(), seed);
  auto ctx = crf.make_context();
  crf.condition(x.row(0).transpose(), ctx);
  VectorX<double> term = VectorX<double>::Zero(crf.num_params());
  exact_model_term(crf, ctx, exact_conditional(crf, ctx), 1.0, term);
  const VectorX<double> theta = crf.params();
  const double h = 1e-5;
  for (Index k = 0; k < crf.num_params(); ++k) {
    auto log_z = [&](double d) {
      VectorX<double> t = theta;
      t[k] += d;
      crf.set_params(t);
      crf.condition(x.row(0).transpose(), ctx);
      return exact_conditional(crf, ctx).log_z;
    };
    const double fd = (log_z(h) - log_z(-h)) / (2 * h);
    INFO(crf.param_name(k));
    CHECK(-term[k] == Approx(fd).margin(1e-7));
  }
}

}  // namespace

TEST_CASE("grid CRF local energies are differences of the energy", "[crf]") {
  check_local_energies(test::tiny_linear_crf(Pairwise::potts, 1), 11);
  check_local_energies(test::tiny_linear_crf(Pairwise::full, 2), 12);
  check_local_energies(test::tiny_mlp_crf(Pairwise::full, 3), 13);
  check_local_energies(test::tiny_conv_crf(Pairwise::full, 3), 15);
  check_local_energies(test::tiny_linear_crf(Pairwise::contrast, 4), 16);
  // A non-square grid, where a raster order's neighbours wrap differently than its transpose's.
  GridCrf<LinearUnary<double>> wide(2, 5, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 4), Pairwise::full);
  test::randomize(wide, 0.8, 4);
  check_local_energies(wide, 14);
  GridCrf<LinearUnary<double>> wide_contrast(2, 5, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 4), Pairwise::contrast, 3);
  test::randomize(wide_contrast, 0.8, 5);
  check_local_energies(wide_contrast, 17);
}

TEST_CASE("grid CRF accumulate_grad is the derivative of the energy (central differences)", "[crf]") {
  check_energy_gradient(test::tiny_linear_crf(Pairwise::potts, 5), 21);
  check_energy_gradient(test::tiny_linear_crf(Pairwise::full, 6), 22);
  check_energy_gradient(test::tiny_mlp_crf(Pairwise::potts, 7), 23);
  check_energy_gradient(test::tiny_mlp_crf(Pairwise::full, 8), 24);
  check_energy_gradient(test::tiny_conv_crf(Pairwise::potts, 9), 25);
  check_energy_gradient(test::tiny_conv_crf(Pairwise::full, 10), 26);
  check_energy_gradient(test::tiny_linear_crf(Pairwise::contrast, 11), 27);
  check_energy_gradient(test::tiny_conv_crf(Pairwise::contrast, 12), 28);
}

TEST_CASE("finite differences of the exact log Z(x) equal minus the exact model term", "[crf][exact]") {
  check_log_z_gradient(test::tiny_linear_crf(Pairwise::potts, 9), 31);
  check_log_z_gradient(test::tiny_linear_crf(Pairwise::full, 10), 32);
  check_log_z_gradient(test::tiny_mlp_crf(Pairwise::full, 11), 33);
  check_log_z_gradient(test::tiny_conv_crf(Pairwise::potts, 12), 34);
  check_log_z_gradient(test::tiny_mlp_crf(Pairwise::contrast, 13), 35);
}

TEST_CASE("exact p(y | x) of a 3x3 CRF with 3 labels sums to one over 19683 labellings", "[crf][exact]") {
  const auto crf = test::tiny_linear_crf(Pairwise::full, 12);
  const auto x = test::random_images(1, 9, 41);
  auto ctx = crf.make_context();
  crf.condition(x.row(0).transpose(), ctx);
  const auto ex = exact_conditional(crf, ctx);
  REQUIRE(ex.prob.size() == 19683);
  double sum = 0;
  for (double p : ex.prob) sum += p;
  CHECK(sum == Approx(1.0).margin(1e-12));
  std::vector<Label> y(9);
  decode_labels(12345, 3, y);
  CHECK(encode_labels(y, 3) == 12345);
  CHECK(std::log(ex.prob[12345]) == Approx(-crf.energy(ctx, y) - ex.log_z).margin(1e-10));
}

TEST_CASE("patch features: zero-padded pixels and pooled cells, by hand", "[crf]") {
  // 3 × 4 image with pixel (i, j) = 10 i + j.
  MatrixX<double> img(1, 12);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) img(0, i * 4 + j) = 10 * i + j;
  const PatchFeatures f{1, 2, 1};
  REQUIRE(f.count() == 18);
  MatrixX<double> phi, pooled;
  f.compute(img.data(), 3, 4, phi, pooled);
  // Site (0, 0): its 3 × 3 patch is zero above and left of the image.
  const double fine00[9] = {0, 0, 0, 0, 0, 1, 0, 10, 11};
  for (int k = 0; k < 9; ++k) CHECK(phi(0, k) == fine00[k]);
  // Pooled by 2: cells (0,0) = mean{0,1,10,11} = 5.5, (0,1) = mean{2,3,12,13} = 7.5, (1,0) = mean{20,21,0,0}
  // = 10.25 (the grid's last row has no partner: pooled cells divide by f² as if zero-padded), (1,1) = 11.25.
  // Site (2, 3) lies in cell (1, 1); its 3 × 3 cell patch has those four cells top-left.
  const double pooled23[9] = {5.5, 7.5, 0, 10.25, 11.25, 0, 0, 0, 0};
  for (int k = 0; k < 9; ++k) CHECK(phi(2 * 4 + 3, 9 + k) == pooled23[k]);
}

TEST_CASE("grid CRF errors name the problem", "[crf][errors]") {
  using Catch::Matchers::Contains;
  CHECK_ERROR((GridCrf<LinearUnary<double>>(3, 3, PatchFeatures{1, 1, 0}, LinearUnary<double>(25, 3),
                                                  Pairwise::potts)),
                    Contains("the unary takes 25 features but the patch features have 9"));
  CHECK_ERROR((GridCrf<LinearUnary<double>>(0, 3, PatchFeatures{}, LinearUnary<double>(25, 3), Pairwise::potts)),
                    Contains("must have positive sides"));
  auto crf = test::tiny_linear_crf(Pairwise::potts, 1);
  auto ctx = crf.make_context();
  CHECK_ERROR(crf.condition(VectorX<double>::Zero(8), ctx), Contains("input has 8 values, the grid has 9"));
  VectorX<double> t = crf.params();
  t[t.size() - 1] = NAN;
  CHECK_ERROR(crf.set_params(t), Contains("parameter Potts weight is nan"));
  LabelMatrix y = LabelMatrix::Zero(2, 9);
  y(1, 4) = 3;
  CHECK_ERROR(check_labels(y, 9, 3, "labels"), Contains("labels: label (1, 4) is 3; the model has labels 0 to 2"));
  CHECK_ERROR(check_labels(y, 10, 3, "labels"), Contains("label rows have 9 sites, the model has 10"));
  GridCrf<LinearUnary<double>> big(5, 5, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::potts);
  auto big_ctx = big.make_context();
  big.condition(VectorX<double>::Zero(25), big_ctx);
  CHECK_ERROR(exact_conditional(big, big_ctx, 1 << 20), Contains("labellings exceed the limit"));
}
