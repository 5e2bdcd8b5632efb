// Learning-rate schedules (train/schedule.hpp) against their formulas at chosen points of training.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "ebm/train/schedule.hpp"

using namespace ebm;

TEST_CASE("constant, linear and cosine schedules have their formulas' values", "[schedule]") {
  const LearningRateSchedule constant{}, linear{LearningRateSchedule::Kind::linear, 0.1},
      cosine{LearningRateSchedule::Kind::cosine, 0.1};
  for (double p : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    INFO("progress " << p);
    CHECK(constant.factor(p) == 1.0);
    CHECK(linear.factor(p) == Approx(1.0 - 0.9 * p).epsilon(1e-15));
    CHECK(cosine.factor(p) == Approx(0.1 + 0.45 * (1 + std::cos(std::numbers::pi * p))).epsilon(1e-15));
  }
  // Ends and middle exactly; cosine above linear in the first half, below in the second.
  CHECK(cosine.factor(0.0) == 1.0);
  CHECK(cosine.factor(1.0) == Approx(0.1).epsilon(1e-15));
  CHECK(cosine.factor(0.5) == Approx(0.55).epsilon(1e-15));
  CHECK(cosine.factor(0.2) > linear.factor(0.2));
  CHECK(cosine.factor(0.8) < linear.factor(0.8));
  // Progress outside [0, 1] is clamped.
  CHECK(cosine.factor(-1.0) == 1.0);
  CHECK(cosine.factor(2.0) == cosine.factor(1.0));
  CHECK(parse_schedule_kind("cosine") == LearningRateSchedule::Kind::cosine);
}
