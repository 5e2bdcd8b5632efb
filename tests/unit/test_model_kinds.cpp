// Every model kind through the .ebm file: save → load gives the same θ, hyper-parameters and training state
// (chains of any kernel, streams, optimizer state, counters) bit for bit; the reader refuses crafted files of
// the new kinds with an ebm::Error naming the field; a user model adds its own kind; version-1 files (the
// committed corpus) load or are refused exactly as before version 2.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "ebm/io/model_codecs.hpp"
#include "ebm/io/model_kind.hpp"
#include "support/error_matchers.hpp"
#include "support/model_file_surgery.hpp"
#include "support/scratch.hpp"

using namespace ebm;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using ebm::test::ModelFileSurgery;
using Json = nlohmann::json;

namespace {

std::string kinds_scratch(const std::string& file) { return test::scratch_path("model-kinds", file); }

std::string read_bytes(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A training state in the new terms: chains of a kernel other than block Gibbs, Adam's moments, counters.
TrainingState state_for(const VectorX<float>& theta, Index chains, Index dim, bool labels = false) {
  TrainingState t;
  t.epoch = 3;
  t.updates = 30;
  t.counters["pt_rounds"] = 7;
  Rng rng = make_stream(5, StreamPurpose::user, 0);
  Matrixf x(chains, dim);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = labels ? float(k % 2) : float(uniform01d(rng) < 0.5);
  t.chains[labels ? "y" : "x"] = x;
  t.chains["energy"] = Matrixf::Constant(chains, 1, -1.25f);
  t.streams["chains"] = make_chain_streams(9, chains);
  t.streams["chains"][1]();  // moved streams come back where they were
  t.streams["shuffle"] = {make_stream(9, StreamPurpose::shuffle, 0)};
  t.state["dmala.step_size"] = Vectorf::Constant(1, 0.3f);
  t.optimizer.kind = "adam";
  t.optimizer.steps = 30;
  t.optimizer.vectors["m"] = theta * 0.5f;
  t.optimizer.vectors["v"] = theta.cwiseAbs2();
  return t;
}

// Same names, shapes and bits (Eigen's == must not meet matrices of different shapes).
template <class M>
bool same(const std::map<std::string, M>& a, const std::map<std::string, M>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, m] : a) {
    const auto it = b.find(name);
    if (it == b.end() || it->second.rows() != m.rows() || it->second.cols() != m.cols() || it->second != m)
      return false;
  }
  return true;
}

void check_same_state(const TrainingState& a, const TrainingState& b) {
  CHECK(a.epoch == b.epoch);
  CHECK(a.updates == b.updates);
  CHECK(a.counters == b.counters);
  CHECK(same(a.chains, b.chains));
  CHECK(a.streams == b.streams);
  CHECK(same(a.state, b.state));
  CHECK(a.optimizer.kind == b.optimizer.kind);
  CHECK(a.optimizer.steps == b.optimizer.steps);
  CHECK(same(a.optimizer.vectors, b.optimizer.vectors));
}

// save → load through the typed API; the model comes back with the same θ bit for bit.
template <class M>
M round_trip(const M& m, const TrainingState& t, const std::string& file) {
  const std::string p = kinds_scratch(file);
  save_model(p, m, R"({"note": "x"})", &t);
  const ModelFile f = load_model_file(p, "");
  CHECK(f.kind == ModelCodec<M>::kind);
  REQUIRE(f.training.has_value());
  check_same_state(*f.training, t);
  CHECK(Json::parse(f.metadata_json)["note"] == "x");
  const M back = model_of<M>(f);
  CHECK(back.params() == m.params());
  CHECK(load_model<M>(p).params() == m.params());
  // Saved again, the file is the same bytes: nothing is lost or reordered.
  save_model(kinds_scratch("again-" + file), back, f.metadata_json, &*f.training);
  CHECK(read_bytes(kinds_scratch("again-" + file)) == read_bytes(p));
  return back;
}

MlpEnergyf small_mlp(Activation act = Activation::softplus) {
  MlpEnergyf m(4, {5, 3}, act);
  Rng rng = make_stream(3, StreamPurpose::init, 0);
  m.init_normal(rng);
  return m;
}

BaseTermEnergy<MlpEnergyf> small_mlp_with_base() {
  Vectorf a(4);
  a << -1.5f, 0.25f, 2.0f / 3.0f, 1e-7f;
  return BaseTermEnergy<MlpEnergyf>(small_mlp(), a);
}

