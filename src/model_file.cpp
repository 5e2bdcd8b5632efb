// The .ebm container and its version 2 (include/ebm/io/model_file.hpp); version 1 is src/model_file_v1.cpp.
#include "ebm/io/model_file.hpp"

#include <boost/crc.hpp>
#include <climits>
#include <cmath>
#include <fstream>
#include <iterator>

#include "ebm/core/checks.hpp"
#include "ebm/io/atomic_file.hpp"
#include "ebm/io/model_kind.hpp"
#include "json_fields.hpp"
#include "model_file_detail.hpp"

namespace ebm {
namespace detail::model_file {

std::vector<Rng> streams_of(const std::string& where, const std::string& name, std::string_view text) {
  constexpr std::size_t words = Rng::state_size;
  std::vector<Rng> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t eol = text.find('\n', pos);
    ensure(eol != std::string_view::npos, where, ": section ", name, ": stream ", out.size(),
           " does not end with a newline");
    const std::string_view line = text.substr(pos, eol - pos);
    std::size_t k = 0, count = 0;
    while (k < line.size()) {
      std::uint64_t word = 0;
      const auto [end, ec] = std::from_chars(line.data() + k, line.data() + line.size(), word);
      ensure(ec == std::errc() && word <= 0xffffffffu && count < words, where, ": section ", name, ": stream ",
             out.size(), " is not ", words, " state words below 2^32");
      ++count;
      k = std::size_t(end - line.data());
      if (k < line.size()) {
        ensure(line[k] == ' ', where, ": section ", name, ": stream ", out.size(), " has a stray character");
        ++k;
      }
    }
    ensure(count == words, where, ": section ", name, ": stream ", out.size(), " has ", count, " state words, not ",
           words);
    std::istringstream is{std::string(line) + '\n'};  // the newline keeps Boost's trailing >> std::ws off EOF
    Rng rng;
    is >> rng;
    ensure(!is.fail(), where, ": section ", name, ": stream ", out.size(), " is unreadable");
    out.push_back(rng);
    pos = eol + 1;
  }
  return out;
}

}  // namespace detail::model_file

namespace {

using namespace detail::model_file;
using json_fields::Json;

constexpr char magic[8] = {'E', 'B', 'M', 'M', 'O', 'D', 'E', 'L'};
// Sections of the training state: a prefix and a name.
constexpr std::string_view training_prefixes[] = {"chains.", "rng.", "optimizer.", "state."};

std::string where_of(const std::string& name) { return "model file '" + name + "'"; }

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_section(std::string& out, const std::string& name, const std::string& bytes) {
  put(out, std::uint32_t(name.size()));
  out += name;
  put(out, std::uint64_t(bytes.size()));
  out += bytes;
}

// 1 to 64 characters of [A-Za-z0-9_.]: names become section names and JSON keys.
bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
      return false;
  return true;
}
void check_name(std::string_view s, const std::string& where, std::string_view what) {
  ensure(valid_name(s), where, ": ", what, " name '", s, "' must be 1 to 64 characters of [A-Za-z0-9_.]");
}

// The training-state section prefix of `name`, or empty.
std::string_view training_prefix(std::string_view name) {
  for (const std::string_view p : training_prefixes)
    if (name.substr(0, p.size()) == p) return p;
  return {};
}

const ModelKind& kind_of(const std::string& kind, const std::string& where) {
  const ModelKind* k = find_model_kind(kind);
  if (!k) {
    std::string known;
    for (const std::string& n : model_kind_names()) known += (known.empty() ? "" : ", ") + n;
    fail(where, ": model kind '", kind, "' is unknown (known: ", known, ")");
  }
  return *k;
}

// What the reader accepts, also refused by the writer: a file ebm writes is a file ebm reads.
void check_contents(const ModelFile& f, const std::string& where) {
  const ModelKind& kind = kind_of(f.kind, where);
  HyperParams hyper = f.hyper;
  hyper.set_where(where);
  const Index np = kind.num_params(hyper);
  ensure(f.params.size() == np, where, ": ", f.params.size(), " parameters, but the hyper-parameters of ", f.kind,
         " make ", np);
  check_finite(f.params, where + ": params");
  if (!f.training) return;
  const TrainingState& t = *f.training;
  ensure(t.epoch >= 0 && t.epoch <= INT_MAX, where, ": training_state.epoch = ", t.epoch, " must lie in [0, ",
         INT_MAX, "]");
  ensure(t.updates >= 0 && t.updates <= max_updates, where, ": training_state.updates = ", t.updates,
         " must lie in [0, 2^62]");
  for (const auto& [name, n] : t.counters) {
    check_name(name, where, "counter");
    ensure(n >= 0 && n <= max_updates, where, ": training_state.counters.", name, " = ", n, " must lie in [0, 2^62]");
  }
  for (const auto& [name, m] : t.chains) check_name(name, where, "chain state");
  if (kind.check_chains) kind.check_chains(hyper, t.chains, where);
  for (const auto& [name, m] : t.chains) check_finite(m, where + ": chains." + name);
  for (const auto& [name, s] : t.streams) check_name(name, where, "stream");
  for (const auto& [name, v] : t.state) {
    check_name(name, where, "state");
    check_finite(v, where + ": state." + name);
  }
  const OptimizerState& o = t.optimizer;
  if (o.empty()) {
    ensure(o.vectors.empty(), where, ": optimizer vectors without an optimizer kind");
    return;
  }
  check_name(o.kind, where, "optimizer");
  ensure(o.steps >= 0 && o.steps <= max_updates, where, ": training_state.optimizer.steps = ", o.steps,
         " must lie in [0, 2^62]");
  for (const auto& [name, v] : o.vectors) {
    check_name(name, where, "optimizer vector");
    ensure(v.size() == np || v.size() == 0, where, ": optimizer.", name, " has ", v.size(), " entries for ", np,
           " parameters");
    check_finite(v, where + ": optimizer." + name);
  }
}

