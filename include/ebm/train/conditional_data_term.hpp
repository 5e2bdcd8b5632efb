#pragma once
// The data term for a conditional model: grad += weight · Σ_rows ∂E(y_r, x_r)/∂θ over a labelled minibatch,
// through the model's accumulate_grad, the routine the label samplers use for the model term. Each example
// is conditioned (its unaries computed) in its own block; the blocks' gradients are summed in block order,
// so the result is the same bits for any number of threads.
#include <vector>

#include "ebm/core/conditional_model.hpp"
#include "ebm/core/parallel.hpp"

namespace ebm {

template <class M>
class DataTerm;

template <ConditionalGibbsModel M>
class DataTerm<M> {
public:
  using Scalar = typename M::Scalar;

  explicit DataTerm(Index block_rows = 1) : block_rows_(block_rows) {}

  void accumulate(const M& model, const ConditionalBatch<Scalar>& batch, Scalar weight, VecRef<Scalar> grad) {
    const Index n = batch.rows();
    if (plan_.rows != n) plan_ = BlockPlan(n, block_rows_);
    if (Index(ctx_.size()) != plan_.count()) ctx_.assign(std::size_t(plan_.count()), model.make_context());
    if (partial_.rows() != plan_.count() || partial_.cols() != model.num_params())
      partial_.resize(plan_.count(), model.num_params());
    for_each_block(plan_, [&](Index b, Index r0, Index rows) {
      Eigen::Map<VectorX<Scalar>> out(partial_.row(b).data(), partial_.cols());
      out.setZero();
      auto& ctx = ctx_[std::size_t(b)];
      for (Index r = r0; r < r0 + rows; ++r) {
        model.condition(batch.x.row(r).transpose(), ctx);
        model.accumulate_grad(ctx, label_row(ConstLabelRef(batch.y), r), weight, out);
      }
    });
    for (Index b = 0; b < plan_.count(); ++b) grad += partial_.row(b).transpose();
  }

private:
  Index block_rows_;
  BlockPlan plan_;
  std::vector<typename M::Context> ctx_;  // one per block, reused
  MatrixX<Scalar> partial_;
};

}  // namespace ebm
