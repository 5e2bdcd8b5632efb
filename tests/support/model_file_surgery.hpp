#pragma once
// Crafted model files for the reader's tests: split a valid .ebm file into its sections, change the metadata
// JSON or a section, and put it back together with a recomputed CRC-32, as an attacker (or a careless script)
// would, so that the reader's own checks, not the checksum, must catch the change.
#include <boost/crc.hpp>
#include <cstdint>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ebm::test {

class ModelFileSurgery {
public:
  explicit ModelFileSurgery(const std::string& bytes) {
    std::size_t pos = 8;
    version_ = get<std::uint32_t>(bytes, pos);
    const auto count = get<std::uint32_t>(bytes, pos);
    for (std::uint32_t s = 0; s < count; ++s) {
      const auto n = get<std::uint32_t>(bytes, pos);
      std::string name = bytes.substr(pos, n);
      pos += n;
      const auto len = get<std::uint64_t>(bytes, pos);
      sections_.emplace_back(std::move(name), bytes.substr(pos, std::size_t(len)));
      pos += std::size_t(len);
    }
  }

  std::string& section(const std::string& name) {
    for (auto& [n, b] : sections_)
      if (n == name) return b;
    throw std::logic_error("ModelFileSurgery: no section " + name);
  }
  bool has(const std::string& name) const {
    for (const auto& s : sections_)
      if (s.first == name) return true;
    return false;
  }
  std::vector<std::pair<std::string, std::string>>& sections() { return sections_; }

  nlohmann::json meta() { return nlohmann::json::parse(section("meta")); }
  ModelFileSurgery& edit_meta(const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json m = meta();
    edit(m);
    section("meta") = m.dump();
    return *this;
  }

  // float32 entry k of a section.
  ModelFileSurgery& set_float(const std::string& name, std::size_t k, float value) {
    std::memcpy(section(name).data() + k * sizeof value, &value, sizeof value);
    return *this;
  }

  // The file again, with `trailing` bytes after the last section and a fresh CRC-32 over everything.
  std::string bytes(const std::string& trailing = "") const {
    std::string out = "EBMMODEL";
    put(out, version_);
    put(out, std::uint32_t(sections_.size()));
    for (const auto& [name, b] : sections_) {
      put(out, std::uint32_t(name.size()));
      out += name;
      put(out, std::uint64_t(b.size()));
      out += b;
    }
    out += trailing;
    boost::crc_32_type crc;
    crc.process_bytes(out.data(), out.size());
    put(out, std::uint32_t(crc.checksum()));
    return out;
  }

private:
  template <class T>
  static T get(const std::string& b, std::size_t& pos) {
    if (pos + sizeof(T) > b.size()) throw std::logic_error("ModelFileSurgery: truncated file");
    T v;
    std::memcpy(&v, b.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  template <class T>
  static void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }

  std::uint32_t version_ = 0;
  std::vector<std::pair<std::string, std::string>> sections_;
};

}  // namespace ebm::test
