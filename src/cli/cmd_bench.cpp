// `ebm bench`: samplers side by side on one target (issue 13). Every sampler runs the same chains (the same
// start states and chain seeds) for the same number of steps; the first half is warm-up (step-size adaptation
// for DMALA) and burn-in, the second half is measured. Reported per sampler:
//   ESS of two scalar traces, the DISCS statistic (Hamming distance of each chain to one fixed random reference
//   state) and the energy, by bulk-ESS over chains × second-half steps; ESS per wall second, per CPU second and
//   per evaluation over the second half (evaluations: bench_registry.hpp); the mean acceptance over the second
//   half, the step size, PT's swap rates; and, where the target has them, the RMSE of the running mean of all
//   states drawn against the exact mean, and MMD² (exp(−Hamming/d) kernel) between the chains' states and the
//   target's reference states, both also as series over log-spaced steps against time.
// States are rows of labels as numbers: 0/1 on the binary targets, 0 … q−1 on potts (start states and the
// reference state uniform over the labels; the Hamming distance counts sites whose label differs).
// Only the kernels' steps are timed (the traces and metrics are not). Every number but the times is the same
// for any --threads (the kernels are bit-identical for any number of threads).
//
// For peers outside ebm (benchmarks/compare_bench_ess runs a numpy implementation on the same chains):
// --trace-dir writes the start states, the reference state and every sampler's two traces and final states as
// .npy files, and --ess-of computes the same bulk-ESS of the second half of any trace (steps × chains), so that
// the peer's ESS comes from this estimator, not from a port of it.
#include <tbb/global_control.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/bench_samplers.hpp"
#include "cli/bench_targets.hpp"
#include "cli/commands.hpp"
#include "cli/cpu_clock.hpp"
#include "cli/line_plot.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/diagnostics/sampler_metrics.hpp"
#include "ebm/io/npy.hpp"
#include "ebm/samplers/binary_kernel.hpp"  // detail::uniform_index_exact

