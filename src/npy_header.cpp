#include "npy_header.hpp"

#include <cctype>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "ebm/core/error.hpp"

namespace ebm::detail {
namespace {

// Python's whitespace between tokens; a vertical tab, a NUL or a comment is not.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A printable form of the header for messages: at most 120 characters, control and non-ASCII bytes as \xNN.
std::string shown(std::string_view h) {
  std::string out;
  for (std::size_t k = 0; k < h.size() && out.size() < 120; ++k) {
    const auto c = static_cast<unsigned char>(h[k]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(char(c));
    } else {
      static const char hex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  if (out.size() >= 120) out += "...";
  return out;
}

// A recursive-descent reader of the dict literal; `where()` names the byte offset inside the header.
class DictReader {
public:
  DictReader(std::string_view header, const std::string& name, bool allow_long_suffix)
      : h_(header), name_(name), allow_long_(allow_long_suffix) {}

  NpyHeader read() {
    skip_space();  // Python 3.10 and later strip leading whitespace
    expect('{', "the header must be a Python dict literal, starting with '{'");
    std::optional<std::string> descr;
    std::optional<bool> fortran;
    std::optional<std::vector<std::uint64_t>> shape;
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = read_string("a key");
      skip_space();
      expect(':', "':' after the key '" + shown(key) + "'");
      skip_space();
      if (key == "descr") {
        ensure_new(descr.has_value(), key);
        descr = read_string("the value of 'descr'");
      } else if (key == "fortran_order") {
        ensure_new(fortran.has_value(), key);
        fortran = read_bool(key);
      } else if (key == "shape") {
        ensure_new(shape.has_value(), key);
        shape = read_shape();
      } else {
        fail_here("unexpected key '", shown(key), "' (numpy accepts exactly 'descr', 'fortran_order' and 'shape')");
      }
      skip_space();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail_here("expected ',' or '}' after the value of '", shown(key), "'");
    }
    ++pos_;  // '}'
    skip_space();
    if (pos_ != h_.size())
      fail_here("unexpected bytes after the dict (numpy allows only whitespace there), header is '", shown(h_), "'");
    if (!descr) fail_header("the key 'descr' is missing");
    if (!fortran) fail_header("the key 'fortran_order' is missing");
    if (!shape) fail_header("the key 'shape' is missing");
    return header_of(*descr, *fortran, *shape);
  }

private:
  std::string_view h_;
  const std::string& name_;
  bool allow_long_;
  std::size_t pos_ = 0;

  char peek() const { return pos_ < h_.size() ? h_[pos_] : '\0'; }
  bool at_end() const { return pos_ >= h_.size(); }
  // Whitespace and comments, as Python's tokenizer skips them ('#' to the end of the line; printable ASCII only,
  // since a NUL is refused by Python and other bytes depend on the header's encoding).
  void skip_space() {
    while (!at_end()) {
      if (is_space(h_[pos_])) {
        ++pos_;
      } else if (h_[pos_] == '#') {
        while (!at_end() && h_[pos_] != '\n' && h_[pos_] != '\r') {
          const auto c = static_cast<unsigned char>(h_[pos_]);
          if ((c < 0x20 && c != '\t' && c != '\f') || c >= 0x7f) fail_here("unsupported character in a comment");
          ++pos_;
        }
      } else {
        break;
      }
    }
  }

  template <class... Parts>
  [[noreturn]] void fail_header(Parts&&... parts) const {
    fail("npy file '", name_, "': header: ", std::forward<Parts>(parts)...);
  }
  template <class... Parts>
  [[noreturn]] void fail_here(Parts&&... parts) const {
    const std::string found = at_end() ? std::string("the end of the header") : "'" + shown(h_.substr(pos_, 1)) + "'";
    fail("npy file '", name_, "': header, at byte ", pos_, " (", found, "): ", std::forward<Parts>(parts)...);
  }

  void expect(char c, const std::string& what) {
    if (peek() != c || at_end()) fail_here("expected ", what);
    ++pos_;
  }
  void ensure_new(bool seen, const std::string& key) const {
    // Python's dict literal keeps the last of two equal keys; a reader that took the first would read a
    // different array from the same file, so a duplicate is refused outright.
    if (seen) fail_header("the key '", key, "' appears twice (numpy would take the last value); rewrite the file");
  }

  // '…' or "…" without escapes, prefixes or line breaks: what numpy's repr() writes for keys and descr.
  std::string read_string(const std::string& what) {
    const char q = peek();
    if (at_end() || (q != '\'' && q != '"')) fail_here("expected ", what, " as a quoted string");
    const std::size_t start = ++pos_;
    while (!at_end() && h_[pos_] != q) {
      const auto c = static_cast<unsigned char>(h_[pos_]);
      if (c == '\\' || c < 0x20 || c >= 0x7f) fail_here("unsupported character in ", what, " (escapes and non-ASCII are refused)");
      ++pos_;
    }
    if (at_end()) fail_here("unterminated string in ", what);
    std::string s(h_.substr(start, pos_ - start));
    ++pos_;
    return s;
  }

  bool read_bool(const std::string& key) {
    for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}})
      if (h_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        const char next = peek();
        if (!at_end() && (std::isalnum(static_cast<unsigned char>(next)) || next == '_'))
          fail_here("the value of '", key, "' must be True or False");
        return value;
      }
    fail_here("the value of '", key, "' must be True or False");
  }

