// The .npy reader against crafted files: numpy's rules (numpy/lib/format.py) for what is a valid file, and
// every reproducer of issue 10 item 6 (duplicate keys, '<f8' inside another string, version 1.1, padding
// numpy refuses, shapes that claim more than the file holds, 20-digit sizes, empty shapes) as an ebm::Error
// naming the file and the field, never a crash or a different reading than numpy's.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/scratch.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/npy.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {

std::string npy_scratch(const std::string& name) { return test::scratch_path("npy-hardening", name); }

std::string doubles(std::initializer_list<double> v) {
  std::string s;
  for (double d : v) s.append(reinterpret_cast<const char*>(&d), sizeof d);
  return s;
}
std::string floats(std::initializer_list<float> v) {
  std::string s;
  for (float f : v) s.append(reinterpret_cast<const char*>(&f), sizeof f);
  return s;
}

// magic | major, minor | header length (2 bytes for 1.x, else 4) | header | data; the header exactly as given
// (no padding added: numpy's reader does not require it).
std::string npy(const std::string& header, const std::string& data, int major = 1, int minor = 0) {
  std::string b = "\x93NUMPY";
  b.push_back(char(major));
  b.push_back(char(minor));
  const std::size_t width = major == 1 ? 2 : 4;
  for (std::size_t k = 0; k < width; ++k) b.push_back(char((header.size() >> (8 * k)) & 0xff));
  return b + header + data;
}
// As numpy writes it: padded with spaces and a '\n' to a multiple of 64 bytes.
std::string numpy_style(std::string header, const std::string& data) {
  header += ' ';
  while ((10 + header.size() + 1) % 64) header += ' ';
  return npy(header + "\n", data);
}

// Parses from memory and from a file: both must agree, and the file reader is what the CLI uses.
Matrixd read(const std::string& bytes, const std::string& name = "crafted.npy") {
  const std::string p = npy_scratch(name);
  std::ofstream(p, std::ios::binary) << bytes;
  const Matrixd m = read_npy(p);
  const Matrixd again = parse_npy(bytes, p);
  REQUIRE(m.rows() == again.rows());
  REQUIRE(m.cols() == again.cols());
  if (m.size() > 0) CHECK(std::memcmp(m.data(), again.data(), sizeof(double) * std::size_t(m.size())) == 0);
  return m;
}
// The error of a crafted file; parse_npy must give the same message as read_npy.
std::string error_of(const std::string& bytes) {
  const std::string p = npy_scratch("bad.npy");
  std::ofstream(p, std::ios::binary) << bytes;
  std::string from_file, from_memory;
  try {
    (void)read_npy(p);
  } catch (const Error& e) {
    from_file = e.what();
  }
  try {
    (void)parse_npy(bytes, p);
  } catch (const Error& e) {
    from_memory = e.what();
  }
  CHECK(from_file == from_memory);
  return from_file;
}

const std::string f8_2x3 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
const std::string data_2x3 = doubles({1, 2, 3, 4, 5, 6});

}  // namespace

TEST_CASE("npy: what numpy writes and other valid headers are read", "[io][npy]") {
  const Matrixd m = read(numpy_style(f8_2x3, data_2x3));
  REQUIRE(m.rows() == 2);
  REQUIRE(m.cols() == 3);
  CHECK(m(0, 0) == 1);
  CHECK(m(0, 2) == 3);
  CHECK(m(1, 0) == 4);
  // No padding, no '\n', double quotes, another key order, line breaks: numpy's literal_eval reads them all.
  CHECK(read(npy("{\"shape\": (2,3), \"fortran_order\": False, \"descr\": \"<f8\"}", data_2x3)) == m);
  CHECK(read(npy("{'descr':'<f8',\n 'fortran_order':False,\n 'shape':(2 , 3 ,)}\n\n  \t", data_2x3)) == m);
  CHECK(read(npy("\n  {'descr': '<f8', # a comment\r 'fortran_order': False, 'shape': (2, 3)} # end", data_2x3)) == m);
  // Formats 2.0 and 3.0 differ in the header-length field only (for what ebm reads).
  CHECK(read(npy(f8_2x3, data_2x3, 2, 0)) == m);
  CHECK(read(npy(f8_2x3, data_2x3, 3, 0)) == m);
  // A Python 2 long ('2L') in a 1.0 or 2.0 header, which numpy's _filter_header accepts.
  CHECK(read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }", data_2x3)) == m);
  // Fortran order: the data walks down the columns.
  const Matrixd f = read(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", doubles({1, 4, 2, 5, 3, 6})));
  CHECK(f == m);
  // Big-endian, as numpy writes arrays of dtype '>f8'.
  std::string big = data_2x3;
  for (std::size_t k = 0; k < big.size(); k += 8) std::reverse(big.begin() + std::ptrdiff_t(k), big.begin() + std::ptrdiff_t(k + 8));
  CHECK(read(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", big)) == m);
  // float32, 1-D, and 00 (which Python reads as 0).
  const Matrixd v = read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", floats({0.5f, 1, 2})));
  CHECK(v.rows() == 3);
  CHECK(v.cols() == 1);
  CHECK(v(0, 0) == 0.5);
  CHECK(read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (00, 3), }", "")).rows() == 0);
}

TEST_CASE("npy: empty shapes are read as empty matrices", "[io][npy][errors]") {
  const Matrixd a = read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 64), }", ""));
  CHECK(a.rows() == 0);
  CHECK(a.cols() == 64);
  const Matrixd b = read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (200, 0), }", ""));
  CHECK(b.rows() == 200);
  CHECK(b.cols() == 0);
  // A zero dimension beside a huge one allocates nothing and is still consistent with the file's length.
  CHECK(read(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 1099511627776), }", "")).size() == 0);
}

