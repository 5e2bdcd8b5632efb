// BestSnapshot (train/best_snapshot.hpp): keeps the θ of the highest score, the earlier one on ties, never a
// NaN score, and refuses a θ of the wrong size.
#include <catch2/catch.hpp>

#include <limits>

#include "ebm/train/best_snapshot.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

TEST_CASE("BestSnapshot keeps the best-scored parameters, the earlier on ties", "[train][selection]") {
  BestSnapshot<float> best(3);
  CHECK_FALSE(best.has_best());
  VectorX<float> theta(3);
  theta << 1, 2, 3;
  CHECK(best.offer(0.5, 0, theta));
  theta << 4, 5, 6;
  CHECK(best.offer(0.7, 10, theta));
  theta << 7, 8, 9;
  CHECK_FALSE(best.offer(0.6, 20, theta));  // worse
  CHECK_FALSE(best.offer(0.7, 30, theta));  // a tie keeps the earlier θ
  CHECK_FALSE(best.offer(std::numeric_limits<double>::quiet_NaN(), 40, theta));
  REQUIRE(best.has_best());
  CHECK(best.score() == 0.7);
  CHECK(best.step() == 10);
  CHECK(best.params() == (VectorX<float>(3) << 4, 5, 6).finished());
}

TEST_CASE("BestSnapshot: a NaN first score is not kept; a wrong size is an error", "[train][selection]") {
  BestSnapshot<double> best(2);
  CHECK_FALSE(best.offer(std::numeric_limits<double>::quiet_NaN(), 0, VectorX<double>::Ones(2)));
  CHECK_FALSE(best.has_best());
  CHECK(best.offer(-1.0, 1, VectorX<double>::Ones(2)));
  CHECK_THROWS_WITH(best.offer(2.0, 2, VectorX<double>::Ones(3)), Contains("offered 3 parameters, sized for 2"));
}
