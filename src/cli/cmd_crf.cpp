// `ebm crf`: pixel labelling with a grid CRF, end to end, against the same unaries without pairwise terms.
//   --task segment   semantic segmentation of MNIST composites (2–3 digits on a C × C canvas plus noise;
//                    11 labels: background or 1 + digit class), scored by per-pixel accuracy and mean IoU
//   --task denoise   binarized 28 × 28 digits with flip noise (2 labels), scored by pixel error
// Both models share the unary network and features. (a) The unaries alone are trained by exact maximum
// likelihood of independent per-pixel classifiers (the unary pieces of crf/piecewise.hpp: L-way logistic
// regression at every pixel); their prediction is the unary argmin. (b) The CRF starts from those unaries
// and a Potts weight, and trains unaries and pairwise terms jointly by the sampled likelihood gradient
// (per-example persistent chains, or CD, of checkerboard Gibbs; the generic Trainer), or with --crf-objective
// by piecewise or pseudo-likelihood training (no sampler; the ObjectiveTrainer); it predicts by the
// maximum posterior marginal (sampled marginals) or annealed MAP. Both are scored on held-out examples made
// from MNIST's t10k digits, and a picture shows input | truth | unaries alone | CRF for a few of them.
// --unary cnn replaces the patch-feature unaries by convolutions on the image (crf/conv_unary.hpp); --epochs 0
// trains and scores the unaries alone. --pairwise contrast gives every edge its own Potts weight from a small
// network of the image around it, on top of a learned L x L table (crf/edge_net.hpp); --predict takes a comma
// list of methods (e.g. mpm,mf) and scores the CRF by each.
// Model selection (cli/crf_selection.hpp): --val N validation images, disjoint from training and test, are scored
// after every unary epoch and every CRF epoch (and every --val-every CRF updates); the unaries and the CRF each
// keep the θ of the best validation mean IoU, and only that θ is scored on the held-out test images.
// --sampler pt trains by PT-PCD (ConditionalTempering); --crf-objective piecewise+likelihood fine-tunes a
// piecewise-trained CRF by the sampled likelihood gradient.
#include <tbb/global_control.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <cstdio>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/cpu_clock.hpp"
#include "cli/crf_selection.hpp"
#include "ebm/crf/conv_unary.hpp"
#include "ebm/crf/grid_crf.hpp"
#include "ebm/crf/metrics.hpp"
#include "ebm/crf/piecewise.hpp"
#include "ebm/crf/predict.hpp"
#include "ebm/crf/pseudo_likelihood.hpp"
#include "ebm/data/denoising.hpp"
#include "ebm/data/mnist_composites.hpp"
#include "ebm/io/idx.hpp"
#include "ebm/io/npy.hpp"
#include "ebm/io/png.hpp"
#include "ebm/samplers/chain_policies.hpp"
#include "ebm/samplers/conditional_tempering.hpp"
#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "ebm/samplers/temperature_ladder.hpp"
#include "ebm/train/objective_trainer.hpp"
#include "ebm/train/trainer.hpp"

