#pragma once
// --model: what `ebm train` trains, and which of its options belong to which model.
//   rbm  a Bernoulli RBM (--hidden), block Gibbs chains, centering and weight decay (the main job)
//   mlp  an MLP energy over binary x (--layers, --activation), with or without the factorized Bernoulli base
//        term of the training marginals (--base-term / --no-base-term), moved by a binary kernel
// An option of the other model, or a kernel or policy the model cannot use, is a one-line error naming both.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/train_args.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/mlp_energy.hpp"

namespace ebm::cli {

// Every MLP energy of the CLI: E(x) = net(x) − aᵀx, a = 0 without the base term.
using MlpModel = BaseTermEnergy<MlpEnergyf>;

// "256,256" → {256, 256}; `option` names the option in errors.
std::vector<Index> parse_layers(const std::string& s, const std::string& option = "--layers");
Activation parse_activation(const std::string& s);

// A fresh MLP energy over d inputs from the options: weights from (seed, init stream 0) with --init-sigma as
// the gain, base logits from the marginals of `binary_source` (or none).
MlpModel make_mlp(Index d, const TrainArgs& a, const Matrixf& marginal_source);

// The combinations: options of the other model, kernels and policies the model cannot use.
void check_model_options(const CLI::App& c, const TrainArgs& a);

}  // namespace ebm::cli
