// `ebm train`: the options, the checkpoint to continue, the data, then the model's path: here the Bernoulli RBM
// (CD-k, PCD-k or PT-PCD with block Gibbs), train_mlp.cpp the MLP energy. Both run the epoch loop of
// epoch_loop.hpp, with per-epoch monitors and atomic checkpoints that resume bit for bit.
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
#include "cli/epoch_loop.hpp"
#include "cli/kernel_choice.hpp"
#include "cli/output_lock.hpp"
#include "cli/progress.hpp"
#include "cli/rbm_file.hpp"
#include "cli/train_args.hpp"
#include "cli/train_run.hpp"
#include "ebm/core/checked_arithmetic.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/ebm.hpp"
#include "ebm/io/chain_state_codec.hpp"
#include "ebm/io/tempering_checkpoint.hpp"
#include "ebm/samplers/parallel_tempering.hpp"

namespace ebm::cli {
namespace {

// A PT checkpoint written before the generic codec (io/tempering_checkpoint.hpp) held the rounds only as the
// metadata's pt_rounds (checked by check_pt_rounds) and no swap statistics: it resumes with the rounds from
// there and the statistics and round-trip marks of a fresh ladder (the chains continue bit for bit; the round
// trips of the first resumed epoch count from zero, as they always did).
TrainingState with_pt_counters(const TrainingState& t, const nlohmann::json& meta, const TrainArgs& a) {
  if (a.policy != "pt" || t.counters.count("pt.rounds") || !meta.contains("pt_rounds")) return t;
  TrainingState out = t;
  out.counters["pt.rounds"] = meta["pt_rounds"].get<std::int64_t>();
  for (int k = 0; k + 1 < a.temperatures; ++k)
    out.counters["pt.attempts." + std::to_string(k)] = out.counters["pt.accepts." + std::to_string(k)] = 0;
  out.counters["pt.round_trips"] = 0;
  out.state["pt.directions"] = Vectorf::Zero(Index(a.temperatures) * a.chains);
  return out;
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
  ensure(t.streams.count("chains"), where, ": the checkpoint needs the random streams rng.chains");
  check_trainer_state(a, f);
  Index rows = a.chains, streams = a.chains;
  if (a.policy == "cd") {
    rows = streams = a.batch;  // one chain per minibatch row, restarted at every update
  } else if (a.policy == "pt") {
    rows = checked_mul(Index(a.temperatures), a.chains, where + ": temperatures x chains");
    streams = checked_add(rows, a.chains, where + ": streams");  // the chains', then one swap stream per ladder
  }
  ensure(t.chains.at("v").rows() == rows, where, ": the checkpoint holds ", t.chains.at("v").rows(),
         " chain states; ", a.policy, " with these options needs ", rows);
  ensure(Index(t.streams.at("chains").size()) == streams, where, ": the checkpoint has ",
         t.streams.at("chains").size(), " random streams; ", a.policy, " with these options needs ", streams);
  const Index offset = a.centering && t.updates > 0 ? num_hidden : 0;
  const Index stored = t.state.count("centering.hidden") ? t.state.at("centering.hidden").size() : 0;
  ensure(stored == offset, where, ": centering.hidden has ", stored,
         " entries; a run ", a.centering ? "with" : "without", " centering after ", t.updates, " updates needs ",
         offset);
  check_pt_rounds(a, f, meta);
  if (a.policy == "pt")
    check_tempering_checkpoint<GibbsChains<float>>(with_pt_counters(t, meta, a), Index(a.temperatures), a.chains,
                                                   where);
}

using Gibbs = BlockGibbs<BernoulliRBMf>;
using Tempering = ParallelTempering<Gibbs>;

// Chain state of a checkpoint: the generic codecs (io/chain_state_codec.hpp for PCD/CD: chains.v/h/ph and one
// stream per chain; io/tempering_checkpoint.hpp for PT: every replica stacked, the chain then the swap streams,
// the rounds and swap statistics as counters), and for PT the rounds once more in the metadata (pt_rounds), which
// check_checkpoint compares with updates × k before any data is read.
template <class Policy>
void save_chains(const Policy& chains, TrainingState& t, nlohmann::json& meta) {
  if constexpr (std::is_same_v<Policy, Tempering>) {
    save_tempering(chains, t);
    meta["pt_rounds"] = chains.rounds();
  } else {
    save_chain_state(chains.state(), t);
    t.streams["chains"] = chains.streams();
  }
}

template <class Policy>
void restore_chains(Policy& chains, const BernoulliRBMf& rbm, const TrainingState& t, const std::string& where) {
  // Present and consistent: checked by the reader and check_checkpoint.
  if constexpr (std::is_same_v<Policy, Tempering>) {
    restore_tempering(chains, rbm, t, where);
    chains.reset_swap_stats();  // as after the report of the checkpoint's epoch; the round-trip marks stay
  } else {
    chains.streams() = t.streams.at("chains");
    if (const Index rows = t.chains.at("v").rows(); rows > 0)
      restore_chain_state(chains.kernel(), rbm, chains.state(), t, rows, where);
  }
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
void run(const TrainRun& r, Policy& chains, BernoulliRBMf& rbm) {
  const TrainArgs& a = r.args;
  // SGD unless --optimizer adam (SelectedOptimizer forwards to Sgd<float>: the same bits as naming it).
  Trainer trainer(rbm, chains, train_options(a));
  // The gradient transforms, in this order: centering on the plain gradient, then weight decay.
  Centering<float>* centering = a.centering ? &trainer.add_transform(Centering<float>(a.centering_rate)) : nullptr;
  if (a.weight_decay != 0) trainer.add_transform(WeightDecay(a.weight_decay));  // refuses < 0 and non-finite
  if (r.resumed && r.resumed->training) {
    const TrainingState& t = *r.resumed->training;
    restore_trainer(trainer, t);
    if (centering && t.state.count("centering.hidden")) centering->hidden_offset() = t.state.at("centering.hidden");
    restore_chains(chains, rbm, with_pt_counters(t, r.base_meta, a), "--resume " + a.resume);
  }
  constexpr bool tempering = std::is_same_v<Policy, Tempering>;
  const Matrixf &train = r.train, &heldout = r.heldout;
  const Index nmon = std::min<Index>(a.monitor, std::min(train.rows(), heldout.rows()));
  if (!a.json) {
    std::printf("training %s RBM %ld x %ld on %s (%ld examples, binarize %s), %s-%ld, %ld chains, batch %ld\n",
                "Bernoulli", long(rbm.num_visible()), long(rbm.num_hidden()), a.data.c_str(), long(train.rows()),
                a.binarize.c_str(), a.policy == "pcd" ? "PCD" : a.policy == "pt" ? "PT-PCD" : "CD", long(a.k),
                long(chains.num_chains() ? chains.num_chains() : a.batch), long(a.batch));
    if constexpr (tempering)
      std::printf("parallel tempering: %d inverse temperatures from 1 to %g (linear), swaps every sweep\n",
                  a.temperatures, a.beta_min);
  }
  EpochHooks hooks;
  hooks.monitor = [&](const Matrixf& bin) {
    const int epoch = trainer.epochs_done() - 1;
    const double recon = reconstruction_error(rbm, bin.topRows(nmon), a.seed + std::uint64_t(epoch));
    const double gap = mean_free_energy(rbm, heldout.topRows(nmon)) - mean_free_energy(rbm, bin.topRows(nmon));
    EpochMonitor m;
    m.fields = {{"reconstruction_error", recon}, {"free_energy_gap", gap}};
    char text[96];
    std::snprintf(text, sizeof text, "  recon %.5f  F(held-out) - F(train) %+8.3f", recon, gap);
    m.text = text;
    if constexpr (tempering) add_swap_monitor(chains, m);
    return m;
  };
  hooks.save = [&](TrainingState& t, nlohmann::json& meta) {
    save_chains(chains, t, meta);
    if (centering && centering->hidden_offset().size() > 0) t.state["centering.hidden"] = centering->hidden_offset();
  };
  hooks.after_report = [&] {
    if constexpr (tempering) chains.reset_swap_stats();  // rates per epoch; no effect on the chains
  };
  run_epochs(a, trainer, rbm, train, r.base_meta, hooks);
}

// The RBM's path: a fresh or resumed RBM, then CD, PCD or PT-PCD with block Gibbs.
void train_rbm(const TrainRun& r) {
  TrainArgs& a = r.args;
  BernoulliRBMf rbm(r.train.cols(), a.hidden);
  if (r.resumed) {
    ensure(visible_units_of(*r.resumed) == rbm.num_visible(), "--resume ", a.resume, ": model has ",
           visible_units_of(*r.resumed), " visible units, the data has ", rbm.num_visible());
    rbm = rbm_of(*r.resumed);
  } else {
    Rng rng = make_stream(a.seed, StreamPurpose::init, 0);
    rbm.init_normal(rng, float(a.init_sigma));
    rbm.init_visible_bias(r.marginal_source);
  }
  if (a.policy == "pcd") {
    PersistentChains<BlockGibbs<BernoulliRBMf>> chains(BlockGibbs<BernoulliRBMf>{}, a.chains, int(a.k), a.seed);
    run(r, chains, rbm);
  } else if (a.policy == "pt") {
    Tempering chains(Gibbs{}, a.chains, linear_ladder(a.temperatures, a.beta_min), int(a.k), a.seed);
    run(r, chains, rbm);
  } else {
    ContrastiveDivergence<BlockGibbs<BernoulliRBMf>> chains(BlockGibbs<BernoulliRBMf>{}, int(a.k), a.seed);
    run(r, chains, rbm);
  }
}

}  // namespace

void add_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* c = app.add_subcommand(
      "train", "train a Bernoulli RBM (block Gibbs, or any binary kernel on its free energy) or an MLP energy over "
               "binary data (GWG, DULA, DMALA, ...; PCD, CD, PT, replay buffer)");
  add_train_options(*c, *a);
  c->callback([a, c] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    std::optional<ModelFile> resumed;
    nlohmann::json base_meta = nlohmann::json::object();
    if (!a->resume.empty()) {
      resumed = load_model_file(a->resume, "");
      ensure(resumed->kind == "bernoulli_rbm" || resumed->kind == "mlp_energy", "--resume ", a->resume,
             ": holds a model of kind ", resumed->kind, "; ebm train continues bernoulli_rbm and mlp_energy files");
      ensure(resumed->training.has_value(), "--resume ", a->resume, ": the file holds no training state");
      base_meta = metadata_of(*resumed, a->resume);
      ensure(base_meta.contains("training"), "--resume ", a->resume, ": the file holds no training options");
      const int epochs = a->epochs;
      const bool epochs_given = c->count("--epochs") > 0;
      options_from_json(base_meta["training"], *a);
      if (epochs_given) a->epochs = epochs;
      if (c->count("--out") == 0) a->out = a->resume;
      const std::string kind = a->model == "mlp" ? "mlp_energy" : "bernoulli_rbm";
      ensure(resumed->kind == kind, "--resume ", a->resume, ": training.model = ", a->model, ", but the file holds ",
             resumed->kind);
    } else {
      apply_model_defaults(*c, *a);
    }
    check_train_args(*c, *a);
    // A checkpoint is refused before any data is read, not after minutes of loading.
    const bool block_gibbs = parse_kernel(a->kernel).kind == KernelChoice::Kind::block_gibbs;
    if (resumed && block_gibbs) check_checkpoint(*a, *resumed, base_meta);
    if (resumed && !block_gibbs) check_mlp_checkpoint(*a, *resumed, base_meta);
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
    // Marginals of the binarized data: intensities are the on-probabilities under stochastic binarization.
    Matrixf marginal_source = train.intensities;
    if (parse_binarize(a->binarize) == Binarize::threshold)
      marginal_source = (train.intensities.array() > 0.5f).cast<float>().matrix();
    if (!resumed) {
      // The base-rate model of AIS (Salakhutdinov & Murray 2008) uses the training data's marginals.
      const Vectorf marg = marginal_source.colwise().mean().transpose();
      base_meta["data_marginals"] = std::vector<float>(marg.data(), marg.data() + marg.size());
    }
    const TrainRun run{*a, resumed, train.intensities, heldout, marginal_source, base_meta};
    if (a->model == "mlp")
      train_mlp(run);
    else if (block_gibbs)
      train_rbm(run);
    else
      train_rbm_binary(run);
    if (!a->json) std::printf("model written to %s\n", a->out.c_str());
  });
}

}  // namespace ebm::cli
