#pragma once
// Model kinds of the .ebm file, and the typed way in and out of it:
//
//   save_model(path, model, metadata_json, &training_state);   // any model with a ModelCodec
//   M m = load_model<M>(path);            or   ModelFile f = load_model_file(path, ""); M m = model_of<M>(f);
//
// A kind has two halves:
//  * a ModelKind, registered at run time, which the reader uses on any file without knowing the C++ type: the
//    kind's name, the length of θ its hyper-parameters imply (checked: every field read through HyperParams,
//    sizes through checked_mul/checked_add, so a hostile file gets an ebm::Error before anything is allocated)
//    and a check of a checkpoint's chain states (widths, binary units, probabilities);
//  * a ModelCodec<M> specialisation, at compile time: the kind's name, hyper(m) → HyperParams and
//    make(HyperParams) → M (θ zero; model_of then sets θ through M::set_params).
// The built-in kinds (io/model_codecs.hpp): bernoulli_rbm, gaussian_bernoulli_rbm, mlp_energy (with or
// without a base term), grid_crf. A user model adds both halves, as tests/unit/test_model_kinds.cpp shows:
//
//   template <> struct ebm::ModelCodec<MyModel> {
//     static constexpr std::string_view kind = "my_model";
//     static HyperParams hyper(const MyModel& m) { HyperParams h; h.set_integer("dim", m.dim()); return h; }
//     static MyModel make(const HyperParams& h) { return MyModel(h.integer("dim", 1, 1 << 20)); }
//   };
//   register_model_kind({"my_model", [](const HyperParams& h) { return h.integer("dim", 1, 1 << 20) + 1; }});
//
// θ is float32 in the file: a model over double converts on the way (exact for values that came from float).
#include <concepts>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/io/hyper_params.hpp"
#include "ebm/io/model_file.hpp"

namespace ebm {

struct ModelKind {
  std::string name;
  // θ's length for these hyper-parameters; an ebm::Error naming the field if one is missing or invalid.
  std::function<Index(const HyperParams&)> num_params;
  // Optional: checks a checkpoint's chain states (already finite and of the shapes the file declares) against
  // the model: widths, binary units, probabilities, label ranges. Chains it does not know are left alone.
  // `where` prefixes messages ("model file 'm.ebm'").
  std::function<void(const HyperParams&, const std::map<std::string, Matrixf>&, const std::string& where)>
      check_chains;
};

// Adds a kind (or replaces the one of the same name); thread-safe, usually called once at start-up.
void register_model_kind(ModelKind kind);
// The registered kind of this name, or nullptr.
const ModelKind* find_model_kind(std::string_view name);
std::vector<std::string> model_kind_names();

// Specialised per model type; see the top of this file and io/model_codecs.hpp.
template <class M>
struct ModelCodec;

template <class M>
concept HasModelCodec = requires(const M& m, const HyperParams& h) {
  { ModelCodec<M>::kind } -> std::convertible_to<std::string_view>;
  { ModelCodec<M>::hyper(m) } -> std::same_as<HyperParams>;
  { ModelCodec<M>::make(h) } -> std::same_as<M>;
};

// The file's model as an M: its kind must be M's, its hyper-parameters valid (checked again here, so a
// ModelFile built in memory gets the same errors as one read from disk).
template <HasModelCodec M>
M model_of(const ModelFile& f) {
  const std::string_view kind = ModelCodec<M>::kind;
  ensure(f.kind == kind, f.hyper.where(), ": holds a model of kind '", f.kind, "', expected '", kind, "'");
  const ModelKind* k = find_model_kind(kind);
  ensure(k != nullptr, f.hyper.where(), ": model kind '", kind, "' is not registered");
  const Index n = k->num_params(f.hyper);
  ensure(f.params.size() == n, f.hyper.where(), ": ", f.params.size(), " parameters, but the hyper-parameters of ",
         kind, " make ", n);
  M m = ModelCodec<M>::make(f.hyper);
  m.set_params(f.params.template cast<typename M::Scalar>());
  return m;
}

// A ModelFile of the model (θ as float32), with free-form metadata and an optional training state.
template <HasModelCodec M>
ModelFile file_of(const M& m, std::string metadata_json = "{}", std::optional<TrainingState> training = {}) {
  ModelFile f;
  f.kind = std::string(ModelCodec<M>::kind);
  f.hyper = ModelCodec<M>::hyper(m);
  f.params = m.params().template cast<float>();
  f.metadata_json = std::move(metadata_json);
  f.training = std::move(training);
  return f;
}

template <HasModelCodec M>
void save_model(const std::string& path, const M& m, std::string metadata_json = "{}",
                const TrainingState* training = nullptr) {
  save_model_file(path, file_of(m, std::move(metadata_json),
                                training ? std::optional<TrainingState>(*training) : std::nullopt));
}

template <HasModelCodec M>
M load_model(const std::string& path) {
  return model_of<M>(load_model_file(path, std::string(ModelCodec<M>::kind)));
}

}  // namespace ebm
