// `ebm eval`: log Z by AIS (or exact enumeration for small models) and the mean log-likelihood of a data
// set, in nats per example.
#include <tbb/global_control.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/data_source.hpp"
#include "cli/progress.hpp"
#include "cli/rbm_file.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/estimate/ais.hpp"
#include "ebm/estimate/exact.hpp"

namespace ebm::cli {
namespace {
struct EvalArgs {
  std::string model, data = "mnist:test", data_dir = "data/mnist", binarize;
  Index runs = ais_default_runs, betas = ais_default_num_betas, limit = -1;
  std::uint64_t seed = 1;
  int threads = 0;
  bool exact = false, json = false;
};
}  // namespace

void add_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* c = app.add_subcommand("eval", "log Z (AIS or exact) and mean log-likelihood of a data set");
  c->add_option("--model", a->model, "model file")->required();
  c->add_option("--data", a->data, "mnist:test | mnist:train | FILE.npy")->capture_default_str();
  c->add_option("--data-dir", a->data_dir, "folder with the MNIST IDX files")->capture_default_str();
  c->add_option("--binarize", a->binarize, "stochastic | threshold (default: the model's training mode)");
  c->add_option("--ais-runs", a->runs, "AIS runs")->capture_default_str();
  c->add_option("--ais-betas", a->betas, "AIS inverse temperatures (Salakhutdinov & Murray's schedule shape)")
      ->capture_default_str();
  c->add_flag("--exact", a->exact, "exact log Z by enumerating the smaller layer (at most 30 units)");
  c->add_option("--limit", a->limit, "evaluate only the first N examples");
  c->add_option("--seed", a->seed, "AIS seed")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores); results do not depend on it");
  c->add_flag("--json", a->json, "print one JSON object");
  c->callback([a] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    const ModelFile file = load_model_file(a->model);
    const BernoulliRBMf rbm = rbm_of(file);
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
    ensure(d.intensities.cols() == rbm.num_visible(), "--data ", a->data, ": ", d.intensities.cols(),
           " values per example, the model has ", rbm.num_visible(), " visible units");
    // Evaluation data: one fixed binarization (documented seed), identical in every run of ebm.
    Matrixf v(d.intensities.rows(), d.intensities.cols());
    binarize(d.intensities, mode, test_binarization_seed, test_binarization_round, v);

    nlohmann::json out = {{"model", a->model}, {"data", a->data}, {"binarize", a->binarize}, {"n", v.rows()}};
    double log_z = 0, lo = 0, hi = 0;
    if (a->exact) {
      log_z = exact_log_z(rbm);
      lo = hi = log_z;
      out["method"] = "exact";
      out["log_z_stderr"] = 0.0;
    } else {
      Vectorf base;
      if (meta.contains("data_marginals")) {
        const std::vector<float> m = meta["data_marginals"].get<std::vector<float>>();
        ensure(Index(m.size()) == rbm.num_visible(), "model file ", a->model, ": data_marginals has ", m.size(),
               " entries for ", rbm.num_visible(), " visible units");
        base = base_rate_bias(Eigen::Map<const Matrixf>(m.data(), 1, Index(m.size())));
      } else {
        base = base_rate_bias(v);  // no training marginals stored (e.g. an imported model)
      }
      AisOptions opt;
      opt.runs = a->runs;
      opt.num_betas = a->betas;
      opt.seed = a->seed;
      AisRuns<float> runs(rbm, base, opt);
      ProgressBar bar;
      bar.start("AIS", long(runs.num_betas()));
      while (!runs.done()) {
        runs.advance(rbm, 250);
        bar.update(long(runs.next_beta()));
      }
      bar.finish();
      const AisResult r = runs.result();
      // Degenerate weights are AIS's failure mode: log Z is then most likely underestimated (the mean of
      // a heavy-tailed weight distribution is dominated by runs that were not drawn), so the
      // log-likelihood is too high, and the delta-method standard error does not show it.
      if (r.effective_sample_size < 0.1 * double(r.runs))
        std::fprintf(stderr,
                     "ebm eval: warning: AIS importance weights are degenerate (effective sample size %.1f of %ld "
                     "runs); log Z is probably underestimated. Use more --ais-betas and --ais-runs.\n",
                     r.effective_sample_size, long(r.runs));
      log_z = r.log_z;
      lo = r.log_z_lower;
      hi = r.log_z_upper;
      out["method"] = "ais";
      out["log_z_stderr"] = r.log_z_stderr;
      out["ais_runs"] = r.runs;
      out["ais_betas"] = r.num_betas;
      out["ais_effective_sample_size"] = r.effective_sample_size;
      out["log_z_base"] = r.log_z_base;
    }
    const double ll = mean_log_likelihood(rbm, v, log_z);
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
      if (!a->exact)
        std::printf(" +- %.4f (AIS, %ld runs x %ld betas; 3-sigma interval [%.4f, %.4f])", out["log_z_stderr"].get<double>(),
                    long(out["ais_runs"].get<Index>()), long(out["ais_betas"].get<Index>()), lo, hi);
      else
        std::printf(" (exact)");
      std::printf("\nmean log-likelihood of %s (%ld examples, binarize %s): %.4f nats\n", a->data.c_str(),
                  long(v.rows()), a->binarize.c_str(), ll);
    }
  });
}

}  // namespace ebm::cli
