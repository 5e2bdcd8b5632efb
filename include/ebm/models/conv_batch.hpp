#pragma once
// A ConvNet over a batch of images, parallel over images with oneTBB and the same bits for any thread count:
// images in fixed blocks (core/parallel.hpp), one workspace and one gradient row per block, the rows summed in
// block order afterwards. Per image: forward, then loss(r, out, g) returns the image's loss and writes
// ∂loss/∂out into g (both h·w × outputs(), row-major), then backward adds the image's gradient to its block's
// row. After the first call with a given batch size and image shape, a call allocates nothing.
#include <vector>

#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/conv_net.hpp"

namespace ebm {

template <class S>
class ConvBatch {
public:
  explicit ConvBatch(Index block_rows = 1) : block_rows_(block_rows) {
    ensure(block_rows > 0, "ConvBatch: block_rows = ", block_rows, " must be positive");
  }

  // x: one image per row (h·w·in_channels() values, HWC). Returns Σ_r loss; grad += Σ_r ∂loss_r/∂θ.
  template <class Loss>
  double value_and_grad(const ConvNet<S>& net, const S* theta, const ConstBatchRef<S>& x, Index h, Index w, Loss&& loss,
                        VecRef<S> grad) {
    ensure(x.cols() == h * w * net.in_channels(), "ConvBatch: images have ", x.cols(), " values, expected ", h, " x ",
           w, " x ", net.in_channels());
    ensure(grad.size() == net.num_params(), "ConvBatch: gradient has ", grad.size(), " entries, the net has ",
           net.num_params(), " parameters");
    if (plan_.rows != x.rows()) plan_ = BlockPlan(x.rows(), block_rows_);
    const auto blocks = std::size_t(plan_.count());
    if (ws_.size() != blocks) ws_.resize(blocks);
    if (g_.size() != blocks) g_.resize(blocks);
    value_.assign(blocks, 0.0);
    if (partial_.rows() != plan_.count() || partial_.cols() != net.num_params())
      partial_.resize(plan_.count(), net.num_params());
    for_each_block(plan_, [&](Index b, Index r0, Index rows) {
      auto& ws = ws_[std::size_t(b)];
      auto& g = g_[std::size_t(b)];
      g.resize(h * w, net.outputs());
      S* out = partial_.row(b).data();
      Eigen::Map<VectorX<S>>(out, partial_.cols()).setZero();
      double v = 0;
      for (Index r = r0; r < r0 + rows; ++r) {
        const S* xr = x.row(r).data();
        const auto u = net.forward(theta, xr, h, w, ws);
        v += loss(r, u, g);
        net.backward(theta, xr, h, w, ws, g.data(), out);
      }
      value_[std::size_t(b)] = v;
    });
    double total = 0;
    for (Index b = 0; b < plan_.count(); ++b) {
      total += value_[std::size_t(b)];
      grad += partial_.row(b).transpose();
    }
    return total;
  }

private:
  Index block_rows_;
  BlockPlan plan_;
  std::vector<typename ConvNet<S>::Workspace> ws_;  // one per block, reused
  std::vector<MatrixX<S>> g_;                       // ∂loss/∂out of the block's current image
  std::vector<double> value_;
  MatrixX<S> partial_;
};

}  // namespace ebm
