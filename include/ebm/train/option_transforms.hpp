#pragma once
// The gradient transforms that TrainOptions' shorthand fields stand for, in the order the trainer used to
// apply them: Centering (centering = true) on the plain gradient, then WeightDecay (weight_decay > 0). The
// trainers' constructors call this first, so transforms added later run after these two.
#include "ebm/core/error.hpp"
#include "ebm/train/centering.hpp"
#include "ebm/train/gradient_transform.hpp"
#include "ebm/train/train_options.hpp"
#include "ebm/train/weight_decay.hpp"

namespace ebm {

template <class Ctx>
void add_option_transforms(TransformList<Ctx>& list, const TrainOptions& o) {
  if (o.centering) {
    if constexpr (CenterableContext<Ctx>)
      list.add(Centering<typename Ctx::Scalar>(o.centering_rate));
    else
      fail("centering: this model type has no center_gradient()");
  }
  if (o.weight_decay > 0) list.add(WeightDecay(o.weight_decay));
}

}  // namespace ebm
