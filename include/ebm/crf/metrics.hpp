#pragma once
// Scores of a labelling against the truth, pixel by pixel (semantic segmentation, denoising):
//   confusion C(a, b)  number of sites with true label a and predicted label b (L × L)
//   accuracy           Σ_a C(a, a) / Σ C: the fraction of sites labelled right (1 − error rate)
//   IoU of class l     C(l, l) / (Σ_b C(l, b) + Σ_a C(a, l) − C(l, l)): intersection over union of the
//                      sites that are l in truth and those predicted l
//   mean IoU           the mean of the IoUs over the classes that occur in the truth or in the prediction.
// Convention for absent classes: a class that is neither in the truth nor in the prediction has no IoU
// (0/0) and is left out of the mean, so a held-out set without, say, a single 7 is not penalised for it,
// while a class that is only predicted has IoU 0 and counts (as in the PASCAL VOC / Cityscapes evaluations,
// which accumulate one confusion matrix over the whole set and then take the mean over classes).
#include <cstdint>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"

namespace ebm {

class ConfusionMatrix {
public:
  explicit ConfusionMatrix(int labels) : l_(labels), c_(std::size_t(labels) * std::size_t(labels), 0) {
    ensure(labels >= 1 && labels <= max_labels, "ConfusionMatrix: labels = ", labels, " must lie in [1, ",
           max_labels, "]");
  }

  int labels() const { return l_; }
  std::int64_t operator()(int truth, int predicted) const { return c_[std::size_t(truth * l_ + predicted)]; }

  // Adds every site of every row; truth and prediction have the same shape and labels below labels().
  void add(const ConstLabelRef& truth, const ConstLabelRef& predicted) {
    ensure(truth.rows() == predicted.rows() && truth.cols() == predicted.cols(), "ConfusionMatrix::add: truth is ",
           truth.rows(), " × ", truth.cols(), " but the prediction is ", predicted.rows(), " × ", predicted.cols());
    for (Index r = 0; r < truth.rows(); ++r)
      for (Index s = 0; s < truth.cols(); ++s) {
        const int a = truth(r, s), b = predicted(r, s);
        ensure(a < l_ && b < l_, "ConfusionMatrix::add: site (", r, ", ", s, ") has labels ", a, " (truth) and ", b,
               " (prediction); the matrix has ", l_, " labels");
        ++c_[std::size_t(a * l_ + b)];
      }
  }

  std::int64_t total() const {
    std::int64_t n = 0;
    for (auto v : c_) n += v;
    return n;
  }
  std::int64_t correct() const {
    std::int64_t n = 0;
    for (int l = 0; l < l_; ++l) n += (*this)(l, l);
    return n;
  }
  // Fraction of sites labelled right; 0 when nothing was added.
  double accuracy() const { return total() > 0 ? double(correct()) / double(total()) : 0.0; }
  double error_rate() const { return total() > 0 ? 1.0 - accuracy() : 0.0; }

  // Sites with true label l, and sites predicted l.
  std::int64_t truth_count(int l) const {
    std::int64_t n = 0;
    for (int b = 0; b < l_; ++b) n += (*this)(l, b);
    return n;
  }
  std::int64_t predicted_count(int l) const {
    std::int64_t n = 0;
    for (int a = 0; a < l_; ++a) n += (*this)(a, l);
    return n;
  }
  bool present(int l) const { return truth_count(l) + predicted_count(l) > 0; }

  // IoU of class l; −1 when l is absent from both truth and prediction (no IoU).
  double iou(int l) const {
    ensure(l >= 0 && l < l_, "ConfusionMatrix::iou: label ", l, " outside 0 to ", l_ - 1);
    const std::int64_t uni = truth_count(l) + predicted_count(l) - (*this)(l, l);
    return uni > 0 ? double((*this)(l, l)) / double(uni) : -1.0;
  }
  // Mean IoU over the classes present in truth or prediction (see the header comment); 0 if none.
  double mean_iou() const {
    double sum = 0;
    int n = 0;
    for (int l = 0; l < l_; ++l)
      if (present(l)) {
        sum += iou(l);
        ++n;
      }
    return n > 0 ? sum / n : 0.0;
  }

private:
  int l_;
  std::vector<std::int64_t> c_;  // row-major: truth × prediction
};

// One-call scores of a set of labellings.
struct SegmentationScores {
  double accuracy = 0;
  double mean_iou = 0;
};
inline SegmentationScores score_labels(const ConstLabelRef& truth, const ConstLabelRef& predicted, int labels) {
  ConfusionMatrix c(labels);
  c.add(truth, predicted);
  return {c.accuracy(), c.mean_iou()};
}

}  // namespace ebm