namespace ebm::cli {
namespace {

struct BenchArgs {
  std::string target, samplers = "gibbs,gwg,dmala,pas", png, trace_dir;
  std::vector<std::string> ess_of;
  Index chains = 100, steps = 10000, points = 40;
  std::uint64_t seed = 1;
  int threads = 0;
  bool json = false;
  ReferenceOptions reference;
};

// Steps after which the series are recorded: about `points` log-spaced step counts from 1 to steps.
std::set<Index> checkpoints(Index steps, Index points) {
  std::set<Index> at{steps};
  for (Index k = 0; k < points; ++k)
    at.insert(std::max<Index>(1, Index(std::llround(std::pow(double(steps), double(k) / double(points - 1))))));
  return at;
}

struct Series {
  std::vector<double> step, evaluations, hamming_mean, energy_mean, rmse, mmd2, wall, cpu;
  // The ESS of the Hamming statistic a run stopped after `step` steps would report (its second half; NaN before
  // 16 steps): the curve whose slope against time is the sampler's rate, on every target.
  std::vector<double> ess_hamming;
};

struct Result {
  std::string spec, description;
  double evaluations_per_step = 0;
  EssRates hamming, energy;
  double acceptance = 0, step_size = 0;
  std::vector<double> swap_rates;
  std::optional<double> rmse, mmd2;
  double wall = 0, cpu = 0, wall_half = 0, cpu_half = 0;
  Series series;
  Eigen::MatrixXd hamming_trace, energy_trace;  // steps × chains, kept for --trace-dir only
  Matrixf final_states;
};

Result run_one(SamplerRun& run, const BenchTarget& target, const BenchArgs& a, const Matrixf& x0, const Vectorf& ref,
               std::optional<double> ref_kernel_mean) {
  const Index n = a.chains, steps = a.steps, half = steps / 2;
  Eigen::MatrixXd hamming(steps, n), energy(steps, n);
  Eigen::VectorXd h(n), e(n);
  std::optional<RunningMean> mean;
  if (target.exact_mean) mean.emplace(target.dim());
  const std::set<Index> at = checkpoints(steps, a.points);
  Result r;
  r.spec = run.spec;
  r.description = run.description;
  r.evaluations_per_step = run.evaluations_per_step;
  run.start(x0);
  double acceptance = 0;
  for (Index t = 0; t < steps; ++t) {
    if (t == half) run.end_warm_up();
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    const double acc = run.step();
    const double dc = process_cpu_seconds() - c0;
    const double dw = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    r.wall += dw, r.cpu += dc;
    if (t >= half) r.wall_half += dw, r.cpu_half += dc, acceptance += acc;
    const Matrixf& x = run.states();
    hamming_to_reference<float>(x, ref, h);
    run.energies(e);
    hamming.row(t) = h.transpose();
    energy.row(t) = e.transpose();
    if (mean) mean->add<float>(x);
    if (!at.count(t + 1)) continue;
    Series& s = r.series;
    s.step.push_back(double(t + 1));
    s.evaluations.push_back(double(t + 1) * double(n) * r.evaluations_per_step);
    s.hamming_mean.push_back(h.mean());
    s.ess_hamming.push_back(t + 1 >= 16 ? ess_second_half(hamming.topRows(t + 1)) : std::nan(""));
    s.energy_mean.push_back(e.mean());
    s.wall.push_back(r.wall);
    s.cpu.push_back(r.cpu);
    if (mean) s.rmse.push_back(rmse(mean->mean(), *target.exact_mean));
    if (target.reference) s.mmd2.push_back(mmd2_hamming<float>(x, *target.reference, *ref_kernel_mean));
  }
  const double evals = double(steps - half) * double(n) * r.evaluations_per_step;
  r.hamming = ess_rates(ess_second_half(hamming), r.wall_half, r.cpu_half, evals);
  r.energy = ess_rates(ess_second_half(energy), r.wall_half, r.cpu_half, evals);
  r.acceptance = acceptance / double(steps - half);
  r.step_size = run.step_size();
  r.swap_rates = run.swap_rates();
  if (mean) r.rmse = r.series.rmse.back();
  if (target.reference) r.mmd2 = r.series.mmd2.back();
  if (!a.trace_dir.empty()) {
    r.hamming_trace = std::move(hamming);
    r.energy_trace = std::move(energy);
    r.final_states = run.states();
  }
  return r;
}

nlohmann::json json_of(const Result& r) {
  auto pair = [](double hamming, double energy) { return nlohmann::json{{"hamming", hamming}, {"energy", energy}}; };
  nlohmann::json j = {{"sampler", r.spec},
                      {"description", r.description},
                      {"evaluations_per_step", r.evaluations_per_step},
                      {"ess", pair(r.hamming.ess, r.energy.ess)},
                      {"ess_per_evaluation", pair(r.hamming.per_evaluation, r.energy.per_evaluation)},
                      {"acceptance_rate", r.acceptance},
                      {"step_size", std::isfinite(r.step_size) ? nlohmann::json(r.step_size) : nlohmann::json(nullptr)}};
  if (!r.swap_rates.empty()) j["swap_rates"] = r.swap_rates;
  if (r.rmse) j["rmse"] = *r.rmse;
  if (r.mmd2) j["mmd2"] = *r.mmd2;
  nlohmann::json s = {{"step", r.series.step},
                      {"evaluations", r.series.evaluations},
                      {"hamming_mean", r.series.hamming_mean},
                      {"ess_hamming", r.series.ess_hamming},
                      {"energy_mean", r.series.energy_mean}};
  if (r.rmse) s["rmse"] = r.series.rmse;
  if (r.mmd2) s["mmd2"] = r.series.mmd2;
  j["series"] = s;
  // Everything that depends on the clock, in one place: the rest is the same for any thread count.
  j["timing"] = {{"wall_seconds", r.wall},
                 {"cpu_seconds", r.cpu},
                 {"second_half_wall_seconds", r.wall_half},
                 {"second_half_cpu_seconds", r.cpu_half},
                 {"ess_per_wall_second", pair(r.hamming.per_wall_second, r.energy.per_wall_second)},
                 {"ess_per_cpu_second", pair(r.hamming.per_cpu_second, r.energy.per_cpu_second)},
                 {"series_wall_seconds", r.series.wall},
                 {"series_cpu_seconds", r.series.cpu}};
  return j;
}

void print_table(const BenchTarget& t, const BenchArgs& a, const std::vector<Result>& results) {
  std::printf("target %s: d = %ld%s%s; %ld chains x %ld steps (first half warm-up), seed %llu\n", t.spec.c_str(),
              long(t.dim()), t.note.empty() ? "" : ", ", t.note.c_str(), long(a.chains), long(a.steps),
              static_cast<unsigned long long>(a.seed));
  std::printf("ESS of the Hamming distance to a random reference state (DISCS) and of the energy, second half; rates "
              "for the Hamming statistic\n");
  const bool rmse = t.exact_mean.has_value(), mmd = t.reference.has_value();
  std::printf("%-14s %9s %9s %9s %11s %11s %10s %7s %9s", "sampler", "evals/st", "ESS(H)", "ESS(E)", "ESS/s wall",
              "ESS/s CPU", "ESS/eval", "accept", "step");
  if (rmse) std::printf(" %10s", "RMSE");
  if (mmd) std::printf(" %10s", "MMD^2");
  std::printf("\n");
  for (const Result& r : results) {
    std::printf("%-14s %9.4g %9.1f %9.1f %11.4g %11.4g %10.3g %7.3f", r.spec.c_str(), r.evaluations_per_step,
                r.hamming.ess, r.energy.ess, r.hamming.per_wall_second, r.hamming.per_cpu_second,
                r.hamming.per_evaluation, r.acceptance);
    if (std::isfinite(r.step_size))
      std::printf(" %9.3g", r.step_size);
    else
      std::printf(" %9s", "-");
    if (rmse) std::printf(" %10.3g", *r.rmse);
    if (mmd) std::printf(" %10.3g", *r.mmd2);
    if (!r.swap_rates.empty()) {
      std::printf("  swaps");
      for (double s : r.swap_rates) std::printf(" %.2f", s);
    }
    std::printf("\n");
  }
  if (t.reference) std::printf("MMD^2 reference: %s\n", t.reference_source.c_str());
}

void write_plots(const std::string& path, const BenchTarget& t, const std::vector<Result>& results) {
  auto panel = [&](const char* what, bool log_y, auto&& column) {
    PlotPanel p{t.spec + ": " + what, "cpu seconds (log)", what, true, log_y, {}};
    for (const Result& r : results) p.series.push_back({r.spec, r.series.cpu, column(r.series)});
    return p;
  };
  std::vector<PlotPanel> panels;
  if (t.exact_mean) panels.push_back(panel("rmse of running mean", true, [](const Series& s) { return s.rmse; }));
  if (t.reference) panels.push_back(panel("mmd^2 to reference", true, [](const Series& s) { return s.mmd2; }));
  panels.push_back(panel("ess of hamming statistic (2nd half)", true, [](const Series& s) { return s.ess_hamming; }));
  write_line_plot(path, panels);
}

// --trace-dir: x0.npy and reference_state.npy (float32; labels on potts), and per sampler, named by its spelling with ':' → '_',
// SPEC.hamming.npy and SPEC.energy.npy (steps × chains, float64), SPEC.states.npy (final states, float32).
void write_traces(const std::string& dir, const Matrixf& x0, const Vectorf& ref, const std::vector<Result>& results) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ensure(!ec, "--trace-dir '", dir, "': cannot create the folder: ", ec.message());
  write_npy(dir + "/x0.npy", x0.cast<double>(), NpyType::f32);
  write_npy(dir + "/reference_state.npy", Matrixd(ref.cast<double>()), NpyType::f32, true);
  for (const Result& r : results) {
    std::string name = r.spec;
    for (char& ch : name)
      if (ch == ':' || ch == '/') ch = '_';
    write_npy(dir + "/" + name + ".hamming.npy", r.hamming_trace, NpyType::f64);
    write_npy(dir + "/" + name + ".energy.npy", r.energy_trace, NpyType::f64);
    write_npy(dir + "/" + name + ".states.npy", r.final_states.cast<double>(), NpyType::f32);
  }
}

// --ess-of: {"ess": {FILE: bulk-ESS of its second half, ...}} for traces written by anyone (steps × chains).
void print_ess_of(const std::vector<std::string>& files) {
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& f : files) {
    const Eigen::MatrixXd draws = read_npy(f);
    ensure(draws.rows() >= 16 && draws.cols() >= 1, "--ess-of '", f, "': a trace of ", draws.rows(), " x ",
           draws.cols(), "; write steps x chains with at least 16 steps");
    out[f] = ess_second_half(draws);
  }
  std::printf("%s\n", nlohmann::json{{"ess", out}}.dump().c_str());
}

