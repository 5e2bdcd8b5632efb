// `ebm train`: CD-k, PCD-k or PT-PCD (parallel tempering, --sampler pt) training of a Bernoulli RBM with
// per-epoch monitors and atomic checkpoints that resume bit for bit.
#include <tbb/global_control.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "cli/commands.hpp"
#include "cli/data_source.hpp"
#include "cli/output_lock.hpp"
#include "cli/progress.hpp"
#include "cli/rbm_file.hpp"
#include "ebm/core/checked_arithmetic.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/ebm.hpp"
#include "ebm/samplers/parallel_tempering.hpp"

namespace ebm::cli {
namespace {

struct TrainArgs {
  std::string data = "mnist", data_dir = "data/mnist", binarize = "stochastic", sampler = "pcd";
  std::string out = "model.ebm", resume, lr_schedule = "linear";
  Index hidden = 500, k = 1, chains = 100, batch = 100, limit = -1, monitor = 1000, stop_after = 0;
  // --sampler pt: K inverse temperatures evenly spaced from 1 down to beta_min, --chains ladders.
  int temperatures = 10;
  double beta_min = 0.0;
  // Defaults = the main job, chosen by measured test log-likelihood on MNIST (README): with centering and
  // persistent chains, plain SGD (no momentum) at a linearly decaying rate beat momentum 0.5→0.9, which
  // moves the parameters faster than 100 PCD-1 chains can follow.
  int epochs = 50, threads = 0;
  double lr = 0.05, lr_final = 0.1, momentum = 0.0, momentum_initial = 0.0, momentum_ramp = 0, weight_decay = 2e-4;
  double init_sigma = 0.01;
  std::uint64_t seed = 1;
  bool json = false, centering = true;
  double centering_rate = 0.01;
};

nlohmann::json options_json(const TrainArgs& a) {
  return {{"data", a.data},          {"binarize", a.binarize},
          {"sampler", a.sampler},    {"hidden", a.hidden},
          {"k", a.k},                {"chains", a.chains},
          {"batch", a.batch},        {"limit", a.limit},
          {"epochs", a.epochs},      {"lr", a.lr},
          {"lr_schedule", a.lr_schedule}, {"lr_final", a.lr_final},
          {"momentum", a.momentum},  {"momentum_initial", a.momentum_initial},
          {"momentum_ramp", a.momentum_ramp}, {"weight_decay", a.weight_decay},
          {"init_sigma", a.init_sigma}, {"seed", a.seed},
          {"centering", a.centering}, {"centering_rate", a.centering_rate},
          {"temperatures", a.temperatures}, {"beta_min", a.beta_min}};
}

// The options of the run a checkpoint continues, every one type- and range-checked ("--resume m.ebm:
// training.k = "x" must be an integer in [1, 2147483647]"); the CLI's own checks follow in the callback.
void options_from_json(const nlohmann::json& j, TrainArgs& a) {
  constexpr std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const json_fields::Fields f(j, "--resume " + a.resume, "training.");
  a.data = f.string("data");
  a.binarize = f.string("binarize");
  a.sampler = f.string("sampler");
  a.hidden = f.integer("hidden", 1, big);
  a.k = f.integer("k", 1, INT_MAX);
  a.chains = f.integer("chains", 1, big);
  a.batch = f.integer("batch", 1, big);
  a.limit = f.integer("limit", -1, big);
  a.epochs = int(f.integer("epochs", 1, INT_MAX));
  a.lr = f.number("lr");
  a.lr_schedule = f.string("lr_schedule");
  a.lr_final = f.number("lr_final");
  a.momentum = f.number("momentum");
  a.momentum_initial = f.number("momentum_initial");
  a.momentum_ramp = f.number("momentum_ramp");
  a.weight_decay = f.number("weight_decay");
  a.init_sigma = f.number("init_sigma");
  a.seed = f.unsigned_integer("seed");
  a.centering = f.boolean("centering");
  a.centering_rate = f.number("centering_rate");
  // Absent in checkpoints from before --sampler pt.
  a.temperatures = f.has("temperatures") ? int(f.integer("temperatures", 1, INT_MAX)) : 10;
  a.beta_min = f.has("beta_min") ? f.number("beta_min") : 0.0;
}

TrainOptions train_options(const TrainArgs& a) {
  TrainOptions opt;
  opt.batch_size = a.batch;
  opt.epochs = a.epochs;
  opt.learning_rate = a.lr;
  opt.schedule = {parse_schedule_kind(a.lr_schedule), a.lr_final};
  opt.momentum = {a.momentum_initial, a.momentum, a.momentum_ramp};
  opt.seed = a.seed;
  opt.centering_rate = a.centering_rate;  // checked here; centering itself is a transform that run() adds
  opt.validate();
  return opt;
}

// Everything a checkpoint holds, against what the resumed run needs, before any data is read (the reader has
// already checked types, ranges, finiteness and binary states): the model's shape, the counters, one chain
// state and one stream per chain of this sampler, the centering offset, the parity of the PT rounds.
void check_checkpoint(const TrainArgs& a, const ModelFile& f, const nlohmann::json& meta) {
  const std::string where = "--resume " + a.resume;
  const TrainingState& t = *f.training;
  const Index num_hidden = f.hyper.integer("num_hidden", 1, std::numeric_limits<std::int64_t>::max());
  ensure(a.hidden == num_hidden, where, ": training.hidden = ", a.hidden, ", but the model has ", num_hidden,
         " hidden units");
  for (const char* name : {"v", "h", "ph"})
    ensure(t.chains.count(name), where, ": the checkpoint holds no chains.", name, " (block Gibbs chain state)");
  ensure(t.streams.count("chains") && t.streams.count("shuffle") && t.streams.at("shuffle").size() == 1, where,
         ": the checkpoint needs the random streams rng.chains and one rng.shuffle");
  ensure(t.optimizer.kind == "sgd" && t.optimizer.vectors.count("velocity") &&
             t.optimizer.vectors.at("velocity").size() == f.params.size(),
         where, ": the checkpoint's optimizer state is not SGD with a velocity of ", f.params.size(), " entries");
  ensure(t.epoch <= a.epochs, where, ": the checkpoint has done ", t.epoch, " epochs, more than --epochs = ",
         a.epochs);
  // Every epoch makes the same number (>= 1) of updates; the number itself is checked against the data later.
  ensure(t.epoch == 0 ? t.updates == 0 : t.updates >= t.epoch && t.updates % t.epoch == 0, where,
         ": training_state.updates = ", t.updates, " is not a whole number of updates per epoch for ", t.epoch,
         " epochs");
  Index rows = a.chains, streams = a.chains;
  if (a.sampler == "cd") {
    rows = streams = a.batch;  // one chain per minibatch row, restarted at every update
  } else if (a.sampler == "pt") {
    rows = checked_mul(Index(a.temperatures), a.chains, where + ": temperatures x chains");
    streams = checked_add(rows, a.chains, where + ": streams");  // the chains', then one swap stream per ladder
  }
  ensure(t.chains.at("v").rows() == rows, where, ": the checkpoint holds ", t.chains.at("v").rows(),
         " chain states; ", a.sampler, " with these options needs ", rows);
  ensure(Index(t.streams.at("chains").size()) == streams, where, ": the checkpoint has ",
         t.streams.at("chains").size(), " random streams; ", a.sampler, " with these options needs ", streams);
  const Index offset = a.centering && t.updates > 0 ? num_hidden : 0;
  const Index stored = t.state.count("centering.hidden") ? t.state.at("centering.hidden").size() : 0;
  ensure(stored == offset, where, ": centering.hidden has ", stored,
         " entries; a run ", a.centering ? "with" : "without", " centering after ", t.updates, " updates needs ",
         offset);
  if (a.sampler == "pt") {
    const std::int64_t rounds = checked_mul(t.updates, a.k, where + ": updates x k");
    ensure(meta.contains("pt_rounds") && meta["pt_rounds"].get<std::int64_t>() == rounds, where, ": pt_rounds = ",
           meta.contains("pt_rounds") ? json_fields::shown(meta["pt_rounds"]) : std::string("(missing)"),
           "; ", t.updates, " updates of k = ", a.k, " rounds make ", rounds);
  } else {
    ensure(!meta.contains("pt_rounds"), where, ": pt_rounds in a checkpoint of sampler ", a.sampler);
  }
}

using Gibbs = BlockGibbs<BernoulliRBMf>;
using Tempering = ParallelTempering<Gibbs>;

// Chain state of a checkpoint. PCD/CD: the chains and one stream per chain. PT: every replica's rows stacked
// temperature by temperature (Tempering::stack_states), the K·N chain streams followed by the N swap streams,
// and the number of rounds (its parity picks the next swap pairs) in the metadata.
template <class Policy>
void save_chains(const Policy& chains, TrainingState& t, nlohmann::json& meta) {
  if constexpr (std::is_same_v<Policy, Tempering>) {
    chains.stack_states(t.chains["v"], t.chains["h"], t.chains["ph"]);
    std::vector<Rng>& streams = t.streams["chains"] = chains.streams();
    streams.insert(streams.end(), chains.swap_streams().begin(), chains.swap_streams().end());
    meta["pt_rounds"] = chains.rounds();
  } else {
    t.chains["v"] = chains.state().v;
    t.chains["h"] = chains.state().h;
    t.chains["ph"] = chains.state().ph;
    t.streams["chains"] = chains.streams();
  }
}

template <class Policy>
void restore_chains(Policy& chains, const BernoulliRBMf& rbm, const TrainingState& t, const nlohmann::json& meta) {
  // Present and consistent: checked by the reader and check_checkpoint.
  const Matrixf &v = t.chains.at("v"), &h = t.chains.at("h"), &ph = t.chains.at("ph");
  const std::vector<Rng>& streams = t.streams.at("chains");
  if constexpr (std::is_same_v<Policy, Tempering>) {
    const std::size_t n = chains.streams().size(), m = chains.swap_streams().size();
    ensure(streams.size() == n + m, "--resume: the checkpoint has ", streams.size(),
           " random streams; parallel tempering with these options needs ", n + m);
    std::copy(streams.begin(), streams.begin() + std::ptrdiff_t(n), chains.streams().begin());
    std::copy(streams.begin() + std::ptrdiff_t(n), streams.end(), chains.swap_streams().begin());
    if (v.rows() > 0) chains.restore(rbm, v, h, ph);
    chains.set_rounds(meta.at("pt_rounds").get<std::int64_t>());  // checked by check_checkpoint
  } else {
    chains.streams() = streams;
    if (v.rows() > 0) {
      chains.kernel().prepare(rbm, chains.state(), v.rows());
      chains.state().v = v;
      chains.state().h = h;
      chains.state().ph = ph;
    }
  }
}

// "0.41 0.38 …": swap acceptance rate of each neighbour pair since the last reset.
std::string format_rates(const std::vector<double>& r) {
  std::string out;
  char buf[16];
  for (double x : r) {
    std::snprintf(buf, sizeof buf, out.empty() ? "%.2f" : " %.2f", x);
    out += buf;
  }
  return out;
}

// Mean squared error between v and its one-step reconstruction E[v | h], h ~ p(h | v).
double reconstruction_error(const BernoulliRBMf& rbm, const Matrixf& v, std::uint64_t seed) {
  auto ws = rbm.make_workspace(v.rows());
  Matrixf ph(v.rows(), rbm.num_hidden()), h(v.rows(), rbm.num_hidden()), pv(v.rows(), v.cols());
  rbm.hidden_mean(v, ph, ws);
  Rng rng = make_stream(seed, StreamPurpose::user, 7);
  for (Index r = 0; r < v.rows(); ++r)
    for (Index j = 0; j < h.cols(); ++j) h(r, j) = bernoulli(rng, ph(r, j));
  rbm.visible_mean(h, pv, ws);
  return double((pv - v).squaredNorm()) / double(v.size());
}

double mean_free_energy(const BernoulliRBMf& rbm, const Matrixf& v) {
  Vectorf f(v.rows());
  rbm.free_energy(v, f);
  return f.cast<double>().mean();
}

template <class Policy>
void run(TrainArgs& a, const std::optional<ModelFile>& resumed, Policy& chains, BernoulliRBMf& rbm,
         const Matrixf& train, const Matrixf& heldout, const nlohmann::json& base_meta) {
  Trainer trainer(rbm, chains, train_options(a), Sgd<float>());
  // The gradient transforms, in this order: centering on the plain gradient, then weight decay.
  Centering<float>* centering = a.centering ? &trainer.add_transform(Centering<float>(a.centering_rate)) : nullptr;
  if (a.weight_decay != 0) trainer.add_transform(WeightDecay(a.weight_decay));  // refuses < 0 and non-finite
  if (resumed && resumed->training) {
    const TrainingState& t = *resumed->training;
    trainer.set_progress(int(t.epoch), t.updates);  // epoch in [0, INT_MAX]: checked by the reader
    trainer.restore_optimizer(t.optimizer);
    trainer.shuffle_stream() = t.streams.at("shuffle").front();
    if (centering && t.state.count("centering.hidden")) centering->hidden_offset() = t.state.at("centering.hidden");
    restore_chains(chains, rbm, t, base_meta);
  }
  constexpr bool tempering = std::is_same_v<Policy, Tempering>;
  const Binarize mode = parse_binarize(a.binarize);
  Matrixf bin(train.rows(), train.cols());
  const Index nmon = std::min<Index>(a.monitor, std::min(train.rows(), heldout.rows()));
  ProgressBar bar;
  if (!a.json) {
    std::printf("training %s RBM %ld x %ld on %s (%ld examples, binarize %s), %s-%ld, %ld chains, batch %ld\n",
                "Bernoulli", long(rbm.num_visible()), long(rbm.num_hidden()), a.data.c_str(), long(train.rows()),
                a.binarize.c_str(), a.sampler == "pcd" ? "PCD" : a.sampler == "pt" ? "PT-PCD" : "CD", long(a.k),
                long(chains.num_chains() ? chains.num_chains() : a.batch), long(a.batch));
    if constexpr (tempering)
      std::printf("parallel tempering: %d inverse temperatures from 1 to %g (linear), swaps every sweep\n",
                  a.temperatures, a.beta_min);
  }
  int run_epochs = 0;
  while (trainer.epochs_done() < a.epochs && (a.stop_after <= 0 || run_epochs++ < a.stop_after)) {
    const int epoch = trainer.epochs_done();
    binarize(train, mode, a.seed, std::uint64_t(epoch), bin);
    char label[32];
    std::snprintf(label, sizeof label, "epoch %d/%d", epoch + 1, a.epochs);
    bar.start(label, long(train.rows() / a.batch));
    const EpochReport rep = trainer.train_epoch(bin, [&](Index done, Index) { bar.update(long(done)); });
    bar.finish();
    const double recon = reconstruction_error(rbm, bin.topRows(nmon), a.seed + std::uint64_t(epoch));
    const double gap = mean_free_energy(rbm, heldout.topRows(nmon)) - mean_free_energy(rbm, bin.topRows(nmon));
    // Checkpoint before reporting, so a reported epoch is always on disk.
    nlohmann::json meta = base_meta;
    meta["training"] = options_json(a);
    TrainingState t;
    t.epoch = trainer.epochs_done();
    t.updates = trainer.updates_done();
    t.optimizer = trainer.optimizer_state();
    save_chains(chains, t, meta);
    t.streams["shuffle"] = {trainer.shuffle_stream()};
    if (centering && centering->hidden_offset().size() > 0) t.state["centering.hidden"] = centering->hidden_offset();
    ModelFile f = file_of(rbm, meta.dump(), std::move(t));
    save_model_file(a.out, f);
    if (a.json) {
      nlohmann::json line = {{"event", "epoch"}, {"epoch", rep.epoch}, {"updates", rep.updates},
                                   {"seconds", rep.seconds}, {"learning_rate", rep.learning_rate},
                                   {"momentum", rep.momentum}, {"reconstruction_error", recon},
                                   {"free_energy_gap", gap}, {"binarize", a.binarize}, {"checkpoint", a.out}};
      if constexpr (tempering) {
        line["swap_rates"] = chains.swap_rates();
        line["round_trips"] = chains.swap_stats().round_trips;  // restarts counting after --resume
      }
      std::printf("%s\n", line.dump().c_str());
    } else {
      std::printf("epoch %3d  %6.2fs  lr %.4f  mom %.2f  recon %.5f  F(held-out) - F(train) %+8.3f\n", rep.epoch,
                  rep.seconds, rep.learning_rate, rep.momentum, recon, gap);
      if constexpr (tempering)
        std::printf("          swap rates %s  round trips %lld\n", format_rates(chains.swap_rates()).c_str(),
                    static_cast<long long>(chains.swap_stats().round_trips));
    }
    if constexpr (tempering) chains.reset_swap_stats();  // rates per epoch; no effect on the chains
    std::fflush(stdout);
  }
}

}  // namespace

void add_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* c = app.add_subcommand("train", "train a Bernoulli RBM with CD-k, PCD-k or PT-PCD");
  c->add_option("--data", a->data, "mnist | mnist:train | mnist:test | FILE.npy (values in [0,1])");
  c->add_option("--data-dir", a->data_dir, "folder with the MNIST IDX files")->capture_default_str();
  c->add_option("--binarize", a->binarize, "stochastic (redrawn every epoch) | threshold (> 0.5)")->capture_default_str();
  c->add_option("--hidden", a->hidden, "hidden units")->capture_default_str();
  c->add_option("--sampler", a->sampler, "pcd | cd | pt (parallel tempering PCD)")->capture_default_str();
  c->add_option("--k", a->k, "Gibbs steps per update (pt: sweeps of every replica, each followed by swaps)")
      ->capture_default_str();
  c->add_option("--chains", a->chains, "persistent chains (pcd; pt: ladders, each of --temperatures replicas)")
      ->capture_default_str();
  c->add_option("--temperatures", a->temperatures, "pt: inverse temperatures per ladder, 1 down to --beta-min")
      ->capture_default_str();
  c->add_option("--beta-min", a->beta_min, "pt: lowest inverse temperature (linear spacing; 0 = uniform)")
      ->capture_default_str();
  c->add_option("--batch", a->batch, "minibatch size")->capture_default_str();
  c->add_option("--epochs", a->epochs, "epochs (total, also when resuming)")->capture_default_str();
  c->add_option("--lr", a->lr, "learning rate")->capture_default_str();
  c->add_option("--lr-schedule", a->lr_schedule, "constant | linear")->capture_default_str();
  c->add_option("--lr-final", a->lr_final, "linear schedule: final rate as a fraction of --lr")->capture_default_str();
  c->add_option("--momentum", a->momentum, "momentum after the ramp")->capture_default_str();
  c->add_option("--momentum-initial", a->momentum_initial, "momentum at the start")->capture_default_str();
  c->add_option("--momentum-ramp", a->momentum_ramp, "epochs to ramp the momentum")->capture_default_str();
  c->add_option("--weight-decay", a->weight_decay, "L2 weight decay on W")->capture_default_str();
  c->add_option("--init-sigma", a->init_sigma, "initial weights ~ N(0, sigma^2)")->capture_default_str();
  c->add_option("--limit", a->limit, "use only the first N training examples");
  c->add_option("--seed", a->seed, "random seed")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores); results do not depend on it");
  c->add_option("--out", a->out, "model / checkpoint file")->capture_default_str();
  c->add_option("--resume", a->resume, "continue training from this checkpoint");
  c->add_option("--stop-after", a->stop_after,
                "stop after this many epochs of this invocation (time-sliced jobs; continue with --resume)");
  c->add_flag("--json", a->json, "one JSON object per line");
  c->add_flag("--centering,!--no-centering", a->centering,
              "centered gradient (Melchior et al. 2016): offsets = data mean and running hidden mean")
      ->capture_default_str();
  c->add_option("--centering-rate", a->centering_rate, "rate of the running hidden mean")->capture_default_str();
  c->callback([a, c] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    std::optional<ModelFile> resumed;
    nlohmann::json base_meta = nlohmann::json::object();
    if (!a->resume.empty()) {
      resumed = load_model_file(a->resume);
      ensure(resumed->training.has_value(), "--resume ", a->resume, ": the file holds no training state");
      base_meta = metadata_of(*resumed, a->resume);
      ensure(base_meta.contains("training"), "--resume ", a->resume, ": the file holds no training options");
      const int epochs = a->epochs;
      const bool epochs_given = c->count("--epochs") > 0;
      options_from_json(base_meta["training"], *a);
      if (epochs_given) a->epochs = epochs;
      if (c->count("--out") == 0) a->out = a->resume;
    }
    ensure(a->sampler == "pcd" || a->sampler == "cd" || a->sampler == "pt", "--sampler '", a->sampler,
           "' is unknown; use pcd, cd or pt");
    ensure(a->temperatures >= 1, "--temperatures = ", a->temperatures, " must be at least 1");
    ensure(a->beta_min >= 0 && a->beta_min < 1, "--beta-min = ", a->beta_min, " must lie in [0, 1)");
    ensure(a->hidden > 0, "--hidden = ", a->hidden, " must be positive");
    ensure(a->k > 0 && a->k <= INT_MAX, "--k = ", a->k, " must lie in [1, ", INT_MAX, "]");
    ensure(a->chains > 0, "--chains = ", a->chains, " must be positive");
    ensure(a->batch > 0, "--batch = ", a->batch, " must be positive");
    ensure(a->epochs > 0, "--epochs = ", a->epochs, " must be positive");
    parse_binarize(a->binarize);
    train_options(*a);
    // A checkpoint is refused before any data is read, not after minutes of loading.
    if (resumed) check_checkpoint(*a, *resumed, base_meta);
    const OutputLock out_lock(a->out);  // --out writable and ours alone: checked before any data is loaded
    const DataSpec train = load_data(a->data, a->data_dir, a->limit);
    // Held-out rows for the overfitting monitor: the fixed binarized test sample (MNIST) — never trained on.
    Matrixf heldout;
    if (a->data.rfind("mnist", 0) == 0) {
      const Matrixf t = load_data("mnist:test", a->data_dir, a->monitor).intensities;
      heldout.resize(t.rows(), t.cols());
      binarize(t, parse_binarize(a->binarize), test_binarization_seed, test_binarization_round, heldout);
    } else {
      heldout.resize(train.intensities.rows(), train.intensities.cols());
      binarize(train.intensities, parse_binarize(a->binarize), test_binarization_seed, test_binarization_round, heldout);
    }
    ensure(a->batch <= train.intensities.rows(), "--batch = ", a->batch, " exceeds the ", train.intensities.rows(),
           " training examples");
    if (resumed) {
      const std::int64_t per_epoch = train.intensities.rows() / a->batch, done = resumed->training->epoch;
      const std::int64_t expected = checked_mul(done, per_epoch, "--resume " + a->resume + ": epochs x updates");
      ensure(resumed->training->updates == expected, "--resume ", a->resume, ": training_state.updates = ",
             resumed->training->updates, ", but ", done, " epochs of ", per_epoch, " updates (",
             train.intensities.rows(), " examples, batch ", a->batch, ") make ", expected);
    }
    BernoulliRBMf rbm(train.intensities.cols(), a->hidden);
    if (resumed) {
      ensure(visible_units_of(*resumed) == rbm.num_visible(), "--resume ", a->resume, ": model has ",
             visible_units_of(*resumed), " visible units, the data has ", rbm.num_visible());
      rbm = rbm_of(*resumed);
    } else {
      Rng rng = make_stream(a->seed, StreamPurpose::init, 0);
      rbm.init_normal(rng, float(a->init_sigma));
      // Marginals of the binarized data: intensities are the on-probabilities under stochastic binarization.
      Matrixf marginal_source = train.intensities;
      if (parse_binarize(a->binarize) == Binarize::threshold)
        marginal_source = (train.intensities.array() > 0.5f).cast<float>().matrix();
      rbm.init_visible_bias(marginal_source);
      // The base-rate model of AIS (Salakhutdinov & Murray 2008) uses the training data's marginals.
      const Vectorf marg = marginal_source.colwise().mean().transpose();
      base_meta["data_marginals"] = std::vector<float>(marg.data(), marg.data() + marg.size());
    }
    if (a->sampler == "pcd") {
      PersistentChains<BlockGibbs<BernoulliRBMf>> chains(BlockGibbs<BernoulliRBMf>{}, a->chains, int(a->k), a->seed);
      run(*a, resumed, chains, rbm, train.intensities, heldout, base_meta);
    } else if (a->sampler == "pt") {
      Tempering chains(Gibbs{}, a->chains, linear_ladder(a->temperatures, a->beta_min), int(a->k), a->seed);
      run(*a, resumed, chains, rbm, train.intensities, heldout, base_meta);
    } else {
      ContrastiveDivergence<BlockGibbs<BernoulliRBMf>> chains(BlockGibbs<BernoulliRBMf>{}, int(a->k), a->seed);
      run(*a, resumed, chains, rbm, train.intensities, heldout, base_meta);
    }
    if (!a->json) std::printf("model written to %s\n", a->out.c_str());
  });
}

}  // namespace ebm::cli
