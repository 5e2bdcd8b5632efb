#pragma once
// The data term of the gradient: grad += weight · Σ_rows E_{h|v}[∂E/∂θ] over a minibatch. The hidden means
// are computed in parallel over fixed blocks of the minibatch; the outer products are then accumulated by
// the model's own statistics routine, the very one the model term uses on chain states.
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/parallel.hpp"

namespace ebm {

template <LatentGibbsModel M>
class DataTerm {
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

}  // namespace ebm
