#include "ebm/io/model_file.hpp"

#include <boost/crc.hpp>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "ebm/core/checked_arithmetic.hpp"
#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/atomic_file.hpp"
#include "json_fields.hpp"

namespace ebm {
namespace {

constexpr char magic[8] = {'E', 'B', 'M', 'M', 'O', 'D', 'E', 'L'};
// The metadata of a 784-visible MNIST model is about 20 KB, nearly all of it the data marginals (~20 bytes per
// visible unit); 16 MiB holds those of 800,000 visible units and bounds what a crafted file can make the JSON
// parser build (up to ~16 bytes of nlohmann::json per 2 bytes of "0,").
constexpr std::size_t max_meta_bytes = std::size_t(16) << 20;
// Counters leave room to count on without overflow (an update takes far longer than a nanosecond).
constexpr std::int64_t max_updates = std::int64_t(1) << 62;
const std::set<std::string> training_sections = {"velocity", "chains.v", "chains.h", "chains.ph",
                                                 "centering.hidden", "rng.chains", "rng.shuffle"};

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
template <class Derived>
std::string floats(const Eigen::DenseBase<Derived>& m) {
  std::string s(std::size_t(m.size()) * sizeof(float), '\0');
  std::size_t k = 0;
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c, ++k) {
      const float f = m(r, c);
      std::memcpy(s.data() + k * sizeof f, &f, sizeof f);
    }
  return s;
}
std::string streams_text(const std::vector<Rng>& rngs) {
  std::ostringstream os;
  for (const Rng& r : rngs) os << r << '\n';
  return os.str();
}

// Sections end where the checksum begins: nothing may overlap it or hide between the last section and it.
struct Reader {
  const std::string& where;
  std::string_view bytes;  // without the checksum
  std::size_t pos = 0;
  template <class T>
  T get() {
    ensure(sizeof(T) <= bytes.size() - pos, where, ": truncated");
    T v;
    std::memcpy(&v, bytes.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string_view get_bytes(std::uint64_t n) {
    ensure(n <= bytes.size() - pos, where, ": truncated (a section claims ", n, " bytes, ", bytes.size() - pos,
           " are left)");
    const std::string_view s = bytes.substr(pos, std::size_t(n));
    pos += std::size_t(n);
    return s;
  }
};

// rows × cols float32 from a section whose length is compared with the claimed shape before anything is
// allocated.
Matrixf matrix_of(const std::string& where, const std::string& name, std::string_view bytes, Index rows, Index cols) {
  const Index count = checked_mul(rows, cols, where + ": section " + name + " shape");
  const Index size = checked_mul(count, Index(sizeof(float)), where + ": section " + name + " size");
  ensure(bytes.size() == std::size_t(size), where, ": section ", name, " has ", bytes.size(), " bytes, expected ",
         size, " for ", rows, " x ", cols, " float32");
  Matrixf m(rows, cols);
  if (size > 0) std::memcpy(m.data(), bytes.data(), bytes.size());
  return m;
}

// The engine states written by streams_text: one line of mt19937's 624 state words (decimal, < 2³²) per stream,
// nothing else. Read strictly, since Boost's operator>> stops quietly at a partial or extra stream.
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

template <class Derived>
void check_probabilities(const Eigen::DenseBase<Derived>& m, const std::string& what) {
  for (Index r = 0; r < m.rows(); ++r)
    for (Index c = 0; c < m.cols(); ++c)
      if (!(m(r, c) >= 0 && m(r, c) <= 1))  // NaN fails too
        fail(what, ": entry (", r, ", ", c, ") is ", double(m(r, c)), "; a probability must lie in [0, 1]");
}

Index num_params_of(const std::string& where, Index nv, Index nh) {
  const Index w = checked_mul(nv, nh, where + ": num_visible x num_hidden");
  return checked_add(checked_add(w, nv, where + ": parameter count"), nh, where + ": parameter count");
}

// What the reader accepts, also refused by the writer: a file ebm writes is a file ebm reads.
void check_contents(const ModelFile& f, const std::string& where) {
  ensure(f.num_visible > 0 && f.num_hidden > 0, where, ": invalid shape ", f.num_visible, " x ", f.num_hidden);
  const Index np = num_params_of(where, f.num_visible, f.num_hidden);
  ensure(f.params.size() == np, where, ": ", f.params.size(), " parameters do not fit nv = ", f.num_visible,
         ", nh = ", f.num_hidden);
  check_finite(f.params, where + ": params");
  if (!f.training) return;
  const TrainingState& t = *f.training;
  ensure(t.epoch >= 0 && t.epoch <= INT_MAX, where, ": training_state.epoch = ", t.epoch, " must lie in [0, ",
         INT_MAX, "]");
  ensure(t.updates >= 0 && t.updates <= max_updates, where, ": training_state.updates = ", t.updates,
         " must lie in [0, 2^62]");
  ensure(t.velocity.size() == np, where, ": velocity has ", t.velocity.size(), " entries for ", np, " parameters");
  check_finite(t.velocity, where + ": velocity");
  const Index chains = t.chains_v.rows();
  ensure(t.chains_v.cols() == f.num_visible && t.chains_h.rows() == chains && t.chains_h.cols() == f.num_hidden &&
             t.chains_ph.rows() == chains && t.chains_ph.cols() == f.num_hidden,
         where, ": chain states of shapes ", t.chains_v.rows(), " x ", t.chains_v.cols(), ", ", t.chains_h.rows(),
         " x ", t.chains_h.cols(), ", ", t.chains_ph.rows(), " x ", t.chains_ph.cols(), " do not fit ", chains,
         " chains of ", f.num_visible, " visible and ", f.num_hidden, " hidden units");
  // Every layout this file holds has Bernoulli hidden units; a Bernoulli RBM has Bernoulli visible units too.
  if (f.kind == "bernoulli_rbm")
    check_binary(t.chains_v, where + ": chains.v");
  else
    check_finite(t.chains_v, where + ": chains.v");
  check_binary(t.chains_h, where + ": chains.h");
  check_probabilities(t.chains_ph, where + ": chains.ph");
  ensure(t.hidden_offset.size() == 0 || t.hidden_offset.size() == f.num_hidden, where, ": centering.hidden has ",
         t.hidden_offset.size(), " entries for ", f.num_hidden, " hidden units");
  check_finite(t.hidden_offset, where + ": centering.hidden");
}

}  // namespace

void save_model_file(const std::string& path, const ModelFile& f) {
  const std::string where = "save_model_file '" + path + "'";
  check_contents(f, where);
  nlohmann::json meta = json_fields::parse_json(f.metadata_json, max_meta_bytes, where, "metadata_json");
  ensure(meta.is_object(), where, ": metadata_json must be a JSON object");
  meta["kind"] = f.kind;
  meta["num_visible"] = f.num_visible;
  meta["num_hidden"] = f.num_hidden;
  meta["scalar"] = "float32";
  std::map<std::string, std::string> sec;
  sec["params"] = floats(f.params);
  if (f.training) {
    const TrainingState& t = *f.training;
    meta["training_state"] = {{"epoch", t.epoch}, {"updates", t.updates}, {"chains", t.chains_v.rows()}};
    sec["velocity"] = floats(t.velocity);
    sec["chains.v"] = floats(t.chains_v);
    sec["chains.h"] = floats(t.chains_h);
    sec["chains.ph"] = floats(t.chains_ph);
    sec["centering.hidden"] = floats(t.hidden_offset);
    sec["rng.chains"] = streams_text(t.chain_streams);
    sec["rng.shuffle"] = streams_text({t.shuffle_stream});
  } else {
    meta.erase("training_state");
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
  ensure(version == model_file_version, where, ": format version ", version,
         " is not supported (this ebm reads version ", model_file_version, ")");
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size() - 4);
  ensure(crc.checksum() == stored_crc, where, ": checksum mismatch (the file is corrupt or truncated)");

  // The checksum only stops accidents: everything below is checked as if the file were hostile.
  const auto count = r.get<std::uint32_t>();
  std::map<std::string, std::string_view> sec;
  for (std::uint32_t s = 0; s < count; ++s) {
    const std::string sname(r.get_bytes(r.get<std::uint32_t>()));
    ensure(sname == "meta" || sname == "params" || training_sections.count(sname), where, ": unknown section '",
           sname, "'");
    ensure(sec.emplace(sname, r.get_bytes(r.get<std::uint64_t>())).second, where, ": section '", sname,
           "' appears twice");
  }
  ensure(r.pos == r.bytes.size(), where, ": ", r.bytes.size() - r.pos, " stray bytes after the last section");
  ensure(sec.count("meta") && sec.count("params"), where, ": missing meta or params section");

  nlohmann::json meta = json_fields::parse_json(sec["meta"], max_meta_bytes, where, "metadata");
  const json_fields::Fields m(meta, where);
  ModelFile f;
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
    TrainingState t;
    t.epoch = ts.integer("epoch", 0, INT_MAX);  // the trainer counts epochs in an int
    t.updates = ts.integer("updates", 0, max_updates);
    const Index chains = ts.integer("chains", 0, std::numeric_limits<std::int64_t>::max());
    for (const std::string& s : training_sections)
      ensure(sec.count(s) || s == "centering.hidden", where, ": training_state without a '", s, "' section");
    t.velocity = matrix_of(where, "velocity", sec["velocity"], np, 1);
    t.chains_v = matrix_of(where, "chains.v", sec["chains.v"], chains, f.num_visible);
    t.chains_h = matrix_of(where, "chains.h", sec["chains.h"], chains, f.num_hidden);
    t.chains_ph = matrix_of(where, "chains.ph", sec["chains.ph"], chains, f.num_hidden);
    const std::string_view offset = sec.count("centering.hidden") ? sec["centering.hidden"] : std::string_view();
    if (!offset.empty()) t.hidden_offset = matrix_of(where, "centering.hidden", offset, f.num_hidden, 1);
    t.chain_streams = streams_of(where, "rng.chains", sec["rng.chains"]);
    const std::vector<Rng> shuffle = streams_of(where, "rng.shuffle", sec["rng.shuffle"]);
    ensure(shuffle.size() == 1, where, ": section rng.shuffle holds ", shuffle.size(), " streams, not 1");
    t.shuffle_stream = shuffle[0];
    f.training = std::move(t);
  } else {
    for (const std::string& s : training_sections)
      ensure(!sec.count(s), where, ": section '", s, "' without a training_state in the metadata");
  }
  check_contents(f, where);
  meta.erase("training_state");
  f.metadata_json = meta.dump();
  return f;
}

}  // namespace ebm
