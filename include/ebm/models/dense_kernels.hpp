#pragma once
// Products of a batch with a weight matrix, in the two forms that win at different densities:
//  * dense:  out = X · M + bias (Eigen GEMM), best when most entries of X are non-zero;
//  * sparse: out.row(r) = bias + Σ_{k : X(r,k) ≠ 0} X(r,k) · M.row(k), a gather-sum over the non-zero
//    entries. Binary RBM states are mostly zeros (a binarized MNIST digit has ~13 % ones), so this does a
//    fraction of the dense work. Skipping zeros is exact for any X, so the choice is only about speed.
// Both are single-threaded: callers run one per block of chains.
#include <algorithm>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "ebm/core/types.hpp"

namespace ebm::detail {

// Below this fraction of non-zeros the gather-sum beats the GEMM (measured with benchmarks/bench_rbm.cpp).
inline constexpr double sparse_density_threshold = 0.3;

// Non-zero pattern of a block of rows, in preallocated storage (no allocation once reserved).
struct RowPattern {
  std::vector<std::int32_t> index;  // column indices of non-zeros, row after row
  std::vector<Index> start;         // row r's entries are index[start[r] .. start[r+1])

  void reserve(Index rows, Index cols) {
    index.reserve(static_cast<std::size_t>(rows * cols));
    start.reserve(static_cast<std::size_t>(rows + 1));
  }
  // Returns the fraction of non-zeros. Stops early (returns > limit) once the density exceeds limit.
  template <class S>
  double build(const ConstBatchRef<S>& x, double limit) {
    index.clear();
    start.clear();
    const Index rows = x.rows(), cols = x.cols();
    const auto cap = static_cast<std::size_t>(limit * static_cast<double>(rows * cols)) + 1;
    start.push_back(0);
    for (Index r = 0; r < rows; ++r) {
      const S* row = x.row(r).data();
      for (Index k = 0; k < cols; ++k)
        if (row[k] != S(0)) index.push_back(static_cast<std::int32_t>(k));
      if (index.size() > cap) return 1.0;
      start.push_back(static_cast<Index>(index.size()));
    }
    return rows * cols == 0 ? 0.0 : static_cast<double>(index.size()) / static_cast<double>(rows * cols);
  }
};

// out.row(r) = bias + Σ_k x(r,k) m.row(k) over the pattern's non-zeros. m is row-major (K × n).
template <class S>
void gather_rows(const ConstBatchRef<S>& x, const RowPattern& pat, const S* m, Index n, const S* bias,
                 BatchRef<S> out) {
  constexpr Index tile = 128;  // accumulators for one tile stay in vector registers across the gather
  for (Index r = 0; r < x.rows(); ++r) {
    const S* xr = x.row(r).data();
    S* o = out.row(r).data();
    const std::int32_t* k0 = pat.index.data() + pat.start[r];
    const std::int32_t* k1 = pat.index.data() + pat.start[r + 1];
    Index j0 = 0;
    for (; j0 + tile <= n; j0 += tile) {
      S acc[tile];
      for (Index t = 0; t < tile; ++t) acc[t] = bias[j0 + t];
      for (const std::int32_t* k = k0; k != k1; ++k) {
        const S a = xr[*k];
        const S* mk = m + static_cast<Index>(*k) * n + j0;
        for (Index t = 0; t < tile; ++t) acc[t] += a * mk[t];
      }
      for (Index t = 0; t < tile; ++t) o[j0 + t] = acc[t];
    }
    if (j0 < n) {
      const Index w = n - j0;
      for (Index t = 0; t < w; ++t) o[j0 + t] = bias[j0 + t];
      for (const std::int32_t* k = k0; k != k1; ++k) {
        const S a = xr[*k];
        const S* mk = m + static_cast<Index>(*k) * n + j0;
        for (Index t = 0; t < w; ++t) o[j0 + t] += a * mk[t];
      }
    }
  }
}

// out = bias + x · M by Eigen GEMM. m is row-major (x.cols() × n).
template <class S>
void dense_affine(const ConstBatchRef<S>& x, const S* m, Index n, const S* bias, BatchRef<S> out) {
  const Eigen::Map<const MatrixX<S>> M(m, x.cols(), n);
  out.noalias() = x * M;
  out.rowwise() += Eigen::Map<const RowVectorX<S>>(bias, n);
}

// g.row(i) += alpha · Σ_r x(r, i0 + i) · y.row(r) for i in [0, count), skipping the zeros of x: rows
// [i0, i0 + count) of alpha · xᵀy. g is row-major (count × y.cols()).
template <class S>
void add_outer_sparse(const ConstBatchRef<S>& x, const ConstBatchRef<S>& y, S alpha, Index i0, Index count, S* g) {
  const Index n = y.cols();
  for (Index i = 0; i < count; ++i) {
    S* gi = g + i * n;
    for (Index r = 0; r < x.rows(); ++r) {
      const S a = x(r, i0 + i);
      if (a == S(0)) continue;
      const S s = alpha * a;
      const S* p = y.row(r).data();
      for (Index j = 0; j < n; ++j) gi[j] += s * p[j];
    }
  }
}

// The same by Eigen GEMM.
template <class S>
void add_outer_dense(const ConstBatchRef<S>& x, const ConstBatchRef<S>& y, S alpha, Index i0, Index count, S* g) {
  Eigen::Map<MatrixX<S>> G(g, count, y.cols());
  G.noalias() += alpha * (x.middleCols(i0, count).transpose() * y);
}

}  // namespace ebm::detail
