#pragma once
// What a transition did, over all chains of one step. Gibbs always moves (acceptance 1); Metropolis kernels
// derive their own info from this one (LangevinStepInfo, BinaryStepInfo), so every kernel's step() returns
// something a chain policy and step-size adaptation can read the same way.
namespace ebm {

struct StepInfo {
  double acceptance_rate = 1.0;  // mean over the chains of their acceptance probabilities in this step
};

}  // namespace ebm
