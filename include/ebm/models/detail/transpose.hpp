#pragma once
// dst = srcᵀ for row-major matrices, in square tiles of one vector packet (16 × 16 floats with AVX-512), each
// transposed in registers by Eigen's ptranspose, in parallel over ranges of src's rows. The model refreshes its
// cached Wᵀ after every parameter change, i.e. every training update: Eigen's plain transposing copy walks one
// side a column at a time and was half of the optimizer step (bench_rbm: param_refresh). A copy: the bits are
// the same on any split.
#include <Eigen/Core>
#include <algorithm>

#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm::detail {

// Eigen's packet types lose their vector attributes as template arguments, and GCC says so; Eigen silences
// the same warning in its own headers (as dense_kernels.hpp does).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

template <class S>
void transpose_tiled(const S* src, Index rows, Index cols, S* dst) {
  using namespace Eigen::internal;
  using Pk = typename packet_traits<S>::type;
  constexpr Index L = unpacket_traits<Pk>::size;
  // Scalar copy of the block [i0, i1) × [j0, j1): the edges that do not fill a tile.
  const auto edge = [&](Index i0, Index i1, Index j0, Index j1) {
    for (Index j = j0; j < j1; ++j)
      for (Index i = i0; i < i1; ++i) dst[j * rows + i] = src[i * cols + j];
  };
  // 4·L rows of src per task (64 with AVX-512 floats): a task writes whole 256-byte pieces of dst's rows.
  for_each_range(rows, 4 * L, [&](Index r0, Index nr) {
    const Index r1 = r0 + nr, full_i = r0 + (nr / L) * L, full_j = (cols / L) * L;
    for (Index i0 = r0; i0 < full_i; i0 += L) {
      for (Index j0 = 0; j0 < full_j; j0 += L) {
        PacketBlock<Pk, int(L)> t;
        for (Index k = 0; k < L; ++k) t.packet[k] = ploadu<Pk>(src + (i0 + k) * cols + j0);
        ptranspose(t);
        for (Index k = 0; k < L; ++k) pstoreu(dst + (j0 + k) * rows + i0, t.packet[k]);
      }
      edge(i0, i0 + L, full_j, cols);
    }
    edge(full_i, r1, 0, cols);
  });
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace ebm::detail
