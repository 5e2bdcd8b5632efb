#pragma once
// Conversions between a Bernoulli RBM and its .ebm model file, shared by every subcommand.
#include <nlohmann/json.hpp>
#include <string>

#include "ebm/io/model_file.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm::cli {

inline BernoulliRBMf rbm_of(const ModelFile& f) {
  BernoulliRBMf rbm(f.num_visible, f.num_hidden);
  rbm.set_params(f.params);
  return rbm;
}

inline ModelFile file_of(const BernoulliRBMf& rbm, const nlohmann::json& meta) {
  ModelFile f;
  f.num_visible = rbm.num_visible();
  f.num_hidden = rbm.num_hidden();
  f.params = rbm.params();
  f.metadata_json = meta.dump();
  return f;
}

inline nlohmann::json metadata_of(const ModelFile& f) { return nlohmann::json::parse(f.metadata_json); }

}  // namespace ebm::cli
