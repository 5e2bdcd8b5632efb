// `ebm eval` of an energy over binary x by the generic AIS (generic_ais.hpp): an MLP energy (or exact enumeration,
// d ≤ 30) from the factorized Bernoulli base, with any binary kernel as the transition (GWG by default, as
// Grathwohl et al. 2021 do); an RBM's free energy with a binary kernel other than block Gibbs, so that the generic
// AIS can be checked against the RBM's own on the same model.
#include "cli/eval_args.hpp"
#include "cli/generic_ais.hpp"
#include "cli/mlp_file.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/models/rbm_free_energy.hpp"

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
    z = generic_ais(a, model, base_logits_for(model, meta, v), out);
  }
  ll = energy_mean_log_likelihood(model, v, z.log_z);
  return z;
}

LogZEstimate eval_rbm_free_energy(const EvalArgs& a, const BernoulliRBMf& rbm, const Vectorf& base_logits,
                                  const Matrixf& v, nlohmann::json& out, double& ll) {
  const RbmFreeEnergy<float> model(rbm);
  const LogZEstimate z = generic_ais(a, model, base_logits, out);
  ll = energy_mean_log_likelihood(model, v, z.log_z);
  return z;
}

}  // namespace ebm::cli
