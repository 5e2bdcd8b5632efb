// The contrast pairwise of the grid CRF (Pairwise::contrast, crf/edge_net.hpp) against its definition: the
// energy against a sum over the edges computed here from the formula (features, network and θ layout written out
// by hand), the mean-field energies against the local energies at one-hot marginals, the Potts start, and errors.
// (Its gradients, local energies, exact log Z and objectives are in test_grid_crf.cpp and test_crf_objectives.cpp
// beside the other pairwise kinds.)
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/crf/grid_crf.hpp"
#include "ebm/io/model_codecs.hpp"
#include "support/crf_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

static_assert(ConditionalGibbsModel<GridCrf<LinearUnary<double>>>);

namespace {

std::vector<Label> random_labels(Index n, int labels, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 9);
  std::vector<Label> y(static_cast<std::size_t>(n));
  for (auto& l : y) l = Label(rng() % unsigned(labels));
  return y;
}

// E(y, x) = Σ_s U(s, y_s) + Σ_{edges} T(y_s, y_t) + [y_s ≠ y_t]·softplus(w₂ᵀ tanh(W₁ φ_st + b₁) + b₂), summed
// over the (i, j)–(i, j+1) and (i, j)–(i+1, j) pairs of an h × w image with the features written out.
double brute_energy(const GridCrf<LinearUnary<double>>& crf, const typename GridCrf<LinearUnary<double>>::Context& ctx,
                    const VectorX<double>& x, const std::vector<Label>& y) {
  const Index h = crf.grid().height(), w = crf.grid().width(), m = crf.edge_net().hidden();
  const int L = crf.num_labels();
  const VectorX<double>& th = crf.params();
  const Index o = crf.pairwise_offset(), oe = o + L * L;
  auto px = [&](Index i, Index j) { return x[i * w + j]; };
  auto box = [&](Index i, Index j) {
    double sum = 0;
    int count = 0;
    for (Index a = i - 1; a <= i + 1; ++a)
      for (Index b = j - 1; b <= j + 1; ++b)
        if (a >= 0 && a < h && b >= 0 && b < w) sum += px(a, b), ++count;
    return sum / count;
  };
  double e = 0;
  for (Index s = 0; s < h * w; ++s) e += ctx.unary(s, y[std::size_t(s)]);
  for (Index i = 0; i < h; ++i)
    for (Index j = 0; j < w; ++j)
      for (int vertical = 0; vertical < 2; ++vertical) {
        const Index i2 = i + vertical, j2 = j + 1 - vertical;
        if (i2 >= h || j2 >= w) continue;
        const double phi[5] = {std::abs(px(i, j) - px(i2, j2)), std::abs(box(i, j) - box(i2, j2)),
                               (px(i, j) + px(i2, j2)) / 2, (box(i, j) + box(i2, j2)) / 2, double(vertical)};
        double z = th[oe + m * 5 + m + m];  // b₂
        for (Index k = 0; k < m; ++k) {
          double a = th[oe + m * 5 + m + k];  // b₁(k)
          for (int f = 0; f < 5; ++f) a += th[oe + k * 5 + f] * phi[f];
          z += th[oe + m * 5 + k] * std::tanh(a);  // w₂(k)
        }
        const int ys = y[std::size_t(i * w + j)], yt = y[std::size_t(i2 * w + j2)];
        e += th[o + ys * L + yt] + (ys != yt ? std::log1p(std::exp(z)) : 0.0);
      }
  return e;
}

}  // namespace

TEST_CASE("contrast CRF energy equals the sum over edges of table plus softplus coupling, by hand", "[crf][contrast]") {
  for (std::uint64_t seed : {1, 2, 3}) {
    GridCrf<LinearUnary<double>> crf(3, 4, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::contrast, 2);
    REQUIRE(crf.pairwise_params() == 9 + 2 * 5 + 2 + 2 + 1);
    test::randomize(crf, 0.9, seed);
    const VectorX<double> x = test::random_images(1, 12, seed + 10).row(0).transpose();
    auto ctx = crf.make_context();
    crf.condition(x, ctx);
    for (std::uint64_t k = 0; k < 5; ++k) {
      const auto y = random_labels(12, 3, seed * 100 + k);
      CHECK(crf.energy(ctx, y) == Approx(brute_energy(crf, ctx, x, y)).epsilon(1e-13));
    }
  }
}

