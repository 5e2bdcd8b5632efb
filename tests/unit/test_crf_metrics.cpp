// Segmentation scores against values computed by hand: confusion counts, accuracy, per-class IoU, and the
// mean IoU convention (classes absent from truth and prediction are left out; predicted-only classes count 0).
#include <catch2/catch.hpp>

#include "ebm/crf/metrics.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {
LabelMatrix labels(std::initializer_list<std::initializer_list<int>> rows) {
  LabelMatrix y(Index(rows.size()), Index(rows.begin()->size()));
  Index r = 0;
  for (const auto& row : rows) {
    Index s = 0;
    for (int v : row) y(r, s++) = Label(v);
    ++r;
  }
  return y;
}
}  // namespace

TEST_CASE("confusion matrix, accuracy and IoU by hand", "[crf][metrics]") {
  // 4 labels; label 3 appears nowhere. Two rows of 4 sites.
  const LabelMatrix truth = labels({{0, 0, 1, 1}, {2, 2, 0, 1}});
  const LabelMatrix pred = labels({{0, 1, 1, 1}, {2, 0, 0, 2}});
  ConfusionMatrix c(4);
  c.add(truth, pred);
  // truth 0 at 3 sites: predicted 0, 1, 0; truth 1 at 3 sites: 1, 1, 2; truth 2 at 2 sites: 2, 0.
  CHECK(c(0, 0) == 2);
  CHECK(c(0, 1) == 1);
  CHECK(c(1, 1) == 2);
  CHECK(c(1, 2) == 1);
  CHECK(c(2, 2) == 1);
  CHECK(c(2, 0) == 1);
  CHECK(c.total() == 8);
  CHECK(c.correct() == 5);
  CHECK(c.accuracy() == Approx(5.0 / 8));
  CHECK(c.error_rate() == Approx(3.0 / 8));
  // IoU: class 0: tp 2, truth 3, predicted 3 → 2/4; class 1: tp 2, truth 3, predicted 3 → 2/4;
  // class 2: tp 1, truth 2, predicted 2 → 1/3; class 3 absent → no IoU.
  CHECK(c.iou(0) == Approx(0.5));
  CHECK(c.iou(1) == Approx(0.5));
  CHECK(c.iou(2) == Approx(1.0 / 3));
  CHECK(c.iou(3) == -1.0);
  CHECK_FALSE(c.present(3));
  CHECK(c.mean_iou() == Approx((0.5 + 0.5 + 1.0 / 3) / 3));
  const auto s = score_labels(truth, pred, 4);
  CHECK(s.accuracy == Approx(5.0 / 8));
  CHECK(s.mean_iou == Approx((0.5 + 0.5 + 1.0 / 3) / 3));
}

TEST_CASE("a class only predicted has IoU 0 and counts in the mean", "[crf][metrics]") {
  const LabelMatrix truth = labels({{0, 0, 0, 1}});
  const LabelMatrix pred = labels({{0, 0, 2, 1}});
  ConfusionMatrix c(3);
  c.add(truth, pred);
  CHECK(c.iou(0) == Approx(2.0 / 3));
  CHECK(c.iou(1) == Approx(1.0));
  CHECK(c.iou(2) == 0.0);
  CHECK(c.mean_iou() == Approx((2.0 / 3 + 1.0 + 0.0) / 3));
}

TEST_CASE("a perfect prediction scores 1, and counts accumulate over calls", "[crf][metrics]") {
  const LabelMatrix y = labels({{1, 2, 2, 0}});
  ConfusionMatrix c(3);
  c.add(y, y);
  c.add(y, y);
  CHECK(c.total() == 8);
  CHECK(c.accuracy() == 1.0);
  CHECK(c.mean_iou() == 1.0);
  CHECK(ConfusionMatrix(3).accuracy() == 0.0);
}

TEST_CASE("metric errors name the problem", "[crf][metrics]") {
  ConfusionMatrix c(3);
  CHECK_ERROR(c.add(labels({{0, 1}}), labels({{0, 1, 2}})), Contains("truth is 1 × 2"));
  CHECK_ERROR(c.add(labels({{0, 3}}), labels({{0, 1}})), Contains("site (0, 1) has labels 3"));
  CHECK_ERROR(ConfusionMatrix(0), Contains("labels = 0"));
  CHECK_ERROR(c.iou(5), Contains("label 5"));
}
