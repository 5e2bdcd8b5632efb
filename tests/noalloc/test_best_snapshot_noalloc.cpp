// Offering parameters to a BestSnapshot copies them into storage sized at construction: no allocation, so a
// validation step inside a training loop costs only the copy.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/train/best_snapshot.hpp"

using namespace ebm;

TEST_CASE("BestSnapshot::offer allocates nothing", "[noalloc][train][selection]") {
  BestSnapshot<float> best(1000);
  VectorX<float> theta = VectorX<float>::Ones(1000);
  double score = 0;
  auto offer = [&] {
    score += 1;
    theta[0] = float(score);
    best.offer(score, std::int64_t(score), theta);
  };
  const test::AllocationCounts counts = test::allocations_of(offer);
  CHECK(counts.operator_new == 0);
  CHECK(counts.malloc == 0);
  CHECK(best.params()[0] == float(score));
}
