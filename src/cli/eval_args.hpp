#pragma once
// The options of `ebm eval`, and its generic half (eval_mlp.cpp): the RBM is evaluated by its own AIS with block
// Gibbs (cmd_eval.cpp), an MLP energy, or an RBM with another --kernel, by the generic AIS with a binary kernel.
#include <nlohmann/json.hpp>
#include <string>

#include "cli/eval_report.hpp"
#include "ebm/estimate/ais.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm::cli {

struct EvalArgs {
  std::string model, data = "mnist:test", data_dir = "data/mnist", binarize, kernel;
  Index runs = ais_default_runs, betas = ais_default_num_betas, limit = -1, steps = 1, warmup = 300;
  double step_size = 0.2, target_acceptance = 0.574;
  std::uint64_t seed = 1;
  int threads = 0;
  bool exact = false, json = false;
};

// log Z of the MLP energy in `file` (exact or AIS), its fields added to `out`; ll: the mean log-likelihood of
// the binary rows v.
LogZEstimate eval_mlp(const EvalArgs& a, const ModelFile& file, const nlohmann::json& meta, const Matrixf& v,
                      nlohmann::json& out, double& ll);
// log Z of an RBM by the generic AIS over its free energy F(v) with the binary kernel of --kernel, from the
// factorized Bernoulli with logits base_logits (those of the RBM's own AIS).
LogZEstimate eval_rbm_free_energy(const EvalArgs& a, const BernoulliRBMf& rbm, const Vectorf& base_logits,
                                  const Matrixf& v, nlohmann::json& out, double& ll);

}  // namespace ebm::cli