template <class Unary>
GridCrf<Unary> small_crf(Unary unary, Pairwise pw, PatchFeatures feat) {
  GridCrf<Unary> crf(4, 5, feat, std::move(unary), pw);
  crf.init(11, 0.5f, 0.75f);
  return crf;
}

std::string kinds_bytes_of(const ModelFile& f, const std::string& file = "valid.ebm") {
  save_model_file(kinds_scratch(file), f);
  return read_bytes(kinds_scratch(file));
}

ModelFile parse_crafted(const std::string& bytes) { return parse_model_file(bytes, "crafted.ebm", ""); }

std::string mlp_with(const std::function<void(Json&)>& edit) {
  const MlpEnergyf m = small_mlp();
  return ModelFileSurgery(kinds_bytes_of(file_of(m, "{}", state_for(m.params(), 3, 4)))).edit_meta(edit).bytes();
}

}  // namespace

TEST_CASE("every built-in kind round-trips with a training state", "[io][model-file][kinds]") {
  SECTION("bernoulli_rbm") {
    BernoulliRBMf rbm(4, 3);
    Rng rng = make_stream(1, StreamPurpose::init, 0);
    rbm.init_normal(rng, 0.1f);
    TrainingState t = state_for(rbm.params(), 2, 4);
    t.chains.erase("energy");
    t.chains["v"] = t.chains.at("x");
    t.chains.erase("x");
    const BernoulliRBMf back = round_trip(rbm, t, "rbm.ebm");
    CHECK(back.num_visible() == 4);
    CHECK(back.num_hidden() == 3);
  }
  SECTION("gaussian_bernoulli_rbm") {
    Vectorf sigma(3);
    sigma << 0.5f, 1.0f / 3.0f, 2.0f;
    GaussianBernoulliRBM<float> rbm(3, 2, sigma);
    Rng rng = make_stream(2, StreamPurpose::init, 0);
    rbm.init_normal(rng);
    TrainingState t = state_for(rbm.params(), 2, 3);
    t.chains["v"] = Matrixf::Constant(2, 3, -0.75f);  // real-valued visible states
    t.chains["h"] = Matrixf::Ones(2, 2);
    t.chains["ph"] = Matrixf::Constant(2, 2, 0.5f);
    const auto back = round_trip(rbm, t, "gbrbm.ebm");
    CHECK(back.sigma() == sigma);
  }
  SECTION("mlp_energy without a base term") {
    const MlpEnergyf m = small_mlp(Activation::swish);
    const MlpEnergyf back = round_trip(m, state_for(m.params(), 3, 4), "mlp.ebm");
    CHECK(back.sizes() == m.sizes());
    CHECK(back.activation() == Activation::swish);
    // A file without a base term loads as a BaseTermEnergy with a = 0 too.
    const auto with = load_model<BaseTermEnergy<MlpEnergyf>>(kinds_scratch("mlp.ebm"));
    CHECK_FALSE(with.has_base());
    CHECK(with.params() == m.params());
  }
  SECTION("mlp_energy with a base term") {
    const auto m = small_mlp_with_base();
    const auto back = round_trip(m, state_for(m.params(), 3, 4), "mlp-base.ebm");
    CHECK(back.has_base());
    CHECK(back.base_logits() == m.base_logits());
    CHECK(back.net().activation() == Activation::softplus);
    CHECK_ERROR(load_model<MlpEnergyf>(kinds_scratch("mlp-base.ebm")),
                Contains("holds an MLP energy with a base term; load it as BaseTermEnergy<MlpEnergy>"));
  }
  SECTION("mlp_energy over double converts through float32") {
    MlpEnergyd m(2, {3}, Activation::swish);
    Rng rng = make_stream(4, StreamPurpose::init, 0);
    m.init_normal(rng);
    m.set_params(m.params().cast<float>().cast<double>());  // values float32 holds exactly
    const std::string p = kinds_scratch("mlp-double.ebm");
    save_model(p, m);
    CHECK(load_model<MlpEnergyd>(p).params() == m.params());
  }
  SECTION("grid_crf, linear unary, Potts") {
    const auto crf = small_crf(LinearUnary<float>(9, 3), Pairwise::potts, {1, 1, 0});
    const auto back = round_trip(crf, state_for(crf.params(), 2, 20, true), "crf-linear.ebm");
    CHECK(back.grid().height() == 4);
    CHECK(back.grid().width() == 5);
    CHECK(back.num_labels() == 3);
    CHECK(back.pairwise() == Pairwise::potts);
  }
  SECTION("grid_crf, MLP unary, full pairwise, pooled features") {
    const PatchFeatures feat{1, 2, 1};
    const auto crf = small_crf(MlpUnary<float>(feat.count(), 6, 4), Pairwise::full, feat);
    const auto back = round_trip(crf, state_for(crf.params(), 2, 20, true), "crf-mlp.ebm");
    CHECK(back.unary_net().hidden() == 6);
    CHECK(back.features().pool == 2);
    CHECK(back.features().pooled_radius == 1);
    CHECK(back.pairwise() == Pairwise::full);
    CHECK_ERROR(load_model<GridCrf<LinearUnary<float>>>(kinds_scratch("crf-mlp.ebm")),
                Contains("holds a grid CRF with a 'mlp' unary, expected 'linear'"));
  }
}

