// The model-file reader against crafted files whose CRC-32 has been recomputed (a checksum only stops
// accidents): every field's type and range, sizes that overflow or disagree with the sections, deep or huge
// JSON, non-finite or non-binary training state. Each case is an ebm::Error naming the file and the field.
#include <boost/crc.hpp>
#include <catch2/catch.hpp>
#include <cstring>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "support/checkpoint_fixture.hpp"
#include "support/scratch.hpp"
#include "ebm/core/checked_arithmetic.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/model_file.hpp"
#include "support/error_matchers.hpp"
#include "support/model_file_surgery.hpp"

using namespace ebm;
using Catch::Matchers::Contains;
using ebm::test::ModelFileSurgery;
using Json = nlohmann::json;

namespace {

constexpr const char* name = "crafted.ebm";

// The shared small checkpoint (support/checkpoint_fixture.hpp) with free-form metadata.
ModelFile checkpoint() {
  ModelFile f = test::small_checkpoint();
  f.metadata_json = R"({"training": {"k": 1}, "note": "x"})";
  return f;
}

std::string scratch(const std::string& file) { return test::scratch_path("model-file-hardening", file); }

std::string bytes_of(const ModelFile& f) {
  const std::string p = scratch("valid.ebm");
  save_model_file(p, f);
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ModelFileSurgery valid() { return ModelFileSurgery(bytes_of(checkpoint())); }

ModelFile parse(const std::string& bytes) { return parse_model_file(bytes, name); }

// The file with one metadata field (path "a.b.c") replaced by `value`.
std::string with_field(const std::string& path, const Json& value) {
  return valid()
      .edit_meta([&](Json& m) {
        Json* at = &m;
        std::size_t from = 0;
        for (std::size_t dot; (dot = path.find('.', from)) != std::string::npos; from = dot + 1)
          at = &(*at)[path.substr(from, dot - from)];
        (*at)[path.substr(from)] = value;
      })
      .bytes();
}

}  // namespace

TEST_CASE("a crafted file read from memory round-trips like one read from disk", "[io][model-file]") {
  const ModelFile f = parse(valid().bytes());  // the surgery itself changes nothing
  REQUIRE(f.training.has_value());
  CHECK(f.params == checkpoint().params);
  CHECK(f.training->streams == checkpoint().training->streams);
  CHECK(f.training->epoch == 4);
  CHECK(Json::parse(f.metadata_json)["note"] == "x");
}

TEST_CASE("JSON metadata nested 100,000 deep is refused before anything recurses", "[io][model-file][errors]") {
  // Issue 10 item 2: this crashed eval, export, sample and train --resume (stack overflow in the serializer).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  ModelFileSurgery s = valid();
  s.section("meta") = deep;
  CHECK_ERROR(parse(s.bytes()), Contains(name) && Contains("metadata is nested deeper than 64 levels"));
  // Inside an otherwise valid object too.
  s = valid();
  std::string meta = s.section("meta");
  meta.insert(1, "\"junk\": " + deep + ", ");
  s.section("meta") = meta;
  CHECK_ERROR(parse(s.bytes()), Contains("nested deeper than 64"));
  // Nesting within the limit is kept.
  CHECK_NOTHROW(parse(with_field("junk", Json::parse(std::string(60, '[') + std::string(60, ']')))));
}

TEST_CASE("metadata beyond 16 MiB or not JSON is refused", "[io][model-file][errors]") {
  ModelFileSurgery s = valid();
  s.section("meta") = "\"" + std::string((std::size_t(16) << 20) + 1, 'x') + "\"";
  CHECK_ERROR(parse(s.bytes()), Contains("metadata has") && Contains("more than the limit"));
  s.section("meta") = "{\"kind\": ";
  CHECK_ERROR(parse(s.bytes()), Contains(name) && Contains("metadata is not valid JSON"));
  s.section("meta") = "[1, 2]";
  CHECK_ERROR(parse(s.bytes()), Contains("the metadata = [1,2] must be a JSON object"));
}

TEST_CASE("header sizes that overflow are errors, not undefined behaviour", "[io][model-file][errors]") {
  // Issue 10 item 3. num_hidden = 2^62: nv * nh overflows.
  CHECK_ERROR(parse(with_field("num_hidden", std::int64_t(1) << 62)),
              Contains("num_visible x num_hidden") && Contains("overflows"));
  // 3 * (2^62 + 2) + 3 + (2^62 + 2) wraps to 11, the true parameter count of 3 x 2: refused all the same.
  CHECK_ERROR(parse(with_field("num_hidden", (std::int64_t(1) << 62) + 2)), Contains("overflows"));
  CHECK_ERROR(parse(with_field("num_visible", std::numeric_limits<std::int64_t>::max())), Contains("overflows"));
  // training_state.chains.v = [2^63 - 1, 3]: rows x cols overflows before the section is allocated.
  CHECK_ERROR(parse(with_field("training_state.chains.v", {std::numeric_limits<std::int64_t>::max(), 3})),
              Contains("section chains.v shape") && Contains("overflows"));
  // A plausible but wrong count: compared with the section's length before allocating.
  CHECK_ERROR(parse(with_field("training_state.chains.v", {std::int64_t(1) << 40, 3})),
              Contains("section chains.v has 60 bytes, expected"));
  CHECK_ERROR(parse(with_field("training_state.chains.h", {5, 3})), Contains("section chains.h has 40 bytes, expected 60"));
  CHECK_ERROR(parse(with_field("num_hidden", 200000)), Contains("section params has 44 bytes, expected"));
  // updates = 2^63 - 1 would overflow at the next update.
  CHECK_ERROR(parse(with_field("training_state.updates", std::numeric_limits<std::int64_t>::max())),
              Contains("training_state.updates = 9223372036854775807 must be an integer in [0, 4611686018427387904]"));
  CHECK_ERROR(parse(with_field("num_hidden", std::uint64_t(1) << 63)), Contains("num_hidden = 9223372036854775808"));
}

TEST_CASE("checked arithmetic names what overflowed", "[core][errors]") {
  CHECK(checked_mul(3, 4, "x") == 12);
  CHECK(checked_add(3, 4, "x") == 7);
  CHECK_ERROR(checked_mul(std::int64_t(1) << 32, std::int64_t(1) << 31, "rows x cols"),
              Contains("rows x cols: 4294967296 x 2147483648 overflows"));
  CHECK_ERROR(checked_add(std::numeric_limits<Index>::max(), 1, "count"), Contains("count") && Contains("overflows"));
}

TEST_CASE("epoch counters outside the trainer's int or not integral are refused", "[io][model-file][errors]") {
  // Issue 10 items 4 and 5: 2^31 was cast to -2^31 (resume then trained ~2^31 epochs); -1, 2^40, 3.5 and 1e300
  // resumed with exit 0.
  for (const Json& epoch : {Json(std::int64_t(1) << 31), Json(-1), Json(std::int64_t(1) << 40), Json(3.5), Json(1e300),
                            Json(4.0), Json(true)}) {
    INFO(epoch.dump());
    CHECK_ERROR(parse(with_field("training_state.epoch", epoch)),
                Contains(name) && Contains("training_state.epoch = ") &&
                    Contains("must be an integer in [0, 2147483647]"));
  }
  CHECK(parse(with_field("training_state.epoch", INT_MAX)).training->epoch == INT_MAX);
  CHECK_ERROR(parse(with_field("training_state.updates", -1)), Contains("training_state.updates = -1"));
  CHECK_ERROR(parse(with_field("num_hidden", 2.0)), Contains("num_hidden = 2.0 must be an integer"));
}

TEST_CASE("num_hidden = 8.5 is not read as 8", "[io][model-file][errors]") {
  CHECK_ERROR(parse(with_field("num_hidden", 1.5)), Contains("num_hidden = 1.5 must be an integer"));
  CHECK_ERROR(parse(with_field("num_visible", 3.5)), Contains("num_visible = 3.5 must be an integer"));
}

TEST_CASE("every metadata field of the wrong JSON type is an ebm::Error naming it", "[io][model-file][errors]") {
  // Issue 10 item 7: these were nlohmann type_errors, reported as "internal error".
  const std::vector<std::string> integers = {"num_visible", "num_hidden", "training_state.epoch",
                                             "training_state.updates", "training_state.optimizer.steps"};
  for (const std::string& field : integers)
    for (const Json& bad : {Json("x"), Json(nullptr), Json::array(), Json::object(), Json(false)}) {
      INFO(field << " = " << bad.dump());
      CHECK_ERROR(parse(with_field(field, bad)), Contains(name) && Contains(field + " = ") && Contains("must be an integer"));
    }
  for (const std::string field : {"kind", "scalar"})
    for (const Json& bad : {Json(1), Json(nullptr), Json::array(), Json::object(), Json(true)}) {
      INFO(field << " = " << bad.dump());
      CHECK_ERROR(parse(with_field(field, bad)), Contains(std::string(field) + " = ") && Contains("must be a string"));
    }
  CHECK_ERROR(parse(with_field("training_state", "x")), Contains("training_state = \"x\" must be a JSON object"));
  CHECK_ERROR(parse(with_field("training_state.chains", "x")),
              Contains("training_state.chains = \"x\" must be a JSON object"));
  CHECK_ERROR(parse(with_field("training_state.chains.v", 5)), Contains("training_state.chains.v = 5 must be [rows, cols]"));
  CHECK_ERROR(parse(with_field("training_state.chains.v", {5, "x"})),
              Contains("training_state.chains.v.cols = \"x\" must be an integer"));
  CHECK_ERROR(parse(with_field("training_state.chains.v", {-5, 3})),
              Contains("training_state.chains.v.rows = -5 must be an integer"));
  CHECK_ERROR(parse(with_field("training_state.optimizer.kind", 1)),
              Contains("training_state.optimizer.kind = 1 must be a string"));
  CHECK_ERROR(parse(with_field("training_state.counters", {{"swaps", -1}})),
              Contains("training_state.counters.swaps = -1 must be an integer"));
  CHECK_ERROR(parse(with_field("scalar", "float64")), Contains("scalar = 'float64' is not supported"));
  for (const std::string field : {"kind", "scalar", "num_visible", "num_hidden"}) {
    INFO(field);
    CHECK_ERROR(parse(valid().edit_meta([&](Json& m) { m.erase(field); }).bytes()),
                Contains(std::string(field) + " is missing"));
  }
  CHECK_ERROR(parse(valid().edit_meta([](Json& m) { m["training_state"].erase("updates"); }).bytes()),
              Contains("training_state.updates is missing"));
}

TEST_CASE("section layout: unknown, repeated, missing and stray bytes", "[io][model-file][errors]") {
  ModelFileSurgery s = valid();
  s.sections().emplace_back("extra", "abc");
  CHECK_ERROR(parse(s.bytes()), Contains("unknown section 'extra'"));
  s = valid();
  s.sections().push_back(s.sections().front());
  CHECK_ERROR(parse(s.bytes()), Contains("appears twice"));
  CHECK_ERROR(parse(valid().bytes("xyz")), Contains("3 stray bytes after the last section"));
  s = valid();
  std::erase_if(s.sections(), [](const auto& sec) { return sec.first == "chains.h"; });
  CHECK_ERROR(parse(s.bytes()), Contains("training_state.chains.h without a 'chains.h' section"));
  s = valid();
  s.sections().emplace_back("chains.x", "");
  CHECK_ERROR(parse(s.bytes()), Contains("section 'chains.x' is not declared in training_state.chains"));
  s = valid();
  s.sections().emplace_back("chains.", "");
  CHECK_ERROR(parse(s.bytes()), Contains("unknown section 'chains.'"));
  s = valid();
  s.sections().emplace_back("state.a/b", "");
  CHECK_ERROR(parse(s.bytes()), Contains("unknown section 'state.a/b'"));
  s = valid();
  s.edit_meta([](Json& m) { m["training_state"].erase("optimizer"); });
  CHECK_ERROR(parse(s.bytes()), Contains("section 'optimizer.velocity' without a training_state.optimizer"));
  s = valid();
  s.section("optimizer.velocity").resize(8);
  CHECK_ERROR(parse(s.bytes()), Contains("section optimizer.velocity has 8 bytes, expected 0 or 44"));
  s = valid();
  s.section("state.centering.hidden").resize(7);
  CHECK_ERROR(parse(s.bytes()), Contains("section state.centering.hidden has 7 bytes, not a whole number of float32"));
  s = valid();
  s.edit_meta([](Json& m) { m.erase("training_state"); });
  CHECK_ERROR(parse(s.bytes()), Contains("without a training_state"));
  // A section that claims more bytes than the file has.
  std::string b = valid().bytes();
  const std::size_t at = b.find(std::string("\x04\0\0\0meta", 8)) + 8;  // the u64 length after the name
  b[at + 6] = 0x10;  // + 2^52 bytes
  boost::crc_32_type crc;
  crc.process_bytes(b.data(), b.size() - 4);
  const auto c = std::uint32_t(crc.checksum());
  std::memcpy(b.data() + b.size() - 4, &c, 4);
  CHECK_ERROR(parse(b), Contains("truncated (a section claims"));
}

TEST_CASE("training state that is not finite, not binary or not a probability is refused",
          "[io][model-file][errors]") {
  // Issue 10 item 5: NaN, Inf or 0.5 in the persistent chains and NaN in their probabilities resumed with exit 0.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  CHECK_ERROR(parse(valid().set_float("chains.v", 4, nan).bytes()),
              Contains(name) && Contains("chains.v: entry (1, 1) is nan") && Contains("only 0 or 1"));
  CHECK_ERROR(parse(valid().set_float("chains.v", 0, inf).bytes()), Contains("chains.v: entry (0, 0) is inf"));
  CHECK_ERROR(parse(valid().set_float("chains.v", 2, 0.5f).bytes()), Contains("chains.v: entry (0, 2) is 0.5"));
  CHECK_ERROR(parse(valid().set_float("chains.h", 9, 2.0f).bytes()), Contains("chains.h: entry (4, 1) is 2"));
  CHECK_ERROR(parse(valid().set_float("chains.ph", 3, nan).bytes()),
              Contains("chains.ph: entry (1, 1) is nan") && Contains("[0, 1]"));
  CHECK_ERROR(parse(valid().set_float("chains.ph", 0, 1.5f).bytes()), Contains("chains.ph: entry (0, 0) is 1.5"));
  CHECK_ERROR(parse(valid().set_float("chains.ph", 0, -0.25f).bytes()), Contains("chains.ph: entry (0, 0) is -0.25"));
  CHECK_ERROR(parse(valid().set_float("optimizer.velocity", 7, nan).bytes()),
              Contains("optimizer.velocity: entry (7, 0) is nan"));
  CHECK_ERROR(parse(valid().set_float("state.centering.hidden", 1, -inf).bytes()),
              Contains("state.centering.hidden: entry (1, 0) is -inf"));
  CHECK_ERROR(parse(valid().set_float("params", 10, inf).bytes()), Contains("params: entry (10, 0) is inf"));
  // A Gaussian-Bernoulli RBM has real-valued visible states, but they must be finite.
  ModelFile g = checkpoint();
  g.kind = "gaussian_bernoulli_rbm";
  g.hyper.set_numbers("sigma", {1, 0.5, 2});
  g.training->chains["v"](0, 0) = 0.5f;
  const std::string other = bytes_of(g);
  CHECK(parse_model_file(other, name, "").training->chains.at("v")(0, 0) == 0.5f);
  CHECK_ERROR(parse_model_file(ModelFileSurgery(other).set_float("chains.v", 0, nan).bytes(), name, ""),
              Contains("chains.v: entry (0, 0) is nan; values must be finite"));
}

