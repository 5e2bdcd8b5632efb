// An MLP energy's energy_and_grad with a block workspace allocates nothing (toy widths: 2 → 64 → 64 → 1, a
// full block of 25 rows and a partial one of 10), so a Langevin step on it allocates nothing either.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/core/random.hpp"
#include "ebm/models/mlp_energy.hpp"

using namespace ebm;

TEMPLATE_TEST_CASE("MlpEnergy::energy_and_grad with a workspace allocates nothing", "[noalloc][mlp]", float, double) {
  using S = TestType;
  MlpEnergy<S> mlp(2, {64, 64}, Activation::swish);
  Rng rng = make_stream(4, StreamPurpose::init, 0);
  mlp.init_normal(rng);
  MatrixX<S> x(25, 2);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = standard_normal<S>(rng);
  VectorX<S> e(25);
  MatrixX<S> g(25, 2);
  auto ws = mlp.make_workspace(25);
  test::AllocationCounts counts;
  {
    test::NoAllocationScope scope;
    mlp.energy_and_grad(x, e, g, ws);
    mlp.energy_and_grad(x.topRows(10), e.head(10), g.topRows(10), ws);
    counts = scope.counts();
  }
  CHECK(counts.operator_new == 0);
  CHECK(counts.malloc == 0);
  CHECK(e.allFinite());
  CHECK(g.allFinite());
}