TEST_CASE("a model file without a training state, and optimizer vectors before the first step",
          "[io][model-file][kinds]") {
  const MlpEnergyf m = small_mlp();
  const std::string p = kinds_scratch("plain.ebm");
  save_model(p, m);
  CHECK_FALSE(load_model_file(p, "mlp_energy").training.has_value());
  TrainingState t;
  t.optimizer.kind = "adam";
  t.optimizer.vectors["m"] = Vectorf();  // not yet sized
  save_model(p, m, "{}", &t);
  CHECK(load_model_file(p, "").training->optimizer.vectors.at("m").size() == 0);
  CHECK_ERROR(load_model<BernoulliRBMf>(p), Contains("holds a model of kind 'mlp_energy', expected 'bernoulli_rbm'"));
}

TEST_CASE("crafted files of the new kinds are refused, naming the field", "[io][model-file][kinds][errors]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  SECTION("kind") {
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["kind"] = "resnet"; })),
                Contains("model kind 'resnet' is unknown (known: bernoulli_rbm, gaussian_bernoulli_rbm, grid_crf"));
    CHECK_ERROR(parse_model_file(mlp_with([](Json&) {}), "m.ebm", "bernoulli_rbm"),
                Contains("holds a model of kind 'mlp_energy', expected 'bernoulli_rbm'"));
    // An RBM's metadata with the MLP's sections: θ's length no longer fits.
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) {
                  m["kind"] = "bernoulli_rbm";
                  m["num_visible"] = 4;
                  m["num_hidden"] = 5;
                })),
                Contains("section params has") && Contains("expected 116"));
  }
  SECTION("layers") {
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["layers"] = {4, 6, 3, 1}; })),
                Contains("section params has 188 bytes, expected 220 for 55 x 1 float32"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["layers"] = {4, 1}; })),
                Contains("layers = [4,1] must be an array of 3 to 1048576 integers"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m.erase("layers"); })), Contains("crafted.ebm': layers is missing"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["layers"] = {4, 5, 3, 2}; })),
                Contains("layers end with 2; the last layer is the energy, of width 1"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["layers"] = {4, 0, 3, 1}; })),
                Contains("layers = 0 must be an integer in [1, "));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["layers"] = {4, 5.5, 3, 1}; })),
                Contains("layers = 5.5 must be an integer"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["layers"] = "4,5,3,1"; })), Contains("must be an array"));
    // Sizes whose products overflow are errors before anything is allocated.
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["layers"] = {std::int64_t(1) << 62, 4, 1}; })),
                Contains("layers: 4611686018427387904 x 4 overflows"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) {
                  m["layers"] = {4, std::numeric_limits<std::int64_t>::max(), 1};
                })),
                Contains("overflows"));
  }
  SECTION("activation, base term, regularizer") {
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["activation"] = "relu"; })),
                Contains("activation = 'relu' is not one of 'softplus', 'swish'"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["activation"] = 3; })), Contains("activation = 3 must be a string"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["base_term"] = "yes"; })),
                Contains("base_term = \"yes\" must be true or false"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) { m["base_term"] = true; })), Contains("base_logits is missing"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) {
                  m["base_term"] = true;
                  m["base_logits"] = {1, 2, 3};
                })),
                Contains("base_logits = [1,2,3] must be an array of 4 numbers"));
    CHECK_ERROR(parse_crafted(mlp_with([](Json& m) {
                  m["base_term"] = true;
                  m["base_logits"] = {1, 2, nullptr, 4};
                })),
                Contains("base_logits[2] = null must be a finite number"));
  }
  SECTION("θ, chains and optimizer state") {
    const MlpEnergyf m = small_mlp();
    const std::string valid = kinds_bytes_of(file_of(m, "{}", state_for(m.params(), 3, 4)));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).set_float("params", 5, nan).bytes()),
                Contains("params: entry (5, 0) is nan; values must be finite"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).set_float("optimizer.v", 2, nan).bytes()),
                Contains("optimizer.v: entry (2, 0) is nan"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).set_float("chains.energy", 1, nan).bytes()),
                Contains("chains.energy: entry (1, 0) is nan"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).set_float("state.dmala.step_size", 0, nan).bytes()),
                Contains("state.dmala.step_size: entry (0, 0) is nan"));
    ModelFileSurgery s(valid);
    s.edit_meta([](Json& j) { j["training_state"]["chains"]["x"] = {4, 3}; });
    CHECK_ERROR(parse_crafted(s.bytes()), Contains("chains.x has 3 columns; an mlp_energy of 4 inputs needs 4"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).edit_meta([](Json& j) { j["training_state"]["optimizer"]["kind"] = "a b"; }).bytes()),
                Contains("optimizer name 'a b' must be 1 to 64 characters"));
  }
  SECTION("gaussian_bernoulli_rbm") {
    GaussianBernoulliRBM<float> rbm(3, 2, 1.5f);
    const std::string valid = kinds_bytes_of(file_of(rbm));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).edit_meta([](Json& j) { j["sigma"] = {1, -1, 1}; }).bytes()),
                Contains("sigma = -1 must be positive"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).edit_meta([](Json& j) { j["sigma"] = {1, 1}; }).bytes()),
                Contains("sigma = [1,1] must be an array of 3 numbers"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).edit_meta([](Json& j) { j["num_hidden"] = std::int64_t(1) << 62; }).bytes()),
                Contains("num_visible x num_hidden: 3 x 4611686018427387904 overflows"));
  }
  SECTION("grid_crf") {
    const auto crf = small_crf(MlpUnary<float>(9, 6, 3), Pairwise::full, {1, 1, 0});
    const std::string valid = kinds_bytes_of(file_of(crf, "{}", state_for(crf.params(), 2, 20, true)));
    const auto with = [&](const char* key, const Json& v) {
      return ModelFileSurgery(valid).edit_meta([&](Json& j) { j[key] = v; }).bytes();
    };
    CHECK_NOTHROW(parse_crafted(valid));
    CHECK_ERROR(parse_crafted(with("unary", "conv")), Contains("unary = 'conv' is not one of 'linear', 'mlp'"));
    CHECK_ERROR(parse_crafted(with("pairwise", "ising")), Contains("pairwise = 'ising' is not one of 'potts', 'full'"));
    CHECK_ERROR(parse_crafted(with("labels", 300)), Contains("labels = 300 must be an integer in [2, 256]"));
    CHECK_ERROR(parse_crafted(with("unary_hidden", 7)), Contains("section params has"));
    CHECK_ERROR(parse_crafted(with("height", 1000000)), Contains("height x width = 5000000 sites; at most 4194304"));
    CHECK_ERROR(parse_crafted(with("height", std::int64_t(1) << 62)), Contains("height x width: 4611686018427387904 x 5 overflows"));
    CHECK_ERROR(parse_crafted(with("patch_radius", std::int64_t(1) << 62)), Contains("patch_radius") && Contains("overflows"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).set_float("chains.y", 3, 3.0f).bytes()),
                Contains("chains.y: entry (0, 3) is 3; a label is an integer in [0, 3)"));
    CHECK_ERROR(parse_crafted(ModelFileSurgery(valid).set_float("chains.y", 0, 0.5f).bytes()),
                Contains("chains.y: entry (0, 0) is 0.5"));
  }
}

