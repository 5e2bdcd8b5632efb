// The preallocated GEMM of the dense path computes bitwise what Eigen's own product computes, allocates
// nothing for the shapes it was sized for, and still works (through Eigen) for shapes it was not.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>
#include <cstring>

#include "ebm/core/random.hpp"
#include "ebm/models/gemm_workspace.hpp"

using namespace ebm;

TEMPLATE_TEST_CASE("GemmWorkspace::multiply equals x * M bitwise, without allocating", "[noalloc][gemm]", float,
                   double) {
  using S = TestType;
  Rng rng = make_stream(21, StreamPurpose::user, 0);
  // (rows, cols, depth): MNIST's two products on a full and a partial block, tiny and vector shapes.
  const Index shapes[][3] = {{25, 500, 784}, {25, 784, 500}, {10, 784, 500}, {3, 4, 5}, {1, 300, 200}, {7, 1, 9}};
  for (const auto& shape : shapes) {
    const Index rows = shape[0], cols = shape[1], depth = shape[2];
    INFO("rows " << rows << ", cols " << cols << ", depth " << depth);
    MatrixX<S> x(rows, depth), m(depth, cols);
    for (Index k = 0; k < x.size(); ++k) x.data()[k] = standard_normal<S>(rng);
    for (Index k = 0; k < m.size(); ++k) m.data()[k] = standard_normal<S>(rng);
    MatrixX<S> expected(rows, cols), got(rows, cols);
    expected.noalias() = x * m;

    detail::GemmWorkspace<S> ws;
    ws.reserve(rows, cols, depth);
    test::AllocationCounts counts;
    {
      test::NoAllocationScope scope;
      ws.multiply(x, m.data(), cols, got);
      counts = scope.counts();
    }
    CHECK(counts.operator_new == 0);
    CHECK(counts.malloc == 0);
    CHECK(std::memcmp(got.data(), expected.data(), sizeof(S) * std::size_t(got.size())) == 0);
  }

  // Sized for a smaller shape: Eigen's product takes over, same numbers.
  MatrixX<S> x = MatrixX<S>::Ones(40, 300), m = MatrixX<S>::Constant(300, 200, S(0.5)), got(40, 200);
  detail::GemmWorkspace<S> small;
  small.reserve(4, 20, 30);
  small.multiply(x, m.data(), 200, got);
  CHECK((got.array() == S(150)).all());
}

TEMPLATE_TEST_CASE("GemmWorkspace::multiply_many equals one multiply per product bitwise, without allocating",
                   "[noalloc][gemm]", float, double) {
  using S = TestType;
  Rng rng = make_stream(22, StreamPurpose::user, 0);
  const Index shapes[][3] = {{25, 784, 500}, {25, 500, 784}, {10, 784, 500}, {3, 4, 5}};
  for (const auto& shape : shapes) {
    const Index rows = shape[0], cols = shape[1], depth = shape[2];
    INFO("rows " << rows << ", cols " << cols << ", depth " << depth);
    // Three products, the third with a shorter operand when partial: the group then runs them one by one.
    for (const bool partial : {false, true}) {
      MatrixX<S> x(3 * rows, depth), m(depth, cols), expected(3 * rows, cols), got(3 * rows, cols);
      for (Index k = 0; k < x.size(); ++k) x.data()[k] = standard_normal<S>(rng);
      for (Index k = 0; k < m.size(); ++k) m.data()[k] = standard_normal<S>(rng);
      const Index last = partial ? rows - 1 : rows;
      const auto n = [&](Index i) { return i == 2 ? last : rows; };
      detail::GemmWorkspace<S> ws[3];
      for (Index i = 0; i < 3; ++i) {
        ws[i].reserve(n(i), cols, depth);
        ws[i].multiply(x.middleRows(i * rows, n(i)), m.data(), cols, expected.middleRows(i * rows, n(i)));
      }
      test::AllocationCounts counts;
      {
        test::NoAllocationScope scope;
        detail::GemmWorkspace<S>::multiply_many(
            3, [&](Index i) { return ConstBatchRef<S>(x.middleRows(i * rows, n(i))); },
            [&](Index i) { return BatchRef<S>(got.middleRows(i * rows, n(i))); },
            [&](Index i) -> detail::GemmWorkspace<S>& { return ws[i]; }, m.data(), cols);
        counts = scope.counts();
      }
      CHECK(counts.operator_new == 0);
      CHECK(counts.malloc == 0);
      for (Index i = 0; i < 3; ++i)
        CHECK(std::memcmp(got.middleRows(i * rows, n(i)).eval().data(), expected.middleRows(i * rows, n(i)).eval().data(),
                          sizeof(S) * std::size_t(n(i) * cols)) == 0);
    }
  }
}
