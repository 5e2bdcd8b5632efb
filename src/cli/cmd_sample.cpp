// `ebm sample`: draw samples from a trained RBM by block Gibbs on many chains, or by parallel tempering
// (--sampler pt: each chain is the β = 1 replica of a ladder of --temperatures replicas), and report how well the
// chains mixed: ESS, R-hat and IAT (include/ebm/diagnostics/) of scalar traces recorded every sweep after
// burn-in, and for PT the swap rate of each neighbour pair and the round trips over the sampling sweeps.
#include <tbb/global_control.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "cli/data_source.hpp"
#include "cli/rbm_file.hpp"
#include "cli/sample_args.hpp"
#include "cli/kernel_choice.hpp"
#include "cli/mlp_file.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/diagnostics/chain_summary.hpp"
#include "ebm/ebm.hpp"
#include "ebm/io/npy.hpp"
#include "ebm/io/png.hpp"

namespace ebm::cli {
namespace {
// Scalar traces, one row per sweep after burn-in and one column per chain (chains × steps doubles): the free
// energy F(v), whose level shows whether a chain is still moving between modes, and the mean activity of the
// visible units.
struct Traces {
  Eigen::MatrixXd free_energy, visible_mean;
  BlockPlan plan;
  std::vector<BernoulliRBMf::Workspace> ws;
  Matrixf pre;  // c + vW of every chain

  Traces(const BernoulliRBMf& rbm, Index steps, Index chains)
      : free_energy(steps, chains), visible_mean(steps, chains), plan(chains, default_block_rows),
        pre(chains, rbm.num_hidden()) {
    for (Index b = 0; b < plan.count(); ++b) ws.push_back(rbm.make_workspace(plan.size(b)));
  }