TEST_CASE("the writer refuses what the reader would refuse, for every kind", "[io][model-file][kinds][errors]") {
  const MlpEnergyf m = small_mlp();
  ModelFile f = file_of(m);
  f.hyper.set_string("activation", "relu");
  CHECK_ERROR(save_model_file(kinds_scratch("w.ebm"), f), Contains("save_model_file") && Contains("activation = 'relu'"));
  f = file_of(m);
  f.params.conservativeResize(f.params.size() - 1);
  CHECK_ERROR(save_model_file(kinds_scratch("w.ebm"), f), Contains("46 parameters, but the hyper-parameters of mlp_energy make 47"));
  f = file_of(m);
  f.kind = "resnet";
  CHECK_ERROR(save_model_file(kinds_scratch("w.ebm"), f), Contains("model kind 'resnet' is unknown"));
  TrainingState t;
  t.chains["bad name"] = Matrixf::Zero(1, 4);
  CHECK_ERROR(save_model(kinds_scratch("w.ebm"), m, "{}", &t), Contains("chain state name 'bad name'"));
  t = TrainingState();
  t.optimizer.kind = "sgd";
  t.optimizer.vectors["velocity"] = Vectorf::Zero(3);
  CHECK_ERROR(save_model(kinds_scratch("w.ebm"), m, "{}", &t), Contains("optimizer.velocity has 3 entries for 47 parameters"));
  t = TrainingState();
  t.counters["n"] = -1;
  CHECK_ERROR(save_model(kinds_scratch("w.ebm"), m, "{}", &t), Contains("training_state.counters.n = -1"));
  HyperParams h;
  CHECK_ERROR(h.set_numbers("sigma", {1.0, std::numeric_limits<double>::infinity()}),
              Contains("hyper-parameter sigma[1] = inf must be finite"));
}

