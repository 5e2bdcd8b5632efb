#pragma once
// The data term of the gradient: grad += weight · Σ_rows E_{h|v}[∂E/∂θ] over a minibatch. The hidden means
// are computed in parallel over fixed blocks of the minibatch; the outer products are then accumulated by
// the model's own statistics routine, the very one the model term uses on chain states.
//
// For a continuous energy (no latent layer) the data term is grad += weight · Σ_rows ∂E/∂θ(x_r), through the
// model's accumulate_grad, the routine the Langevin kernels use for the model term.
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/parallel.hpp"

namespace ebm {

template <class M>
class DataTerm;

template <LatentGibbsModel M>
class DataTerm<M> {
public:
  using Scalar = typename M::Scalar;

  explicit DataTerm(Index block_rows = default_block_rows) : block_rows_(block_rows) {}

  void accumulate(const M& model, const ConstBatchRef<Scalar>& v, Scalar weight, VecRef<Scalar> grad) {
    hidden_means(model, v);
    model.accumulate_stats(v, ph_, weight, grad);
  }

  // E[h | v] for every row of v, into an internal buffer (resized only when the batch shape changes).
  const MatrixX<Scalar>& hidden_means(const M& model, const ConstBatchRef<Scalar>& v) {
    if (ph_.rows() != v.rows() || ph_.cols() != model.num_hidden()) {
      ph_.resize(v.rows(), model.num_hidden());
      plan_ = BlockPlan(v.rows(), block_rows_);
      ws_.clear();
      for (Index b = 0; b < plan_.count(); ++b) ws_.push_back(model.make_workspace(plan_.size(b)));
    }
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      model.hidden_mean(v.middleRows(r0, n), ph_.middleRows(r0, n), ws_[static_cast<std::size_t>(b)]);
    });
    return ph_;
  }

  // E[h | v] of the last accumulate() call.
  const MatrixX<Scalar>& last_hidden_means() const { return ph_; }

private:
  Index block_rows_;
  BlockPlan plan_;
  MatrixX<Scalar> ph_;
  std::vector<typename M::Workspace> ws_;
};

// Each fixed block of rows accumulates into its own zeroed buffer, in parallel; the buffers are then added
// to grad in block order. The blocks depend only on the batch size, so the sum is the same bits for any
// number of threads.
template <ContinuousEnergyModel M>
  requires(!LatentGibbsModel<M>)
class DataTerm<M> {
public:
  using Scalar = typename M::Scalar;

  explicit DataTerm(Index block_rows = default_block_rows) : block_rows_(block_rows) {}

  void accumulate(const M& model, const ConstBatchRef<Scalar>& x, Scalar weight, VecRef<Scalar> grad) {
    if (plan_.rows != x.rows() || plan_.block_rows != block_rows_) plan_ = BlockPlan(x.rows(), block_rows_);
    const Index p = model.num_params();
    if (partial_.rows() != plan_.count() || partial_.cols() != p) partial_.resize(plan_.count(), p);
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      auto row = partial_.row(b);
      row.setZero();
      Eigen::Map<VectorX<Scalar>> out(row.data(), p);  // a row of a row-major matrix is contiguous
      model.accumulate_grad(x.middleRows(r0, n), weight, out);
    });
    for (Index b = 0; b < plan_.count(); ++b) grad += partial_.row(b).transpose();
  }

private:
  Index block_rows_;
  BlockPlan plan_;
  MatrixX<Scalar> partial_;  // one row per block: that block's contribution
};

}  // namespace ebm