TEST_CASE("random streams are read strictly: whole engines, the right number", "[io][model-file][errors]") {
  ModelFileSurgery s = valid();
  s.section("rng.shuffle") += s.section("rng.shuffle");  // an extra random stream: how many is the caller's check
  CHECK(parse(s.bytes()).training->streams.at("shuffle").size() == 2);
  s = valid();
  std::string& chains = s.section("rng.chains");
  chains.erase(chains.size() - 100);  // the last stream cut short, without its newline
  CHECK_ERROR(parse(s.bytes()), Contains("rng.chains: stream 4 does not end with a newline"));
  chains += "\n";
  CHECK_ERROR(parse(s.bytes()), Contains("rng.chains: stream 4 has") && Contains("state words, not 624"));
  s = valid();
  s.section("rng.chains") += "1 2 3\n";
  CHECK_ERROR(parse(s.bytes()), Contains("stream 5 has 3 state words, not 624"));
  s = valid();
  s.section("rng.chains").replace(0, 1, "x");
  CHECK_ERROR(parse(s.bytes()), Contains("rng.chains: stream 0 is not 624 state words below 2^32"));
  s = valid();
  s.section("rng.chains").insert(0, "99999999999");
  CHECK_ERROR(parse(s.bytes()), Contains("stream 0 is not 624 state words below 2^32"));
  // The stream count itself depends on the sampler: `ebm train --resume` checks it (tests/cli).
  CHECK(parse(valid().bytes()).training->streams.at("chains").size() == 5);
}

