#include "cli/train_args.hpp"

#include <climits>
#include <cmath>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "cli/kernel_choice.hpp"
#include "cli/model_choice.hpp"
#include "ebm/core/checked_arithmetic.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/train/schedule.hpp"
#include "json_fields.hpp"

namespace ebm::cli {

void add_train_options(CLI::App& c, TrainArgs& a) {
  TrainArgs* p = &a;
  c.add_option("--data", p->data, "mnist | mnist:train | mnist:test | FILE.npy (values in [0,1])");
  c.add_option("--data-dir", p->data_dir, "folder with the MNIST IDX files")->capture_default_str();
  c.add_option("--binarize", p->binarize, "stochastic (redrawn every epoch) | threshold (> 0.5)")->capture_default_str();
  c.add_option("--model", p->model, "rbm (Bernoulli RBM) | mlp (MLP energy over binary x)")->capture_default_str();
  c.add_option("--hidden", p->hidden, "rbm: hidden units")->capture_default_str();
  c.add_option("--layers", p->layers, "mlp: hidden layer widths, e.g. 256,256 (one output follows)")
      ->capture_default_str();
  c.add_option("--activation", p->activation, "mlp: swish | softplus")->capture_default_str();
  c.add_flag("--base-term,!--no-base-term", p->base_term,
             "mlp: add the factorized Bernoulli base term of the training marginals, E = net(x) - a.x")
      ->capture_default_str();
  c.add_option("--kernel", p->kernel,
               "gibbs (rbm: block Gibbs) | gwg | gwg:K | dula | dmala | site-gibbs | systematic-gibbs | metropolis | "
               "hb[:K[:M]] | pas[:R] (mlp, default dmala; rbm through its free energy)")
      ->capture_default_str();
  c.add_option("--policy,--sampler", p->policy,
               "pcd | cd | pt (parallel tempering PCD) | replay (replay buffer, with a binary kernel; the mlp default)")
      ->capture_default_str();
  c.add_option("--k", p->k, "kernel steps per update (pt: sweeps of every replica, each followed by swaps; mlp: 10)")
      ->capture_default_str();
  c.add_option("--chains", p->chains, "persistent chains (pcd, replay: chains per update; pt: ladders)")
      ->capture_default_str();
  c.add_option("--temperatures", p->temperatures, "pt: inverse temperatures per ladder, 1 down to --beta-min")
      ->capture_default_str();
  c.add_option("--beta-min", p->beta_min, "pt: lowest inverse temperature (linear spacing; 0 = uniform)")
      ->capture_default_str();
  c.add_option("--buffer", p->buffer, "replay: stored chain states")->capture_default_str();
  c.add_option("--reinit", p->reinit, "replay: probability that a chain restarts from the base distribution")
      ->capture_default_str();
  c.add_option("--step-size", p->step_size, "dula, dmala: step size alpha (initial, with --target-acceptance)")
      ->capture_default_str();
  c.add_option("--target-acceptance", p->target_acceptance,
               "dula, dmala: keep the acceptance rate near this while training (0 = fixed step size)")
      ->capture_default_str();
  c.add_option("--optimizer", p->optimizer, "sgd | adam (the mlp default)")->capture_default_str();
  c.add_option("--batch", p->batch, "minibatch size")->capture_default_str();
  c.add_option("--epochs", p->epochs, "epochs (total, also when resuming; mlp: 10)")->capture_default_str();
  c.add_option("--lr", p->lr, "learning rate (mlp: 1e-3)")->capture_default_str();
  c.add_option("--lr-schedule", p->lr_schedule, "constant | linear | cosine")->capture_default_str();
  c.add_option("--lr-final", p->lr_final, "linear or cosine schedule: final rate as a fraction of --lr")->capture_default_str();
  c.add_option("--momentum", p->momentum, "sgd: momentum after the ramp")->capture_default_str();
  c.add_option("--momentum-initial", p->momentum_initial, "sgd: momentum at the start")->capture_default_str();
  c.add_option("--momentum-ramp", p->momentum_ramp, "sgd: epochs to ramp the momentum")->capture_default_str();
  c.add_option("--weight-decay", p->weight_decay, "L2 weight decay on the weights (mlp: 0)")->capture_default_str();
  c.add_option("--energy-penalty", p->energy_penalty,
               "mlp: alpha of the penalty alpha (E_data^2 + E_chains^2) of Du & Mordatch (default 1e-3)")
      ->capture_default_str();
  c.add_option("--init-sigma", p->init_sigma, "rbm: initial weights ~ N(0, sigma^2); mlp: initial gain (1)")
      ->capture_default_str();
  c.add_option("--limit", p->limit, "use only the first N training examples");
  c.add_option("--seed", p->seed, "random seed")->capture_default_str();
  c.add_option("--threads", p->threads, "worker threads (0 = all cores); results do not depend on it");
  c.add_option("--out", p->out, "model / checkpoint file")->capture_default_str();
  c.add_option("--resume", p->resume, "continue training from this checkpoint");
  c.add_option("--stop-after", p->stop_after,
               "stop after this many epochs of this invocation (time-sliced jobs; continue with --resume)");
  c.add_flag("--json", p->json, "one JSON object per line");
  c.add_flag("--centering,!--no-centering", p->centering,
             "rbm: centered gradient (Melchior et al. 2016): offsets = data mean and running hidden mean")
      ->capture_default_str();
  c.add_option("--centering-rate", p->centering_rate, "rbm: rate of the running hidden mean")->capture_default_str();
}

void apply_model_defaults(const CLI::App& c, TrainArgs& a) {
  // An RBM moved by a binary kernel has no hidden chains for centering to read: off unless asked for (then
  // check_model_options names the conflict).
  if (a.model == "rbm" && a.kernel != "gibbs" && c.count("--centering") == 0) a.centering = false;
  if (a.model != "mlp") return;
  // The recipe of scripts/deep-energy-job: Adam, DMALA with 10 steps per update from a replay buffer.
  const std::vector<std::pair<const char*, std::function<void()>>> defaults = {
      {"--kernel", [&] { a.kernel = "dmala"; }},
      {"--policy", [&] { a.policy = "replay"; }},
      {"--k", [&] { a.k = 10; }},
      {"--optimizer", [&] { a.optimizer = "adam"; }},
      {"--lr", [&] { a.lr = 1e-3; }},
      {"--epochs", [&] { a.epochs = 10; }},
      {"--weight-decay", [&] { a.weight_decay = 0; }},
      {"--energy-penalty", [&] { a.energy_penalty = 1e-3; }},
      {"--init-sigma", [&] { a.init_sigma = 1.0; }},
      {"--centering", [&] { a.centering = false; }}};
  for (const auto& [name, set] : defaults)
    if (c.count(name) == 0) set();
}

nlohmann::json options_json(const TrainArgs& a) {
  nlohmann::json j = {{"data", a.data},          {"binarize", a.binarize},
                      {"sampler", a.policy},     {"hidden", a.hidden},
                      {"k", a.k},                {"chains", a.chains},
                      {"batch", a.batch},        {"limit", a.limit},
                      {"epochs", a.epochs},      {"lr", a.lr},
                      {"lr_schedule", a.lr_schedule}, {"lr_final", a.lr_final},
                      {"momentum", a.momentum},  {"momentum_initial", a.momentum_initial},
                      {"momentum_ramp", a.momentum_ramp}, {"weight_decay", a.weight_decay},
                      {"init_sigma", a.init_sigma}, {"seed", a.seed},
                      {"centering", a.centering}, {"centering_rate", a.centering_rate},
                      {"temperatures", a.temperatures}, {"beta_min", a.beta_min},
                      {"model", a.model},        {"kernel", a.kernel},
                      {"optimizer", a.optimizer}, {"energy_penalty", a.energy_penalty}};
  if (a.model == "mlp") {
    j["layers"] = a.layers;
    j["activation"] = a.activation;
    j["base_term"] = a.base_term;
  }
  if (a.model == "mlp" || a.kernel != "gibbs") {  // the options of binary kernels and the replay buffer
    j["buffer"] = a.buffer;
    j["reinit"] = a.reinit;
    j["step_size"] = a.step_size;
    j["target_acceptance"] = a.target_acceptance;
  }
  return j;
}

void options_from_json(const nlohmann::json& j, TrainArgs& a) {
  constexpr std::int64_t big = std::numeric_limits<std::int64_t>::max();
  const json_fields::Fields f(j, "--resume " + a.resume, "training.");
  a.data = f.string("data");
  a.binarize = f.string("binarize");
  a.policy = f.string("sampler");
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
  // Absent in checkpoints from before --sampler pt, and before --model (RBM checkpoints).
  a.temperatures = f.has("temperatures") ? int(f.integer("temperatures", 1, INT_MAX)) : 10;
  a.beta_min = f.has("beta_min") ? f.number("beta_min") : 0.0;
  a.model = f.has("model") ? f.string("model") : "rbm";
  a.kernel = f.has("kernel") ? f.string("kernel") : "gibbs";
  a.optimizer = f.has("optimizer") ? f.string("optimizer") : "sgd";
  a.energy_penalty = f.has("energy_penalty") ? f.number("energy_penalty") : 0.0;
  if (a.model == "mlp") {
    a.layers = f.string("layers");
    a.activation = f.string("activation");
    a.base_term = f.boolean("base_term");
  }
  if (a.model == "mlp" || a.kernel != "gibbs") {
    a.buffer = f.integer("buffer", 1, big);
    a.reinit = f.number("reinit");
    a.step_size = f.number("step_size");
    a.target_acceptance = f.number("target_acceptance");
  }
}

void check_train_args(const CLI::App& c, const TrainArgs& a) {
  ensure(a.policy == "pcd" || a.policy == "cd" || a.policy == "pt" || a.policy == "replay", "--policy '", a.policy,
         "' is unknown; use pcd, cd, pt or replay");
  ensure(a.optimizer == "sgd" || a.optimizer == "adam", "--optimizer '", a.optimizer, "' is unknown; use sgd or adam");
  check_model_options(c, a);
  ensure(a.temperatures >= 1, "--temperatures = ", a.temperatures, " must be at least 1");
  ensure(a.beta_min >= 0 && a.beta_min < 1, "--beta-min = ", a.beta_min, " must lie in [0, 1)");
  ensure(a.hidden > 0, "--hidden = ", a.hidden, " must be positive");
  ensure(a.k > 0 && a.k <= INT_MAX, "--k = ", a.k, " must lie in [1, ", INT_MAX, "]");
  ensure(a.chains > 0, "--chains = ", a.chains, " must be positive");
  ensure(a.batch > 0, "--batch = ", a.batch, " must be positive");
  ensure(a.epochs > 0, "--epochs = ", a.epochs, " must be positive");
  ensure(a.policy != "replay" || a.buffer >= a.chains, "--buffer = ", a.buffer, " must hold at least the --chains = ",
         a.chains, " chains");
  ensure(a.reinit >= 0 && a.reinit <= 1, "--reinit = ", a.reinit, " must lie in [0, 1]");
  ensure(a.step_size > 0 && std::isfinite(a.step_size), "--step-size = ", a.step_size, " must be positive");
  ensure(a.target_acceptance >= 0 && a.target_acceptance < 1, "--target-acceptance = ", a.target_acceptance,
         " must lie in [0, 1) (0: fixed step size)");
  ensure(a.energy_penalty >= 0 && std::isfinite(a.energy_penalty), "--energy-penalty = ", a.energy_penalty,
         " must be non-negative");
  parse_binarize(a.binarize);
  train_options(a);
}

void check_trainer_state(const TrainArgs& a, const ModelFile& f) {
  const std::string where = "--resume " + a.resume;
  const TrainingState& t = *f.training;
  ensure(t.streams.count("shuffle") && t.streams.at("shuffle").size() == 1, where,
         ": the checkpoint needs one random stream rng.shuffle");
  const std::size_t n = std::size_t(f.params.size());
  auto has = [&](const char* v) { return t.optimizer.vectors.count(v) && t.optimizer.vectors.at(v).size() == Index(n); };
  if (a.optimizer == "sgd")
    ensure(t.optimizer.kind == "sgd" && has("velocity"), where,
           ": the checkpoint's optimizer state is not SGD with a velocity of ", n, " entries");
  else
    ensure(t.optimizer.kind == "adam" && has("m") && has("v"), where,
           ": the checkpoint's optimizer state is not Adam with moments m and v of ", n, " entries");
  ensure(t.epoch <= a.epochs, where, ": the checkpoint has done ", t.epoch, " epochs, more than --epochs = ",
         a.epochs);
  // Every epoch makes the same number (>= 1) of updates; the number itself is checked against the data later.
  ensure(t.epoch == 0 ? t.updates == 0 : t.updates >= t.epoch && t.updates % t.epoch == 0, where,
         ": training_state.updates = ", t.updates, " is not a whole number of updates per epoch for ", t.epoch,
         " epochs");
}

void check_pt_rounds(const TrainArgs& a, const ModelFile& f, const nlohmann::json& meta) {
  const std::string where = "--resume " + a.resume;
  if (a.policy == "pt") {
    const std::int64_t rounds = checked_mul(f.training->updates, a.k, where + ": updates x k");
    ensure(meta.contains("pt_rounds") && meta["pt_rounds"].get<std::int64_t>() == rounds, where, ": pt_rounds = ",
           meta.contains("pt_rounds") ? json_fields::shown(meta["pt_rounds"]) : std::string("(missing)"),
           "; ", f.training->updates, " updates of k = ", a.k, " rounds make ", rounds);
    const auto& c = f.training->counters;
    ensure(!c.count("pt.rounds") || c.at("pt.rounds") == rounds, where, ": training_state.counters.pt.rounds = ",
           c.count("pt.rounds") ? c.at("pt.rounds") : 0, ", but pt_rounds = ", rounds);
  } else {
    ensure(!meta.contains("pt_rounds"), where, ": pt_rounds in a checkpoint of sampler ", a.policy);
  }
}

TrainOptions train_options(const TrainArgs& a) {
  TrainOptions opt;
  opt.batch_size = a.batch;
  opt.epochs = a.epochs;
  opt.learning_rate = a.lr;
  opt.schedule = {parse_schedule_kind(a.lr_schedule), a.lr_final};
  opt.momentum = {a.momentum_initial, a.momentum, a.momentum_ramp};
  opt.seed = a.seed;
  opt.optimizer = a.optimizer == "adam" ? Optimizer::adam : Optimizer::sgd;
  opt.centering_rate = a.centering_rate;  // checked here; centering itself is a transform that the run adds
  opt.validate();
  return opt;
}

}  // namespace ebm::cli
