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
#include <algorithm>

#include "ebm/core/types.hpp"

namespace ebm::detail {

// Eigen's blocking of a row-major product out (rows × cols) = x (rows × depth) · M, as gemm_blocking_space
// computes it (the product runs transposed, so Eigen's m is our cols and its n our rows), over buffers owned
// by the caller.
template <class S>
class GemmBlocking : public Eigen::internal::level3_blocking<S, S> {
public:
  GemmBlocking(Index rows, Index cols, Index depth) {
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
    if (tiny(rows, cols, depth)) {
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

  // outs(i) = xs(i) · M for i < count, bitwise what multiply(x_of(i), m, cols, out_of(i)) gives each, for
  // operands of one shape: the loop of Eigen's sequential GEMM (general_matrix_matrix_product in
  // GeneralMatrixMatrix.h, with the same blocking and kernels) with the products as its innermost loop, so
  // each panel of M is packed once, into ws_of(0)'s buffer, and used by every x while it is in cache.
  // Separate products each pack all of M and read it from memory again: 1.57 MB per product for an MNIST
  // RBM's Wᵀ, more than a core's L2. x_of(i), out_of(i), ws_of(i): operand, result and workspace (x's packed
  // panels) of product i; the workspaces must be distinct. Other shapes run the products one by one.
  template <class XOf, class OutOf, class WsOf>
  static void multiply_many(Index count, const XOf& x_of, const OutOf& out_of, const WsOf& ws_of, const S* m,
                            Index cols) {
    using namespace Eigen::internal;
    if (count == 0) return;
    const Index rows = x_of(Index{0}).rows(), depth = x_of(Index{0}).cols();
    const Blocking blocking(rows, cols, depth);
    bool shared = !tiny(rows, cols, depth) && ws_of(Index{0}).a_.size() >= blocking.size_a();
    for (Index i = 0; shared && i < count; ++i)
      shared = x_of(i).rows() == rows && x_of(i).cols() == depth && ws_of(i).b_.size() >= blocking.size_b();
    if (!shared) {
      for (Index i = 0; i < count; ++i) ws_of(i).multiply(x_of(i), m, cols, out_of(i));
      return;
    }
    // Eigen's transposed problem: lhs Mᵀ (cols × depth, column-major), rhs xᵀ (depth × rows), res outᵀ.
    using Traits = gebp_traits<S, S>;
    using Lhs = const_blas_data_mapper<S, Index, Eigen::ColMajor>;
    using Rhs = const_blas_data_mapper<S, Index, Eigen::ColMajor>;
    using Res = blas_data_mapper<S, Index, Eigen::ColMajor, Eigen::Unaligned, 1>;
    gemm_pack_lhs<S, Index, Lhs, Traits::mr, Traits::LhsProgress, typename Traits::LhsPacket4Packing, Eigen::ColMajor>
        pack_lhs;
    gemm_pack_rhs<S, Index, Rhs, Traits::nr, Eigen::ColMajor> pack_rhs;
    gebp_kernel<S, S, Index, Res, Traits::mr, Traits::nr, false, false> gebp;
    const Index kc = blocking.kc(), mc = std::min(cols, blocking.mc()), nc = std::min(rows, blocking.nc());
    const bool pack_rhs_once = mc != cols && kc == depth && nc == rows;
    const Lhs lhs(m, cols);
    S* blockA = ws_of(Index{0}).a_.data();
    for (Index i = 0; i < count; ++i) out_of(i).setZero();
    for (Index i2 = 0; i2 < cols; i2 += mc) {
      const Index actual_mc = std::min(i2 + mc, cols) - i2;
      for (Index k2 = 0; k2 < depth; k2 += kc) {
        const Index actual_kc = std::min(k2 + kc, depth) - k2;
        pack_lhs(blockA, lhs.getSubMapper(i2, k2), actual_kc, actual_mc);
        for (Index i = 0; i < count; ++i) {
          const ConstBatchRef<S> x = x_of(i);
          BatchRef<S> out = out_of(i);
          const Rhs rhs(x.data(), x.outerStride());
          const Res res(out.data(), out.outerStride(), 1);
          S* blockB = ws_of(i).b_.data();
          for (Index j2 = 0; j2 < rows; j2 += nc) {
            const Index actual_nc = std::min(j2 + nc, rows) - j2;
            if (!pack_rhs_once || i2 == 0) pack_rhs(blockB, rhs.getSubMapper(k2, j2), actual_kc, actual_nc);
            gebp(res.getSubMapper(i2, j2), blockA, blockB, actual_mc, actual_kc, actual_nc, S(1));
          }
        }
      }
    }
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
  using Blocking = GemmBlocking<S>;
  static bool tiny(Index rows, Index cols, Index depth) {
    return rows + cols + depth < EIGEN_GEMM_TO_COEFFBASED_THRESHOLD || rows <= 1 || cols <= 1 || depth == 0;
  }
  VectorX<S> a_, b_;  // packed panels of M and of x
};

}  // namespace ebm::detail
