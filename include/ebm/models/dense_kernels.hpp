#pragma once
// Products of a batch with a weight matrix, in the two forms that win at different densities:
//  * dense:  out = X · M + bias (Eigen GEMM, see gemm_workspace.hpp), best when most entries are non-zero;
//  * sparse: out.row(r) = bias + Σ_{k : X(r,k) ≠ 0} X(r,k) · M.row(k), a gather-sum over the non-zero
//    entries. Binary RBM states are mostly zeros (a binarized MNIST digit has ~13 % ones), so this does a
//    fraction of the dense work. Skipping zeros is exact for any X, so the choice is only about speed.
// The gradient statistics Xᵀ·Y have the same two forms (add_outer_sparse / add_outer_dense).
// All are single-threaded: callers run one per block of rows. Every sum runs in a fixed order that depends
// only on the data, so results never depend on the thread count.
#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "ebm/core/types.hpp"

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace ebm::detail {

// Below this fraction of non-zeros the gather-sum beats the GEMM. Measured with benchmarks/bench_rbm.cpp at
// nv = 784, nh = 500, 25-row blocks (AVX-512): the paths cross at ~43 % for v·W, ~47 % for h·Wᵀ and ~50 % for
// the statistics; within ±10 % of the crossing the two differ by less than 10 %.
inline constexpr double sparse_density_threshold = 0.4;

// Bit k of the result is set iff p[k] != 0, for k < count ≤ 64.
template <class S>
inline std::uint64_t nonzero_mask(const S* p, Index count) {
  std::uint64_t mask = 0;
  Index k = 0;
#ifdef __AVX512F__
  if constexpr (std::is_same_v<S, float>)
    for (; k + 16 <= count; k += 16)
      mask |= std::uint64_t(_mm512_cmp_ps_mask(_mm512_loadu_ps(p + k), _mm512_setzero_ps(), _CMP_NEQ_UQ)) << k;
#endif
  for (; k < count; ++k) mask |= std::uint64_t(p[k] != S(0)) << k;
  return mask;
}

// Non-zero pattern of a block of rows, in preallocated storage (no allocation once reserved).
struct RowPattern {
  std::vector<std::int32_t> index;  // column indices of non-zeros, row after row
  std::vector<Index> start;         // row r's entries are index[start[r] .. start[r+1])

  void reserve(Index rows, Index cols) {
    index.resize(static_cast<std::size_t>(rows * cols + slack));
    start.resize(static_cast<std::size_t>(rows + 1));
  }
  // Returns the fraction of non-zeros. Stops early (returns > limit) once the density exceeds limit.
  template <class S>
  double build(const ConstBatchRef<S>& x, double limit) {
    return build_impl<false, S>(x, nullptr, limit);
  }
  // The same for the entries that differ from a reference row: x(r, k) != ref[k] (ref has x.cols() entries).
  template <class S>
  double build(const ConstBatchRef<S>& x, const S* ref, double limit) {
    return build_impl<true, S>(x, ref, limit);
  }

private:
  template <bool with_ref, class S>
  double build_impl(const ConstBatchRef<S>& x, const S* ref, double limit) {
    const Index rows = x.rows(), cols = x.cols();
    if (static_cast<Index>(index.size()) < rows * cols + slack || static_cast<Index>(start.size()) < rows + 1)
      reserve(rows, cols);
    const auto cap = static_cast<Index>(limit * static_cast<double>(rows * cols));
    std::int32_t* idx = index.data();
    Index nnz = 0;
    start[0] = 0;
    for (Index r = 0; r < rows; ++r) {
      const S* row = x.row(r).data();
      Index k = 0;
#ifdef __AVX512F__
      // 16 entries at a time: compare, compress the indices of the non-zeros, store all 16 (hence the slack).
      if constexpr (std::is_same_v<S, float>) {
        const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (; k + 16 <= cols; k += 16) {
          const __m512 other = with_ref ? _mm512_loadu_ps(ref + k) : _mm512_setzero_ps();
          const __mmask16 m = _mm512_cmp_ps_mask(_mm512_loadu_ps(row + k), other, _CMP_NEQ_UQ);
          const __m512i ks = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(k)));
          _mm512_storeu_si512(idx + nnz, _mm512_maskz_compress_epi32(m, ks));
          nnz += __builtin_popcount(m);
        }
      }
#endif
      // Branch-free: a branch on random zeros would mispredict on most non-zeros.
      for (; k < cols; ++k) {
        idx[nnz] = static_cast<std::int32_t>(k);
        if constexpr (with_ref)
          nnz += row[k] != ref[k];
        else
          nnz += row[k] != S(0);
      }
      start[static_cast<std::size_t>(r + 1)] = nnz;
      if (nnz > cap) return 1.0;
    }
    return rows * cols == 0 ? 0.0 : static_cast<double>(nnz) / static_cast<double>(rows * cols);
  }

  static constexpr Index slack = 16;  // the vector path stores 16 indices past the last one it keeps
};

