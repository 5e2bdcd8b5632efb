#pragma once
// The options of `ebm train`, shared by the RBM and the MLP-energy paths: what the command line sets, what a
// checkpoint stores of them ("training" in its metadata) and reads back on --resume, and the model-dependent
// defaults (an MLP energy trains with Adam, DMALA and a replay buffer unless told otherwise).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ebm/core/types.hpp"
#include "ebm/train/train_options.hpp"

namespace ebm::cli {

struct TrainArgs {
  std::string data = "mnist", data_dir = "data/mnist", binarize = "stochastic";
  std::string out = "model.ebm", resume, lr_schedule = "linear";
  // Model, kernel and chain policy, chosen independently (model_choice.hpp, kernel_choice.hpp).
  std::string model = "rbm", layers = "256,256", activation = "swish", kernel = "gibbs", policy = "pcd";
  std::string optimizer = "sgd";
  bool base_term = true;
  Index hidden = 500, k = 1, chains = 100, batch = 100, limit = -1, monitor = 1000, stop_after = 0;
  // --policy pt: K inverse temperatures evenly spaced from 1 down to beta_min, --chains ladders.
  int temperatures = 10;
  double beta_min = 0.0;
  // --policy replay: stored states and the probability that a chain restarts from the base distribution.
  Index buffer = 10000;
  double reinit = 0.05;
  // DULA / DMALA: the step size α, kept near target_acceptance while θ moves (0: α stays fixed).
  double step_size = 0.2, target_acceptance = 0.574;
  // Defaults = the main job, chosen by measured test log-likelihood on MNIST (README): with centering and
  // persistent chains, plain SGD (no momentum) at a linearly decaying rate beat momentum 0.5→0.9, which
  // moves the parameters faster than 100 PCD-1 chains can follow.
  int epochs = 50, threads = 0;
  double lr = 0.05, lr_final = 0.1, momentum = 0.0, momentum_initial = 0.0, momentum_ramp = 0, weight_decay = 2e-4;
  double init_sigma = 0.01, energy_penalty = 0.0;
  std::uint64_t seed = 1;
  bool json = false, centering = true;
  double centering_rate = 0.01;
};

// Registers every option of `ebm train` on c.
void add_train_options(CLI::App& c, TrainArgs& a);
// The MLP energy's defaults for every option the command line did not give (after parsing, before --resume).
void apply_model_defaults(const CLI::App& c, TrainArgs& a);

nlohmann::json options_json(const TrainArgs& a);
// The options of the run a checkpoint continues, every one type- and range-checked ("--resume m.ebm:
// training.k = "x" must be an integer in [1, 2147483647]"); fields absent from older checkpoints keep the
// RBM's defaults.
void options_from_json(const nlohmann::json& j, TrainArgs& a);
// The checks of every option (and of their combinations, model_choice.hpp), before any file is read.
void check_train_args(const CLI::App& c, const TrainArgs& a);
TrainOptions train_options(const TrainArgs& a);

}  // namespace ebm::cli

namespace ebm {
struct ModelFile;
}
namespace ebm::cli {
// What every checkpoint must hold for the trainer, against the options, before any data is read: counters
// that fit --epochs, one shuffle stream, the chosen optimizer's state with one entry per parameter.
void check_trainer_state(const TrainArgs& a, const ModelFile& f);
// The metadata's pt_rounds against updates × k for --policy pt (any model); none for another policy.
void check_pt_rounds(const TrainArgs& a, const ModelFile& f, const nlohmann::json& meta);
}  // namespace ebm::cli
