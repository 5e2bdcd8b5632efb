#pragma once
// The .ebm model file: a versioned container of named sections closed by a CRC-32 of everything before it.
//
//   "EBMMODEL" | u32 format version | u32 section count | sections | u32 CRC-32 (Boost.CRC, of all bytes above)
//   section:  u32 name length | name | u64 byte length | bytes
//
// Sections: "meta" (JSON: kind, shapes, scalar type, free-form training metadata), "params" (float32 θ in the
// model's flat layout) and, for checkpoints, the training state needed to resume bit for bit: "velocity",
// "chains.v", "chains.h", "chains.ph", "centering.hidden" (float32), "rng.chains", "rng.shuffle" (engine states
// as text), and the epoch/update counters in meta. Files are written atomically (temp file + rename).
//
// The reader treats a file as hostile even when its checksum is right (a CRC only stops accidents): every
// section is known and appears once, the metadata is at most 16 MiB of JSON nested at most 64 deep, every field
// has its JSON type and range (integers are integers, epoch fits the trainer's int, sizes are multiplied with
// overflow checks and compared with the section lengths before anything is allocated), parameters and optimizer
// state are finite, chain states are binary (visible units of a "bernoulli_rbm"; hidden units always) with
// probabilities in [0, 1], and random streams are exactly 624 state words each. Any violation is an ebm::Error
// naming the file and the field; what a resumed run needs beyond that (stream counts for its sampler, counters
// against its data) is checked by the caller.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

inline constexpr std::uint32_t model_file_version = 1;

struct TrainingState {
  std::int64_t epoch = 0;    // epochs completed, in [0, INT_MAX]
  std::int64_t updates = 0;  // updates completed, in [0, 2^62]
  Vectorf velocity;
  Matrixf chains_v, chains_h, chains_ph;
  Vectorf hidden_offset;  // centering offset λ (empty without centering)
  std::vector<Rng> chain_streams;
  Rng shuffle_stream;
};

struct ModelFile {
  std::string kind = "bernoulli_rbm";
  Index num_visible = 0, num_hidden = 0;
  Vectorf params;
  std::string metadata_json = "{}";  // free-form JSON object: training options, data, binarization, …
  std::optional<TrainingState> training;
};

void save_model_file(const std::string& path, const ModelFile& file);
// expected_kind: when non-empty, a file of another kind is an error.
ModelFile load_model_file(const std::string& path, const std::string& expected_kind = "bernoulli_rbm");
// The same from the file's bytes in memory (fuzzing, embedded models); `name` stands for the file in messages.
ModelFile parse_model_file(std::string_view bytes, const std::string& name,
                           const std::string& expected_kind = "bernoulli_rbm");

}  // namespace ebm
