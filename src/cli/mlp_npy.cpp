#include "cli/mlp_npy.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ebm/io/atomic_file.hpp"
#include "ebm/io/model_codecs.hpp"
#include "json_fields.hpp"

namespace ebm::cli {
namespace {

// θ = [W_1, …, W_L, b_1, …, b_L] with W_l out × in row-major (mlp_energy.hpp): the same floats read as in × out
// column-major are the exported W_{l−1}, which maps row vectors.
struct Layout {
  std::vector<Index> sizes, w_off, b_off;
  explicit Layout(const std::vector<Index>& s) : sizes(s) {
    Index k = 0;
    for (std::size_t l = 0; l + 1 < s.size(); ++l) {
      w_off.push_back(k);
      k += s[l] * s[l + 1];
    }
    for (std::size_t l = 0; l + 1 < s.size(); ++l) {
      b_off.push_back(k);
      k += s[l + 1];
    }
  }
  std::size_t layers() const { return sizes.size() - 1; }
  using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  Eigen::Map<ColMajor> W(Vectorf& theta, std::size_t l) const {
    return {theta.data() + w_off[l], sizes[l], sizes[l + 1]};
  }
  Eigen::Map<Vectorf> b(Vectorf& theta, std::size_t l) const { return {theta.data() + b_off[l], sizes[l + 1]}; }
};

constexpr std::size_t max_meta_bytes = std::size_t(1) << 20;

}  // namespace

void export_mlp_npy(const MlpFileModel& m, const std::string& dir, NpyType type) {
  std::filesystem::create_directories(dir);
  const HyperParams h = ModelCodec<MlpFileModel>::hyper(m);
  nlohmann::json meta = {{"kind", "mlp_energy"}};
  for (const auto& [key, text] : h.fields())
    if (key != "base_logits") meta[key] = nlohmann::json::parse(text);
  write_file_atomically(dir + "/meta.json", meta.dump(2) + "\n");
  const Layout lay(m.net().sizes());
  Vectorf theta = m.params();
  for (std::size_t l = 0; l < lay.layers(); ++l) {
    write_npy(dir + "/W" + std::to_string(l) + ".npy", lay.W(theta, l).cast<double>(), type);
    write_npy(dir + "/b" + std::to_string(l) + ".npy", lay.b(theta, l).cast<double>(), type, true);
  }
  if (m.has_base()) write_npy(dir + "/base.npy", m.base_logits().cast<double>(), type, true);
}

MlpFileModel import_mlp_npy(const std::string& dir) {
  const std::string path = dir + "/meta.json";
  const std::string where = "import: " + path;
  std::ifstream in(path, std::ios::binary);
  ensure(bool(in), where, ": cannot open it");
  std::string text;
  text.resize(max_meta_bytes + 1);
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(std::size_t(in.gcount()));
  const nlohmann::json meta = json_fields::parse_json(text, max_meta_bytes, where, "meta.json");
  const json_fields::Fields m(meta, where);
  ensure(m.string("kind") == "mlp_energy", where, ": kind = '", m.string("kind"), "' is not mlp_energy");
  std::map<std::string, std::string> fields;
  for (const auto& [key, value] : meta.items())
    if (key != "kind" && key != "base_logits") fields[key] = value.dump();
  HyperParams h(std::move(fields), where);
  // The layer sizes, checked (and without the base logits, which come from base.npy below).
  const std::vector<std::int64_t> s = h.integers("layers", 1, std::numeric_limits<std::int64_t>::max(), 3,
                                                 std::size_t(1) << 20);
  const std::vector<Index> sizes(s.begin(), s.end());
  const bool base = h.boolean("base_term");
  const Layout lay(sizes);
  // Every array is read (each bounded by its own file) and its shape compared with meta.json before the
  // model, whose size the sizes give, is built.
  std::vector<Matrixd> W, b;
  for (std::size_t l = 0; l < lay.layers(); ++l) {
    const std::string wn = "W" + std::to_string(l) + ".npy", bn = "b" + std::to_string(l) + ".npy";
    W.push_back(read_npy(dir + "/" + wn));
    b.push_back(read_npy(dir + "/" + bn));
    ensure(W[l].rows() == sizes[l] && W[l].cols() == sizes[l + 1], "import: ", dir, "/", wn, " has shape ",
           W[l].rows(), " x ", W[l].cols(), "; layers in meta.json make ", sizes[l], " x ", sizes[l + 1]);
    ensure(b[l].rows() == sizes[l + 1] && b[l].cols() == 1, "import: ", dir, "/", bn, " has shape ", b[l].rows(),
           " x ", b[l].cols(), ", expected a vector of ", sizes[l + 1]);
  }
  if (base) {
    const Matrixd a = read_npy(dir + "/base.npy");
    ensure(a.rows() == sizes[0] && a.cols() == 1, "import: ", dir, "/base.npy has shape ", a.rows(), " x ", a.cols(),
           ", expected a vector of ", sizes[0], " (layers[0])");
    h.set_numbers("base_logits", std::vector<double>(a.data(), a.data() + a.size()));
  }
  const Index n = find_model_kind("mlp_energy")->num_params(h);  // every other field checked here
  MlpFileModel model = ModelCodec<MlpFileModel>::make(h);
  Vectorf theta(n);
  for (std::size_t l = 0; l < lay.layers(); ++l) {
    lay.W(theta, l) = W[l].cast<float>();
    lay.b(theta, l) = b[l].cast<float>();
  }
  model.set_params(theta);
  return model;
}

}  // namespace ebm::cli
