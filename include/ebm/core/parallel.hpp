#pragma once
// Fixed partition of a batch into blocks of rows, one oneTBB task per block. The partition depends only on
// the batch size and the block size, never on the number of threads, which is what makes every result of
// ebm independent of the thread count.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

#include <algorithm>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

struct BlockPlan {
  Index rows = 0;
  Index block_rows = 1;

  BlockPlan() = default;
  BlockPlan(Index rows_, Index block_rows_) : rows(rows_), block_rows(block_rows_) {
    ensure(rows_ >= 0, "BlockPlan: rows = ", rows_, " must be non-negative");
    ensure(block_rows_ > 0, "BlockPlan: block_rows = ", block_rows_, " must be positive");
  }
  Index count() const { return (rows + block_rows - 1) / block_rows; }
  Index begin(Index b) const { return b * block_rows; }
  Index size(Index b) const { return std::min(block_rows, rows - begin(b)); }
};

// Default block: large enough that a block's products run near GEMM speed, small enough that a 100-chain
// batch still gives two cores four tasks.
inline constexpr Index default_block_rows = 25;

// Calls f(block_index, first_row, row_count) for every block, in parallel; blocks are independent.
template <class F>
void for_each_block(const BlockPlan& plan, F&& f) {
  const Index n = plan.count();
  if (n == 1) {
    f(Index{0}, Index{0}, plan.rows);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<Index>(0, n, 1),
      [&](const tbb::blocked_range<Index>& r) {
        for (Index b = r.begin(); b != r.end(); ++b) f(b, plan.begin(b), plan.size(b));
      },
      tbb::simple_partitioner());
}

// Calls f(first, count) over a fixed split of [0, n) into pieces of `grain`; used for work that is
// parallel over parameters (each piece owns its outputs, so no reduction and no order effects).
template <class F>
void for_each_range(Index n, Index grain, F&& f) {
  for_each_block(BlockPlan(n, std::max<Index>(grain, 1)), [&](Index, Index first, Index count) { f(first, count); });
}

}  // namespace ebm
