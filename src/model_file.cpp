#include "ebm/io/model_file.hpp"

#include <boost/crc.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ebm/core/error.hpp"
#include "ebm/io/atomic_file.hpp"

namespace ebm {
namespace {

constexpr char magic[8] = {'E', 'B', 'M', 'M', 'O', 'D', 'E', 'L'};

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

struct Reader {
  const std::string& path;
  const std::string& bytes;
  std::size_t pos = 0;
  template <class T>
  T get() {
    ensure(pos + sizeof(T) <= bytes.size(), "model file '", path, "': truncated");
    T v;
    std::memcpy(&v, bytes.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string get_bytes(std::uint64_t n) {
    ensure(n <= bytes.size() - pos, "model file '", path, "': truncated");
    std::string s = bytes.substr(pos, std::size_t(n));
    pos += std::size_t(n);
    return s;
  }
};

Matrixf matrix_of(const std::string& path, const std::string& name, const std::string& bytes, Index rows, Index cols) {
  ensure(bytes.size() == std::size_t(rows * cols) * sizeof(float), "model file '", path, "': section ", name, " has ",
         bytes.size(), " bytes, expected ", rows * cols * Index(sizeof(float)), " for ", rows, " x ", cols);
  Matrixf m(rows, cols);
  std::memcpy(m.data(), bytes.data(), bytes.size());
  return m;
}

}  // namespace

void save_model_file(const std::string& path, const ModelFile& f) {
  ensure(f.params.size() == f.num_visible * f.num_hidden + f.num_visible + f.num_hidden, "save_model_file '", path,
         "': ", f.params.size(), " parameters do not fit nv = ", f.num_visible, ", nh = ", f.num_hidden);
  nlohmann::json meta = nlohmann::json::parse(f.metadata_json);
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
  }
  sec["meta"] = meta.dump(2);
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
  ensure(bool(in), "model file '", path, "': cannot open it");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ensure(bytes.size() >= sizeof magic + 12 && std::memcmp(bytes.data(), magic, sizeof magic) == 0, "model file '",
         path, "': not an ebm model file (bad magic)");
  Reader r{path, bytes, sizeof magic};
  const auto version = r.get<std::uint32_t>();
  ensure(version == model_file_version, "model file '", path, "': format version ", version,
         " is not supported (this ebm reads version ", model_file_version, ")");
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size() - 4);
  ensure(crc.checksum() == stored_crc, "model file '", path, "': checksum mismatch (the file is corrupt or truncated)");
  const auto count = r.get<std::uint32_t>();
  std::map<std::string, std::string> sec;
  for (std::uint32_t s = 0; s < count; ++s) {
    const std::string name = r.get_bytes(r.get<std::uint32_t>());
    sec[name] = r.get_bytes(r.get<std::uint64_t>());
  }
  ensure(sec.count("meta") && sec.count("params"), "model file '", path, "': missing meta or params section");
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(sec["meta"]);
  } catch (const std::exception& e) {
    fail("model file '", path, "': unreadable metadata: ", e.what());
  }
  ModelFile f;
  try {
    f.kind = meta.at("kind").get<std::string>();
    f.num_visible = meta.at("num_visible").get<Index>();
    f.num_hidden = meta.at("num_hidden").get<Index>();
  } catch (const std::exception& e) {
    fail("model file '", path, "': incomplete metadata: ", e.what());
  }
  ensure(expected_kind.empty() || f.kind == expected_kind, "model file '", path, "': holds a model of kind '", f.kind,
         "', expected '", expected_kind, "'");
  ensure(f.num_visible > 0 && f.num_hidden > 0, "model file '", path, "': invalid shape ", f.num_visible, " x ",
         f.num_hidden);
  const Index np = f.num_visible * f.num_hidden + f.num_visible + f.num_hidden;
  f.params = matrix_of(path, "params", sec["params"], np, 1);
  if (meta.contains("training_state")) {
    TrainingState t;
    const auto& ts = meta["training_state"];
    t.epoch = ts.at("epoch").get<std::int64_t>();
    t.updates = ts.at("updates").get<std::int64_t>();
    const Index chains = ts.at("chains").get<Index>();
    t.velocity = matrix_of(path, "velocity", sec["velocity"], np, 1);
    t.chains_v = matrix_of(path, "chains.v", sec["chains.v"], chains, f.num_visible);
    t.chains_h = matrix_of(path, "chains.h", sec["chains.h"], chains, f.num_hidden);
    t.chains_ph = matrix_of(path, "chains.ph", sec["chains.ph"], chains, f.num_hidden);
    const std::string& offset = sec["centering.hidden"];
    if (!offset.empty()) t.hidden_offset = matrix_of(path, "centering.hidden", offset, f.num_hidden, 1);
    std::istringstream cs(sec["rng.chains"]), ss(sec["rng.shuffle"]);
    Rng rng;
    while (cs >> rng) t.chain_streams.push_back(rng);
    ensure(bool(ss >> t.shuffle_stream), "model file '", path, "': unreadable shuffle stream state");
    f.training = std::move(t);
  }
  meta.erase("training_state");
  f.metadata_json = meta.dump();
  return f;
}

}  // namespace ebm