// [rows, cols] of a chain state, both non-negative integers.
std::pair<Index, Index> shape_of(const json_fields::Fields& chains, const std::string& name) {
  const Json& v = chains.value(name);
  ensure(v.is_array() && v.size() == 2, chains.where(), ": ", chains.path(name), " = ", json_fields::shown(v),
         " must be [rows, cols]");
  const Json rc = {{"rows", v[0]}, {"cols", v[1]}};
  const json_fields::Fields f(rc, chains.where(), chains.path(name) + ".");
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  return {f.integer("rows", 0, max), f.integer("cols", 0, max)};
}

TrainingState training_of(const json_fields::Fields& ts, Sections& sec, const std::string& where, Index np) {
  TrainingState t;
  t.epoch = ts.integer("epoch", 0, INT_MAX);  // the trainer counts epochs in an int
  t.updates = ts.integer("updates", 0, max_updates);
  if (ts.has("counters")) {
    const json_fields::Fields c = ts.object("counters");
    for (const auto& [name, value] : ts.value("counters").items()) {
      check_name(name, where, "counter");
      t.counters[name] = c.integer(name, 0, max_updates);
    }
  }
  const json_fields::Fields chains = ts.object("chains");
  for (const auto& [name, value] : ts.value("chains").items()) {
    check_name(name, where, "chain state");
    const std::string s = "chains." + name;
    ensure(sec.count(s), where, ": training_state.chains.", name, " without a '", s, "' section");
    const auto [rows, cols] = shape_of(chains, name);
    t.chains[name] = matrix_of(where, s, sec[s], rows, cols);
  }
  const bool has_optimizer = ts.has("optimizer");
  if (has_optimizer) {
    const json_fields::Fields o = ts.object("optimizer");
    t.optimizer.kind = o.string("kind");
    check_name(t.optimizer.kind, where, "optimizer");
    t.optimizer.steps = o.integer("steps", 0, max_updates);
  }
  for (const auto& [s, bytes] : sec) {
    const std::string_view prefix = training_prefix(s);
    const std::string name = s.substr(prefix.size());
    if (prefix == "chains.") {
      ensure(t.chains.count(name), where, ": section '", s, "' is not declared in training_state.chains");
    } else if (prefix == "rng.") {
      t.streams[name] = streams_of(where, s, bytes);
    } else if (prefix == "optimizer.") {
      ensure(has_optimizer, where, ": section '", s, "' without a training_state.optimizer");
      ensure(bytes.size() == 0 || bytes.size() == std::size_t(np) * sizeof(float), where, ": section ", s,
             " has ", bytes.size(), " bytes, expected 0 or ", std::size_t(np) * sizeof(float), " for ", np,
             " float32 parameters");
      t.optimizer.vectors[name] = matrix_of(where, s, bytes, Index(bytes.size() / sizeof(float)), 1);
    } else if (prefix == "state.") {
      ensure(bytes.size() % sizeof(float) == 0, where, ": section ", s, " has ", bytes.size(),
             " bytes, not a whole number of float32");
      t.state[name] = matrix_of(where, s, bytes, Index(bytes.size() / sizeof(float)), 1);
    }
  }
  return t;
}

ModelFile parse_v2(Sections& sec, const std::string& where, const std::string& expected_kind) {
  ensure(sec.count("meta") && sec.count("params"), where, ": missing meta or params section");
  Json meta = json_fields::parse_json(sec["meta"], max_meta_bytes, where, "metadata");
  const json_fields::Fields m(meta, where);
  ModelFile f;
  f.kind = m.string("kind");
  ensure(expected_kind.empty() || f.kind == expected_kind, where, ": holds a model of kind '", f.kind,
         "', expected '", expected_kind, "'");
  ensure(m.string("scalar") == "float32", where, ": scalar = '", m.string("scalar"),
         "' is not supported (float32 only)");
  const ModelKind& kind = kind_of(f.kind, where);
  std::map<std::string, std::string> fields;
  for (const auto& [key, value] : meta.items())
    if (key != "training_state" && key != "kind" && key != "scalar") fields[key] = value.dump();
  f.hyper = HyperParams(std::move(fields), where);
  const Index np = kind.num_params(f.hyper);
  f.params = matrix_of(where, "params", sec["params"], np, 1);
  if (m.has("training_state")) {
    f.training = training_of(m.object("training_state"), sec, where, np);
  } else {
    for (const auto& [s, bytes] : sec)
      ensure(training_prefix(s).empty(), where, ": section '", s, "' without a training_state in the metadata");
  }
  check_contents(f, where);
  meta.erase("training_state");
  f.metadata_json = meta.dump();
  return f;
}

}  // namespace

