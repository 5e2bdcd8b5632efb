#pragma once
// The options of a training run, shared by Trainer and ObjectiveTrainer: minibatches, epochs, schedules, seed.
// A few fields are shorthands kept for the command line and older code:
//   centering, centering_rate, weight_decay  the Trainer's constructor turns them into the gradient transforms
//                                            Centering and WeightDecay (in that order) at the head of its list
//                                            (gradient_transform.hpp); add transforms yourself for anything else
//   optimizer, adam                          read by SelectedOptimizer, the default optimizer type; a trainer
//                                            given its optimizer by type (Trainer<Policy, Adam<float>>) uses
//                                            only `adam` (Adam's β₁, β₂, ε), and only when it constructs an Adam
#include <cmath>
#include <cstdint>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/train/adam.hpp"
#include "ebm/train/schedule.hpp"

namespace ebm {

// Sgd follows the momentum schedule; Adam ignores it (β₁ is its momentum).
enum class Optimizer { sgd, adam };

struct TrainOptions {
  Index batch_size = 100;
  int epochs = 10;
  double learning_rate = 0.01;
  LearningRateSchedule schedule{};
  MomentumSchedule momentum{};
  double weight_decay = 0.0;
  // Centering (Melchior et al. 2016): visible offset = mean of the epoch's data, hidden offset = running
  // mean of E[h|v] on minibatches with this rate. Needs a model with center_gradient() (centering.hpp).
  bool centering = false;
  double centering_rate = 0.01;
  std::uint64_t seed = 1;
  Optimizer optimizer = Optimizer::sgd;
  AdamOptions adam{};

  void validate() const {
    ensure(batch_size > 0, "batch_size = ", batch_size, " must be positive");
    ensure(epochs > 0, "epochs = ", epochs, " must be positive");
    ensure(learning_rate > 0 && std::isfinite(learning_rate), "learning_rate = ", learning_rate,
           " must be positive and finite");
    ensure(weight_decay >= 0 && std::isfinite(weight_decay), "weight_decay = ", weight_decay,
           " must be non-negative and finite");
    ensure(centering_rate > 0 && centering_rate <= 1, "centering_rate = ", centering_rate, " must lie in (0, 1]");
    schedule.validate();
    momentum.validate();
    adam.validate();
  }
};

}  // namespace ebm
