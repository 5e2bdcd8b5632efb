#pragma once
// Eigen's matrix product with its packing buffers allocated once, in a block's workspace.
//
// Eigen's `out.noalias() = x * M` packs panels of both operands into buffers that it puts on the stack up to
// EIGEN_STACK_ALLOCATION_LIMIT (128 KiB) and on the heap beyond. For an MNIST-sized RBM (a block of 25 chains
// times a 784 × 500 weight matrix) the panel of M is ~0.5 MB, so every dense product of every sweep would
// malloc and free it. Raising the limit instead would put those buffers on the stacks of oneTBB's workers
// (4 MiB; the limit applies to each of the two buffers) and change Eigen in every translation unit of the
// user, since the definition must be the same everywhere. So the buffers are sized here, once, for the
// shapes a workspace will see, and handed to the same kernel Eigen's product calls
// (internal::general_matrix_matrix_product, with the same blocking sizes); results are bitwise those of
// `out.noalias() = x * M`. This leans on Eigen 3.4's internal GEMM interface, which the build pins.
#include <Eigen/Core>

#include "ebm/core/types.hpp"

namespace ebm::detail {

template <class S>
class GemmWorkspace {
public:
  // Makes room for products out (rows × cols) = x (rows × depth) · M; call once per shape.
  void reserve(Index rows, Index cols, Index depth) {
    const Blocking blocking(rows, cols, depth);
    if (a_.size() < blocking.size_a()) a_.resize(blocking.size_a());
    if (b_.size() < blocking.size_b()) b_.resize(blocking.size_b());
  }

  // out = x · M, M row-major (x.cols() × cols) at m. A shape larger than reserved still works, through
  // Eigen's own product (which may allocate).
  void multiply(const ConstBatchRef<S>& x, const S* m, Index cols, BatchRef<S> out) {
    const Index rows = x.rows(), depth = x.cols();
    const Eigen::Map<const MatrixX<S>> M(m, depth, cols);
    // Where Eigen's product would not run the GEMM kernel (tiny products, vector shapes), let it decide:
    // those paths use no large buffers, and the result stays that of the plain expression.
    if (rows + cols + depth < EIGEN_GEMM_TO_COEFFBASED_THRESHOLD || rows <= 1 || cols <= 1 || depth == 0) {
      out.noalias() = x * M;
      return;
    }
    Blocking blocking(rows, cols, depth);
    if (blocking.size_a() > a_.size() || blocking.size_b() > b_.size()) {
      out.noalias() = x * M;
      return;
    }
    blocking.bind(a_.data(), b_.data());
    out.setZero();
    Eigen::internal::general_matrix_matrix_product<Index, S, Eigen::RowMajor, false, S, Eigen::RowMajor, false,
                                                   Eigen::RowMajor, 1>::run(rows, cols, depth, x.data(),
                                                                            x.outerStride(), m, cols, out.data(), 1,
                                                                            out.outerStride(), S(1), blocking);
  }

  // out (rows × cols, row-major, row stride ldo) += alpha · A · B for A (rows × depth) and B (depth × cols), each
  // stored row- or column-major as LhsOrder / RhsOrder say (a transposed operand is the other order), with
  // leading dimensions lda / ldb. The packing buffers grow here to the largest shape seen, so once every shape
  // has run a call allocates nothing (the convolutions' forward, weight and input products: conv2d.hpp).
  template <int LhsOrder, int RhsOrder>
  void multiply_add(Index rows, Index cols, Index depth, const S* a, Index lda, const S* b, Index ldb, S* out, Index ldo,
                    S alpha) {
    if (rows == 0 || cols == 0 || depth == 0) return;
    reserve(rows, cols, depth);
    Blocking blocking(rows, cols, depth);
    blocking.bind(a_.data(), b_.data());
    Eigen::internal::general_matrix_matrix_product<Index, S, LhsOrder, false, S, RhsOrder, false, Eigen::RowMajor,
                                                   1>::run(rows, cols, depth, a, lda, b, ldb, out, 1, ldo, alpha,
                                                           blocking, nullptr);
  }

private:
  // Eigen's blocking of a row-major product, as gemm_blocking_space computes it (the product runs
  // transposed, so Eigen's m is our cols and its n our rows), over buffers owned by the workspace.
  class Blocking : public Eigen::internal::level3_blocking<S, S> {
  public:
    Blocking(Index rows, Index cols, Index depth) {
      this->m_mc = cols;
      this->m_nc = rows;
      this->m_kc = depth;
      Eigen::internal::computeProductBlockingSizes<S, S, 1>(this->m_kc, this->m_mc, this->m_nc, Index{1});
    }
    Index size_a() const { return this->m_mc * this->m_kc; }
    Index size_b() const { return this->m_kc * this->m_nc; }
    void bind(S* a, S* b) {
      this->m_blockA = a;
      this->m_blockB = b;
    }
  };

  VectorX<S> a_, b_;  // packed panels of M and of x
};

}  // namespace ebm::detail