TEST_CASE("the writer refuses what the reader would refuse", "[io][model-file][errors]") {
  ModelFile f = checkpoint();
  f.training->chains["v"](1, 2) = 0.5f;
  CHECK_ERROR(save_model_file(scratch("w.ebm"), f), Contains("save_model_file") && Contains("chains.v: entry (1, 2)"));
  f = checkpoint();
  f.params[0] = std::numeric_limits<float>::quiet_NaN();
  CHECK_ERROR(save_model_file(scratch("w.ebm"), f), Contains("params: entry (0, 0) is nan"));
  f = checkpoint();
  f.training->epoch = std::int64_t(1) << 31;
  CHECK_ERROR(save_model_file(scratch("w.ebm"), f), Contains("training_state.epoch = 2147483648"));
  f = checkpoint();
  f.metadata_json = "{\"a\": ";
  CHECK_ERROR(save_model_file(scratch("w.ebm"), f), Contains("metadata_json is not valid JSON"));
  f.metadata_json = "[]";
  CHECK_ERROR(save_model_file(scratch("w.ebm"), f), Contains("metadata_json must be a JSON object"));
}

TEST_CASE("load_model_file names the file on disk", "[io][model-file][errors]") {
  const std::string p = scratch("deep.ebm");
  ModelFileSurgery s = valid();
  s.section("meta") = std::string(1000, '[') + std::string(1000, ']');
  std::ofstream(p, std::ios::binary) << s.bytes();
  CHECK_ERROR(load_model_file(p), Contains("model file '" + p + "': metadata is nested deeper than 64 levels"));
}
