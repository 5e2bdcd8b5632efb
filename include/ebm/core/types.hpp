#pragma once
// Matrix conventions used everywhere in ebm: a batch of examples or chain states is a row-major matrix with
// one row per example/chain, so a chain's state is contiguous and its own random stream writes one row.
#include <Eigen/Core>
#include <cstdint>

namespace ebm {

using Index = Eigen::Index;

template <class S>
using MatrixX = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using VectorX = Eigen::Matrix<S, Eigen::Dynamic, 1>;
template <class S>
using RowVectorX = Eigen::Matrix<S, 1, Eigen::Dynamic>;

// Read-only and writable views of a batch (any contiguous row-major block, e.g. a range of rows).
template <class S>
using ConstBatchRef = Eigen::Ref<const MatrixX<S>>;
template <class S>
using BatchRef = Eigen::Ref<MatrixX<S>>;
template <class S>
using ConstVecRef = Eigen::Ref<const VectorX<S>>;
template <class S>
using VecRef = Eigen::Ref<VectorX<S>>;

using Matrixf = MatrixX<float>;
using Matrixd = MatrixX<double>;
using Vectorf = VectorX<float>;
using Vectord = VectorX<double>;

}  // namespace ebm