TEST_CASE("mean-field energies at one-hot marginals are the local energies, for every pairwise kind", "[crf][contrast]") {
  const auto check = [](const auto& crf, std::uint64_t seed) {
    auto ctx = crf.make_context();
    crf.condition(test::random_images(1, crf.input_dim(), seed).row(0).transpose(), ctx);
    const int L = crf.num_labels();
    const auto y = random_labels(crf.num_sites(), L, seed);
    MatrixX<double> q = MatrixX<double>::Zero(crf.num_sites(), L);
    for (Index s = 0; s < crf.num_sites(); ++s) q(s, y[std::size_t(s)]) = 1;
    std::vector<double> e(static_cast<std::size_t>(L)), mf(static_cast<std::size_t>(L));
    for (Index s = 0; s < crf.num_sites(); ++s) {
      crf.local_energies(ctx, y, s, std::span(e));
      crf.expected_local_energies(ctx, q, s, std::span(mf));
      for (int l = 0; l < L; ++l) CHECK(mf[std::size_t(l)] == Approx(e[std::size_t(l)]).margin(1e-12));
    }
  };
  check(test::tiny_linear_crf(Pairwise::potts, 1, 0.8), 11);
  check(test::tiny_linear_crf(Pairwise::full, 2, 0.8), 12);
  check(test::tiny_linear_crf(Pairwise::contrast, 3, 0.8), 13);
  GridCrf<LinearUnary<double>> wide(2, 5, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 4), Pairwise::contrast, 3);
  test::randomize(wide, 0.8, 4);
  check(wide, 14);
}

TEST_CASE("a contrast CRF starts as the Potts model of the same weight", "[crf][contrast]") {
  using Crf = GridCrf<LinearUnary<double>>;
  Crf potts(3, 4, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::potts);
  Crf contrast(3, 4, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::contrast, 4);
  potts.init(5, 1.0, 0.7);
  contrast.init(5, 1.0, 0.7);
  CHECK(contrast.params().head(contrast.pairwise_offset()) == potts.params().head(potts.pairwise_offset()));
  const auto x = test::random_images(1, 12, 6);
  auto cp = potts.make_context();
  auto cc = contrast.make_context();
  potts.condition(x.row(0).transpose(), cp);
  contrast.condition(x.row(0).transpose(), cc);
  for (Index s = 0; s < 12; ++s)
    for (int d = 0; d < 2; ++d) {
      const bool inside = d == 0 ? contrast.grid().right(s) >= 0 : contrast.grid().down(s) >= 0;
      CHECK(contrast.edge_coupling(cc, s, d) == Approx(inside ? 0.7 : 0.0).epsilon(1e-12));
    }
  for (std::uint64_t k = 0; k < 4; ++k) {
    const auto y = random_labels(12, 3, 60 + k);
    CHECK(contrast.energy(cc, y) == Approx(potts.energy(cp, y)).epsilon(1e-12));
  }
  // A start without coupling: every edge at ~0 (softplus of −30).
  contrast.init_pairwise(5, 0.0);
  contrast.condition(x.row(0).transpose(), cc);
  CHECK(contrast.edge_coupling(cc, 0, 0) < 1e-12);
}

TEST_CASE("contrast CRF: parameter names, the model-file codec, errors", "[crf][contrast][errors]") {
  using Catch::Matchers::Contains;
  using Crf = GridCrf<LinearUnary<double>>;
  Crf crf(3, 3, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::contrast, 2);
  const Index o = crf.edge_offset();
  CHECK(crf.param_name(crf.pairwise_offset() + 5) == "pairwise P(1, 2)");
  CHECK(crf.param_name(o + 7) == "edge W1(1, 2)");
  CHECK(crf.param_name(o + 10) == "edge w2(0)");
  CHECK(crf.param_name(o + 13) == "edge b1(1)");
  CHECK(crf.param_name(o + 14) == "edge b2");
  const HyperParams h = ModelCodec<Crf>::hyper(crf);
  const Crf back = ModelCodec<Crf>::make(h);
  CHECK(back.pairwise() == Pairwise::contrast);
  CHECK(back.edge_net().hidden() == 2);
  CHECK(back.num_params() == crf.num_params());
  CHECK(parse_pairwise("contrast") == Pairwise::contrast);
  CHECK_ERROR(parse_pairwise("dense"), Contains("pairwise kind 'dense' is unknown; use potts, full or contrast"));
  CHECK_ERROR((Crf(3, 3, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::contrast, 0)),
              Contains("EdgeNet: hidden = 0 must be at least 1"));
  VectorX<double> t = crf.params();
  t[o + 14] = NAN;
  CHECK_ERROR(crf.set_params(t), Contains("parameter edge b2 is nan"));
  const auto potts = test::tiny_linear_crf(Pairwise::potts, 1);
  auto ctx = potts.make_context();
  VectorX<double> g = VectorX<double>::Zero(potts.num_params());
  CHECK_ERROR(potts.accumulate_edge_grad(ctx, g), Contains("the potts pairwise has no edge network"));
}