TEST_CASE("npy: duplicate keys are refused (numpy takes the last, ebm used to take the first)", "[io][npy][errors]") {
  for (const std::string key : {"descr", "fortran_order", "shape"}) {
    const std::string value = key == "descr" ? "'<f4'" : key == "shape" ? "(3, 2)" : "True";
    const std::string h = "{'" + key + "': " + value + ", " + f8_2x3.substr(1);
    const std::string e = error_of(npy(h, data_2x3));
    CHECK_THAT(e, Contains("bad.npy") && Contains("'" + key + "' appears twice"));
  }
}

TEST_CASE("npy: '<f8' inside another key's string or another value does not count", "[io][npy][errors]") {
  CHECK_THAT(error_of(npy("{'note': \"'descr': '<f8'\", 'descr': '<i8', 'fortran_order': False, 'shape': (2, 3)}",
                          data_2x3)),
             Contains("unexpected key 'note'"));
  CHECK_THAT(error_of(npy("{'descr': \"<i8 'descr': '<f8'\", 'fortran_order': False, 'shape': (2, 3)}", data_2x3)),
             Contains("'descr' = '<i8 'descr': '<f8'' is not supported"));
  CHECK_THAT(error_of(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3)}", data_2x3)),
             Contains("'descr' = '<i8' is not supported"));
  CHECK_THAT(error_of(npy("{'descr': 'f8', 'fortran_order': False, 'shape': (2, 3)}", data_2x3)),
             Contains("'descr' = 'f8' is not supported"));
  CHECK_THAT(error_of(npy("{'descr': '<f\\x38', 'fortran_order': False, 'shape': (2, 3)}", data_2x3)),
             Contains("escapes"));
  CHECK_THAT(error_of(npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2, 3)}", data_2x3)),
             Contains("'descr' as a quoted string"));
}

TEST_CASE("npy: only format versions 1.0, 2.0 and 3.0", "[io][npy][errors]") {
  for (const auto& [major, minor] : {std::pair{1, 1}, {0, 0}, {2, 1}, {4, 0}, {255, 255}})
    CHECK_THAT(error_of(npy(f8_2x3, data_2x3, major, minor)),
               Contains("format version " + std::to_string(major) + "." + std::to_string(minor) + " is not supported"));
  // 'L' is filtered by numpy only in 1.0 and 2.0 headers.
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }", data_2x3, 3, 0)),
             Contains("plain decimal integer"));
  CHECK_THAT(error_of("\x93NUMPX\x01"), Contains("bad magic"));
  CHECK_THAT(error_of(std::string("\x93NUMPY\x02\x00\x10", 9)), Contains("truncated header"));
}

