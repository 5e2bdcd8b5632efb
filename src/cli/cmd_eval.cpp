// `ebm eval`: log Z by AIS (or exact enumeration for small models) and the mean log-likelihood of a data
// set, in nats per example. An RBM file is evaluated by the RBM's AIS with block Gibbs (or, with another
// --kernel, by the generic AIS over its free energy), an MLP energy by the generic AIS with the binary kernel of
// --kernel (eval_mlp.cpp); the report is the same.
#include <tbb/global_control.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/data_source.hpp"
#include "cli/eval_args.hpp"
#include "cli/kernel_choice.hpp"
#include "cli/progress.hpp"
#include "cli/rbm_file.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/estimate/ais.hpp"
#include "ebm/estimate/exact.hpp"

namespace ebm::cli {
namespace {

// The RBM: exact log Z by enumerating the smaller layer, or Salakhutdinov & Murray's AIS with block Gibbs from
// the base-rate model of the training marginals.
LogZEstimate eval_rbm(const EvalArgs& a, const ModelFile& file, const nlohmann::json& meta, const Matrixf& v,
                      nlohmann::json& out, double& ll) {
  const BernoulliRBMf rbm = rbm_of(file);
  ensure(v.cols() == rbm.num_visible(), "--data ", a.data, ": ", v.cols(), " values per example, the model has ",
         rbm.num_visible(), " visible units");
  LogZEstimate z;
  if (a.exact) {
    z.log_z = z.lower = z.upper = exact_log_z(rbm);
    out["method"] = "exact";
    out["log_z_stderr"] = 0.0;
  } else {
    Vectorf base;  // the base-rate model's visible biases: logits of the training marginals
    if (meta.contains("data_marginals")) {
      const std::vector<float> m = meta["data_marginals"].get<std::vector<float>>();
      ensure(Index(m.size()) == rbm.num_visible(), "model file ", a.model, ": data_marginals has ", m.size(),
             " entries for ", rbm.num_visible(), " visible units");
      base = base_rate_bias(Eigen::Map<const Matrixf>(m.data(), 1, Index(m.size())));
    } else {
      base = base_rate_bias(v);  // no training marginals stored (e.g. an imported model)
    }
    if (parse_kernel(a.kernel).kind != KernelChoice::Kind::block_gibbs) {
      // Another kernel: the generic AIS over F(v) from the same base, to check one AIS against the other.
      return eval_rbm_free_energy(a, rbm, base, v, out, ll);
    }
    AisOptions opt;
    opt.runs = a.runs;
    opt.num_betas = a.betas;
    opt.seed = a.seed;
    AisRuns<float> runs(rbm, base, opt);
    run_ais_with_bar(runs, rbm);
    z = report_ais(runs.result(), out);
  }
  ll = mean_log_likelihood(rbm, v, z.log_z);
  return z;
}

}  // namespace

void add_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* c = app.add_subcommand("eval", "log Z (AIS or exact) and mean log-likelihood of a data set");
  c->add_option("--model", a->model, "model file (an RBM or an MLP energy)")->required();
  c->add_option("--data", a->data, "mnist:test | mnist:train | FILE.npy")->capture_default_str();
  c->add_option("--data-dir", a->data_dir, "folder with the MNIST IDX files")->capture_default_str();
  c->add_option("--binarize", a->binarize, "stochastic | threshold (default: the model's training mode)");
  c->add_option("--ais-runs", a->runs, "AIS runs")->capture_default_str();
  c->add_option("--ais-betas", a->betas, "AIS inverse temperatures (Salakhutdinov & Murray's schedule shape)")
      ->capture_default_str();
  c->add_option("--kernel", a->kernel,
                "AIS transition: gibbs (rbm, the default) | gwg (mlp default) | gwg:K | dula | dmala | site-gibbs | "
                "systematic-gibbs | metropolis | hb[:K[:M]] | pas[:R]");
  c->add_option("--ais-steps", a->steps, "mlp: kernel steps per inverse temperature")->capture_default_str();
  c->add_option("--step-size", a->step_size, "mlp, dula/dmala: step size (dmala: initial, adapted at beta = 1)")
      ->capture_default_str();
  c->add_option("--warmup", a->warmup, "mlp, dmala: steps adapting the step size at beta = 1 (0: none)")
      ->capture_default_str();
  c->add_option("--target-acceptance", a->target_acceptance, "mlp, dmala: the acceptance the warm-up aims at")
      ->capture_default_str();
  c->add_flag("--exact", a->exact, "exact log Z by enumeration (rbm: smaller layer <= 30 units; mlp: d <= 30)");
  c->add_option("--limit", a->limit, "evaluate only the first N examples");
  c->add_option("--seed", a->seed, "AIS seed")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores); results do not depend on it");
  c->add_flag("--json", a->json, "print one JSON object");
  c->callback([a, c] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    const ModelFile file = load_model_file(a->model, "");
    const bool mlp = file.kind == "mlp_energy";
    ensure(mlp || file.kind == "bernoulli_rbm", "model file ", a->model, ": ebm eval takes bernoulli_rbm and ",
           "mlp_energy files, not ", file.kind);
    if (a->kernel.empty()) a->kernel = mlp ? "gwg" : "gibbs";
    const KernelChoice kc = parse_kernel(a->kernel);
    ensure(!mlp || kc.kind != KernelChoice::Kind::block_gibbs, "--kernel ", a->kernel,
           " with an MLP energy: block Gibbs needs an RBM; use ", binary_kernel_names);
    // An RBM with another kernel than block Gibbs is evaluated by the generic AIS over its free energy.
    const bool generic = mlp || kc.kind != KernelChoice::Kind::block_gibbs;
    for (const char* o : {"--ais-steps", "--step-size", "--warmup", "--target-acceptance"})
      ensure(generic || c->count(o) == 0, o,
             " is an option of the generic AIS (an MLP energy, or an RBM with --kernel other than gibbs), not of the "
             "RBM's block-Gibbs AIS");
    ensure(a->steps >= 1, "--ais-steps = ", a->steps, " must be at least 1");
    const nlohmann::json meta = metadata_of(file, a->model);
    if (a->binarize.empty()) {
      a->binarize = "stochastic";
      if (meta.contains("training")) {
        const json_fields::Fields training(meta["training"], "model file '" + a->model + "'", "training.");
        if (training.has("binarize")) a->binarize = training.string("binarize");
      }
    }
    const Binarize mode = parse_binarize(a->binarize);
    const DataSpec d = load_data(a->data, a->data_dir, a->limit);
    // Evaluation data: one fixed binarization (documented seed), identical in every run of ebm.
    Matrixf v(d.intensities.rows(), d.intensities.cols());
    binarize(d.intensities, mode, test_binarization_seed, test_binarization_round, v);

    nlohmann::json out = {{"model", a->model}, {"data", a->data}, {"binarize", a->binarize}, {"n", v.rows()}};
    double ll = 0;
    const LogZEstimate z = mlp ? eval_mlp(*a, file, meta, v, out, ll) : eval_rbm(*a, file, meta, v, out, ll);
    const double log_z = z.log_z, lo = z.lower, hi = z.upper;
    out["log_z"] = log_z;
    out["log_z_lower_3sigma"] = std::isfinite(lo) ? nlohmann::json(lo) : nlohmann::json(nullptr);
    out["log_z_upper_3sigma"] = hi;
    out["mean_log_likelihood"] = ll;
    // log p = −F − log Z: a ±3σ band of log Z is a ∓3σ band of the log-likelihood.
    out["mean_log_likelihood_lower_3sigma"] = ll - (hi - log_z);
    out["mean_log_likelihood_upper_3sigma"] = std::isfinite(lo) ? nlohmann::json(ll + (log_z - lo)) : nlohmann::json(nullptr);
    if (a->json) {
      std::printf("%s\n", out.dump().c_str());
    } else {
      std::printf("log Z = %.4f", log_z);
      if (!a->exact) {
        std::printf(" +- %.4f (AIS, %ld runs x %ld betas; 3-sigma interval [%.4f, %.4f])", out["log_z_stderr"].get<double>(),
                    long(out["ais_runs"].get<Index>()), long(out["ais_betas"].get<Index>()), lo, hi);
        if (generic)
          std::printf("\nAIS kernel %s, %ld steps per beta, acceptance rate %.3f, weight ESS %.1f", a->kernel.c_str(),
                      long(a->steps), out["ais_acceptance_rate"].get<double>(),
                      out["ais_effective_sample_size"].get<double>());
      } else {
        std::printf(" (exact)");
      }
      std::printf("\nmean log-likelihood of %s (%ld examples, binarize %s): %.4f nats\n", a->data.c_str(),
                  long(v.rows()), a->binarize.c_str(), ll);
    }
  });
}

}  // namespace ebm::cli
