#pragma once
// Conversions between a Bernoulli RBM and its .ebm model file, shared by every subcommand.
#include <nlohmann/json.hpp>
#include <string>

#include "ebm/io/model_file.hpp"
#include "ebm/models/bernoulli_rbm.hpp"
#include "json_fields.hpp"

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

// The free-form metadata of a file read from `path`, with the fields `ebm train` writes checked, so that no
// subcommand meets a wrongly typed one: data_marginals (num_visible probabilities), training (an object; its
// options are checked where they are read) and pt_rounds (a non-negative integer).
inline nlohmann::json metadata_of(const ModelFile& f, const std::string& path) {
  const std::string where = "model file '" + path + "'";
  nlohmann::json meta = json_fields::parse_json(f.metadata_json, f.metadata_json.size(), where, "metadata");
  const json_fields::Fields m(meta, where);
  if (m.has("data_marginals")) {
    const nlohmann::json& d = m.value("data_marginals");
    ensure(d.is_array() && Index(d.size()) == f.num_visible, where, ": data_marginals = ", json_fields::shown(d),
           " must be an array of ", f.num_visible, " numbers (one per visible unit)");
    for (std::size_t i = 0; i < d.size(); ++i)
      ensure(d[i].is_number() && d[i].get<double>() >= 0 && d[i].get<double>() <= 1, where, ": data_marginals[", i,
             "] = ", json_fields::shown(d[i]), " must be a probability in [0, 1]");
  }
  if (m.has("training")) m.object("training");
  if (m.has("pt_rounds")) m.integer("pt_rounds", 0, std::int64_t(1) << 62);
  return meta;
}

}  // namespace ebm::cli