// ---- a user model: one type, one codec, one registration, nothing else ----
namespace {
struct Quadratic {  // E(x) = ½ θ₀ |x|² + θ₁ over d dimensions
  using Scalar = double;
  Index d = 1;
  Vectord theta = Vectord::Zero(2);
  const Vectord& params() const { return theta; }
  void set_params(const ConstVecRef<double>& t) { theta = t; }
};
}  // namespace

template <>
struct ebm::ModelCodec<Quadratic> {
  static constexpr std::string_view kind = "test_quadratic";
  static HyperParams hyper(const Quadratic& m) {
    HyperParams h;
    h.set_integer("dim", m.d);
    return h;
  }
  static Quadratic make(const HyperParams& h) { return Quadratic{h.integer("dim", 1, 1 << 20), Vectord::Zero(2)}; }
};

TEST_CASE("a user model adds a kind of its own", "[io][model-file][kinds]") {
  Quadratic q{7, Vectord(2)};
  q.theta << 0.5, -2.0;
  const std::string p = kinds_scratch("quadratic.ebm");
  CHECK_ERROR(save_model(p, q), Contains("model kind 'test_quadratic' is unknown"));
  register_model_kind({"test_quadratic", [](const HyperParams& h) {
                         h.integer("dim", 1, 1 << 20);
                         return Index(2);
                       }, {}});
  save_model(p, q);
  const Quadratic back = load_model<Quadratic>(p);
  CHECK(back.d == 7);
  CHECK(back.theta == q.theta);
  CHECK_ERROR(parse_crafted(ModelFileSurgery(read_bytes(p)).edit_meta([](Json& j) { j["dim"] = 0; }).bytes()),
              Contains("dim = 0 must be an integer in [1, 1048576]"));
}

