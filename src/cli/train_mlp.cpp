// `ebm train --model mlp`: an MLP energy over binary x (with or without the base term of the training
// marginals), and `ebm train --model rbm --kernel K` for any binary kernel K (an RBM trained through its free
// energy, models/rbm_free_energy.hpp: no hidden chains, saved as the bernoulli_rbm it is), trained by maximum
// likelihood with any binary kernel (kernel_choice.hpp) inside a persistent,
// contrastive-divergence, replay-buffer or parallel-tempering chain policy, SGD or Adam, the energy-magnitude
// penalty of Du & Mordatch; the epoch loop, checkpoints and reports are the RBM's (epoch_loop.hpp). Parallel
// tempering runs the kernel in every replica of a ladder from β = 1 down to --beta-min towards the factorized
// Bernoulli base of the training marginals (EnergyTempering: E_β = β E − (1 − β) aᵀx, so β = 0 is the base).
//
// A checkpoint holds, besides θ, the optimizer state (Adam's moments) and the counters: the chains' states
// (chains.x; the replay buffer's stored states as chains.buffer), one stream per chain (rng.chains), the
// buffer's own stream (rng.replay) and start counts, and DULA's or DMALA's step size as adapted so far
// (kernel_step_size in the metadata, a double). Parallel tempering stores every replica and its ladders'
// state through io/tempering_checkpoint.hpp, pt_rounds in the metadata (as the RBM's) and the step size of
// every replica's kernel (kernel_step_sizes, one per temperature: each adapts to its own acceptance). The
// kernels' caches (E, ∇ₓE at the chains) are not stored: a resumed kernel re-evaluates them at the current θ,
// exactly as the uninterrupted run does after an update.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "cli/epoch_loop.hpp"
#include "cli/kernel_choice.hpp"
#include "cli/mlp_file.hpp"
#include "cli/model_choice.hpp"
#include "cli/train_run.hpp"
#include "ebm/io/model_codecs.hpp"
#include "ebm/io/tempering_checkpoint.hpp"
#include "ebm/samplers/chain_policies.hpp"
#include "ebm/samplers/energy_tempering.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "ebm/samplers/replay_buffer.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"
#include "ebm/samplers/temperature_ladder.hpp"
#include "ebm/train/energy_penalty.hpp"
#include "ebm/train/trainer.hpp"

