#pragma once
// Typed, range-checked reading of JSON that came from a file (model-file metadata, checkpoint options).
// nlohmann's own get<T>() throws type_error / out_of_range (which the CLI can only call an "internal error")
// or converts silently: 3.5 reads as 3, −1 as 2⁶⁴ − 1 for an unsigned field, 1e300 as an undefined integer.
// Every accessor here throws an ebm::Error "<where>: <path> = <value> must be …" instead. parse_json bounds
// the nesting depth while parsing, because dumping or copying a 100,000-deep array recurses off the stack.
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "ebm/core/error.hpp"

namespace ebm::json_fields {

using Json = nlohmann::json;

// Deeper than any metadata ebm writes (3 levels) by far; shallow enough for every recursive JSON routine.
inline constexpr int max_depth = 64;

// JSON text → value, or an ebm::Error "<where>: <what> …" for invalid JSON, more than max_bytes or nesting
// deeper than max_depth. The depth is checked by the parser's callback when a container opens, before
// anything deeper is built.
inline Json parse_json(std::string_view text, std::size_t max_bytes, const std::string& where,
                       std::string_view what) {
  ensure(text.size() <= max_bytes, where, ": ", what, " has ", text.size(), " bytes, more than the limit of ",
         max_bytes);
  const Json::parser_callback_t depth_limit = [&](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= max_depth)
      fail(where, ": ", what, " is nested deeper than ", max_depth, " levels");
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), depth_limit);
  } catch (const Json::exception& e) {
    fail(where, ": ", what, " is not valid JSON (", e.what(), ")");
  }
}

// A value for an error message: its JSON text, cut to 40 characters.
inline std::string shown(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

// The fields of one JSON object. `where` names the file ("model file 'm.ebm'"), `prefix` the object's path
// ("training_state."), so messages read "model file 'm.ebm': training_state.epoch = 3.5 must be an integer".
class Fields {
public:
  Fields(const Json& object, std::string where, std::string prefix = "")
      : j_(object), where_(std::move(where)), prefix_(std::move(prefix)) {
    ensure(j_.is_object(), where_, ": ",
           prefix_.empty() ? std::string("the metadata") : prefix_.substr(0, prefix_.size() - 1), " = ", shown(j_),
           " must be a JSON object");
  }

  bool has(const std::string& key) const { return j_.contains(key); }

  const Json& value(const std::string& key) const {
    const auto it = j_.find(key);
    if (it == j_.end()) fail(where_, ": ", prefix_, key, " is missing");
    return *it;
  }

  std::int64_t integer(const std::string& key, std::int64_t lo, std::int64_t hi) const {
    const Json& v = value(key);
    bool in_range = false;
    std::int64_t x = 0;
    if (v.is_number_unsigned()) {
      const auto u = v.get<std::uint64_t>();
      in_range = hi >= 0 && u <= std::uint64_t(hi) && (lo <= 0 || u >= std::uint64_t(lo));
      x = std::int64_t(in_range ? u : 0);
    } else if (v.is_number_integer()) {
      x = v.get<std::int64_t>();
      in_range = x >= lo && x <= hi;
    }
    ensure(in_range, where_, ": ", prefix_, key, " = ", shown(v), " must be an integer in [", lo, ", ", hi, "]");
    return x;
  }

  std::uint64_t unsigned_integer(const std::string& key) const {
    const Json& v = value(key);
    ensure(v.is_number_unsigned(), where_, ": ", prefix_, key, " = ", shown(v),
           " must be an integer in [0, 2^64 - 1]");
    return v.get<std::uint64_t>();
  }

  // Any finite number (integers included).
  double number(const std::string& key) const {
    const Json& v = value(key);
    ensure(v.is_number() && std::isfinite(v.get<double>()), where_, ": ", prefix_, key, " = ", shown(v),
           " must be a finite number");
    return v.get<double>();
  }

  std::string string(const std::string& key) const {
    const Json& v = value(key);
    ensure(v.is_string(), where_, ": ", prefix_, key, " = ", shown(v), " must be a string");
    return v.get<std::string>();
  }

  bool boolean(const std::string& key) const {
    const Json& v = value(key);
    ensure(v.is_boolean(), where_, ": ", prefix_, key, " = ", shown(v), " must be true or false");
    return v.get<bool>();
  }

  Fields object(const std::string& key) const { return Fields(value(key), where_, prefix_ + key + "."); }

  const std::string& where() const { return where_; }
  std::string path(const std::string& key) const { return prefix_ + key; }

private:
  const Json& j_;
  std::string where_, prefix_;
};

}  // namespace ebm::json_fields
