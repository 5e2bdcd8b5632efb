// Version 1 of the .ebm file (a Bernoulli RBM and its block-Gibbs checkpoint), read with exactly the checks and
// messages it always had, then given back in version 2's terms (include/ebm/io/model_file.hpp). Nothing writes
// version 1 any more; old checkpoints and the committed fuzz corpus must keep loading, or being refused, as
// before (tests/unit/test_model_file_v1.cpp).
#include <climits>
#include <limits>
#include <set>

#include "ebm/core/checks.hpp"
#include "json_fields.hpp"
#include "model_file_detail.hpp"

namespace ebm::detail::model_file {
namespace {

const std::set<std::string> training_sections = {"velocity", "chains.v", "chains.h", "chains.ph",
                                                 "centering.hidden", "rng.chains", "rng.shuffle"};

struct V1 {
  std::string kind;
  Index num_visible = 0, num_hidden = 0;
  Vectorf params;
  bool has_training = false;
  std::int64_t epoch = 0, updates = 0;
  Vectorf velocity;
  Matrixf chains_v, chains_h, chains_ph;
  Vectorf hidden_offset;
  std::vector<Rng> chain_streams;
  Rng shuffle_stream;
};

Index num_params_of(const std::string& where, Index nv, Index nh) {
  const Index w = checked_mul(nv, nh, where + ": num_visible x num_hidden");
  return checked_add(checked_add(w, nv, where + ": parameter count"), nh, where + ": parameter count");
}

void check_contents(const V1& f, const std::string& where) {
  ensure(f.num_visible > 0 && f.num_hidden > 0, where, ": invalid shape ", f.num_visible, " x ", f.num_hidden);
  const Index np = num_params_of(where, f.num_visible, f.num_hidden);
  ensure(f.params.size() == np, where, ": ", f.params.size(), " parameters do not fit nv = ", f.num_visible,
         ", nh = ", f.num_hidden);
  check_finite(f.params, where + ": params");
  if (!f.has_training) return;
  ensure(f.velocity.size() == np, where, ": velocity has ", f.velocity.size(), " entries for ", np, " parameters");
  check_finite(f.velocity, where + ": velocity");
  const Index chains = f.chains_v.rows();
  ensure(f.chains_v.cols() == f.num_visible && f.chains_h.rows() == chains && f.chains_h.cols() == f.num_hidden &&
             f.chains_ph.rows() == chains && f.chains_ph.cols() == f.num_hidden,
         where, ": chain states do not fit ", chains, " chains of ", f.num_visible, " visible and ", f.num_hidden,
         " hidden units");
  // Every layout this version holds has Bernoulli hidden units; a Bernoulli RBM has Bernoulli visible units too.
  if (f.kind == "bernoulli_rbm")
    check_binary(f.chains_v, where + ": chains.v");
  else
    check_finite(f.chains_v, where + ": chains.v");
  check_binary(f.chains_h, where + ": chains.h");
  check_probabilities(f.chains_ph, where + ": chains.ph");
  ensure(f.hidden_offset.size() == 0 || f.hidden_offset.size() == f.num_hidden, where, ": centering.hidden has ",
         f.hidden_offset.size(), " entries for ", f.num_hidden, " hidden units");
  check_finite(f.hidden_offset, where + ": centering.hidden");
}

}  // namespace

bool is_v1_section(const std::string& name) {
  return name == "meta" || name == "params" || training_sections.count(name) > 0;
}

ModelFile parse_v1(const Sections& sections, const std::string& where, const std::string& expected_kind) {
  Sections sec = sections;
  ensure(sec.count("meta") && sec.count("params"), where, ": missing meta or params section");
  nlohmann::json meta = json_fields::parse_json(sec["meta"], max_meta_bytes, where, "metadata");
  const json_fields::Fields m(meta, where);
  V1 f;
  f.kind = m.string("kind");
  ensure(expected_kind.empty() || f.kind == expected_kind, where, ": holds a model of kind '", f.kind,
         "', expected '", expected_kind, "'");
  if (m.has("scalar"))
    ensure(m.string("scalar") == "float32", where, ": scalar = '", m.string("scalar"),
           "' is not supported (float32 only)");
  f.num_visible = m.integer("num_visible", 1, std::numeric_limits<std::int64_t>::max());
  f.num_hidden = m.integer("num_hidden", 1, std::numeric_limits<std::int64_t>::max());
  const Index np = num_params_of(where, f.num_visible, f.num_hidden);
  f.params = matrix_of(where, "params", sec["params"], np, 1);

  if (m.has("training_state")) {
    const json_fields::Fields ts = m.object("training_state");
    f.has_training = true;
    f.epoch = ts.integer("epoch", 0, INT_MAX);  // the trainer counts epochs in an int
    f.updates = ts.integer("updates", 0, max_updates);
    const Index chains = ts.integer("chains", 0, std::numeric_limits<std::int64_t>::max());
    for (const std::string& s : training_sections)
      ensure(sec.count(s) || s == "centering.hidden", where, ": training_state without a '", s, "' section");
    f.velocity = matrix_of(where, "velocity", sec["velocity"], np, 1);
    f.chains_v = matrix_of(where, "chains.v", sec["chains.v"], chains, f.num_visible);
    f.chains_h = matrix_of(where, "chains.h", sec["chains.h"], chains, f.num_hidden);
    f.chains_ph = matrix_of(where, "chains.ph", sec["chains.ph"], chains, f.num_hidden);
    const std::string_view offset = sec.count("centering.hidden") ? sec["centering.hidden"] : std::string_view();
    if (!offset.empty()) f.hidden_offset = matrix_of(where, "centering.hidden", offset, f.num_hidden, 1);
    f.chain_streams = streams_of(where, "rng.chains", sec["rng.chains"]);
    const std::vector<Rng> shuffle = streams_of(where, "rng.shuffle", sec["rng.shuffle"]);
    ensure(shuffle.size() == 1, where, ": section rng.shuffle holds ", shuffle.size(), " streams, not 1");
    f.shuffle_stream = shuffle[0];
  } else {
    for (const std::string& s : training_sections)
      ensure(!sec.count(s), where, ": section '", s, "' without a training_state in the metadata");
  }
  check_contents(f, where);
  meta.erase("training_state");

  // Version 2's terms.
  ModelFile out;
  out.kind = f.kind;
  std::map<std::string, std::string> fields;
  for (const auto& [key, value] : meta.items())
    if (key != "kind" && key != "scalar") fields[key] = value.dump();
  out.hyper = HyperParams(std::move(fields), where);
  out.params = std::move(f.params);
  out.metadata_json = meta.dump();
  if (f.has_training) {
    TrainingState t;
    t.epoch = f.epoch;
    t.updates = f.updates;
    t.optimizer.kind = "sgd";
    t.optimizer.steps = f.updates;  // one SGD step per update
    t.optimizer.vectors["velocity"] = std::move(f.velocity);
    t.chains["v"] = std::move(f.chains_v);
    t.chains["h"] = std::move(f.chains_h);
    t.chains["ph"] = std::move(f.chains_ph);
    if (f.hidden_offset.size() > 0) t.state["centering.hidden"] = std::move(f.hidden_offset);
    t.streams["chains"] = std::move(f.chain_streams);
    t.streams["shuffle"] = {f.shuffle_stream};
    out.training = std::move(t);
  }
  return out;
}

}  // namespace ebm::detail::model_file
