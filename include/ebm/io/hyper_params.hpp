#pragma once
// A model's hyper-parameters as a model file stores them: named JSON values (top-level fields of the file's
// metadata), written by typed setters and read back by checked getters. A getter throws an ebm::Error
// "<where>: <key> = <value> must be …" for a missing field, a wrong JSON type or a value out of range, so a
// model kind's codec never meets an unchecked value from a file. (JSON text per field keeps the JSON library
// out of ebm's public headers.)
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ebm {

class HyperParams {
public:
  HyperParams() = default;
  // `fields`: key → JSON text of its value; `where` names the file in messages ("model file 'm.ebm'").
  HyperParams(std::map<std::string, std::string> fields, std::string where)
      : fields_(std::move(fields)), where_(std::move(where)) {}

  // ---- writing ----
  void set_integer(const std::string& key, std::int64_t value);
  void set_integers(const std::string& key, const std::vector<std::int64_t>& values);
  void set_numbers(const std::string& key, const std::vector<double>& values);  // finite, else an ebm::Error
  void set_number(const std::string& key, double value);                      // finite, else an ebm::Error
  void set_string(const std::string& key, const std::string& value);
  void set_boolean(const std::string& key, bool value);

  // ---- reading, checked ----
  bool has(const std::string& key) const { return fields_.count(key) > 0; }
  std::int64_t integer(const std::string& key, std::int64_t lo, std::int64_t hi) const;
  // An array of at least min_count and at most max_count integers, each in [lo, hi].
  std::vector<std::int64_t> integers(const std::string& key, std::int64_t lo, std::int64_t hi,
                                     std::size_t min_count, std::size_t max_count) const;
  double number(const std::string& key, double lo, double hi) const;  // finite, in [lo, hi]
  // An array of exactly `count` finite numbers (the count is compared before anything is converted).
  std::vector<double> numbers(const std::string& key, std::size_t count) const;
  std::string string(const std::string& key) const;
  // A string among `allowed`; the message lists them.
  std::string one_of(const std::string& key, std::initializer_list<std::string_view> allowed) const;
  bool boolean(const std::string& key) const;

  const std::string& where() const { return where_; }
  void set_where(std::string where) { where_ = std::move(where); }
  const std::map<std::string, std::string>& fields() const { return fields_; }

private:
  std::map<std::string, std::string> fields_;
  std::string where_ = "hyper-parameters";
};

}  // namespace ebm
