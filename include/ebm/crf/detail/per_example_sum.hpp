#pragma once
// The parallel skeleton of an objective that is a sum over labelled examples (pseudo-likelihood, piecewise):
// examples in fixed blocks, one context, one objective sum and one gradient row per block, summed in block
// order afterwards, so value and gradient are the same bits for any number of threads (the pattern of
// train/conditional_data_term.hpp).
#include <algorithm>
#include <cmath>
#include <vector>

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

// −log softmax(−e)[y] = e_y + log Σ_l exp(−e_l) for one site's L energies e, the loss of one softmax factor.
// With a weight w, e is overwritten with w · (onehot(y) − softmax(−e)), that loss's derivative in e.
template <class S>
double softmax_nll(S* e, int labels, int y, const S* weight) {
  S emin = e[0];
  for (int l = 1; l < labels; ++l) emin = std::min(emin, e[l]);
  double z = 0;
  for (int l = 0; l < labels; ++l) z += std::exp(-double(e[l] - emin));
  const double nll = double(e[y] - emin) + std::log(z);
  if (weight) {
    for (int l = 0; l < labels; ++l) e[l] = -*weight * S(std::exp(-double(e[l] - emin)) / z);
    e[y] += *weight;
  }
  return nll;
}

}  // namespace ebm::detail
