#pragma once
// Conversions between a Bernoulli RBM and its .ebm model file, shared by every subcommand.
#include <nlohmann/json.hpp>
#include <string>

#include "ebm/io/model_codecs.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/models/bernoulli_rbm.hpp"
#include "json_fields.hpp"

namespace ebm::cli {

inline BernoulliRBMf rbm_of(const ModelFile& f) { return model_of<BernoulliRBMf>(f); }

// The number of visible units of an RBM file (0 for a model of another kind).
inline Index visible_units_of(const ModelFile& f) {
  return f.hyper.has("num_visible") ? f.hyper.integer("num_visible", 1, std::numeric_limits<std::int64_t>::max()) : 0;
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
    const Index nv = visible_units_of(f);
    ensure(d.is_array() && (nv == 0 || Index(d.size()) == nv), where, ": data_marginals = ", json_fields::shown(d),
           " must be an array of ", nv, " numbers (one per visible unit)");
    for (std::size_t i = 0; i < d.size(); ++i)
      ensure(d[i].is_number() && d[i].get<double>() >= 0 && d[i].get<double>() <= 1, where, ": data_marginals[", i,
             "] = ", json_fields::shown(d[i]), " must be a probability in [0, 1]");
  }
  if (m.has("training")) m.object("training");
  if (m.has("pt_rounds")) m.integer("pt_rounds", 0, std::int64_t(1) << 62);
  return meta;
}

}  // namespace ebm::cli
