// HyperParams: JSON text per field, parsed and checked on every read through json_fields (the same messages as
// every other metadata field: "<where>: <key> = <value> must be …").
#include "ebm/io/hyper_params.hpp"

#include <cmath>

#include "json_fields.hpp"

namespace ebm {
namespace {

using json_fields::Json;
using json_fields::shown;

// Fields are at most the file's metadata, which the reader has already bounded and depth-checked.
Json value_of(const std::map<std::string, std::string>& fields, const std::string& key, const std::string& where) {
  const auto it = fields.find(key);
  if (it == fields.end()) fail(where, ": ", key, " is missing");
  return json_fields::parse_json(it->second, it->second.size(), where, key);
}

// One field as a single-key object, so that json_fields::Fields does the checking and the wording.
template <class F>
auto checked(const std::map<std::string, std::string>& fields, const std::string& key, const std::string& where,
             F&& read) {
  Json object = Json::object();
  object[key] = value_of(fields, key, where);
  return read(json_fields::Fields(object, where));
}

}  // namespace

void HyperParams::set_integer(const std::string& key, std::int64_t value) { fields_[key] = Json(value).dump(); }
void HyperParams::set_integers(const std::string& key, const std::vector<std::int64_t>& values) {
  fields_[key] = Json(values).dump();
}
void HyperParams::set_number(const std::string& key, double value) {
  ensure(std::isfinite(value), "hyper-parameter ", key, " = ", value, " must be finite");
  fields_[key] = Json(value).dump();
}
void HyperParams::set_numbers(const std::string& key, const std::vector<double>& values) {
  for (std::size_t i = 0; i < values.size(); ++i)
    ensure(std::isfinite(values[i]), "hyper-parameter ", key, "[", i, "] = ", values[i], " must be finite");
  fields_[key] = Json(values).dump();
}
void HyperParams::set_string(const std::string& key, const std::string& value) { fields_[key] = Json(value).dump(); }
void HyperParams::set_boolean(const std::string& key, bool value) { fields_[key] = Json(value).dump(); }

std::int64_t HyperParams::integer(const std::string& key, std::int64_t lo, std::int64_t hi) const {
  return checked(fields_, key, where_, [&](const json_fields::Fields& f) { return f.integer(key, lo, hi); });
}

std::vector<std::int64_t> HyperParams::integers(const std::string& key, std::int64_t lo, std::int64_t hi,
                                                std::size_t min_count, std::size_t max_count) const {
  const Json v = value_of(fields_, key, where_);
  ensure(v.is_array() && v.size() >= min_count && v.size() <= max_count, where_, ": ", key, " = ", shown(v),
         " must be an array of ", min_count, " to ", max_count, " integers");
  std::vector<std::int64_t> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    Json object = Json::object();
    object[key] = v[i];
    out.push_back(json_fields::Fields(object, where_).integer(key, lo, hi));
  }
  return out;
}

double HyperParams::number(const std::string& key, double lo, double hi) const {
  const double x = checked(fields_, key, where_, [&](const json_fields::Fields& f) { return f.number(key); });
  ensure(x >= lo && x <= hi, where_, ": ", key, " = ", x, " must lie in [", lo, ", ", hi, "]");
  return x;
}

std::vector<double> HyperParams::numbers(const std::string& key, std::size_t count) const {
  const Json v = value_of(fields_, key, where_);
  ensure(v.is_array() && v.size() == count, where_, ": ", key, " = ", shown(v), " must be an array of ", count,
         " numbers");
  std::vector<double> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    ensure(v[i].is_number() && std::isfinite(v[i].get<double>()), where_, ": ", key, "[", i, "] = ", shown(v[i]),
           " must be a finite number");
    out[i] = v[i].get<double>();
  }
  return out;
}

std::string HyperParams::string(const std::string& key) const {
  return checked(fields_, key, where_, [&](const json_fields::Fields& f) { return f.string(key); });
}

std::string HyperParams::one_of(const std::string& key, std::initializer_list<std::string_view> allowed) const {
  const std::string s = string(key);
  std::string list;
  for (const std::string_view a : allowed) {
    if (s == a) return s;
    list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
  }
  fail(where_, ": ", key, " = '", s, "' is not one of ", list);
}

bool HyperParams::boolean(const std::string& key) const {
  return checked(fields_, key, where_, [&](const json_fields::Fields& f) { return f.boolean(key); });
}

}  // namespace ebm
