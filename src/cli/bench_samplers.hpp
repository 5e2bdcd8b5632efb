#pragma once
// The samplers of `ebm bench`: a spelling on the command line (gwg:4, hb:3:1, pt:gwg:4, …) → a running batch of
// chains on a target, behind one small interface, so the benchmark loop is the same for every kernel. The
// registry of spellings is in bench_registry.hpp.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cli/bench_targets.hpp"
#include "ebm/core/types.hpp"

namespace ebm::cli {

// One sampler's chains on one target. step() moves every chain once; what "once" is (one site, one sweep, one
// Metropolis step) is the kernel's, and its cost is evaluations_per_step.
class SamplerRun {
public:
  virtual ~SamplerRun() = default;
  // Chains start at the rows of x0 (chains × d, every entry a label 0 … labels − 1 as a number: 0/1 on the
  // binary targets, below q on potts).
  virtual void start(const Matrixf& x0) = 0;
  // One step of every chain; returns the step's mean acceptance probability. While warming up (until
  // end_warm_up), a kernel with a step size adapts it (dual averaging towards acceptance 0.574).
  virtual double step() = 0;
  virtual void end_warm_up() {}
  // The chains' states (chains × d, labels as numbers): v for block Gibbs on (v, h), the β = 1 replica for
  // parallel tempering.
  virtual const Matrixf& states() const = 0;
  // The target's energy at every chain's state.
  virtual void energies(Eigen::VectorXd& out) = 0;
  // The current step size (NaN for kernels without one) and the swap rates (parallel tempering).
  virtual double step_size() const { return std::numeric_limits<double>::quiet_NaN(); }
  virtual std::vector<double> swap_rates() const { return {}; }

  std::string spec;                  // as given
  std::string description;           // the registry's line
  double evaluations_per_step = 1;   // energy (or energy-and-gradient) evaluations per chain and step
};

// The sampler `spec` on `target`: chains seeded from (seed, chain index). An ebm::Error listing the valid
// spellings for an unknown name, and naming the target for a sampler that does not apply to it.
std::unique_ptr<SamplerRun> make_sampler(const std::string& spec, const BenchTarget& target, Index chains,
                                         std::uint64_t seed);

// The sampler names, one line (for errors).
std::string sampler_usage();
// Every sampler spelling with its meaning, one per line (for --help).
std::string sampler_help();

}  // namespace ebm::cli
