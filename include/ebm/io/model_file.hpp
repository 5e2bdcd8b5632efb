#pragma once
// The .ebm model file: a versioned container of named sections closed by a CRC-32 of everything before it.
//
//   "EBMMODEL" | u32 format version | u32 section count | sections | u32 CRC-32 (Boost.CRC, of all bytes above)
//   section:  u32 name length | name | u64 byte length | bytes
//
// Version 2 holds any registered model kind (io/model_kind.hpp: bernoulli_rbm, gaussian_bernoulli_rbm,
// mlp_energy, grid_crf, or a user's):
//   "meta"            JSON object: "kind", "scalar": "float32", the kind's hyper-parameters as top-level fields
//                     (num_visible, layers, activation, …), free-form training metadata, and for checkpoints
//                     "training_state": {epoch, updates, counters: {name: n}, chains: {name: [rows, cols]},
//                     optimizer: {kind, steps}} (optimizer only when there is one)
//   "params"          float32 θ in the model's flat layout (its length follows from the hyper-parameters)
//   "chains.<name>"   float32 chain state, rows × cols as the metadata says (block Gibbs: v, h, ph; other kernels:
//                     x; parallel tempering: every replica stacked, io/tempering_checkpoint.hpp)
//   "rng.<name>"      random streams as text, one line of 624 mt19937 state words each (chains, shuffle)
//   "optimizer.<name>" float32 optimizer vectors, one entry per parameter or none (SGD: velocity; Adam: m, v)
//   "state.<name>"    other float32 training state (the centering offset: state.centering.hidden)
// Names after the prefix are 1 to 64 characters of [A-Za-z0-9_.]. Files are written atomically (temp + rename).
// Version 1 (bernoulli_rbm only: "velocity", "chains.v/h/ph", "centering.hidden", "rng.chains/shuffle", a
// single training_state.chains count) is still read, with exactly the checks and messages it always had, and
// comes back in version 2's terms: velocity as an "sgd" optimizer state with steps = updates, centering.hidden
// as state "centering.hidden".
//
// The reader treats a file as hostile even when its checksum is right (a CRC only stops accidents): every
// section is known and appears once, the metadata is at most 16 MiB of JSON nested at most 64 deep, every field
// has its JSON type and range (integers are integers, epoch fits the trainer's int, sizes are multiplied with
// overflow checks and compared with the section lengths before anything is allocated), the kind is registered
// and its hyper-parameters valid (the kind says how long θ is and checks its chain states: binary units,
// probabilities, label ranges), θ, chain states and optimizer and other state are finite, and random streams
// are exactly 624 state words each. Any violation is an ebm::Error naming the file and the field; what a
// resumed run needs beyond that (stream counts for its sampler, counters against its data) is checked by the
// caller. The writer refuses what the reader would refuse.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/io/hyper_params.hpp"
#include "ebm/train/optimizer_state.hpp"

namespace ebm {

inline constexpr std::uint32_t model_file_version = 2;

struct TrainingState {
  std::int64_t epoch = 0;    // epochs completed, in [0, INT_MAX]
  std::int64_t updates = 0;  // updates completed, in [0, 2^62]
  std::map<std::string, std::int64_t> counters;   // any other counter, each in [0, 2^62]
  std::map<std::string, Matrixf> chains;          // chain states of the kernel, by name (block Gibbs: v, h, ph)
  std::map<std::string, std::vector<Rng>> streams;  // random streams, by name ("chains", "shuffle")
  std::map<std::string, Vectorf> state;           // other float32 state (e.g. "centering.hidden")
  OptimizerState optimizer;                       // empty kind: none stored
};

struct ModelFile {
  std::string kind;    // a registered model kind (io/model_kind.hpp)
  // The kind's hyper-parameters, written as top-level metadata fields; on reading, every top-level field but
  // kind, scalar and training_state (the kind reads the ones it knows).
  HyperParams hyper;
  Vectorf params;
  // Free-form JSON object: training options, data, binarization, …; on reading, the whole metadata but its
  // training_state (hyper-parameters and kind included, as version 1 gave them).
  std::string metadata_json = "{}";
  std::optional<TrainingState> training;
};

void save_model_file(const std::string& path, const ModelFile& file);
// expected_kind: when non-empty, a file of another kind is an error.
ModelFile load_model_file(const std::string& path, const std::string& expected_kind = "bernoulli_rbm");
// The same from the file's bytes in memory (fuzzing, embedded models); `name` stands for the file in messages.
ModelFile parse_model_file(std::string_view bytes, const std::string& name,
                           const std::string& expected_kind = "bernoulli_rbm");

}  // namespace ebm