TEST_CASE("npy: padding and bytes numpy's literal_eval refuses", "[io][npy][errors]") {
  // NUL padding instead of spaces, text after the dict, a comment, a vertical tab, leading spaces.
  CHECK_THAT(error_of(npy(f8_2x3 + std::string(5, '\0') + "\n", data_2x3)),
             Contains("at byte 59") && Contains("\\x00") && Contains("only whitespace"));
  CHECK_THAT(error_of(npy(f8_2x3 + " x\n", data_2x3)), Contains("only whitespace"));
  CHECK_THAT(error_of(npy(f8_2x3 + "\v\n", data_2x3)), Contains("only whitespace"));
  CHECK_THAT(error_of(npy(f8_2x3 + " # \x01\n", data_2x3)), Contains("unsupported character in a comment"));
  CHECK_THAT(error_of(npy("[1]", data_2x3)), Contains("starting with '{'"));
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)", data_2x3)),
             Contains("the end of the header") && Contains("expected ',' or '}'"));
  // The announced header is longer than the file, or longer than numpy's limit of 10000 bytes.
  CHECK_THAT(error_of(npy(f8_2x3, "").substr(0, 40)), Contains("truncated header"));
  CHECK_THAT(error_of(npy(f8_2x3 + std::string(10000, ' '), data_2x3)), Contains("exceeds 10000 bytes"));
}

TEST_CASE("npy: keys and values numpy refuses, or reads differently, are errors", "[io][npy][errors]") {
  const auto with_shape = [](const std::string& shape) {
    return error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + "}", data_2x3));
  };
  CHECK_THAT(with_shape("(6)"), Contains("is not a tuple"));
  CHECK_THAT(with_shape("[2, 3]"), Contains("as a tuple"));
  CHECK_THAT(with_shape("(-2, -3)"), Contains("non-negative decimal integer"));
  CHECK_THAT(with_shape("(True, 6)"), Contains("non-negative decimal integer"));
  CHECK_THAT(with_shape("(02, 3)"), Contains("leading zero"));
  CHECK_THAT(with_shape("(2.0, 3)"), Contains("plain decimal integer"));
  CHECK_THAT(with_shape("(0x2, 3)"), Contains("plain decimal integer"));
  CHECK_THAT(with_shape("(2 3)"), Contains("expected ',' or ')'"));
  CHECK_THAT(with_shape("()"), Contains("0-d array"));
  CHECK_THAT(with_shape("(1, 2, 3)"), Contains("3 dimensions"));
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3)}", data_2x3)),
             Contains("'fortran_order' must be True or False"));
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': Falsey, 'shape': (2, 3)}", data_2x3)),
             Contains("'fortran_order' must be True or False"));
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'shape': (2, 3)}", data_2x3)), Contains("'fortran_order' is missing"));
  CHECK_THAT(error_of(npy("{}", data_2x3)), Contains("'descr' is missing"));
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", data_2x3)),
             Contains("unexpected key 'extra'"));
}

TEST_CASE("npy: claimed sizes are checked against the file before anything is allocated", "[io][npy][errors]") {
  // (2^40, 64) used to end in std::bad_alloc; now the 48 bytes of data are compared with 2^49 bytes first.
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 64), }", data_2x3)),
             Contains("bad.npy") && Contains("truncated data") && Contains("needs 562949953421312 bytes") &&
                 Contains("has 48"));
  // rows · cols · 8 overflows 64 bits.
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", data_2x3)),
             Contains("more than 2^64"));
  CHECK_THAT(error_of(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648, 2147483648), }", data_2x3)),
             Contains("more than 2^64"));
  // More than 19 digits used to escape as "internal error: stoll".
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (123456789012345678901, 3), }", data_2x3)),
             Contains("'shape' entry 0 = 123456789012345678901 is too large"));
  CHECK_THAT(error_of(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, " + std::string(400, '9') + "), }",
                          data_2x3)),
             Contains("'shape' entry 1") && Contains("too large"));
  // Truncated data, and bytes after the data (numpy ignores them; they mean a wrong shape or dtype).
  CHECK_THAT(error_of(npy(f8_2x3, data_2x3.substr(0, 47))), Contains("truncated data") && Contains("needs 48 bytes"));
  CHECK_THAT(error_of(npy(f8_2x3, data_2x3 + "x")), Contains("1 bytes after the data of shape (2, 3)"));
}

TEST_CASE("npy: a path that is not a regular file is an error, not a crash", "[io][npy][errors]") {
  const std::string dir = npy_scratch("a-folder.npy");
  std::filesystem::create_directories(dir);
  CHECK_ERROR(read_npy(dir), Contains("a-folder.npy") && Contains("not a regular file"));
  CHECK_ERROR(read_npy(npy_scratch("missing.npy")), Contains("missing.npy") && Contains("cannot open"));
}