  // A tuple of non-negative decimal integers: (), (n,), (n, m) or (n, m,), and so on.
  std::vector<std::uint64_t> read_shape() {
    expect('(', "the value of 'shape' as a tuple such as (60000, 784)");
    std::vector<std::uint64_t> dims;
    bool comma = false;
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      if (!dims.empty() && !comma) fail_here("expected ',' or ')' in 'shape'");
      dims.push_back(read_dimension(dims.size()));
      skip_space();
      comma = peek() == ',';
      if (comma) ++pos_;
    }
    // (n) is the integer n in Python, not a tuple: numpy refuses it as a shape.
    if (dims.size() == 1 && !comma) fail_here("'shape' (", dims[0], ") is not a tuple; a 1-D shape is written (", dims[0], ",)");
    ++pos_;  // ')'
    return dims;
  }

  std::uint64_t read_dimension(std::size_t index) {
    if (!is_digit(peek()) || at_end())
      fail_here("'shape' entry ", index, " must be a non-negative decimal integer");
    const std::size_t start = pos_;
    std::uint64_t v = 0;
    bool too_large = false;
    while (!at_end() && is_digit(h_[pos_])) {
      const auto d = std::uint64_t(h_[pos_] - '0');
      if (v > (std::uint64_t(std::numeric_limits<Index>::max()) - d) / 10) too_large = true;
      else v = v * 10 + d;
      ++pos_;
    }
    const std::string_view digits = h_.substr(start, pos_ - start);
    // Python 3 refuses 012 (a leading zero) but reads 00 as 0.
    if (digits.size() > 1 && digits[0] == '0' && digits.find_first_not_of('0') != std::string_view::npos)
      fail_here("'shape' entry ", index, " has a leading zero, which Python refuses");
    if (allow_long_ && peek() == 'L') ++pos_;  // a Python 2 long, as numpy's _filter_header allows in 1.0 and 2.0
    const char next = peek();
    if (!at_end() && (std::isalnum(static_cast<unsigned char>(next)) || next == '_' || next == '.'))
      fail_here("'shape' entry ", index, " must be a plain decimal integer");
    if (too_large)
      fail_header("'shape' entry ", index, " = ", digits, " is too large (at most ", std::numeric_limits<Index>::max(), ")");
    return v;
  }

  NpyHeader header_of(const std::string& descr, bool fortran, const std::vector<std::uint64_t>& shape) const {
    NpyHeader out;
    // What numpy writes for float arrays (dtype.str); '=f8', 'f8' or 'd' would mean the writer's byte order.
    if (descr == "<f4" || descr == ">f4" || descr == "<f8" || descr == ">f8") {
      out.f32 = descr[2] == '4';
      out.big_endian = descr[0] == '>';
    } else {
      fail_header("'descr' = '", shown(descr), "' is not supported; ebm reads float32 and float64 ('<f4', '<f8', '>f4', '>f8')");
    }
    out.fortran_order = fortran;
    if (shape.empty()) fail_header("'shape' () is a 0-d array (a scalar); ebm reads 1-D and 2-D arrays");
    if (shape.size() > 2) fail_header("'shape' has ", shape.size(), " dimensions; ebm reads 1-D and 2-D arrays");
    out.ndim = int(shape.size());
    out.rows = Index(shape[0]);
    out.cols = shape.size() == 2 ? Index(shape[1]) : 1;
    return out;
  }
};

std::uint64_t little_endian(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t k = bytes.size(); k-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[k]);
  return v;
}

}  // namespace

NpyHeader parse_npy_header(std::string_view prefix, std::uint64_t file_size, const std::string& name) {
  ensure(prefix.size() >= 8 && std::memcmp(prefix.data(), "\x93NUMPY", 6) == 0, "npy file '", name,
         "': not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(prefix[6]), minor = static_cast<unsigned char>(prefix[7]);
  ensure((major == 1 || major == 2 || major == 3) && minor == 0, "npy file '", name, "': format version ", major, ".",
         minor, " is not supported (numpy defines 1.0, 2.0 and 3.0)");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  ensure(prefix.size() >= 8 + length_bytes, "npy file '", name, "': truncated header (", file_size, " bytes)");
  const std::uint64_t header_length = little_endian(prefix.substr(8, length_bytes));
  ensure(header_length <= npy_max_header_length, "npy file '", name, "': header length ", header_length,
         " exceeds ", npy_max_header_length, " bytes (numpy refuses such headers as unsafe)");
  const std::uint64_t data_offset = 8 + length_bytes + header_length;
  ensure(data_offset <= file_size && data_offset <= prefix.size(), "npy file '", name, "': truncated header (",
         header_length, " header bytes announced, file has ", file_size, " bytes)");
  const std::string_view header = prefix.substr(8 + length_bytes, std::size_t(header_length));
  NpyHeader h = DictReader(header, name, major <= 2).read();
  h.data_offset = data_offset;

  // rows · cols · item size, overflow-checked, against the bytes the file really has after its header.
  const std::uint64_t item = h.f32 ? 4 : 8;
  std::uint64_t count = 0, bytes = 0;
  const bool overflow = __builtin_mul_overflow(std::uint64_t(h.rows), std::uint64_t(h.cols), &count) ||
                        __builtin_mul_overflow(count, item, &bytes);
  const std::uint64_t available = file_size - data_offset;
  const std::string shape_text = h.ndim == 1 ? concat("(", h.rows, ",)") : concat("(", h.rows, ", ", h.cols, ")");
  ensure(!overflow && bytes <= available, "npy file '", name, "': truncated data: shape ", shape_text, " of ",
         (h.f32 ? "float32" : "float64"), " needs ",
         (overflow ? std::string("more than 2^64") : std::to_string(bytes)), " bytes, the file has ", available,
         " after its header");
  ensure(bytes == available, "npy file '", name, "': ", available - bytes, " bytes after the data of shape ", shape_text,
         " (a wrong shape or dtype, or two files joined?)");
  h.data_bytes = bytes;
  return h;
}

}  // namespace ebm::detail
