#pragma once
// The parallel skeleton of an objective that is a sum over labelled examples (pseudo-likelihood, piecewise):
// examples in fixed blocks, one context, one objective sum and one gradient row per block, summed in block
// order afterwards, so value and gradient are the same bits for any number of threads (the pattern of
// train/conditional_data_term.hpp).
#include <cmath>
#include <span>
#include <vector>

#include "ebm/core/labels.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm::detail {

template <class M>
class PerExampleSum {
public:
  using Scalar = typename M::Scalar;

  explicit PerExampleSum(Index block_rows) : block_rows_(block_rows) {}

  // Σ_r f(ctx, r, out) over r < n. out points at the block's zeroed gradient row when grad is given (f adds
  // its example's gradient there), and is null otherwise (value only); the rows are then added to grad.
  template <class F>
  double run(const M& model, Index n, VecRef<Scalar>* grad, F&& f) {
    if (plan_.rows != n) plan_ = BlockPlan(n, block_rows_);
    if (Index(ctx_.size()) != plan_.count()) ctx_.assign(std::size_t(plan_.count()), model.make_context());
    value_.assign(std::size_t(plan_.count()), 0.0);
    if (grad && (partial_.rows() != plan_.count() || partial_.cols() != model.num_params()))
      partial_.resize(plan_.count(), model.num_params());
    for_each_block(plan_, [&](Index b, Index r0, Index rows) {
      Scalar* out = nullptr;
      if (grad) {
        out = partial_.row(b).data();
        Eigen::Map<VectorX<Scalar>>(out, partial_.cols()).setZero();
      }
      double v = 0;
      for (Index r = r0; r < r0 + rows; ++r) v += f(ctx_[std::size_t(b)], r, out);
      value_[std::size_t(b)] = v;
    });
    double total = 0;
    for (Index b = 0; b < plan_.count(); ++b) {
      total += value_[std::size_t(b)];
      if (grad) *grad += partial_.row(b).transpose();
    }
    return total;
  }

private:
  Index block_rows_;
  BlockPlan plan_;
  std::vector<typename M::Context> ctx_;  // one per block, reused
  std::vector<double> value_;
  MatrixX<Scalar> partial_;
};

// Σ_s c(y_s) [e(s, y_s) + log Σ_l exp(−e(s, l))] = Σ_s −c(y_s) log softmax(−e(s, ·))[y_s] for energies e
// (sites × L), the loss of one softmax factor per site, each weighted by its label's weight c (label_weight, L
// values; null: all 1, the plain likelihood). With a weight w, e is overwritten with
// w · c(y_s) · (onehot(y_s) − softmax(−e(s, ·))) row by row, that loss's derivative in e. Whole-matrix array
// operations, so the exponentials are vectorized (per-label scalar exp calls were most of an objective's time).
// Without label weights the computation is the unweighted one's, bit for bit.
template <class S>
double softmax_nll_rows(MatrixX<S>& e, std::span<const Label> y, const S* weight, const S* label_weight = nullptr) {
  const Index sites = e.rows();
  const auto c = [&](Index s) { return label_weight ? label_weight[y[std::size_t(s)]] : S(1); };
  const VectorX<S> emin = e.rowwise().minCoeff();
  e.colwise() -= emin;
  double nll = 0;
  for (Index s = 0; s < sites; ++s) nll += double(c(s)) * double(e(s, y[std::size_t(s)]));
  e.array() = (-e.array()).exp();
  VectorX<S> z = e.rowwise().sum();
  for (Index s = 0; s < sites; ++s) nll += double(c(s)) * std::log(double(z[s]));
  if (weight) {
    for (Index s = 0; s < sites; ++s) z[s] = (-*weight * c(s)) / z[s];  // z now holds each row's factor
    e.array().colwise() *= z.array();
    for (Index s = 0; s < sites; ++s) e(s, y[std::size_t(s)]) += *weight * c(s);
  }
  return nll;
}

}  // namespace ebm::detail
