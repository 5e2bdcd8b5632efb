#pragma once
// The best parameters seen so far by a validation score (model selection, early stopping without stopping):
// a trainer's caller offers θ after every evaluation, the snapshot keeps a copy of the θ with the highest score.
// The copy goes into storage sized once at construction, so offering never allocates (evaluations may sit
// inside a training loop). Ties keep the earlier θ (fewer updates: the simpler model), and a NaN score is never
// kept, so a diverged evaluation cannot be selected.
#include <cmath>
#include <cstdint>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class BestSnapshot {
public:
  explicit BestSnapshot(Index num_params) : theta_(VectorX<S>::Zero(num_params)) {}

  // θ scored `score` after `step` updates (or epochs); true if it is now the best. Higher is better.
  bool offer(double score, std::int64_t step, const ConstVecRef<S>& theta) {
    ensure(theta.size() == theta_.size(), "BestSnapshot: offered ", theta.size(), " parameters, sized for ",
           theta_.size());
    if (std::isnan(score) || (has_ && !(score > score_))) return false;
    theta_ = theta;  // same size: Eigen copies in place
    score_ = score;
    step_ = step;
    has_ = true;
    return true;
  }

  bool has_best() const { return has_; }
  double score() const { return score_; }
  std::int64_t step() const { return step_; }
  const VectorX<S>& params() const { return theta_; }

private:
  VectorX<S> theta_;
  double score_ = 0;
  std::int64_t step_ = -1;
  bool has_ = false;
};

}  // namespace ebm