TEST_CASE("version-1 files load, or are refused, exactly as before version 2", "[io][model-file][v1]") {
  // The verdicts of the version-1 reader on the committed corpus, recorded before version 2 was written.
  const std::map<std::string, std::string> verdicts = {
      {"repro-bad-crc.ebm", "checksum mismatch (the file is corrupt or truncated)"},
      {"repro-chain-nan.ebm", "chains.v: entry (0, 0) is nan; a Bernoulli layer takes only 0 or 1"},
      {"repro-chain-not-binary.ebm", "chains.v: entry (0, 0) is 0.5; a Bernoulli layer takes only 0 or 1"},
      {"repro-chains-2e63.ebm", "section chains.v shape: 9223372036854775807 x 6 overflows a 64-bit size"},
      {"repro-epoch-1e300.ebm", "training_state.epoch = 1e+300 must be an integer in [0, 2147483647]"},
      {"repro-epoch-2e31.ebm", "training_state.epoch = 2147483648 must be an integer in [0, 2147483647]"},
      {"repro-epoch-2e40.ebm", "training_state.epoch = 1099511627776 must be an integer in [0, 2147483647]"},
      {"repro-epoch-3.5.ebm", "training_state.epoch = 3.5 must be an integer in [0, 2147483647]"},
      {"repro-epoch-minus-1.ebm", "training_state.epoch = -1 must be an integer in [0, 2147483647]"},
      {"repro-epoch-string.ebm", "training_state.epoch = \"x\" must be an integer in [0, 2147483647]"},
      {"repro-extra-stream.ebm", "OK"},
      {"repro-json-depth-100000.ebm", "metadata is nested deeper than 64 levels"},
      {"repro-kind-number.ebm", "kind = 7 must be a string"},
      {"repro-num-hidden-2e62.ebm", "num_visible x num_hidden: 6 x 4611686018427387904 overflows a 64-bit size"},
      {"repro-num-hidden-8.5.ebm", "num_hidden = 8.5 must be an integer in [1, 9223372036854775807]"},
      {"repro-num-hidden-wraps.ebm", "num_visible x num_hidden: 7 x 2305843009213693954 overflows a 64-bit size"},
      {"repro-num-visible-negative.ebm", "num_visible = -3 must be an integer in [1, 9223372036854775807]"},
      {"repro-probability-nan.ebm", "chains.ph: entry (0, 0) is nan; a probability must lie in [0, 1]"},
      {"repro-section-length-huge.ebm", "truncated (a section claims 4611686018427387904 bytes, 215 are left)"},
      {"repro-too-few-streams.ebm", "OK"},
      {"repro-training-state-array.ebm", "training_state = [1,2] must be a JSON object"},
      {"repro-truncated.ebm", "checksum mismatch (the file is corrupt or truncated)"},
      {"repro-updates-2e63.ebm",
       "training_state.updates = 9223372036854775807 must be an integer in [0, 4611686018427387904]"},
      {"seed-checkpoint.ebm", "OK"},
      {"seed-model.ebm", "OK"}};
  const std::string dir = EBM_MODEL_CORPUS;
  for (const auto& [file, want] : verdicts) {
    INFO(file);
    const std::string bytes = read_bytes(dir + "/" + file);
    REQUIRE(bytes.size() > 12);
    std::string got = "OK";
    try {
      (void)parse_model_file(bytes, file, "");
    } catch (const Error& e) {
      got = e.what();
    }
    CHECK_THAT(got, Equals(want == "OK" ? want : "model file '" + file + "': " + want));
  }
  // A version-1 checkpoint in version 2's terms, and a model the typed API reads.
  const ModelFile f = parse_model_file(read_bytes(dir + "/seed-checkpoint.ebm"), "seed-checkpoint.ebm");
  REQUIRE(f.training.has_value());
  const TrainingState& t = *f.training;
  CHECK(t.optimizer.kind == "sgd");
  CHECK(t.optimizer.steps == t.updates);
  CHECK(t.optimizer.vectors.at("velocity").size() == f.params.size());
  CHECK(t.chains.at("v").rows() == t.chains.at("h").rows());
  CHECK(t.streams.at("shuffle").size() == 1);
  CHECK(t.streams.at("chains").size() == std::size_t(t.chains.at("v").rows()));
  const BernoulliRBMf rbm = model_of<BernoulliRBMf>(f);
  CHECK(rbm.params() == f.params);
  // Written again, it is a version-2 file with the same contents.
  save_model_file(kinds_scratch("v1-again.ebm"), f);
  const std::string again = read_bytes(kinds_scratch("v1-again.ebm"));
  CHECK(again[8] == 2);
  const ModelFile g = parse_crafted(again);
  CHECK(g.params == f.params);
  check_same_state(*g.training, t);
}

TEST_CASE("the version-2 seeds of the corpus load as their models", "[io][model-file][kinds]") {
  const std::string dir = EBM_MODEL_CORPUS;
  const auto load = [&](const std::string& file) {
    INFO(file);
    return parse_model_file(read_bytes(dir + "/" + file), file, "");
  };
  const ModelFile mlp = load("seed-v2-mlp-base-checkpoint.ebm");
  const auto m = model_of<BaseTermEnergy<MlpEnergyf>>(mlp);
  CHECK(m.has_base());
  CHECK(m.net().sizes() == std::vector<Index>{4, 3, 1});
  CHECK(mlp.training->optimizer.kind == "adam");
  CHECK(mlp.training->counters.at("buffer_restarts") == 3);
  CHECK(model_of<MlpEnergyd>(load("seed-v2-mlp.ebm")).activation() == Activation::softplus);
  CHECK(model_of<GaussianBernoulliRBM<float>>(load("seed-v2-gbrbm-checkpoint.ebm")).sigma()[2] == 2.0f);
  CHECK(model_of<GridCrf<MlpUnary<float>>>(load("seed-v2-crf-checkpoint.ebm")).num_sites() == 12);
  CHECK(model_of<GridCrf<LinearUnary<float>>>(load("seed-v2-crf-linear.ebm")).features().count() == 18);
}