  // F(v) = −bᵀv − Σ_j softplus(c_j + (vW)_j), softplus(a) = max(a, 0) + log1p(exp(−|a|)) on whole rows (Eigen
  // vectorizes exp and log1p), after the model's own product kernel: BernoulliRBM::free_energy computes the
  // same thing one softplus at a time, which made recording it cost as much as the Gibbs sweep.
  void record(const BernoulliRBMf& rbm, const GibbsChains<float>& s, Index t) {
    for_each_block(plan, [&](Index b, Index r0, Index n) {
      rbm.hidden_preactivation(s.v.middleRows(r0, n), pre.middleRows(r0, n), ws[static_cast<std::size_t>(b)]);
      for (Index r = r0; r < r0 + n; ++r) {
        const auto a = pre.row(r).array();
        const float softplus = (a.max(0.0f) + (-a.abs()).exp().log1p()).sum();
        free_energy(t, r) = double(-s.v.row(r).dot(rbm.b().transpose()) - softplus);
      }
    });
    visible_mean.row(t) = s.v.rowwise().mean().cast<double>().transpose();
  }
};

// Block Gibbs or PT over an RBM from x0; the samples are the visible states, the picture E[v | h] of the last
// sweep (the usual noise-free picture of a binary sample).
void sample_rbm(const SampleArgs& a, const BernoulliRBMf& rbm, const Matrixf& x0, SampleReport& report,
                Matrixf& samples, Matrixf& picture) {
  Traces traces(rbm, a.diagnostics ? a.steps : 0, a.chains);
  auto record = [&](const GibbsChains<float>& s, Index t) { traces.record(rbm, s, t); };
  using Gibbs = BlockGibbs<BernoulliRBMf>;
  GibbsChains<float> s;
  if (a.sampler == "gibbs") {
    Gibbs gibbs;
    std::vector<Rng> rng = make_chain_streams(a.seed, a.chains);
    gibbs.init(rbm, s, x0, rng);
    run_sweeps(a, [&] { gibbs.step(rbm, s, rng); }, [&](Index t) { record(s, t); }, [] {});
  } else {
    // One round (a sweep of every replica, then swaps) per step; with K = 1 that is block Gibbs bit for bit.
    // sweep + swap rather than advance(): the model is fixed, so the tempered copies made by start() stay
    // valid (advance would re-temper K − 1 copies every step), and ph, which advance refreshes, is not used.
    ParallelTempering<Gibbs> pt(Gibbs{}, a.chains, linear_ladder(a.temperatures, a.beta_min), 1, a.seed);
    pt.start(rbm, x0);
    run_sweeps(
        a,
        [&] {
          pt.sweep(rbm);
          pt.swap(rbm);
        },
        [&](Index t) { record(pt.state(), t); },
        [&] { pt.reset_swap_stats(); });  // rates over the sampling sweeps only
    report.swap_rates = pt.swap_rates();
    report.round_trips = pt.swap_stats().round_trips;
    s = pt.state();
  }
  if (a.diagnostics && a.steps >= min_diagnostic_sweeps) {
    report.diagnostics.emplace_back("free_energy", summarize(traces.free_energy));
    report.diagnostics.emplace_back("visible_mean", summarize(traces.visible_mean));
  }
  picture.resize(s.size(), rbm.num_visible());
  auto ws = rbm.make_workspace(s.size());
  rbm.visible_mean(s.h, picture, ws);
  samples = s.v;
}

void print_report(const SampleReport& r) {
  if (!r.kernel.empty() && r.sampler == "pt") std::printf("kernel %s in every replica\n", r.kernel.c_str());
  std::printf("sampler %s: %ld chains, %ld sweeps after %ld burn-in, acceptance rate %.3f\n", r.sampler.c_str(),
              long(r.chains), long(r.steps), long(r.burn_in), r.acceptance_rate);
  if (!r.swap_rates.empty()) {
    std::printf("swap rates:");
    for (double x : r.swap_rates) std::printf(" %.3f", x);
    std::printf("  (β pairs 0-1 … %zu-%zu), round trips %lld\n", r.swap_rates.size() - 1, r.swap_rates.size(),
                static_cast<long long>(r.round_trips));
  }
  if (r.diagnostics.empty()) {
    if (r.traced) std::printf("diagnostics: need at least %ld sweeps after burn-in\n", long(min_diagnostic_sweeps));
    return;
  }
  std::printf("%-13s %12s %11s %11s %9s %9s %7s %7s\n", "trace", "mean", "sd", "mcse", "ess_bulk", "ess_tail", "rhat",
              "iat");
  bool mixed = true;
  for (const auto& [name, s] : r.diagnostics) {
    std::printf("%-13s %12.6g %11.4g %11.4g %9.1f %9.1f %7.3f %7.2f\n", name.c_str(), s.mean, s.sd, s.mcse, s.ess_bulk,
                s.ess_tail, s.rhat, s.iat);
    mixed = mixed && s.rhat <= 1.01;
  }
  if (!mixed) std::printf("R-hat above 1.01: the chains have not mixed; run more burn-in or sweeps\n");
}

nlohmann::json json_of(const SampleReport& r) {
  nlohmann::json j = {{"sampler", r.sampler}, {"chains", r.chains}, {"steps", r.steps}, {"burn_in", r.burn_in},
                      {"acceptance_rate", r.acceptance_rate}};
  if (!r.kernel.empty()) j["kernel"] = r.kernel;
  if (r.sampler == "pt") {
    j["swap_rates"] = r.swap_rates;
    j["round_trips"] = r.round_trips;
  }
  nlohmann::json d = nlohmann::json::object();
  for (const auto& [name, s] : r.diagnostics) d[name] = s;
  j["diagnostics"] = r.diagnostics.empty() ? nlohmann::json(nullptr) : d;
  return j;
}
}  // namespace

void add_sample(CLI::App& app) {
  auto a = std::make_shared<SampleArgs>();
  CLI::App* c = app.add_subcommand("sample", "draw samples from a model with block Gibbs or parallel tempering");
  c->add_option("--model", a->model, "model file")->required();
  c->add_option("--sampler", a->sampler, "gibbs | pt (parallel tempering)")->capture_default_str();
  c->add_option("--chains", a->chains, "independent chains (pt: ladders, the samples are their β = 1 replicas)")
      ->capture_default_str();
  auto* temps = c->add_option("--temperatures", a->temperatures, "pt: inverse temperatures per ladder, 1 down to --beta-min")
                    ->capture_default_str();
  auto* bmin = c->add_option("--beta-min", a->beta_min, "pt: lowest inverse temperature (linear spacing; 0 = uniform)")
                   ->capture_default_str();
  c->add_option("--steps", a->steps, "Gibbs sweeps after burn-in")->capture_default_str();
  c->add_option("--burn-in", a->burn_in, "sweeps discarded first")->capture_default_str();
  c->add_option("--init", a->init, "random | data (MNIST test images)")->capture_default_str();
  c->add_option("--data-dir", a->data_dir, "folder with the MNIST IDX files (for --init data)");
  c->add_option("--seed", a->seed, "random seed")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores)");
  c->add_option("--out", a->out, "samples as .npy (chains x visible, float32)")->capture_default_str();
  c->add_option("--png", a->png, "also write the samples as a picture grid (28x28 tiles)");
  c->add_flag("--json", a->json, "print one JSON object (run facts and diagnostics)");
  // Tracing costs one more v·W product per sweep (F(v) needs c + vW for the new v) plus the summaries.
  c->add_flag("!--no-diagnostics", a->diagnostics, "do not trace F(v) and the visible mean for ESS / R-hat");
  c->add_option("--kernel", a->kernel,
                "gibbs (rbm, the default) | gwg (mlp default) | gwg:K | dula | dmala | site-gibbs | systematic-gibbs | "
                "metropolis | hb[:K[:M]] | pas[:R]");
  c->add_option("--step-size", a->step_size, "dula, dmala: step size (dmala: initial, adapted during --warmup)")
      ->capture_default_str();
  c->add_option("--warmup", a->warmup, "dmala: steps adapting the step size before burn-in (0: none)")
      ->capture_default_str();
  c->add_option("--target-acceptance", a->target_acceptance, "dmala: the acceptance the warm-up aims at")
      ->capture_default_str();
  c->callback([a, c, temps, bmin] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    ensure(a->chains > 0, "--chains = ", a->chains, " must be positive");
    ensure(a->steps > 0, "--steps = ", a->steps, " must be positive");
    ensure(a->burn_in >= 0, "--burn-in = ", a->burn_in, " must be non-negative");
    ensure(a->init == "random" || a->init == "data", "--init '", a->init, "' is unknown; use random or data");
    ensure(a->sampler == "gibbs" || a->sampler == "pt", "--sampler '", a->sampler, "' is unknown; use gibbs or pt");
    // Rejected rather than ignored: a ladder given to block Gibbs is almost surely a forgotten --sampler pt.
    ensure(a->sampler == "pt" || (temps->count() == 0 && bmin->count() == 0),
           "--temperatures and --beta-min need --sampler pt");
    ensure(a->temperatures >= 1, "--temperatures = ", a->temperatures, " must be at least 1");
    ensure(a->beta_min >= 0 && a->beta_min < 1, "--beta-min = ", a->beta_min, " must lie in [0, 1)");
    const ModelFile file = load_model_file(a->model, "");
    const bool mlp = file.kind == "mlp_energy";
    ensure(mlp || file.kind == "bernoulli_rbm", "model file ", a->model, ": ebm sample takes bernoulli_rbm and ",
           "mlp_energy files, not ", file.kind);
    if (a->kernel.empty()) a->kernel = mlp ? "gwg" : "gibbs";
    const KernelChoice kc = parse_kernel(a->kernel);
    // An RBM takes block Gibbs or any binary kernel on its free energy; an MLP energy has no hidden layer.
    ensure(!mlp || kc.kind != KernelChoice::Kind::block_gibbs, "--kernel ", a->kernel,
           " with an MLP energy: block Gibbs needs an RBM; use ", binary_kernel_names);
    const bool binary = kc.kind != KernelChoice::Kind::block_gibbs;
    for (const char* o : {"--step-size", "--warmup", "--target-acceptance"})
      ensure(kc.langevin() || c->count(o) == 0, o, " is for --kernel dula or dmala, not ", a->kernel);
    const std::optional<BernoulliRBMf> rbm = mlp ? std::nullopt : std::optional(rbm_of(file));
    const std::optional<MlpModel> energy = mlp ? std::optional(mlp_of(file)) : std::nullopt;
    const Index d = mlp ? energy->dim() : rbm->num_visible();
    Matrixf x0(a->chains, d);
    if (a->init == "data") {
      const Matrixf t = load_data("mnist:test", a->data_dir, a->chains).intensities;
      ensure(t.cols() == d, "--init data: images have ", t.cols(), " pixels, the model ", d, " visible units");
      ensure(t.rows() == a->chains, "--init data: only ", t.rows(), " test images for ", a->chains, " chains");
      binarize(t, Binarize::threshold, 0, 0, x0);
    } else if (binary) {
      // A binary kernel's chains start from the base distribution (the model's base term or the training
      // marginals), where AIS starts.
      const nlohmann::json meta = metadata_of(file, a->model);
      const Matrixf half = Matrixf::Constant(1, d, 0.5f);
      x0 = base_draws(mlp ? base_logits_for(*energy, meta, half) : base_logits_for(d, meta, half), a->chains, a->seed);
    } else {
      Rng rng = make_stream(a->seed, StreamPurpose::init, 1);
      for (Index r = 0; r < x0.rows(); ++r)
        for (Index k = 0; k < x0.cols(); ++k) x0(r, k) = bernoulli(rng, 0.5f);
    }
    SampleReport report;
    report.sampler = a->sampler;
    report.chains = a->chains;
    report.steps = a->steps;
    report.burn_in = a->burn_in;
    report.traced = a->diagnostics;
    Matrixf samples, picture;
    if (mlp) {
      samples = picture = sample_mlp(*a, file, x0, report);
    } else if (binary) {
      samples = picture = sample_rbm_binary(*a, *rbm, metadata_of(file, a->model), x0, report);
    } else {
      sample_rbm(*a, *rbm, x0, report, samples, picture);
    }
    write_npy(a->out, samples.cast<double>(), NpyType::f32);
    if (!a->png.empty()) {
      const Index side = Index(std::lround(std::sqrt(double(d))));
      ensure(side * side == d, "--png: ", d, " visible units are not a square image");
      write_png_grid(a->png, picture, TileGrid{side, side, 10, 1, 2, false});
    }
    if (a->json) {
      nlohmann::json j = json_of(report);
      j["model"] = a->model;
      j["samples"] = a->out;
      if (!a->png.empty()) j["png"] = a->png;
      std::printf("%s\n", j.dump().c_str());
      return;
    }
    std::printf("wrote %ld samples after %ld sweeps to %s%s%s\n", long(a->chains), long(a->burn_in + a->steps),
                a->out.c_str(), a->png.empty() ? "" : " and ", a->png.c_str());
    print_report(report);
  });
}

}  // namespace ebm::cli
