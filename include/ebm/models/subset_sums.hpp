#pragma once
// The product of a 0/1 matrix with a dense one by table look-up (the "method of four Russians"):
//   out.row(r) = bias + Σ_{k : x(r,k) = 1} M.row(k)
// M's rows are taken in groups of four. For a tile of columns, a table holds the 16 subset sums of each
// group's rows (15 vector additions per group); an output row then adds one table entry per group, chosen
// by the 4 bits of x in that group. That is depth/4 additions per tile and row, against depth multiply-adds
// for the GEMM and density·depth for the gather-sum (dense_kernels.hpp), so it wins on binary rows of middle
// density: the hidden states of a centered RBM's chains (about half ones) take h·Wᵀ in half the time of
// Eigen's GEMM at MNIST size (bench_rbm: visible/subset). One tile's table (500 / 4 groups × 16 × 32 floats,
// 256 KB for an MNIST RBM's Wᵀ) stays in L2 while every row of a block (or of several blocks) uses it.
//
// Exact for any M: only entries that are exactly 0 or 1 select rows, and masks() refuses anything else,
// so callers fall back to the other paths on non-binary input. Each output entry is summed in a fixed order
// (bias, then groups in order, each group's table entry built from its rows in a fixed order), so results do
// not depend on how rows, tiles or threads are split.
#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "ebm/core/types.hpp"

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace ebm::detail {

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // Eigen packet types as template arguments
#endif

// Binary rows h at or above this fraction of ones take the subset sums in h·Wᵀ (BernoulliRBM::visible_mean and
// visible_mean_blocks); sparser ones the gather-sum, whose work shrinks with the density while this path's
// does not. Measured with bench_rbm at MNIST size (AVX-512): with the tables shared by 100 rows, 4.2 µs per
// row against the gather's 3.6 at 20 % ones and 5.7 at 30 %; one 25-row block alone pays its own tables
// (7.0 µs per row against 5.7 at 30 % and 7.0 at 40 %).
inline constexpr double subset_density_threshold = 0.3;

template <class S>
struct SubsetSums {
  using Packet = typename Eigen::internal::packet_traits<S>::type;
  static constexpr Index lanes = Eigen::internal::unpacket_traits<Packet>::size;
  // Two packets per tile: 32 floats with AVX-512. Measured (bench_rbm visible/subset): one packet pays the
  // group loop twice as often, four packets double the table and spill it out of L2 on MNIST's W.
  static constexpr Index packets = 2;
  static constexpr Index tile_cols = packets * lanes;

  static Index groups(Index depth) { return (depth + 3) / 4; }
  static Index tiles(Index cols) { return (cols + tile_cols - 1) / tile_cols; }
  static Index table_size(Index depth) { return groups(depth) * 16 * tile_cols; }

  // mask[r · groups + q] = the bits x(r, 4q .. 4q+3) (bit b for column 4q + b). False, with the masks
  // unspecified, if x has an entry other than 0 and 1.
  static bool masks(const ConstBatchRef<S>& x, std::uint8_t* mask) {
    const Index rows = x.rows(), cols = x.cols(), g = groups(cols);
    for (Index r = 0; r < rows; ++r) {
      const S* row = x.row(r).data();
      std::uint8_t* out = mask + r * g;
      Index k = 0;
#ifdef __AVX512F__
      if constexpr (std::is_same_v<S, float>) {
        const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
        for (; k + 16 <= cols; k += 16) {
          const __m512 v = _mm512_loadu_ps(row + k);
          const __mmask16 ones = _mm512_cmp_ps_mask(v, one, _CMP_EQ_OQ);
          if ((ones | _mm512_cmp_ps_mask(v, zero, _CMP_EQ_OQ)) != 0xFFFF) return false;
          for (int n = 0; n < 4; ++n) out[k / 4 + n] = static_cast<std::uint8_t>((ones >> (4 * n)) & 0xF);
        }
      }
#endif
      for (; k < cols; k += 4) {
        unsigned bits = 0;
        for (Index b = 0; b < 4 && k + b < cols; ++b) {
          const S v = row[k + b];
          if (v != S(0) && v != S(1)) return false;
          bits |= unsigned(v == S(1)) << b;
        }
        out[k / 4] = static_cast<std::uint8_t>(bits);
      }
    }
    return true;
  }

  // The table of column tile t of M (depth × cols, row-major): entry (q, s) at table[(q · 16 + s) · tile_cols]
  // is Σ_{b : bit b of s} M.row(4q + b) over the tile's columns (zeros past M's last row and column).
  // Entry s is entry s without its lowest bit plus row ctz(s): one addition each, done in registers so that
  // no entry waits for the store of another.
  static void build(const S* m, Index depth, Index cols, Index t, S* table) {
    using namespace Eigen::internal;
    const Index j0 = t * tile_cols, w = std::min(tile_cols, cols - j0);
    for (Index q = 0; q < groups(depth); ++q) {
      S* tq = table + q * 16 * tile_cols;
      for (Index p = 0; p < packets; ++p) {
        Packet row[4];
        for (Index b = 0; b < 4; ++b) {
          const Index k = 4 * q + b;
          if (k < depth && w == tile_cols)
            row[b] = ploadu<Packet>(m + k * cols + j0 + p * lanes);
          else {
            alignas(64) S pad[lanes] = {};
            if (k < depth)
              for (Index j = p * lanes; j < std::min(w, (p + 1) * lanes); ++j) pad[j - p * lanes] = m[k * cols + j0 + j];
            row[b] = pload<Packet>(pad);
          }
        }
        Packet e[16];
        e[0] = pset1<Packet>(S(0));
        for (unsigned sub = 1; sub < 16; ++sub) e[sub] = padd(e[sub & (sub - 1)], row[std::countr_zero(sub)]);
        for (unsigned sub = 0; sub < 16; ++sub) pstore(tq + sub * tile_cols + p * lanes, e[sub]);
      }
    }
  }

  // Columns of tile t of `count` output rows: out_of(r) = bias + Σ_q table(q, mask_of(r)[q]) (bias and each
  // output row have cols entries). Four rows at a time, so that eight independent sums hide the latency of
  // the additions (one row alone waits on each).
  template <class MaskOf, class OutOf>
  static void rows(const S* table, Index depth, Index cols, Index t, Index count, const MaskOf& mask_of,
                   const S* bias, const OutOf& out_of) {
    Index r = 0;
    for (; r + 4 <= count; r += 4) rows_n<4>(table, depth, cols, t, r, mask_of, bias, out_of);
    for (; r < count; ++r) rows_n<1>(table, depth, cols, t, r, mask_of, bias, out_of);
  }

private:
  template <int R, class MaskOf, class OutOf>
  static void rows_n(const S* table, Index depth, Index cols, Index t, Index r0, const MaskOf& mask_of,
                     const S* bias, const OutOf& out_of) {
    using namespace Eigen::internal;
    const Index j0 = t * tile_cols, w = std::min(tile_cols, cols - j0), g = groups(depth);
    const bool full = w == tile_cols;
    alignas(64) S pad[tile_cols] = {};
    if (!full) std::copy_n(bias + j0, w, pad);
    const std::uint8_t* mask[R];
    Packet acc[R][packets];
    for (int i = 0; i < R; ++i) {
      mask[i] = mask_of(r0 + i);
      for (Index p = 0; p < packets; ++p)
        acc[i][p] = full ? ploadu<Packet>(bias + j0 + p * lanes) : pload<Packet>(pad + p * lanes);
    }
    for (Index q = 0; q < g; ++q)
      for (int i = 0; i < R; ++i) {
        const S* e = table + (q * 16 + mask[i][q]) * tile_cols;
        for (Index p = 0; p < packets; ++p) acc[i][p] = padd(acc[i][p], pload<Packet>(e + p * lanes));
      }
    for (int i = 0; i < R; ++i) {
      S* out = out_of(r0 + i);
      if (full)
        for (Index p = 0; p < packets; ++p) pstoreu(out + j0 + p * lanes, acc[i][p]);
      else {
        for (Index p = 0; p < packets; ++p) pstore(pad + p * lanes, acc[i][p]);
        std::copy_n(pad, w, out + j0);
      }
    }
  }
};

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Scratch of the subset-sum product for one block of rows: its masks and one tile's table, allocated once.
template <class S>
struct SubsetSumWorkspace {
  std::vector<std::uint8_t> mask;
  std::vector<S, Eigen::aligned_allocator<S>> table;

  void reserve(Index rows, Index depth) {
    const auto m = static_cast<std::size_t>(rows * SubsetSums<S>::groups(depth));
    const auto t = static_cast<std::size_t>(SubsetSums<S>::table_size(depth));
    if (mask.size() < m) mask.resize(m);
    if (table.size() < t) table.resize(t);
  }
  // The masks of x (reserving room if needed); false if x is not 0/1.
  bool build_masks(const ConstBatchRef<S>& x) {
    reserve(x.rows(), x.cols());
    return SubsetSums<S>::masks(x, mask.data());
  }
  // out = bias + x · M for the x of the last build_masks (M row-major, x.cols() × cols), tile by tile.
  void multiply(Index rows, const S* m, Index depth, Index cols, const S* bias, BatchRef<S> out) {
    reserve(rows, depth);
    const Index g = SubsetSums<S>::groups(depth);
    for (Index t = 0; t < SubsetSums<S>::tiles(cols); ++t) {
      SubsetSums<S>::build(m, depth, cols, t, table.data());
      SubsetSums<S>::rows(
          table.data(), depth, cols, t, rows, [&](Index r) { return mask.data() + r * g; }, bias,
          [&](Index r) { return out.row(r).data(); });
    }
  }
};

}  // namespace ebm::detail