void save_model_file(const std::string& path, const ModelFile& f) {
  const std::string where = "save_model_file '" + path + "'";
  check_contents(f, where);
  Json meta = json_fields::parse_json(f.metadata_json, max_meta_bytes, where, "metadata_json");
  ensure(meta.is_object(), where, ": metadata_json must be a JSON object");
  meta.erase("training_state");
  for (const auto& [key, text] : f.hyper.fields()) {
    ensure(key != "training_state" && key != "kind" && key != "scalar", where, ": hyper-parameter '", key,
           "' would overwrite a field of the file");
    meta[key] = json_fields::parse_json(text, max_meta_bytes, where, "hyper-parameter " + key);
  }
  meta["kind"] = f.kind;
  meta["scalar"] = "float32";
  std::map<std::string, std::string> sec;
  sec["params"] = floats(f.params);
  if (f.training) {
    const TrainingState& t = *f.training;
    Json ts = {{"epoch", t.epoch}, {"updates", t.updates}, {"chains", Json::object()}};
    if (!t.counters.empty()) ts["counters"] = t.counters;
    for (const auto& [name, m] : t.chains) {
      ts["chains"][name] = {m.rows(), m.cols()};
      sec["chains." + name] = floats(m);
    }
    for (const auto& [name, s] : t.streams) sec["rng." + name] = streams_text(s);
    for (const auto& [name, v] : t.state) sec["state." + name] = floats(v);
    if (!t.optimizer.empty()) {
      ts["optimizer"] = {{"kind", t.optimizer.kind}, {"steps", t.optimizer.steps}};
      for (const auto& [name, v] : t.optimizer.vectors) sec["optimizer." + name] = floats(v);
    }
    meta["training_state"] = ts;
  }
  sec["meta"] = meta.dump(2);
  ensure(sec["meta"].size() <= max_meta_bytes, where, ": metadata of ", sec["meta"].size(),
         " bytes exceeds the limit of ", max_meta_bytes);
  std::string out(magic, sizeof magic);
  put(out, model_file_version);
  put(out, std::uint32_t(sec.size()));
  for (const auto& [name, bytes] : sec) put_section(out, name, bytes);
  boost::crc_32_type crc;
  crc.process_bytes(out.data(), out.size());
  put(out, std::uint32_t(crc.checksum()));
  write_file_atomically(path, out);
}

ModelFile load_model_file(const std::string& path, const std::string& expected_kind) {
  std::ifstream in(path, std::ios::binary);
  ensure(bool(in), where_of(path), ": cannot open it");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_model_file(bytes, path, expected_kind);
}

ModelFile parse_model_file(std::string_view bytes, const std::string& name, const std::string& expected_kind) {
  const std::string where = where_of(name);
  ensure(bytes.size() >= sizeof magic + 12 && std::memcmp(bytes.data(), magic, sizeof magic) == 0, where,
         ": not an ebm model file (bad magic)");
  Reader r{where, bytes.substr(0, bytes.size() - 4), sizeof magic};
  const auto version = r.get<std::uint32_t>();
  ensure(version == 1 || version == model_file_version, where, ": format version ", version,
         " is not supported (this ebm reads versions 1 to ", model_file_version, ")");
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size() - 4);
  ensure(crc.checksum() == stored_crc, where, ": checksum mismatch (the file is corrupt or truncated)");

  // The checksum only stops accidents: everything below is checked as if the file were hostile.
  const auto count = r.get<std::uint32_t>();
  Sections sec;
  for (std::uint32_t s = 0; s < count; ++s) {
    const std::string sname(r.get_bytes(r.get<std::uint32_t>()));
    const std::string_view prefix = training_prefix(sname);
    const bool known = version == 1 ? is_v1_section(sname)
                                    : sname == "meta" || sname == "params" ||
                                          (!prefix.empty() && valid_name(std::string_view(sname).substr(prefix.size())));
    ensure(known, where, ": unknown section '", sname, "'");
    ensure(sec.emplace(sname, r.get_bytes(r.get<std::uint64_t>())).second, where, ": section '", sname,
           "' appears twice");
  }
  ensure(r.pos == r.bytes.size(), where, ": ", r.bytes.size() - r.pos, " stray bytes after the last section");
  if (version == 1) return parse_v1(sec, where, expected_kind);
  return parse_v2(sec, where, expected_kind);
}

}  // namespace ebm
