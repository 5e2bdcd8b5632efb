// The subset-sum product of 0/1 rows (models/subset_sums.hpp) against the plain product, at the shapes where
// its groups of four rows and tiles of columns have ragged ends, and its refusal of non-binary rows.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "ebm/core/random.hpp"
#include "ebm/models/subset_sums.hpp"

using namespace ebm;

namespace {

template <class S>
MatrixX<S> random_matrix(Index rows, Index cols, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  MatrixX<S> m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = S(uniform01d(rng) - 0.5);
  return m;
}

template <class S>
MatrixX<S> coin_rows(Index rows, Index cols, double p, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 1);
  MatrixX<S> x(rows, cols);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = bernoulli(rng, S(p));
  return x;
}

}  // namespace

TEMPLATE_TEST_CASE("subset sums of 0/1 rows equal bias + x M at ragged shapes", "[subset_sums]", float, double) {
  using S = TestType;
  using Sums = detail::SubsetSums<S>;
  for (const Index depth : {Index(1), Index(3), Index(4), Index(5), Index(9), Index(64), Index(130)})
    for (const Index cols : {Index(1), Sums::lanes - 1, Sums::tile_cols, Sums::tile_cols + 3, 3 * Sums::tile_cols - 1})
      for (const Index rows : {Index(1), Index(3), Index(4), Index(7)}) {
        INFO("depth " << depth << ", cols " << cols << ", rows " << rows);
        const MatrixX<S> m = random_matrix<S>(depth, cols, std::uint64_t(depth * 1000 + cols));
        const MatrixX<S> x = coin_rows<S>(rows, depth, 0.5, std::uint64_t(rows + depth));
        const VectorX<S> bias = random_matrix<S>(1, cols, 9).row(0).transpose();
        detail::SubsetSumWorkspace<S> ws;
        REQUIRE(ws.build_masks(x));
        MatrixX<S> out(rows, cols);
        ws.multiply(rows, m.data(), depth, cols, bias.data(), out);
        MatrixX<S> expected = x * m;
        expected.rowwise() += bias.transpose();
        // Both sum depth + 1 terms of size < 1/2 in different orders; each is within depth · ε · Σ|terms|
        // (Higham's bound for recursive summation) of the exact sum.
        const S bound = S(2) * S(depth) * S(depth + 1) * S(0.5) * std::numeric_limits<S>::epsilon();
        CHECK((out - expected).cwiseAbs().maxCoeff() <= bound);
      }
}

TEST_CASE("subset sums select exactly the rows whose bit is set", "[subset_sums]") {
  // Rows of M that are powers of two make every subset sum exact, so the product must equal the plain one bit
  // for bit: any wrong mask bit, group or tile offset shows.
  using Sums = detail::SubsetSums<float>;
  const Index depth = 11, cols = 2 * Sums::tile_cols + 5;
  MatrixX<float> m(depth, cols);
  for (Index k = 0; k < depth; ++k)
    for (Index j = 0; j < cols; ++j) m(k, j) = float(1 << k) * float(j + 1);
  MatrixX<float> x(1 << depth, depth);
  for (Index r = 0; r < x.rows(); ++r)
    for (Index k = 0; k < depth; ++k) x(r, k) = float((r >> k) & 1);
  const VectorX<float> bias = VectorX<float>::Constant(cols, 0.5f);
  detail::SubsetSumWorkspace<float> ws;
  REQUIRE(ws.build_masks(x));
  MatrixX<float> out(x.rows(), cols);
  ws.multiply(x.rows(), m.data(), depth, cols, bias.data(), out);
  MatrixX<float> expected = x * m;
  expected.rowwise() += bias.transpose();
  CHECK(out == expected);
}

TEMPLATE_TEST_CASE("subset-sum masks refuse rows with an entry other than 0 and 1", "[subset_sums]", float, double) {
  using S = TestType;
  for (const Index col : {Index(0), Index(5), Index(17), Index(33)}) {
    MatrixX<S> x = coin_rows<S>(3, 34, 0.5, 4);
    detail::SubsetSumWorkspace<S> ws;
    CHECK(ws.build_masks(x));
    for (const S bad : {S(0.5), S(-1), S(2), std::numeric_limits<S>::quiet_NaN()}) {
      x(2, col) = bad;
      INFO("column " << col << ", value " << bad);
      CHECK_FALSE(ws.build_masks(x));
    }
  }
}
