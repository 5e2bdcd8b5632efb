#pragma once
// dst = srcᵀ for row-major matrices, in 16 × 16 tiles (a tile's rows are one cache line of floats on both
// sides) and in parallel over ranges of src's rows. The model refreshes its cached Wᵀ after every parameter
// change, i.e. every training update: Eigen's plain transposing copy walks one side a column at a time and
// was half of the optimizer step (bench_rbm: param_refresh). A copy: the bits are the same on any split.
#include <algorithm>

#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm::detail {

template <class S>
void transpose_tiled(const S* src, Index rows, Index cols, S* dst) {
  constexpr Index tile = 16;
  // 64 rows of src per task: the task writes whole 256-byte pieces of dst's rows, so tasks share no line.
  for_each_range(rows, 4 * tile, [&](Index r0, Index nr) {
    for (Index i0 = r0; i0 < r0 + nr; i0 += tile) {
      const Index i1 = std::min(i0 + tile, r0 + nr);
      for (Index j0 = 0; j0 < cols; j0 += tile) {
        const Index j1 = std::min(j0 + tile, cols);
        for (Index j = j0; j < j1; ++j)
          for (Index i = i0; i < i1; ++i) dst[j * rows + i] = src[i * cols + j];
      }
    }
  });
}

}  // namespace ebm::detail