namespace ebm::cli {
namespace {

struct CrfArgs {
  std::string task = "segment", data = "mnist", data_dir = "data/mnist", unary = "mlp", pairwise = "potts",
              sampler = "pcd", crf_objective = "likelihood", predict = "mpm", png_dir;
  // Defaults: about 3 minutes for `--task segment` on 2 cores (README, "Conditional models").
  // The CRF's minibatch is larger than the unaries': its Potts weight keeps rising with the number of updates,
  // and past about 2 the CRF labels worse than its unaries (README, "Conditional models").
  Index n_train = 5000, n_test = 200, canvas = 64, hidden = 32, batch = 5, crf_batch = 25, png_count = 6;
  Index edge_hidden = 8;  // --pairwise contrast: tanh units of the edge network
  int mf_iterations = 50;
  double mf_tolerance = 1e-4;
  Index radius = -1, pool = -1, pooled_radius = -1;  // patch features; −1: the task's default
  int epochs = 3, unary_epochs = 10, k = 5, threads = 0, burn_in = 10, sweeps = 30;
  double lr = 1e-3, unary_lr = 3e-3, noise = 0.3, flip = 0.15, potts = 1.0;
  // The unaries' learning-rate schedule (train/schedule.hpp) and the weight of background pixels in their loss
  // (crf/piecewise.hpp, label weights; digits weigh 1).
  std::string unary_lr_schedule = "constant";
  double unary_lr_final = 0.0, background_weight = 1.0;
  std::string save_unaries, load_unaries;  // the unaries' θ (.npy), selected, to train CRFs on them later
  bool unary_eval = false;  // kept for old command lines: with --val > 0 every unary epoch is scored anyway
  // Validation (model selection): n_val composites (or digits) disjoint from training and test; the unaries and
  // the CRF each keep the θ of the best validation mean IoU, scored after every epoch and, for the CRF, every
  // val_every updates (0: epochs only) by val_predict.
  Index n_val = 200, val_every = 0;
  std::string val_predict = "mf";
  // --crf-objective piecewise+likelihood: epochs of piecewise training before the sampled-likelihood ones.
  int pretrain_epochs = 1;
  // --sampler pt: a geometric ladder of this many temperatures down to beta_min (ConditionalTempering).
  int temperatures = 4;
  double beta_min = 0.5;
  std::uint64_t seed = 1;
  bool json = false;
  // The cnn unary: 3 x 3 layers of these widths and dilations (receptive field 1 + 2·Σ dilations = 31 pixels,
  // a digit), then 1 x 1 to the labels.
  std::vector<Index> conv_channels{16, 16, 16, 16}, dilations{1, 2, 4, 8};
  std::string conv_activation = "relu";
};

// A labelled set: inputs (one image per row) and their label images.
struct Labelled {
  Matrixf x;
  LabelMatrix y;
};

// The 11-colour palette: background black, digits 0–9 in ten distinct colours. Denoising: off black, on white.
constexpr std::array<std::array<std::uint8_t, 3>, 11> segment_palette{{{0, 0, 0},
                                                                       {31, 119, 180},
                                                                       {255, 127, 14},
                                                                       {44, 160, 44},
                                                                       {214, 39, 40},
                                                                       {148, 103, 189},
                                                                       {140, 86, 75},
                                                                       {227, 119, 194},
                                                                       {127, 127, 127},
                                                                       {188, 189, 34},
                                                                       {23, 190, 207}}};

// Rows of panels input | truth | unaries alone | CRF, one row per example, each pixel scale × scale.
void write_panels(const std::string& path, const Matrixf& grey, const std::vector<const LabelMatrix*>& labels,
                  Index rows, Index h, Index w, bool binary) {
  const Index scale = h <= 32 ? 4 : 2, border = 2, panels = 1 + Index(labels.size());
  const Index W = panels * (w * scale + border) + border, H = rows * (h * scale + border) + border;
  std::vector<std::uint8_t> img(std::size_t(W * H * 3), 255);
  auto put = [&](Index row, Index panel, Index i, Index j, std::array<std::uint8_t, 3> c) {
    const Index y0 = border + row * (h * scale + border) + i * scale, x0 = border + panel * (w * scale + border) + j * scale;
    for (Index dy = 0; dy < scale; ++dy)
      for (Index dx = 0; dx < scale; ++dx)
        for (int k = 0; k < 3; ++k) img[std::size_t(((y0 + dy) * W + x0 + dx) * 3 + k)] = c[std::size_t(k)];
  };
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        const auto v = std::uint8_t(std::clamp(grey(r, i * w + j), 0.0f, 1.0f) * 255.0f + 0.5f);
        put(r, 0, i, j, {v, v, v});
        for (std::size_t p = 0; p < labels.size(); ++p) {
          const int l = (*labels[p])(r, i * w + j);
          put(r, Index(p) + 1, i, j, binary ? std::array<std::uint8_t, 3>{} : segment_palette[std::size_t(l)]);
          if (binary && l == 1) put(r, Index(p) + 1, i, j, {255, 255, 255});
        }
      }
  write_png_rgb(path, img, W, H);
}

struct Scores {
  double accuracy, mean_iou, seconds;
};
Scores score(const LabelMatrix& truth, const LabelMatrix& pred, int labels, double seconds) {
  const auto s = score_labels(truth, pred, labels);
  return {s.accuracy, s.mean_iou, seconds};
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
// The process's CPU time (all threads): on a shared machine the honest measure of the work done.
template <class Unary>
void run(const CrfArgs& a, const Labelled& train, const Labelled& val, const Labelled& test, Index side, int labels,
         PatchFeatures feat, Unary unary, double input_error) {
  using Crf = GridCrf<Unary>;
  const Pairwise pw = parse_pairwise(a.pairwise);
  const ConditionalData<float> data(train.x, train.y);
  nlohmann::json out = {{"task", a.task},       {"train", a.n_train},         {"test", a.n_test},
                        {"val", a.n_val},       {"val_every", a.val_every},   {"val_predict", a.val_predict},
                        {"side", side},         {"labels", labels},           {"unary", a.unary},
                        {"hidden", unary.hidden()}, {"pairwise", a.pairwise}, {"sampler", a.sampler}, {"crf_objective", a.crf_objective},
                        {"k", a.k},             {"epochs", a.epochs},         {"unary_epochs", a.unary_epochs},
                        {"unary_lr", a.unary_lr}, {"unary_lr_schedule", a.unary_lr_schedule},
                        {"unary_lr_final", a.unary_lr_final}, {"background_weight", a.background_weight},
                        {"features", feat.count()}, {"load_unaries", a.load_unaries}, {"seed", a.seed},
                        {"predict", a.predict}};
  if constexpr (requires { unary.net(); }) {
    out["conv_channels"] = a.conv_channels;
    out["dilations"] = a.dilations;
    out["conv_activation"] = a.conv_activation;
    out["receptive_field"] = unary.net().receptive_field();
  }
  auto say = [&](auto&&... args) {
    if (!a.json) {
      std::printf(args...);
      std::fflush(stdout);
    }
  };
  say("%s: %ld training and %ld held-out %ld x %ld images, %d labels; %s unaries on %ld patch features, %s pairwise\n",
      a.task.c_str(), long(a.n_train), long(a.n_test), long(side), long(side), labels, a.unary.c_str(),
      long(feat.count()), a.pairwise.c_str());
  if constexpr (requires { unary.net(); })
    say("cnn: %zu 3x3 layers (%s), receptive field %ld pixels, %ld parameters\n", a.conv_channels.size(),
        a.conv_activation.c_str(), long(unary.net().receptive_field()), long(unary.num_params()));
  const bool with_crf = a.epochs > 0;
  // (a) The unaries alone: exact per-pixel likelihood (unary pieces), pairwise held at 0.
  Crf unaries(side, side, feat, unary, pw, a.edge_hidden);
  unaries.init(a.seed, a.unary == "mlp" ? 0.5f : a.unary == "cnn" ? 1.0f : 0.01f, 0.0f);
  TrainOptions uo;
  uo.batch_size = a.batch;
  uo.epochs = a.unary_epochs;
  uo.learning_rate = a.unary_lr;
  uo.schedule = {parse_schedule_kind(a.unary_lr_schedule), a.unary_lr_final};
  uo.optimizer = Optimizer::adam;
  uo.seed = a.seed;
  PiecewiseObjective<Unary> pieces(Pieces::unary_only);
  if (a.background_weight != 1.0) {
    std::vector<typename Unary::Scalar> c(std::size_t(labels), 1);
    c[0] = typename Unary::Scalar(a.background_weight);
    pieces.set_label_weights(std::move(c));
  }
  ObjectiveTrainer unary_trainer(unaries, pieces, uo);
  // Validation scoring: the unaries by their argmin, the CRF by --val-predict (deterministic by default: mean
  // field), each from its own seed so that scoring never touches a training stream.
  PredictOptions vpo;
  vpo.seed = a.seed + 3;
  vpo.burn_in = a.burn_in;
  vpo.sweeps = a.sweeps;
  vpo.anneal_sweeps = a.burn_in + a.sweeps;
  vpo.mf_iterations = a.mf_iterations;
  vpo.mf_tolerance = a.mf_tolerance;
  vpo.method = PredictMethod::unary_argmin;
  ValSelection<Crf> unary_sel(val.x, val.y, labels, vpo, unaries.num_params());
  std::vector<double> unary_nll;
  const auto t_unary = std::chrono::steady_clock::now();
  const double cpu_unary0 = process_cpu_seconds();
  if (!a.load_unaries.empty()) {
    // Trained unaries from an earlier run (--save-unaries): several CRF methods on the same unaries, trained once.
    const Matrixd t = read_npy(a.load_unaries);
    ensure(t.size() == unaries.num_params(), "--load-unaries ", a.load_unaries, " holds ", t.size(),
           " parameters; these unaries (", a.unary, ", the same options as the saving run) have ",
           unaries.num_params());
    VectorX<typename Unary::Scalar> theta(t.size());
    for (Index i = 0; i < t.size(); ++i) theta[i] = typename Unary::Scalar(t.data()[i]);  // one row or column
    unaries.set_params(theta);
  } else unary_trainer.fit(data, [&](const EpochReport& r) {
    // The running training loss (mean over the epoch's minibatches): with the validation curve it says whether
    // the unaries are limited by fitting or by generalizing.
    const double nll = unary_trainer.last_epoch_objective() / double(side * side);
    unary_nll.push_back(nll);
    say("unaries  epoch %2d  per-pixel NLL %.4f  %6.1fs", r.epoch, nll, r.seconds);
    if (unary_sel.on()) {
      const auto s = unary_sel.evaluate(unaries, r.updates, r.epoch, "unaries");
      say("  validation accuracy %.4f  mean IoU %.4f  (CPU %.1fs)", s.accuracy, s.mean_iou,
          process_cpu_seconds() - cpu_unary0 - unary_sel.cpu_seconds());
    }
    say("\n");
    return true;
  });
  const double unary_seconds = since(t_unary),
               unary_cpu = process_cpu_seconds() - cpu_unary0 - unary_sel.cpu_seconds();
  if (unary_sel.on() && a.load_unaries.empty()) {
    out["val_unaries"] = unary_sel.json();
    // Kept for old readers of --unary-eval: the per-epoch curve, now on the validation images.
    out["unary_curve"] = out["val_unaries"]["curve"];
    if (!unary_sel.selected_last())
      say("unaries: epoch %g selected (validation mean IoU %.4f)\n", unary_sel.selected().epoch,
          unary_sel.selected().mean_iou);
    unary_sel.restore(unaries);
  }
  if (!unary_nll.empty()) out["unary_train_nll"] = unary_nll;
  if (!a.save_unaries.empty())
    write_npy(a.save_unaries, Matrixd(unaries.params().template cast<double>()), NpyType::f32, true);

  // (b) The CRF: the (selected) unaries plus a Potts start (contrast: every edge's coupling starts at --potts),
  // then everything jointly by the sampled gradient, piecewise or pseudo-likelihood, or piecewise then the
  // sampled gradient (--crf-objective piecewise+likelihood: a fresh Adam state for the second stage).
  Crf crf = unaries;
  crf.init_pairwise(a.seed, float(a.potts));
  TrainOptions co = uo;
  co.epochs = a.epochs;
  co.learning_rate = a.lr;
  if (a.crf_batch > 0) co.batch_size = a.crf_batch;
  co.seed = a.seed + 1;
  vpo.method = parse_predict_method(a.val_predict);
  ValSelection<Crf> crf_sel(val.x, val.y, labels, vpo, crf.num_params());
  const auto t_crf = std::chrono::steady_clock::now();
  const double cpu_crf0 = process_cpu_seconds();
  // Updates and epochs of the stages already done, so that the curve counts across stages.
  std::int64_t updates_before = 0;
  int epochs_before = 0;
  auto validate = [&](std::int64_t updates, double epoch, const char* stage) {
    const auto s = crf_sel.evaluate(crf, updates, epoch, stage);
    say("  validation (%s) accuracy %.4f  mean IoU %.4f\n", a.val_predict.c_str(), s.accuracy, s.mean_iou);
  };
  // Epochs of one stage, reporting each, validating at its end and every --val-every updates.
  auto run_stage = [&](auto& trainer, const char* stage) {
    while (trainer.epochs_done() < trainer.options().epochs) {
      const EpochReport r = trainer.train_epoch(data, [&](Index u, Index per_epoch) {
        const std::int64_t done = updates_before + trainer.updates_done();
        if (crf_sel.on() && a.val_every > 0 && u < per_epoch && done % a.val_every == 0)
          validate(done, epochs_before + trainer.epochs_done() + double(u) / double(per_epoch), stage);
      });
      if (pw == Pairwise::potts)
        say("CRF      epoch %2d  %s  Potts weight %.3f  %6.1fs\n", epochs_before + r.epoch, stage,
            double(crf.params()[crf.pairwise_offset()]), r.seconds);
      else
        say("CRF      epoch %2d  %s  %6.1fs\n", epochs_before + r.epoch, stage, r.seconds);
      if (crf_sel.on()) validate(updates_before + r.updates, epochs_before + r.epoch, stage);
    }
    updates_before += trainer.updates_done();
    epochs_before += trainer.epochs_done();
  };
  nlohmann::json swap_rates;
  auto likelihood_stage = [&](const TrainOptions& o) {
    const SiteGibbs<Crf> gibbs(SiteScan::checkerboard);
    if (a.sampler == "pcd") {
      PerExampleChains<SiteGibbs<Crf>> chains(gibbs, train.x.rows(), a.k, a.seed);
      Trainer trainer(crf, chains, o);
      run_stage(trainer, "pcd");
    } else if (a.sampler == "pt") {
      // PT-PCD: K stored label rows per training example, swaps between neighbouring temperatures.
      ConditionalTempering<SiteGibbs<Crf>> chains(gibbs, train.x.rows(), geometric_ladder(a.temperatures, a.beta_min),
                                                   a.k, a.seed);
      Trainer trainer(crf, chains, o);
      run_stage(trainer, "pt-pcd");
      swap_rates = chains.swap_rates();
    } else {
      ContrastiveDivergence<SiteGibbs<Crf>> chains(gibbs, a.k, a.seed);
      Trainer trainer(crf, chains, o);
      run_stage(trainer, "cd");
    }
  };
  if (with_crf && crf_sel.on()) validate(0, 0.0, "start");  // the start may be the best: training did not help
  if (!with_crf) {
    // --epochs 0: the unaries alone.
  } else if (a.crf_objective == "piecewise" || a.crf_objective == "piecewise+likelihood") {
    // Every unary and edge piece normalized on its own (crf/piecewise.hpp): no sampler.
    PiecewiseObjective<Unary> objective;
    TrainOptions po = co;
    if (a.crf_objective != "piecewise") po.epochs = a.pretrain_epochs;
    ObjectiveTrainer trainer(crf, objective, po);
    run_stage(trainer, "piecewise");
    if (a.crf_objective != "piecewise") {
      TrainOptions lo = co;
      lo.seed = co.seed + 1;  // a different minibatch order from the piecewise stage's
      likelihood_stage(lo);
    }
  } else if (a.crf_objective == "pl") {
    PseudoLikelihood<Unary> objective;
    ObjectiveTrainer trainer(crf, objective, co);
    run_stage(trainer, "pl");
  } else {
    likelihood_stage(co);
  }
  const double crf_seconds = since(t_crf), crf_cpu = process_cpu_seconds() - cpu_crf0 - crf_sel.cpu_seconds();
  if (!swap_rates.is_null()) out["swap_rates"] = swap_rates;
  if (pw == Pairwise::potts) out["potts_weight_last"] = crf.params()[crf.pairwise_offset()];
  // The last θ's held-out labels by the first --predict method, scored beside the selected θ's when selection
  // changed θ (reported for the record, never used to choose).
  std::optional<Crf> crf_last;
  if (with_crf && crf_sel.on()) {
    out["val_crf"] = crf_sel.json();
    if (!crf_sel.selected_last()) {
      crf_last = crf;
      say("CRF: update %lld (epoch %g, %s) selected (validation mean IoU %.4f)\n",
          (long long)crf_sel.selected().updates, crf_sel.selected().epoch, crf_sel.selected().stage.c_str(),
          crf_sel.selected().mean_iou);
    }
    crf_sel.restore(crf);
  }
  if (pw == Pairwise::potts) out["potts_weight"] = crf.params()[crf.pairwise_offset()];
  if (pw == Pairwise::contrast && with_crf) {
    // What the edge network learned: the mean held-out coupling by the true labels at the edge's ends, inside
    // the background (label 0), inside a foreground region, across a foreground / background boundary, and
    // between two foreground labels.
    double sum[4] = {0, 0, 0, 0}, count[4] = {0, 0, 0, 0};
    auto ctx = crf.make_context();
    for (Index r = 0; r < test.x.rows(); ++r) {
      crf.condition(test.x.row(r).transpose(), ctx);
      for (Index s = 0; s < crf.num_sites(); ++s)
        for (int d = 0; d < 2; ++d) {
          const Index t = d == 0 ? crf.grid().right(s) : crf.grid().down(s);
          if (t < 0) continue;
          const int ys = test.y(r, s), yt = test.y(r, t);
          const int kind = ys == yt ? (ys == 0 ? 0 : 1) : (ys == 0 || yt == 0 ? 2 : 3);
          sum[kind] += double(crf.edge_coupling(ctx, s, d));
          count[kind] += 1;
        }
    }
    double mean[4];
    for (int k = 0; k < 4; ++k) mean[k] = count[k] > 0 ? sum[k] / count[k] : 0.0;
    out["mean_coupling"] = {{"background", mean[0]}, {"foreground", mean[1]}, {"foreground_background", mean[2]},
                            {"foreground_foreground", mean[3]}};
    say("contrast: mean held-out coupling %.3f inside the background, %.3f inside foreground regions, %.3f on "
        "their boundaries, %.3f between two foreground labels\n", mean[0], mean[1], mean[2], mean[3]);
  }

  // Held-out predictions.
  PredictOptions po;
  po.seed = a.seed + 2;
  po.burn_in = a.burn_in;
  po.sweeps = a.sweeps;
  po.anneal_sweeps = a.burn_in + a.sweeps;
  po.method = PredictMethod::unary_argmin;
  auto t0 = std::chrono::steady_clock::now();
  const LabelMatrix y_unary = predict_labels(unaries, test.x, po);
  const Scores s_unary = score(test.y, y_unary, labels, since(t0));
  po.mf_iterations = a.mf_iterations;
  po.mf_tolerance = a.mf_tolerance;
  // Every method of --predict (a comma list); the first one's labels are drawn and reported as "crf".
  std::vector<std::string> methods;
  for (std::size_t b = 0, e; b <= a.predict.size(); b = e + 1) {
    e = std::min(a.predict.find(',', b), a.predict.size());
    methods.push_back(a.predict.substr(b, e - b));
  }
  std::vector<Scores> s_methods;
  LabelMatrix y_crf = y_unary;
  for (std::size_t m = 0; with_crf && m < methods.size(); ++m) {
    po.method = parse_predict_method(methods[m]);
    t0 = std::chrono::steady_clock::now();
    LabelMatrix y = predict_labels(crf, test.x, po);
    s_methods.push_back(score(test.y, y, labels, since(t0)));
    if (m == 0) y_crf = std::move(y);
  }
  const Scores s_crf = with_crf ? s_methods.front() : Scores{};
  std::optional<Scores> s_last;
  if (crf_last) {
    po.method = parse_predict_method(methods.front());
    t0 = std::chrono::steady_clock::now();
    // Labels first, then since(t0): the order in which function arguments are evaluated is unspecified.
    const LabelMatrix y_last = predict_labels(*crf_last, test.x, po);
    s_last = score(test.y, y_last, labels, since(t0));
  }

  out["train_seconds"] = {{"unaries", unary_seconds}, {"crf", crf_seconds}};
  // CPU time without the validation scoring.
  out["train_cpu_seconds"] = {{"unaries", unary_cpu}, {"crf", crf_cpu}};
  auto scores_json = [&](const Scores& s) {
    nlohmann::json j = {{"accuracy", s.accuracy}, {"mean_iou", s.mean_iou}, {"error", 1 - s.accuracy},
                        {"predict_seconds", s.seconds}};
    return j;
  };
  out["unaries"] = scores_json(s_unary);
  if (with_crf) {
    out["crf"] = scores_json(s_crf);
    for (std::size_t m = 0; m < methods.size(); ++m) out["crf_by_predict"][methods[m]] = scores_json(s_methods[m]);
    if (s_last) out["crf_last"] = scores_json(*s_last);
  }
  if (a.task == "denoise") out["input_error"] = input_error;

  if (!a.png_dir.empty()) {
    const Index rows = std::min(a.png_count, test.x.rows());
    Matrixf grey = test.x.topRows(rows);
    if (a.task == "denoise") grey = (grey.array() + 1.0f) * 0.5f;
    const LabelMatrix truth = test.y.topRows(rows), yu = y_unary.topRows(rows), yc = y_crf.topRows(rows);
    std::filesystem::create_directories(a.png_dir);
    const std::string path = a.png_dir + "/crf-" + a.task + ".png";
    std::vector<const LabelMatrix*> panels{&truth, &yu};
    if (with_crf) panels.push_back(&yc);
    write_panels(path, grey, panels, rows, side, side, a.task == "denoise");
    out["png"] = path;
  }

  if (a.json) {
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  std::printf("held-out (%ld images)      pixel accuracy  mean IoU  pixel error  predict\n", long(a.n_test));
  if (a.task == "denoise") std::printf("%-30s                          %.4f\n", "noisy input", input_error);
  std::printf("%-30s %.4f       %.4f    %.4f     %5.1fs\n", "unaries alone (argmin)", s_unary.accuracy,
              s_unary.mean_iou, 1 - s_unary.accuracy, s_unary.seconds);
  for (std::size_t m = 0; m < s_methods.size(); ++m) {
    const std::string crf_name = "CRF (" + methods[m] + ")";
    std::printf("%-30s %.4f       %.4f    %.4f     %5.1fs\n", crf_name.c_str(), s_methods[m].accuracy,
                s_methods[m].mean_iou, 1 - s_methods[m].accuracy, s_methods[m].seconds);
  }
  if (s_last)
    std::printf("%-30s %.4f       %.4f    %.4f     %5.1fs\n", ("last CRF (" + methods.front() + ")").c_str(),
                s_last->accuracy, s_last->mean_iou, 1 - s_last->accuracy, s_last->seconds);
  std::printf("training: unaries %.1fs (CPU %.1fs), CRF %.1fs (CPU %.1fs)\n", unary_seconds, unary_cpu, crf_seconds,
              crf_cpu);
  if (out.contains("png")) std::printf("picture (input | truth | unaries | CRF): %s\n", out["png"].get<std::string>().c_str());
}

// Digits and their classes from the MNIST IDX files in dir (prefix "train" or "t10k").
void load_digits(const std::string& dir, const std::string& prefix, Index limit, Matrixf& images, std::vector<int>& classes) {
  images = read_idx_images(dir + "/" + prefix + "-images-idx3-ubyte", limit);
  classes = read_idx_labels(dir + "/" + prefix + "-labels-idx1-ubyte", limit);
  ensure(Index(classes.size()) == images.rows(), "--data-dir ", dir, ": ", images.rows(), " ", prefix, " images but ",
         classes.size(), " labels");
}

PatchFeatures features(const CrfArgs& a, PatchFeatures def) {
  if (a.radius >= 0) def.radius = a.radius;
  if (a.pool >= 0) def.pool = a.pool;
  if (a.pooled_radius >= 0) def.pooled_radius = a.pooled_radius;
  return def;
}

// The cnn unary on the patch features (by default radius 0, no pooling: the image itself).
ConvUnary<float> conv_unary(const CrfArgs& a, Index side, const PatchFeatures& feat, int labels) {
  ensure(a.conv_channels.size() == a.dilations.size(), "--conv-channels has ", a.conv_channels.size(),
         " layers but --dilations has ", a.dilations.size());
  return {side, side, feat.count(), a.conv_channels, a.dilations, labels,
          a.conv_activation == "swish" ? ConvActivation::swish : ConvActivation::relu};
}

}  // namespace

void add_crf(CLI::App& app) {
  auto a = std::make_shared<CrfArgs>();
  CLI::App* c = app.add_subcommand("crf", "grid CRF: segment MNIST composites or denoise binary digits, vs the unaries alone");
  c->add_option("--task", a->task, "segment (MNIST composites, 11 labels) | denoise (flip noise, 2 labels)")
      ->check(CLI::IsMember({"segment", "denoise"}))
      ->capture_default_str();
  c->add_option("--data", a->data, "mnist (the IDX files in --data-dir)")->check(CLI::IsMember({"mnist"}))->capture_default_str();
  c->add_option("--data-dir", a->data_dir, "folder with the four MNIST IDX files")->capture_default_str();
  c->add_option("--train", a->n_train, "training images")->check(CLI::PositiveNumber)->capture_default_str();
  c->add_option("--test", a->n_test, "held-out images")->check(CLI::PositiveNumber)->capture_default_str();
  c->add_option("--canvas", a->canvas, "segment: canvas side C (C x C pixels, at least a digit)")
      ->check(CLI::Range(Index{4}, Index{256}))
      ->capture_default_str();
  c->add_option("--noise", a->noise, "segment: sigma of the Gaussian pixel noise")->check(CLI::Range(0.0, 10.0))->capture_default_str();
  c->add_option("--flip", a->flip, "denoise: probability that a pixel is flipped")->check(CLI::Range(0.0, 0.49))->capture_default_str();
  c->add_option("--unary", a->unary, "linear | mlp (one tanh layer) | cnn (3 x 3 convolutions on the image)")
      ->check(CLI::IsMember({"linear", "mlp", "cnn"}))
      ->capture_default_str();
  c->add_option("--conv-channels", a->conv_channels, "cnn: channels of each 3 x 3 layer")
      ->delimiter(',')
      ->check(CLI::Range(Index{1}, Index{1024}))
      ->capture_default_str();
  c->add_option("--dilations", a->dilations, "cnn: dilation of each 3 x 3 layer (one per --conv-channels entry)")
      ->delimiter(',')
      ->check(CLI::Range(Index{1}, Index{64}))
      ->capture_default_str();
  c->add_option("--conv-activation", a->conv_activation, "cnn: relu | swish")
      ->check(CLI::IsMember({"relu", "swish"}))
      ->capture_default_str();
  c->add_option("--hidden", a->hidden, "hidden units of the mlp unary")->check(CLI::PositiveNumber)->capture_default_str();
  c->add_option("--pairwise", a->pairwise,
                "potts (one weight) | full (an L x L table) | contrast (the table plus a Potts weight per edge, "
                "softplus of a tanh network of the image around the edge: |x_s - x_t|, the same of 3 x 3 means, "
                "their brightness, orientation)")
      ->check(CLI::IsMember({"potts", "full", "contrast"}))
      ->capture_default_str();
  c->add_option("--edge-hidden", a->edge_hidden, "contrast: tanh units of the edge network")
      ->check(CLI::Range(Index{1}, Index{256}))
      ->capture_default_str();
  c->add_option("--potts", a->potts, "starting Potts weight of the CRF")->check(CLI::Range(0.0, 10.0))->capture_default_str();
  c->add_option("--crf-objective", a->crf_objective,
                "how the CRF stage trains: likelihood (the sampled gradient, --sampler) | piecewise | pl (pseudo-likelihood) | "
                "piecewise+likelihood (--pretrain-epochs of piecewise, then --epochs of likelihood)")
      ->check(CLI::IsMember({"likelihood", "piecewise", "pl", "piecewise+likelihood"}))
      ->capture_default_str();
  c->add_option("--pretrain-epochs", a->pretrain_epochs, "piecewise+likelihood: epochs of piecewise training first")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  c->add_option("--sampler", a->sampler,
                "pcd (one persistent chain per training image) | cd (restart at the labels) | pt (PT-PCD: persistent "
                "chains at --temperatures temperatures down to --beta-min, swapping neighbours)")
      ->check(CLI::IsMember({"pcd", "cd", "pt"}))
      ->capture_default_str();
  c->add_option("--temperatures", a->temperatures, "pt: temperatures of the geometric ladder (1 = PCD)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  c->add_option("--beta-min", a->beta_min, "pt: the coldest-to-hottest ladder ends at this inverse temperature")
      ->check(CLI::Range(1e-3, 0.999))
      ->capture_default_str();
  c->add_option("--k", a->k, "checkerboard Gibbs sweeps per update")->check(CLI::Range(1, 1000))->capture_default_str();
  c->add_option("--epochs", a->epochs, "CRF training epochs (0: train and score the unaries alone)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  c->add_option("--unary-epochs", a->unary_epochs, "epochs of the unaries alone")->check(CLI::Range(1, 100000))->capture_default_str();
  c->add_option("--batch", a->batch, "minibatch size")->check(CLI::PositiveNumber)->capture_default_str();
  c->add_option("--crf-batch", a->crf_batch, "minibatch size of the CRF (0 = --batch)")->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c->add_option("--lr", a->lr, "Adam learning rate of the CRF")->check(CLI::PositiveNumber)->capture_default_str();
  c->add_option("--unary-lr", a->unary_lr, "Adam learning rate of the unaries alone")->check(CLI::PositiveNumber)->capture_default_str();
  c->add_option("--unary-lr-schedule", a->unary_lr_schedule, "learning-rate schedule of the unaries: constant | linear | cosine")
      ->check(CLI::IsMember({"constant", "linear", "cosine"}))
      ->capture_default_str();
  c->add_option("--unary-lr-final", a->unary_lr_final, "linear or cosine: the unaries' final rate as a fraction of --unary-lr")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  c->add_option("--background-weight", a->background_weight,
                "weight of background (label 0) pixels in the unaries' loss (other labels weigh 1)")
      ->check(CLI::Range(1e-3, 1e3))
      ->capture_default_str();
  c->add_flag("--unary-eval", a->unary_eval,
              "kept for old command lines: with --val > 0 the validation images are scored after every unary epoch");
  c->add_option("--save-unaries", a->save_unaries, "write the trained (selected) unaries' parameters to this .npy");
  c->add_option("--load-unaries", a->load_unaries,
                "take the unaries' parameters from this .npy (--save-unaries, same data and unary options) instead of "
                "training them");
  c->add_option("--val", a->n_val,
                "validation images (0 = none), disjoint from training and test: the unaries and the CRF each keep the "
                "parameters of the best validation mean IoU, scored after every epoch (not counted as training time)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c->add_option("--val-every", a->val_every,
                "also score the CRF on the validation images every this many updates (0 = epochs only)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c->add_option("--val-predict", a->val_predict, "the CRF's prediction on the validation images: mf | mpm | map | icm")
      ->check(CLI::IsMember({"mf", "mpm", "map", "icm"}))
      ->capture_default_str();
  c->add_option("--predict", a->predict,
                "CRF prediction, or a comma list scored one by one: mpm (max marginal, Gibbs) | mf (mean field) | "
                "map (annealed Gibbs + ICM) | icm")
      ->check([](const std::string& v) {
        for (std::size_t b = 0, e; b <= v.size(); b = e + 1) {
          e = std::min(v.find(',', b), v.size());
          const std::string m = v.substr(b, e - b);
          if (m != "mpm" && m != "mf" && m != "map" && m != "icm")
            return "prediction method '" + m + "' is unknown; use mpm, mf, map or icm";
        }
        return std::string();
      })
      ->capture_default_str();
  c->add_option("--mf-iterations", a->mf_iterations, "mean field: at most this many updates of every site")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  c->add_option("--mf-tolerance", a->mf_tolerance, "mean field: stop when no marginal moved by more")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  c->add_option("--burn-in", a->burn_in, "prediction: Gibbs sweeps before averaging")->check(CLI::Range(0, 100000))->capture_default_str();
  c->add_option("--sweeps", a->sweeps, "prediction: Gibbs sweeps averaged (map: anneals over burn-in + sweeps)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  c->add_option("--radius", a->radius, "fine patch radius r ((2r+1)^2 pixels; default 2 segment, 0 denoise)")
      ->check(CLI::Range(Index{0}, Index{10}));
  c->add_option("--pool", a->pool, "pooling factor of the coarse patch (1 = none; default 4 segment, 1 denoise)")
      ->check(CLI::Range(Index{1}, Index{16}));
  c->add_option("--pooled-radius", a->pooled_radius, "coarse patch radius in pooled cells (default 3 segment)")
      ->check(CLI::Range(Index{0}, Index{10}));
  c->add_option("--seed", a->seed, "random seed")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
  c->add_option("--png-dir", a->png_dir, "write crf-<task>.png (input | truth | unaries | CRF) into this folder");
  c->add_option("--png-count", a->png_count, "held-out images in the picture")->check(CLI::PositiveNumber)->capture_default_str();
  c->add_flag("--json", a->json, "print one JSON object");
  c->callback([a] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    ensure(a->batch <= a->n_train, "--batch = ", a->batch, " exceeds the ", a->n_train, " training images");
    ensure(a->crf_batch <= a->n_train, "--crf-batch = ", a->crf_batch, " exceeds the ", a->n_train, " training images");
    ensure(!a->unary_eval || a->n_val > 0, "--unary-eval scores the validation images, but --val is 0");
    ensure(a->val_every == 0 || a->n_val > 0, "--val-every = ", a->val_every,
           " needs validation images, but --val is 0");
    if (a->task == "segment") {
      // Training composites draw their digits from the first 20,000 training digits, validation composites from
      // the next 10,000 (so no digit is in both), held-out ones from all 10,000 t10k digits. A smaller file (the
      // tests' synthetic one) is split two thirds / one third the same way.
      Matrixf digits;
      std::vector<int> classes;
      CompositeOptions opt;
      opt.canvas = a->canvas;
      opt.noise_sigma = a->noise;
      load_digits(a->data_dir, "train", 30000, digits, classes);
      const Index n_fit = std::min<Index>(20000, digits.rows() - digits.rows() / 3),
                  n_held = std::min<Index>(10000, digits.rows() - n_fit);
      const std::vector<int> fit_classes(classes.begin(), classes.begin() + n_fit),
          val_classes(classes.begin() + n_fit, classes.begin() + n_fit + n_held);
      Composites tr = make_mnist_composites(digits.topRows(n_fit), fit_classes, a->n_train, opt, a->seed);
      Labelled val{Matrixf(0, a->canvas * a->canvas), LabelMatrix(0, a->canvas * a->canvas)};
      if (a->n_val > 0) {
        ensure(n_held > 0, "--data-dir ", a->data_dir, ": ", digits.rows(),
               " training digits leave none for --val; use --val 0");
        Composites va = make_mnist_composites(digits.middleRows(n_fit, n_held), val_classes, a->n_val, opt,
                                              a->seed + 2000003);
        val = {std::move(va.x), std::move(va.y)};
      }
      load_digits(a->data_dir, "t10k", 10000, digits, classes);
      Composites te = make_mnist_composites(digits, classes, a->n_test, opt, a->seed + 1000003);
      const Labelled train{std::move(tr.x), std::move(tr.y)}, test{std::move(te.x), std::move(te.y)};
      // A 5 x 5 patch for edges, and 7 x 7 cells of the 4x-pooled image (28 pixels: a digit) for its class.
      const PatchFeatures feat = features(*a, a->unary == "cnn" ? PatchFeatures{0, 1, 0} : PatchFeatures{2, 4, 3});
      if (a->unary == "cnn")
        run(*a, train, val, test, a->canvas, Composites::labels, feat, conv_unary(*a, a->canvas, feat, 11), 0.0);
      else if (a->unary == "mlp")
        run(*a, train, val, test, a->canvas, Composites::labels, feat, MlpUnary<float>(feat.count(), a->hidden, 11),
            0.0);
      else
        run(*a, train, val, test, a->canvas, Composites::labels, feat, LinearUnary<float>(feat.count(), 11), 0.0);
    } else {
      Matrixf digits;
      std::vector<int> classes;
      // Validation digits: the --val training digits after the first --train ones.
      load_digits(a->data_dir, "train", a->n_train + a->n_val, digits, classes);
      ensure(digits.rows() >= a->n_train, "--train = ", a->n_train, " but ", a->data_dir, " has ", digits.rows(),
             " training digits");
      ensure(digits.rows() == a->n_train + a->n_val, "--train = ", a->n_train, " and --val = ", a->n_val, " but ",
             a->data_dir, " has ", digits.rows(), " training digits");
      DenoisingData tr = make_denoising(digits.topRows(a->n_train), a->flip, a->seed);
      DenoisingData va;
      if (a->n_val > 0) va = make_denoising(digits.bottomRows(a->n_val), a->flip, a->seed + 2000003);
      load_digits(a->data_dir, "t10k", a->n_test, digits, classes);
      ensure(digits.rows() == a->n_test, "--test = ", a->n_test, " but ", a->data_dir, " has ", digits.rows(),
             " t10k digits");
      DenoisingData te = make_denoising(digits, a->flip, a->seed + 1000003);
      const double input_error = input_error_rate(te);
      const Labelled train{std::move(tr.x), std::move(tr.y)}, val{std::move(va.x), std::move(va.y)},
          test{std::move(te.x), std::move(te.y)};
      const auto side = Index(std::lround(std::sqrt(double(train.x.cols()))));
      ensure(side * side == train.x.cols(), "--data-dir ", a->data_dir, ": digits of ", train.x.cols(),
             " pixels are not square");
      // By default the unaries see only their own noisy pixel (the classic Ising denoising: all smoothing is
      // the pairwise terms' work); --radius 1 gives them the 3 x 3 neighbourhood.
      const PatchFeatures feat = features(*a, {0, 1, 0});
      if (a->unary == "cnn")
        run(*a, train, val, test, side, 2, feat, conv_unary(*a, side, feat, 2), input_error);
      else if (a->unary == "mlp")
        run(*a, train, val, test, side, 2, feat, MlpUnary<float>(feat.count(), a->hidden, 2), input_error);
      else
        run(*a, train, val, test, side, 2, feat, LinearUnary<float>(feat.count(), 2), input_error);
    }
  });
}

}  // namespace ebm::cli