// A uniform label 0 … labels − 1 as a number: a fair coin on the binary targets (the draw they have always used,
// so their start and reference states stay as published), an exactly uniform index on potts.
float uniform_label(Rng& rng, int labels) {
  if (labels == 2) return bernoulli(rng, 0.5f);
  return float(detail::uniform_index_exact(rng, labels));
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

}  // namespace

void add_bench(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* c = app.add_subcommand("bench", "benchmark samplers side by side: ESS per second and per evaluation, "
                                            "RMSE and MMD against exact answers");
  c->add_option("--target", a->target,
                std::string("the target: ") + target_usage() +
                    " (required). potts: q labels, coupling J (J_c = ln(1 + sqrt q)), field on label 0 of every "
                    "site; its states are labels, sampled by gibbs, sgibbs, gwg and pt: around them");
  c->add_option("--samplers", a->samplers, "comma-separated samplers:" + sampler_help())->capture_default_str();
  c->add_option("--chains", a->chains, "chains per sampler")->capture_default_str();
  c->add_option("--steps", a->steps, "steps per chain (the first half is warm-up and burn-in)")->capture_default_str();
  c->add_option("--seed", a->seed, "seed of the start states, chains, reference state")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores)");
  c->add_option("--points", a->points, "points of the series versus time (log-spaced steps)")->capture_default_str();
  c->add_option("--reference-states", a->reference.states, "reference states for MMD^2 (bernoulli, rbm)")
      ->capture_default_str();
  c->add_option("--reference-sweeps", a->reference.sweeps, "block-Gibbs sweeps of the rbm reference chains")
      ->capture_default_str();
  c->add_flag("--json", a->json, "print one JSON object: the table's numbers and the series");
  c->add_option("--png", a->png, "plot the metrics versus CPU time into this PNG");
  c->add_option("--trace-dir", a->trace_dir, "write the start states, the reference state and every sampler's "
                                             "Hamming and energy traces and final states as .npy files here");
  c->add_option("--ess-of", a->ess_of, "only print the bulk-ESS of the second half of these traces (.npy, steps x "
                                       "chains), as JSON; no target needed");
  c->callback([a] {
    if (!a->ess_of.empty()) return print_ess_of(a->ess_of);
    ensure(!a->target.empty(), "bench: --target is required (", target_usage(), ")");
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    ensure(a->chains > 0, "--chains = ", a->chains, " must be positive");
    ensure(a->steps >= 16, "--steps = ", a->steps, " must be at least 16 (ESS of the second half, split in two)");
    ensure(a->points >= 2, "--points = ", a->points, " must be at least 2");
    const std::vector<std::string> specs = split_list(a->samplers);
    ensure(!specs.empty(), "--samplers is empty; valid: ", sampler_usage());
    const BenchTarget target = make_target(a->target, a->seed, a->reference);
    // Every sampler is made before any runs, so a misspelt one fails at once, not after an hour of the others.
    std::vector<std::unique_ptr<SamplerRun>> runs;
    for (const auto& s : specs) runs.push_back(make_sampler(s, target, a->chains, a->seed));
    const Index d = target.dim();
    Matrixf x0(a->chains, d);
    Rng init = make_stream(a->seed, StreamPurpose::init, 1);
    for (Index r = 0; r < x0.rows(); ++r)
      for (Index i = 0; i < d; ++i) x0(r, i) = uniform_label(init, target.labels);
    Vectorf ref(d);
    Rng ref_rng = make_stream(a->seed, StreamPurpose::init, 4);
    for (Index i = 0; i < d; ++i) ref[i] = uniform_label(ref_rng, target.labels);
    std::optional<double> kyy;
    if (target.reference) kyy = mean_hamming_kernel<float>(*target.reference, *target.reference);
    std::vector<Result> results;
    for (auto& run : runs) {
      results.push_back(run_one(*run, target, *a, x0, ref, kyy));
      run.reset();  // frees the chains before the next sampler
    }
    if (!a->png.empty()) write_plots(a->png, target, results);
    if (!a->trace_dir.empty()) write_traces(a->trace_dir, x0, ref, results);
    if (a->json) {
      nlohmann::json j = {{"target", target.spec},     {"dim", d},         {"labels", target.labels},
                          {"note", target.note},
                          {"chains", a->chains},       {"steps", a->steps}, {"seed", a->seed},
                          {"threads", a->threads},     {"exact_mean", target.exact_mean.has_value()},
                          {"reference", target.reference ? nlohmann::json(target.reference_source) : nlohmann::json(nullptr)}};
      nlohmann::json list = nlohmann::json::array();
      for (const Result& r : results) list.push_back(json_of(r));
      j["samplers"] = list;
      if (!a->png.empty()) j["png"] = a->png;
      std::printf("%s\n", j.dump().c_str());
      return;
    }
    print_table(target, *a, results);
    if (!a->png.empty()) std::printf("wrote %s\n", a->png.c_str());
  });
}

}  // namespace ebm::cli
