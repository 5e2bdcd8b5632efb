#pragma once
// The full state of an optimizer, in the form a checkpoint stores it: which optimizer, how many steps it has
// taken, and its per-parameter vectors by name (SGD: "velocity"; Adam: "m" and "v", the moment estimates).
// A resumed run restores exactly this, so the next step is the step the uninterrupted run would have taken.
// Vectors are float32 in the file, as θ is; an optimizer over double parameters converts on the way.
#include <cstdint>
#include <map>
#include <string>

#include "ebm/core/types.hpp"

namespace ebm {

struct OptimizerState {
  std::string kind;        // "sgd" | "adam" (or a user optimizer's name)
  std::int64_t steps = 0;  // steps taken (Adam's bias correction needs it)
  std::map<std::string, Vectorf> vectors;  // name → one entry per parameter, or empty before the first step

  bool empty() const { return kind.empty(); }
};

}  // namespace ebm
