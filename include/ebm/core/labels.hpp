#pragma once
// Labelled data for conditional models p(y | x): inputs x (one row per example, real) and labels y (one row
// per example, one small integer per site). Labels are stored as bytes: a training set's persistent chains
// are one label row per example, so a 64 × 64 grid costs 4 KiB per example instead of 16 KiB as int32.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

using Label = std::uint8_t;
inline constexpr int max_labels = 256;
using LabelMatrix = Eigen::Matrix<Label, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstLabelRef = Eigen::Ref<const LabelMatrix>;

// A row of a label matrix as a span (one chain's or one example's labels).
inline std::span<const Label> label_row(const ConstLabelRef& y, Index r) {
  return {y.data() + r * y.outerStride(), static_cast<std::size_t>(y.cols())};
}
inline std::span<Label> label_row(LabelMatrix& y, Index r) {
  return {y.data() + r * y.cols(), static_cast<std::size_t>(y.cols())};
}

// A view of a labelled data set (e.g. the training set): row i of x goes with row i of y.
template <class S>
struct ConditionalData {
  ConstBatchRef<S> x;
  ConstLabelRef y;

  ConditionalData(const ConstBatchRef<S>& x_, const ConstLabelRef& y_) : x(x_), y(y_) {
    ensure(x_.rows() == y_.rows(), "labelled data: ", x_.rows(), " inputs but ", y_.rows(), " label rows");
  }
  Index rows() const { return x.rows(); }
};

// A minibatch that owns its rows and remembers which training examples they are, so per-example chains
// (one persistent chain per training example) can find theirs.
template <class S>
struct ConditionalBatch {
  MatrixX<S> x;
  LabelMatrix y;
  std::vector<Index> examples;  // examples[r] = index of row r in the training set

  Index rows() const { return x.rows(); }

  // Rows `idx` of `data`.
  void gather(const ConditionalData<S>& data, const Index* idx, Index n) {
    x.resize(n, data.x.cols());
    y.resize(n, data.y.cols());
    examples.assign(idx, idx + n);
    for (Index r = 0; r < n; ++r) {
      x.row(r) = data.x.row(idx[r]);
      y.row(r) = data.y.row(idx[r]);
    }
  }
  // The whole of `data`, in order.
  static ConditionalBatch all(const ConditionalData<S>& data) {
    ConditionalBatch b;
    std::vector<Index> idx(static_cast<std::size_t>(data.rows()));
    for (Index i = 0; i < data.rows(); ++i) idx[std::size_t(i)] = i;
    b.gather(data, idx.data(), data.rows());
    return b;
  }
};

// Every label row has `sites` entries below `labels`; names the first offending entry.
inline void check_labels(const ConstLabelRef& y, Index sites, int labels, std::string_view what) {
  check_nonempty(y.rows(), what);
  ensure(y.cols() == sites, what, ": label rows have ", y.cols(), " sites, the model has ", sites);
  for (Index r = 0; r < y.rows(); ++r)
    for (Index s = 0; s < y.cols(); ++s)
      if (int(y(r, s)) >= labels)
        fail(what, ": label (", r, ", ", s, ") is ", int(y(r, s)), "; the model has labels 0 to ", labels - 1);
}

}  // namespace ebm
