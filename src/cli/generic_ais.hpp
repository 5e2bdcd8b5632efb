#pragma once
// The generic AIS of `ebm eval` (ais_binary.hpp) for any energy over binary x, with the binary kernel of
// --kernel: the MLP energy (eval_mlp.cpp) and an RBM's free energy (when --kernel is not block Gibbs). DMALA's
// step size is adapted at β = 1 first and then frozen for every temperature; the result's fields go to `out`.
#include <algorithm>

#include "cli/eval_args.hpp"
#include "cli/kernel_choice.hpp"
#include "cli/mlp_file.hpp"
#include "cli/progress.hpp"
#include "ebm/estimate/ais_binary.hpp"
#include "ebm/models/tempered_binary_energy.hpp"

namespace ebm::cli {

template <class M>
LogZEstimate generic_ais(const EvalArgs& a, const M& model, const VectorX<float>& base, nlohmann::json& out) {
  using Tempered = TemperedBinaryEnergy<M>;
  BinaryAisOptions opt;
  opt.chains = a.runs;
  opt.num_betas = a.betas;
  opt.steps_per_beta = a.steps;
  opt.seed = a.seed;
  const KernelChoice kc = parse_kernel(a.kernel);
  const BinaryAisResult r = with_binary_kernel<Tempered>(kc, a.step_size, [&](auto kernel) {
    const Tempered at_one(model, base, 1.0);
    const double eps = adapt_step_size(kernel, at_one, base_draws(base, std::min<Index>(a.runs, 100), a.seed),
                                       a.warmup, a.target_acceptance, a.seed);
    if (eps > 0) out["ais_step_size"] = eps;
    BinaryAisRuns<M, decltype(kernel)> runs(model, base, opt, std::move(kernel));
    run_ais_with_bar(runs, model);
    return runs.result();
  });
  const LogZEstimate z = report_ais(r, out);
  out["ais_kernel"] = a.kernel;
  out["ais_steps_per_beta"] = r.steps_per_beta;
  out["ais_acceptance_rate"] = r.mean_acceptance;
  return z;
}

}  // namespace ebm::cli
