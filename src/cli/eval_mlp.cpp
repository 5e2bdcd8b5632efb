// `ebm eval` of an MLP energy: log Z by exact enumeration (d ≤ 30) or by the generic AIS (ais_binary.hpp) from
// the factorized Bernoulli base, with any binary kernel as the transition (GWG by default, as Grathwohl et al.
// 2021 do); DMALA's step size is adapted at β = 1 first and then frozen for every temperature.
#include <algorithm>
#include <cstdio>

#include "cli/eval_args.hpp"
#include "cli/mlp_file.hpp"
#include "cli/progress.hpp"
#include "ebm/estimate/ais_binary.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/models/tempered_binary_energy.hpp"

namespace ebm::cli {

LogZEstimate eval_mlp(const EvalArgs& a, const ModelFile& file, const nlohmann::json& meta, const Matrixf& v,
                      nlohmann::json& out, double& ll) {
  const MlpModel model = mlp_of(file);
  ensure(v.cols() == model.dim(), "--data ", a.data, ": ", v.cols(), " values per example, the model has ",
         model.dim(), " inputs");
  LogZEstimate z;
  if (a.exact) {
    z.log_z = z.lower = z.upper = exact_log_z(model);
    out["method"] = "exact";
    out["log_z_stderr"] = 0.0;
  } else {
    using Tempered = TemperedBinaryEnergy<MlpModel>;
    const VectorX<float> base = base_logits_for(model, meta, v);
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
      BinaryAisRuns<MlpModel, decltype(kernel)> runs(model, base, opt, std::move(kernel));
      ProgressBar bar;
      bar.start("AIS", long(runs.num_betas()));
      while (!runs.done()) {
        runs.advance(model, 250);
        bar.update(long(runs.next_beta()));
      }
      bar.finish();
      return runs.result();
    });
    z = report_ais(r, out);
    out["ais_kernel"] = a.kernel;
    out["ais_steps_per_beta"] = r.steps_per_beta;
    out["ais_acceptance_rate"] = r.mean_acceptance;
  }
  ll = energy_mean_log_likelihood(model, v, z.log_z);
  return z;
}

}  // namespace ebm::cli