namespace ebm::cli {

// Chain states and streams a checkpoint of this policy must hold, checked before any data is read.
void check_mlp_checkpoint(const TrainArgs& a, const ModelFile& f, const nlohmann::json& meta) {
  const std::string where = "--resume " + a.resume;
  const TrainingState& t = *f.training;
  check_trainer_state(a, f);
  check_pt_rounds(a, f, meta);
  const bool langevin = parse_kernel(a.kernel).langevin();
  if (a.policy == "pt") {
    check_tempering_checkpoint<BinaryChains<float>>(t, Index(a.temperatures), a.chains, where);
    if (langevin) {
      const nlohmann::json* s = meta.contains("kernel_step_sizes") ? &meta["kernel_step_sizes"] : nullptr;
      bool ok = s && s->is_array() && s->size() == std::size_t(a.temperatures);
      for (std::size_t k = 0; ok && k < s->size(); ++k) ok = (*s)[k].is_number() && (*s)[k].get<double>() > 0;
      ensure(ok, where, ": the checkpoint needs kernel_step_sizes, ", a.temperatures,
             " positive step sizes of --kernel ", a.kernel, " (one per temperature)");
    }
    return;
  }
  const Index rows = a.policy == "replay" ? a.buffer : a.policy == "cd" ? a.batch : a.chains;
  const char* name = a.policy == "replay" ? "buffer" : "x";
  ensure(t.chains.count(name) && t.chains.at(name).rows() == rows, where, ": the checkpoint needs chains.", name,
         " with ", rows, " rows for --policy ", a.policy);
  ensure(t.streams.count("chains") && Index(t.streams.at("chains").size()) == (a.policy == "cd" ? a.batch : a.chains),
         where, ": the checkpoint needs one random stream per chain (rng.chains)");
  if (a.policy == "replay")
    ensure(t.streams.count("replay") && t.streams.at("replay").size() == 1 && t.counters.count("replay.fresh_starts") &&
               t.counters.count("replay.buffer_starts"),
           where, ": the checkpoint needs the replay buffer's stream rng.replay and its start counts");
  if (langevin)
    ensure(meta.contains("kernel_step_size") && meta["kernel_step_size"].is_number() &&
               meta["kernel_step_size"].get<double>() > 0,
           where, ": the checkpoint needs kernel_step_size, the positive step size of --kernel ", a.kernel);
}

namespace {

template <class Model>
double mean_energy(const Model& m, const Matrixf& x) {
  Vectorf e(x.rows());
  m.energy(x, e);
  return e.cast<double>().mean();
}

// The first line of a text run: what is trained, on what, how.
void describe(const MlpModel& model, const TrainArgs& a, Index examples) {
  std::printf("training MLP energy %ld-%s-1 (%s, %s base term, %ld parameters) on %s (%ld examples, binarize %s), "
              "%s %s-%ld, %ld chains, batch %ld, %s\n",
              long(model.dim()), a.layers.c_str(), a.activation.c_str(), model.has_base() ? "with" : "no",
              long(model.num_params()), a.data.c_str(), long(examples), a.binarize.c_str(), a.kernel.c_str(),
              a.policy.c_str(), long(a.k), long(a.chains), long(a.batch), a.optimizer.c_str());
}
void describe(const RbmFreeEnergy<float>& model, const TrainArgs& a, Index examples) {
  std::printf("training RBM %ldx%ld through its free energy on %s (%ld examples, binarize %s), %s %s-%ld, %ld chains, "
              "batch %ld, %s\n",
              long(model.dim()), long(model.rbm().num_hidden()), a.data.c_str(), long(examples), a.binarize.c_str(),
              a.kernel.c_str(), a.policy.c_str(), long(a.k), long(a.chains), long(a.batch), a.optimizer.c_str());
}

template <class Policy, class Model>
void run(const TrainRun& r, Policy& chains, Model& model) {
  const TrainArgs& a = r.args;
  Trainer trainer(model, chains, train_options(a));
  if (a.weight_decay > 0) trainer.add_transform(WeightDecay(a.weight_decay));
  if (a.energy_penalty > 0) trainer.add_transform(EnergyMagnitudePenalty(a.energy_penalty));
  constexpr bool replay = requires { chains.buffer(); };
  constexpr bool tempering = requires { chains.swap_streams(); };
  constexpr bool adaptable = requires { chains.kernel().set_step_size(1.0); };
  if (r.resumed) {
    const TrainingState& t = *r.resumed->training;
    restore_trainer(trainer, t);
    if constexpr (tempering) {
      restore_tempering(chains, model, t, "--resume " + a.resume);
      chains.reset_swap_stats();  // as after the report of the checkpoint's epoch; the round-trip marks stay
      if constexpr (adaptable)
        for (Index k = 0; k < chains.num_temperatures(); ++k)
          chains.kernel(k).set_step_size(r.base_meta.at("kernel_step_sizes").at(std::size_t(k)).template get<double>());
    } else {
      chains.streams() = t.streams.at("chains");
      if constexpr (replay) {
        chains.restore(t.chains.at("buffer"), t.streams.at("replay").front(), t.counters.at("replay.fresh_starts"),
                       t.counters.at("replay.buffer_starts"));
      } else if constexpr (requires { chains.start(model, t.chains.at("x")); }) {
        chains.start(model, t.chains.at("x"));
      }
      if constexpr (adaptable) chains.kernel().set_step_size(r.base_meta.at("kernel_step_size").get<double>());
    }
  } else if constexpr (requires { chains.start(model, Matrixf()); }) {
    // Persistent chains start from the base distribution (the data's marginals), as the replay buffer's do.
    chains.start(model, base_draws(base_logits_from_data<float>(r.marginal_source), a.chains, a.seed));
  }
  const Matrixf &train = r.train, &heldout = r.heldout;
  const Index nmon = std::min<Index>(a.monitor, std::min(train.rows(), heldout.rows()));
  if (!a.json) describe(model, a, train.rows());
  double acceptance = 0;
  Index updates = 0;
  AcceptanceTracking tracking;  // DULA's and DMALA's step size follows θ (step_size_adaptation.hpp)
  tracking.target = a.target_acceptance;
  EpochHooks hooks;
  hooks.on_update = [&](Index, Index) {
    const double acc = chains.state().acceptance.mean();
    acceptance += acc;
    ++updates;
    if (a.target_acceptance <= 0) return;
    // Every temperature's kernel towards the target at its own replica (whose rows swapped in this update carry
    // the last acceptance of a neighbour's kernel: a small lag in a heuristic that only keeps ε in range).
    if constexpr (tempering) {
      for (Index k = 0; k < chains.num_temperatures(); ++k)
        tracking.track(chains.kernel(k), chains.replica(k).acceptance.mean());
    } else {
      tracking.track(chains.kernel(), acc);
    }
  };
  hooks.monitor = [&](const Matrixf& bin) {
    const double gap = mean_energy(model, heldout.topRows(nmon)) - mean_energy(model, bin.topRows(nmon));
    const double acc = updates > 0 ? acceptance / double(updates) : 0.0;
    EpochMonitor m;
    m.fields = {{"acceptance_rate", acc}, {"energy_gap", gap}, {"kernel", a.kernel}};
    char text[128];
    std::snprintf(text, sizeof text, "  acc %.3f  E(held-out) - E(train) %+8.3f", acc, gap);
    m.text = text;
    if constexpr (requires { chains.kernel().step_size(); }) {
      m.fields["step_size"] = chains.kernel().step_size();
      std::snprintf(text, sizeof text, "  step %.4g", chains.kernel().step_size());
      m.text += text;
    }
    if constexpr (tempering) add_swap_monitor(chains, m);
    return m;
  };
  hooks.save = [&](TrainingState& t, nlohmann::json& meta) {
    if constexpr (tempering) {
      save_tempering(chains, t);
      meta["pt_rounds"] = chains.rounds();
      if constexpr (adaptable) {
        std::vector<double> steps;
        for (Index k = 0; k < chains.num_temperatures(); ++k) steps.push_back(chains.kernel(k).step_size());
        meta["kernel_step_sizes"] = steps;
      }
      return;
    }
    t.streams["chains"] = chains.streams();
    if constexpr (replay) {
      t.chains["buffer"] = chains.buffer();
      t.streams["replay"] = {chains.draw_stream()};
      t.counters["replay.fresh_starts"] = chains.fresh_starts();
      t.counters["replay.buffer_starts"] = chains.buffer_starts();
    } else {
      t.chains["x"] = chains.state().x;
    }
    if constexpr (requires { chains.kernel().step_size(); }) meta["kernel_step_size"] = chains.kernel().step_size();
  };
  hooks.after_report = [&] {
    acceptance = 0;
    updates = 0;
    if constexpr (tempering) chains.reset_swap_stats();  // rates per epoch; no effect on the chains
  };
  run_epochs(a, trainer, model, train, r.base_meta, hooks);
}

// The kernel and chain policy of the options around `model`; `base` is PT's β = 0 end.
template <class Model>
void train_binary(const TrainRun& r, Model& model, const VectorX<float>& base) {
  const TrainArgs& a = r.args;
  ensure(model.dim() == r.train.cols(), "--resume ", a.resume, ": the model has ", model.dim(),
         " inputs, the data has ", r.train.cols());
  const KernelChoice kc = parse_kernel(a.kernel);
  if (a.policy == "pt") {
    using Tempered = TemperedBinaryEnergy<Model>;
    with_binary_kernel<Tempered>(kc, a.step_size, [&](auto kernel) {
      ParallelTempering<decltype(kernel), EnergyTempering<Model>> chains(
          std::move(kernel), a.chains, linear_ladder(a.temperatures, a.beta_min), int(a.k), a.seed,
          EnergyTempering<Model>(base));
      run(r, chains, model);
    });
    return;
  }
  with_binary_kernel<Model>(kc, a.step_size, [&](auto kernel) {
    using K = decltype(kernel);
    if (a.policy == "replay") {
      ReplayBuffer<K> chains(std::move(kernel), a.chains, a.buffer, int(a.k), a.seed,
                             base_distribution_initializer<float>(base_logits_from_data<float>(r.marginal_source)),
                             a.reinit);
      run(r, chains, model);
    } else if (a.policy == "pcd") {
      PersistentChains<K> chains(std::move(kernel), a.chains, int(a.k), a.seed);
      run(r, chains, model);
    } else {
      ContrastiveDivergence<K> chains(std::move(kernel), int(a.k), a.seed);
      run(r, chains, model);
    }
  });
}

}  // namespace

void train_mlp(const TrainRun& r) {
  MlpModel model = r.resumed ? model_of<MlpModel>(*r.resumed) : make_mlp(r.train.cols(), r.args, r.marginal_source);
  train_binary(r, model, base_logits_for(model, r.base_meta, r.marginal_source));
}

void train_rbm_binary(const TrainRun& r) {
  const TrainArgs& a = r.args;
  RbmFreeEnergy<float> model = [&] {
    if (r.resumed) return model_of<RbmFreeEnergy<float>>(*r.resumed);
    // The RBM's own initialization (as train_rbm): small normal weights, visible biases from the marginals.
    BernoulliRBMf rbm(r.train.cols(), a.hidden);
    Rng rng = make_stream(a.seed, StreamPurpose::init, 0);
    rbm.init_normal(rng, float(a.init_sigma));
    rbm.init_visible_bias(r.marginal_source);
    return RbmFreeEnergy<float>(std::move(rbm));
  }();
  train_binary(r, model, base_logits_for(model.dim(), r.base_meta, r.marginal_source));
}

}  // namespace ebm::cli