namespace gather {

// Eigen's packet types are vector types whose attributes GCC reports as dropped when they are template
// arguments; Eigen silences the same warning in its own headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

template <class S>
using Packet = typename Eigen::internal::packet_traits<S>::type;

template <int P, class F>
EIGEN_ALWAYS_INLINE void unrolled(F&& f) {
  [&]<int... p>(std::integer_sequence<int, p...>) { (f(p), ...); }(std::make_integer_sequence<int, P>{});
}

// One output row, P packets of columns: out[0 .. P·L) = init + Σ_t coef(t) · m[idx[t] · ldm + (0 .. P·L)].
// The accumulators stay in vector registers for the whole sum; each non-zero costs one broadcast and P
// fused multiply-adds that read m directly.
template <int P, class Pk, class S, class Coef>
EIGEN_ALWAYS_INLINE void tile(const std::int32_t* idx, Index count, const Coef& coef, const S* m, Index ldm,
                              const S* init, S* out) {
  using namespace Eigen::internal;
  constexpr Index L = unpacket_traits<Pk>::size;
  Pk acc[P];
  unrolled<P>([&](int p) { acc[p] = ploadu<Pk>(init + p * L); });
  for (Index t = 0; t < count; ++t) {
    const Pk a = pset1<Pk>(coef(t));
    const S* mk = m + static_cast<Index>(idx[t]) * ldm;
    unrolled<P>([&](int p) { acc[p] = pmadd(a, ploadu<Pk>(mk + p * L), acc[p]); });
  }
  unrolled<P>([&](int p) { pstoreu(out + p * L, acc[p]); });
}

// Columns [j0, n), fewer than one full packet: halves of the packet while they fit, then scalars.
template <class Pk, class S, class RowOf>
void tail(Index rows, Index j0, Index n, const S* m, Index ldm, const RowOf& row_of) {
  using Half = typename Eigen::internal::unpacket_traits<Pk>::half;
  constexpr Index L = Eigen::internal::unpacket_traits<Pk>::size;
  if constexpr (L > 1 && !std::is_same_v<Half, Pk>) {
    constexpr Index H = Eigen::internal::unpacket_traits<Half>::size;
    if (n - j0 >= H) {
      for (Index o = 0; o < rows; ++o) {
        const auto g = row_of(o);
        tile<1, Half>(g.idx, g.count, g.coef, m + j0, ldm, g.init + j0, g.out + j0);
      }
      j0 += H;
    }
    tail<Half>(rows, j0, n, m, ldm, row_of);
  } else {
    for (Index o = 0; o < rows; ++o) {
      const auto g = row_of(o);
      for (Index j = j0; j < n; ++j) {
        S s = g.init[j];
        for (Index t = 0; t < g.count; ++t) s += g.coef(t) * m[static_cast<Index>(g.idx[t]) * ldm + j];
        g.out[j] = s;
      }
    }
  }
}

// For every output row o < rows, with row_of(o) = {idx, count, coef, init, out}:
//   out[j] = init[j] + Σ_t coef(t) · m[idx[t] · ldm + j],  j < n.
// Column tiles of at most P packets, outermost: a tile's slab of m (K × P·L) is read from memory once per
// call and then from cache by every row. The tiles are of near-equal width, so none is a sliver.
template <int P, class S, class RowOf>
void gather_sum(Index rows, Index n, const S* m, Index ldm, const RowOf& row_of) {
  using Pk = Packet<S>;
  constexpr Index L = Eigen::internal::unpacket_traits<Pk>::size;
  const Index packets = n / L, tiles = (packets + P - 1) / P;
  Index j0 = 0;
  for (Index t = 0; t < tiles; ++t) {
    const int width = static_cast<int>(packets / tiles + (t < packets % tiles ? 1 : 0));
    [&]<int... w>(std::integer_sequence<int, w...>) {
      ((width == w + 1 ? [&] {
        for (Index o = 0; o < rows; ++o) {
          const auto g = row_of(o);
          tile<w + 1, Pk>(g.idx, g.count, g.coef, m + j0, ldm, g.init + j0, g.out + j0);
        }
      }() : void()), ...);
    }(std::make_integer_sequence<int, P>{});
    j0 += width * L;
  }
  if (j0 < n) tail<Pk>(rows, j0, n, m, ldm, row_of);
}

template <class S, class Coef>
struct Row {
  const std::int32_t* idx;
  Index count;
  Coef coef;
  const S* init;
  S* out;
};
template <class S, class Coef>
Row(const std::int32_t*, Index, Coef, const S*, S*) -> Row<S, Coef>;

// 8 accumulators hide the FMA latency and leave registers for the loads; with AVX-512 a tile is 128
// floats, so W's slab (784 × 128 floats, 400 KB) stays in L2 while the rows of a block use it. Measured
// (bench_rbm): 16-packet tiles are no faster, 4-packet tiles no faster for the statistics either, narrower
// tiles with their slab in L1 are slower (more overhead per non-zero), and software prefetch gains nothing.
inline constexpr int tile_packets = 8;

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace gather

// out.row(r) = bias + Σ_k x(r,k) m.row(k) over the pattern's non-zeros. m is row-major (K × n).
template <class S>
void gather_rows(const ConstBatchRef<S>& x, const RowPattern& pat, const S* m, Index n, const S* bias,
                 BatchRef<S> out) {
  gather::gather_sum<gather::tile_packets, S>(x.rows(), n, m, n, [&](Index r) {
    const auto first = pat.start[static_cast<std::size_t>(r)], last = pat.start[static_cast<std::size_t>(r + 1)];
    const std::int32_t* k = pat.index.data() + first;
    const S* xr = x.row(r).data();
    return gather::Row{k, last - first, [=](Index t) { return xr[k[t]]; }, bias, out.row(r).data()};
  });
}

// out.row(r) = init + Σ_k (x(r,k) − ref[k]) m.row(k) over the pattern of x − ref (pat.build(x, ref, …)).
// With init = bias + ref·M this is bias + x·M again, exactly in real arithmetic: x·M = ref·M + (x − ref)·M.
// For binary x and ref the majority value of each column, the gather visits only the minority entries.
template <class S>
void gather_rows_offset(const ConstBatchRef<S>& x, const S* ref, const RowPattern& pat, const S* m, Index n,
                        const S* init, BatchRef<S> out) {
  gather::gather_sum<gather::tile_packets, S>(x.rows(), n, m, n, [&](Index r) {
    const auto first = pat.start[static_cast<std::size_t>(r)], last = pat.start[static_cast<std::size_t>(r + 1)];
    const std::int32_t* k = pat.index.data() + first;
    const S* xr = x.row(r).data();
    return gather::Row{k, last - first, [=](Index t) { return xr[k[t]] - ref[k[t]]; }, init, out.row(r).data()};
  });
}

// out[0 .. n) = bias + Σ_t m.row(idx[t]) for t < count: the sum of chosen rows of m (row-major, K × n).
template <class S>
void sum_rows(const std::int32_t* idx, Index count, const S* m, Index n, const S* bias, S* out) {
  gather::gather_sum<gather::tile_packets, S>(1, n, m, n, [&](Index) {
    return gather::Row{idx, count, [](Index) { return S(1); }, bias, out};
  });
}

// g.row(i) += alpha · Σ_r x(r, i0 + i) · y.row(r) for i in [0, count), skipping the zeros of x: rows
// [i0, i0 + count) of alpha · xᵀy. g is row-major (count × y.cols()). The same gather as gather_rows, over
// the columns of x. Allocates its column pattern once per call.
template <class S>
void add_outer_sparse(const ConstBatchRef<S>& x, const ConstBatchRef<S>& y, S alpha, Index i0, Index count, S* g) {
  const Index R = x.rows(), n = y.cols();
  // Entry t of column i, at i·R + t: the t-th row r (in increasing order) with x(r, i0 + i) ≠ 0, and
  // alpha · x(r, i0 + i), so the gather needs no dependent load to find its coefficient.
  std::vector<std::int32_t> rows(static_cast<std::size_t>(count * R));
  std::vector<S> coef(static_cast<std::size_t>(count * R));
  std::vector<Index> len(static_cast<std::size_t>(count), 0);
  for (Index r = 0; r < R; ++r) {
    const S* xr = x.row(r).data() + i0;
    for (Index c0 = 0; c0 < count; c0 += 64) {
      for (std::uint64_t m = nonzero_mask(xr + c0, std::min<Index>(64, count - c0)); m != 0; m &= m - 1) {
        const Index i = c0 + std::countr_zero(m);
        const auto at = static_cast<std::size_t>(i * R + len[static_cast<std::size_t>(i)]++);
        rows[at] = static_cast<std::int32_t>(r);
        coef[at] = alpha * xr[i];
      }
    }
  }
  gather::gather_sum<gather::tile_packets, S>(count, n, y.data(), y.outerStride(), [&](Index i) {
    const S* c = coef.data() + i * R;
    return gather::Row{rows.data() + i * R, len[static_cast<std::size_t>(i)], [=](Index t) { return c[t]; },
                       static_cast<const S*>(g + i * n), g + i * n};
  });
}

// The same by Eigen GEMM.
template <class S>
void add_outer_dense(const ConstBatchRef<S>& x, const ConstBatchRef<S>& y, S alpha, Index i0, Index count, S* g) {
  Eigen::Map<MatrixX<S>> G(g, count, y.cols());
  G.noalias() += alpha * (x.middleCols(i0, count).transpose() * y);
}

}  // namespace ebm::detail
