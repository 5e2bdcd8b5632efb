#pragma once
// The options of `ebm sample` and what a sampling run reports besides the samples, shared by the RBM's block
// Gibbs / PT path (cmd_sample.cpp) and an MLP energy's binary kernels (sample_mlp.cpp).
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ebm/core/types.hpp"
#include "ebm/diagnostics/chain_summary.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm::cli {

struct SampleArgs {
  std::string model, out = "samples.npy", png, init = "random", data_dir = "data/mnist", sampler = "gibbs", kernel;
  // MLP energies: DMALA's step size is adapted towards target_acceptance for `warmup` steps before burn-in.
  double step_size = 0.2, target_acceptance = 0.574;
  Index warmup = 300;
  Index chains = 100, steps = 1000, burn_in = 0;
  std::uint64_t seed = 1;
  int threads = 0;
  // --sampler pt: K inverse temperatures evenly spaced from 1 down to beta_min (as in `ebm train`).
  int temperatures = 10;
  double beta_min = 0.0;
  bool means = true, json = false, diagnostics = true;
};

// What a sampling run reports besides the samples.
struct SampleReport {
  std::string sampler = "gibbs", kernel;
  Index chains = 0, steps = 0, burn_in = 0;
  double acceptance_rate = 1.0;  // block Gibbs always moves
  // Acceptance rate of swaps between neighbouring temperatures, one per pair, for a parallel-tempering
  // sampler; empty (and left out of the output) for block Gibbs.
  std::vector<double> swap_rates;
  std::int64_t round_trips = 0;  // states that went from β = 1 to the lowest β and back (PT only)
  // One summary per traced scalar, over chains × sweeps after burn-in; empty when there are too few sweeps
  // or tracing was switched off.
  bool traced = true;
  std::vector<std::pair<std::string, ChainSummary>> diagnostics;
};

// Fewer sweeps than this leave split chains too short for the ESS (4 draws per half).
constexpr Index min_diagnostic_sweeps = 8;

// Burn-in sweeps, after_burn_in(), then the traced sweeps: record(t) after sweep t (when tracing is on).
template <class Sweep, class Record, class AfterBurnIn>
void run_sweeps(const SampleArgs& a, Sweep&& sweep, Record&& record, AfterBurnIn&& after_burn_in) {
  for (Index t = 0; t < a.burn_in; ++t) sweep();
  after_burn_in();
  for (Index t = 0; t < a.steps; ++t) {
    sweep();
    if (a.diagnostics) record(t);
  }
}

// Samples of the MLP energy in `file` from start states x0 with the binary kernel of a.kernel (block Gibbs is
// refused), or parallel tempering around it; fills the report and returns the final states.
Matrixf sample_mlp(const SampleArgs& a, const ModelFile& file, const Matrixf& x0, SampleReport& report);
// An RBM sampled by a binary kernel on its free energy (or PT with it), as sample_mlp does an MLP energy.
Matrixf sample_rbm_binary(const SampleArgs& a, const BernoulliRBMf& rbm, const nlohmann::json& meta, const Matrixf& x0,
                          SampleReport& report);

}  // namespace ebm::cli
