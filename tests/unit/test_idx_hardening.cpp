// The IDX reader against crafted files: dimensions whose product overflows 64 bits or exceeds the file, types
// other than unsigned bytes, and the file and in-memory readers agreeing on every verdict.
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/scratch.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/idx.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {

std::string idx_scratch(const std::string& name) { return test::scratch_path("idx-hardening", name); }

std::string idx(int type, const std::vector<std::uint32_t>& dims, const std::string& data) {
  std::string b{'\0', '\0', char(type), char(dims.size())};
  for (const std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(char((d >> s) & 0xff));
  return b + data;
}

std::string error_of(const std::string& bytes) {
  const std::string p = idx_scratch("bad.idx");
  std::ofstream(p, std::ios::binary) << bytes;
  std::string from_file, from_memory;
  try {
    (void)read_idx(p);
  } catch (const Error& e) {
    from_file = e.what();
  }
  try {
    (void)parse_idx(bytes, p);
  } catch (const Error& e) {
    from_memory = e.what();
  }
  CHECK(from_file == from_memory);
  return from_file;
}

}  // namespace

TEST_CASE("IDX: parse_idx reads what read_idx reads", "[io][idx]") {
  const std::string bytes = idx(0x08, {2, 2, 3}, "abcdefghijkl");
  const std::string p = idx_scratch("ok.idx");
  std::ofstream(p, std::ios::binary) << bytes;
  const IdxArray a = read_idx(p), b = parse_idx(bytes, p);
  CHECK(a.dims == std::vector<std::uint32_t>{2, 2, 3});
  CHECK(a.dims == b.dims);
  CHECK(a.data == b.data);
  const Matrixf x = idx_images(b, p, 1);
  CHECK(x.rows() == 1);
  CHECK(x.cols() == 6);
  CHECK(x(0, 0) == float('a') / 255.0f);
  CHECK(idx_labels(parse_idx(idx(0x08, {3}, "\x01\x02\x09"), "l.idx"), "l.idx", 2) == std::vector<int>{1, 2});
}

TEST_CASE("IDX: dimensions whose product wraps around 64 bits are refused before anything is allocated",
          "[io][idx][errors]") {
  // 2^17 · 2^16 · 2^31 = 2^64 used to wrap to 0 values: a 16-byte file passed as an array of 2^17 images of
  // 2^47 pixels each, and read_idx_images then allocated and indexed far beyond the (empty) data.
  CHECK_THAT(error_of(idx(0x08, {1u << 17, 1u << 16, 1u << 31}, "")),
             Contains("bad.idx") && Contains("dimension 2 = 2147483648") && Contains("implausibly large"));
  CHECK_THAT(error_of(idx(0x08, {4, 0xffffffffu, 0xffffffffu}, "")), Contains("dimension 2") && Contains("implausibly large"));
  CHECK_THAT(error_of(idx(0x08, {0xffffffffu, 5}, "")), Contains("dimension 1 = 5"));
  // Large but plausible: compared with the file's length, not allocated.
  CHECK_THAT(error_of(idx(0x08, {60000, 28, 28}, "abc")), Contains("47040016") && Contains("truncated"));
  CHECK_THAT(error_of(idx(0x08, {2}, "abc")), Contains("trailing garbage"));
  CHECK_THAT(error_of(idx(0x08, {2, 0}, "")), Contains("dimension 1 is 0"));
}

TEST_CASE("IDX: header fields are checked one by one", "[io][idx][errors]") {
  CHECK_THAT(error_of(idx(0x0D, {2}, "abcdefgh")), Contains("value type 0xd (float32) is not supported"));
  CHECK_THAT(error_of(idx(0x42, {2}, "ab")), Contains("0x42 (not an IDX type)"));
  CHECK_THAT(error_of(idx(0x08, {}, "")), Contains("0 dimensions"));
  CHECK_THAT(error_of(std::string{'\0', '\0', '\x08', '\x05'}), Contains("5 dimensions"));
  CHECK_THAT(error_of(std::string{'\0', '\0', '\x08', '\x03', '\0', '\0', '\0', '\x02'}),
             Contains("truncated header") && Contains("3 dimensions need 16"));
  CHECK_THAT(error_of(std::string{'\0', '\0'}), Contains("truncated header (2 bytes)"));
  CHECK_THAT(error_of(std::string{'\1', '\0', '\x08', '\x01'}), Contains("bad magic"));
}

TEST_CASE("IDX: images and labels need their own number of dimensions", "[io][idx][errors]") {
  const IdxArray labels = parse_idx(idx(0x08, {3}, "abc"), "l.idx");
  CHECK_ERROR(idx_images(labels, "l.idx"), Contains("l.idx") && Contains("images need 3"));
  const IdxArray images = parse_idx(idx(0x08, {1, 1, 2}, "ab"), "i.idx");
  CHECK_ERROR(idx_labels(images, "i.idx"), Contains("labels need 1"));
  // An IdxArray built by hand whose data does not match its dimensions.
  IdxArray bad{{2, 2, 2}, {1, 2, 3}};
  CHECK_ERROR(idx_images(bad, "hand-made"), Contains("3 values for 2 images of 4 pixels"));
  const std::string dir = idx_scratch("a-folder.idx");
  std::filesystem::create_directories(dir);
  CHECK_ERROR(read_idx(dir), Contains("not a regular file"));
}
