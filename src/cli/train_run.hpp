#pragma once
// What `ebm train` has prepared when the model's own path takes over (train_rbm in cmd_train.cpp, train_mlp in
// train_mlp.cpp): the checked options, the checkpoint to continue, the data and the held-out monitor rows.
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/train_args.hpp"
#include "ebm/io/model_file.hpp"

namespace ebm::cli {

struct TrainRun {
  TrainArgs& args;
  const std::optional<ModelFile>& resumed;  // with its training state, checked against args
  const Matrixf& train;                     // intensities in [0, 1], binarized anew every epoch
  const Matrixf& heldout;                   // binarized rows never trained on (overfitting monitor)
  const Matrixf& marginal_source;           // what the training marginals are computed from
  nlohmann::json& base_meta;                // metadata every checkpoint carries (data_marginals, …)
};

void train_mlp(const TrainRun& run);
// --model rbm with a binary kernel (not block Gibbs): the RBM through its free energy (train_mlp.cpp).
void train_rbm_binary(const TrainRun& run);
// The chain states, streams and step size an MLP checkpoint must hold for these options (with the trainer's
// state, check_trainer_state), before any data is read.
void check_mlp_checkpoint(const TrainArgs& a, const ModelFile& f, const nlohmann::json& meta);

}  // namespace ebm::cli
