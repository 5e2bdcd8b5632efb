// MNIST composites and binary denoising data on tiny synthetic "digits" (never the real MNIST files): labels
// where a digit's intensity exceeds 0.5, later digits on top, shapes, label range, determinism per seed.
#include <catch2/catch.hpp>

#include <set>

#include "ebm/data/denoising.hpp"
#include "ebm/data/mnist_composites.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {
// Three 6 × 6 "digits": a filled 4 × 4 square of intensity 0.9 with a 0.4 rim (class 3), a bar (class 7),
// and an all-0.3 image (class 1: never labelled, it is below the threshold).
Matrixf tiny_digits(std::vector<int>& classes) {
  Matrixf d = Matrixf::Zero(3, 36);
  for (Index r = 0; r < 6; ++r)
    for (Index c = 0; c < 6; ++c) {
      const bool inner = r >= 1 && r <= 4 && c >= 1 && c <= 4;
      d(0, r * 6 + c) = inner ? 0.9f : 0.4f;
      d(1, r * 6 + c) = c == 2 ? 1.0f : 0.0f;
      d(2, r * 6 + c) = 0.3f;
    }
  classes = {3, 7, 1};
  return d;
}
}  // namespace

TEST_CASE("composites: shapes, labels where a digit is above 0.5, determinism", "[data][composites]") {
  std::vector<int> classes;
  const Matrixf digits = tiny_digits(classes);
  CompositeOptions opt;
  opt.canvas = 16;
  opt.noise_sigma = 0.0;
  const Composites a = make_mnist_composites(digits, classes, 40, opt, 5);
  REQUIRE(a.x.rows() == 40);
  REQUIRE(a.x.cols() == 256);
  REQUIRE(a.y.rows() == 40);
  REQUIRE(a.y.cols() == 256);
  CHECK(a.canvas == 16);
  std::set<int> seen;
  for (Index i = 0; i < 40; ++i)
    for (Index p = 0; p < 256; ++p) {
      const int l = a.y(i, p);
      seen.insert(l);
      CHECK((l == 0 || l == 4 || l == 8));  // background, 1 + 3, 1 + 7; the faint digit never labels
      // Without noise the input is the canvas: labelled pixels are > 0.5, background ones ≤ 0.5.
      CHECK(a.x(i, p) == a.clean(i, p));
      if (l == 0) CHECK(a.clean(i, p) <= 0.5f);
      else CHECK(a.clean(i, p) > 0.5f);
      CHECK(a.clean(i, p) >= 0.0f);
      CHECK(a.clean(i, p) <= 1.0f);
    }
  CHECK(seen == std::set<int>{0, 4, 8});
  // Labelled pixel counts are those of whole squares (16 pixels) and bars (6 pixels), up to overlaps.
  const Composites b = make_mnist_composites(digits, classes, 40, opt, 5);
  CHECK(b.y == a.y);
  CHECK(b.x == a.x);
  const Composites c = make_mnist_composites(digits, classes, 40, opt, 6);
  CHECK(c.y != a.y);
  // A composite depends on its index and the seed only: the first 10 of 40 are the set of 10.
  const Composites first = make_mnist_composites(digits, classes, 10, opt, 5);
  CHECK(first.y == a.y.topRows(10));
}

TEST_CASE("composites: noise has the documented sigma, one digit alone is labelled exactly", "[data][composites]") {
  std::vector<int> classes;
  Matrixf digits = tiny_digits(classes);
  CompositeOptions opt;
  opt.canvas = 6;  // one position only
  opt.min_digits = opt.max_digits = 1;
  opt.noise_sigma = 0.3;
  const Matrixf square = digits.topRows(1);
  const Composites a = make_mnist_composites(square, {3}, 200, opt, 1);
  for (Index i = 0; i < 200; ++i)
    for (Index p = 0; p < 36; ++p) CHECK(int(a.y(i, p)) == (square(0, p) > 0.5f ? 4 : 0));
  const Matrixf noise = a.x - a.clean;
  const double var = double(noise.array().square().mean());
  // 7,200 normal draws: the variance is 0.09 within 4 standard errors (sd of s² ≈ 0.09·√(2/7200)).
  CHECK(std::abs(var - 0.09) < 4 * 0.09 * std::sqrt(2.0 / 7200));
}

TEST_CASE("composites: later digits are on top", "[data][composites]") {
  std::vector<int> classes;
  const Matrixf digits = tiny_digits(classes);
  CompositeOptions opt;
  opt.canvas = 6;  // every digit at the same place
  opt.min_digits = opt.max_digits = 3;
  opt.noise_sigma = 0;
  opt.max_overlap = 1;
  const Matrixf two = digits.topRows(2);
  const Composites a = make_mnist_composites(two, {3, 7}, 30, opt, 2);
  // On the bar's column the label is that of whichever of square and bar came last: both occur.
  bool saw_bar = false, saw_square = false;
  for (Index i = 0; i < 30; ++i) {
    const int l = a.y(i, 2 * 6 + 2);
    saw_bar = saw_bar || l == 8;
    saw_square = saw_square || l == 4;
  }
  CHECK(saw_bar);
  CHECK(saw_square);
}

TEST_CASE("composite and denoising errors name the problem", "[data][composites]") {
  std::vector<int> classes;
  const Matrixf digits = tiny_digits(classes);
  CompositeOptions opt;
  opt.canvas = 4;
  CHECK_ERROR(make_mnist_composites(digits, classes, 3, opt, 1), Contains("canvas = 4"));
  opt.canvas = 16;
  CHECK_ERROR(make_mnist_composites(digits, {1, 2}, 3, opt, 1), Contains("2 classes"));
  CHECK_ERROR(make_mnist_composites(digits, {1, 2, 12}, 3, opt, 1), Contains("class 12"));
  CHECK_ERROR(make_mnist_composites(digits, classes, 0, opt, 1), Contains("= 0"));
  opt.min_digits = 3;
  opt.max_digits = 2;
  CHECK_ERROR(make_mnist_composites(digits, classes, 3, opt, 1), Contains("3 to 2 digits"));
  CHECK_ERROR(make_denoising(digits, 0.6, 1), Contains("q = 0.6"));
}

TEST_CASE("denoising data: clean labels, flips at the rate q, determinism", "[data][denoising]") {
  std::vector<int> classes;
  const Matrixf digits = tiny_digits(classes);
  Matrixf many(300, 36);
  for (Index i = 0; i < 300; ++i) many.row(i) = digits.row(i % 3);
  const DenoisingData d = make_denoising(many, 0.2, 4);
  REQUIRE(d.y.rows() == 300);
  for (Index i = 0; i < 300; ++i)
    for (Index p = 0; p < 36; ++p) {
      CHECK(int(d.y(i, p)) == (many(i, p) > 0.5f ? 1 : 0));
      CHECK((d.x(i, p) == 1.0f || d.x(i, p) == -1.0f));
    }
  // 10,800 flips of probability 0.2: within 4 standard errors.
  CHECK(std::abs(input_error_rate(d) - 0.2) < 4 * std::sqrt(0.2 * 0.8 / 10800));
  CHECK(make_denoising(many, 0.2, 4).x == d.x);
  CHECK(make_denoising(many, 0.2, 5).x != d.x);
}
