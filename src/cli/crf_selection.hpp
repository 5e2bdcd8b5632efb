#pragma once
// Model selection on validation images for `ebm crf`: after every evaluation point (a unary epoch, a CRF epoch,
// or every --val-every CRF updates) the model labels the validation images, the scores join a curve, and the θ
// with the best validation mean IoU is kept (BestSnapshot). The test images are never looked at until the
// selected θ is restored and scored once. Prediction is deterministic for a given seed and bit-identical for any
// thread count (crf/predict.hpp), so the selection is too. Evaluation time is tallied separately so that training
// CPU time excludes it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cpu_clock.hpp"
#include "ebm/crf/metrics.hpp"
#include "ebm/crf/predict.hpp"
#include "ebm/train/best_snapshot.hpp"

namespace ebm::cli {

template <class Model>
class ValSelection {
public:
  struct Point {
    std::int64_t updates;
    double epoch;  // fractional for --val-every points inside an epoch
    std::string stage;
    double accuracy, mean_iou;
  };

  // x, y: the validation images (outlive this object); an empty x turns selection off.
  ValSelection(const Matrixf& x, const LabelMatrix& y, int labels, PredictOptions po, Index num_params)
      : x_(x), y_(y), labels_(labels), po_(po), best_(num_params) {}

  bool on() const { return x_.rows() > 0; }

  // Scores `model` on the validation images and offers its θ; returns the scores.
  SegmentationScores evaluate(const Model& model, std::int64_t updates, double epoch, const std::string& stage) {
    const double c0 = process_cpu_seconds();
    const SegmentationScores s = score_labels(y_, predict_labels(model, x_, po_), labels_);
    curve_.push_back({updates, epoch, stage, s.accuracy, s.mean_iou});
    best_.offer(s.mean_iou, std::int64_t(curve_.size() - 1), model.params());  // the step is the curve index
    cpu_ += process_cpu_seconds() - c0;
    return s;
  }

  // Puts the selected θ into model (no-op when nothing was evaluated).
  void restore(Model& model) const {
    if (best_.has_best()) model.set_params(best_.params());
  }
  bool selected_last() const { return !best_.has_best() || std::size_t(best_.step()) + 1 == curve_.size(); }
  const Point& selected() const { return curve_[std::size_t(best_.step())]; }
  double cpu_seconds() const { return cpu_; }

  nlohmann::json json() const {
    auto point = [](const Point& p) {
      return nlohmann::json{{"updates", p.updates}, {"epoch", p.epoch}, {"stage", p.stage}, {"accuracy", p.accuracy},
                            {"mean_iou", p.mean_iou}};
    };
    nlohmann::json curve = nlohmann::json::array();
    for (const Point& p : curve_) curve.push_back(point(p));
    nlohmann::json j = {{"curve", curve}};
    if (best_.has_best()) j["selected"] = point(selected());
    return j;
  }

private:
  const Matrixf& x_;
  const LabelMatrix& y_;
  int labels_;
  PredictOptions po_;
  BestSnapshot<typename Model::Scalar> best_;
  std::vector<Point> curve_;
  double cpu_ = 0;
};

}  // namespace ebm::cli
