#pragma once
// Learning-rate and momentum schedules as functions of training progress in [0, 1].
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "ebm/core/error.hpp"

namespace ebm {

struct LearningRateSchedule {
  // cosine: half a cosine from lr down to lr·final_fraction (Loshchilov & Hutter 2017, without restarts):
  // slower than linear at first, faster in the middle, flat at the end.
  enum class Kind { constant, linear, cosine };
  Kind kind = Kind::constant;
  double final_fraction = 0.0;  // linear, cosine: the rate falls from lr to lr·final_fraction at the end of training

  double factor(double progress) const {
    progress = std::clamp(progress, 0.0, 1.0);
    switch (kind) {
      case Kind::linear: return 1.0 - (1.0 - final_fraction) * progress;
      case Kind::cosine: return final_fraction + (1.0 - final_fraction) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
      case Kind::constant: break;
    }
    return 1.0;
  }
  void validate() const {
    ensure(final_fraction >= 0.0 && final_fraction <= 1.0, "learning-rate schedule: final_fraction = ",
           final_fraction, " must lie in [0, 1]");
  }
};

inline LearningRateSchedule::Kind parse_schedule_kind(const std::string& s) {
  if (s == "constant") return LearningRateSchedule::Kind::constant;
  if (s == "linear") return LearningRateSchedule::Kind::linear;
  if (s == "cosine") return LearningRateSchedule::Kind::cosine;
  fail("learning-rate schedule '", s, "' is unknown; use constant, linear or cosine");
}

// Momentum ramps linearly from `initial` to `final` over the first `ramp_epochs` epochs (Hinton's guide:
// 0.5 while the parameters move a lot, then 0.9).
struct MomentumSchedule {
  double initial = 0.5;
  double final = 0.9;
  double ramp_epochs = 5;

  double at(double epoch) const {
    if (ramp_epochs <= 0 || epoch >= ramp_epochs) return final;
    return initial + (final - initial) * (epoch / ramp_epochs);
  }
  void validate() const {
    ensure(initial >= 0 && initial < 1, "momentum: initial = ", initial, " must lie in [0, 1)");
    ensure(final >= 0 && final < 1, "momentum: final = ", final, " must lie in [0, 1)");
    ensure(ramp_epochs >= 0, "momentum: ramp_epochs = ", ramp_epochs, " must be non-negative");
  }
};

}  // namespace ebm
