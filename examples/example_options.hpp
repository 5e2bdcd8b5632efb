#pragma once
// What the MNIST deep-energy examples share: `--name value` options with defaults (--help lists them), layer
// widths, a wall and CPU clock, and a picture of binary rows. Kept beside the examples: it is not library API.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/io/png.hpp"

namespace ebm::example {

struct Options {
  std::map<std::string, std::string> v;
  std::string str(const std::string& k) const { return v.at(k); }
  double num(const std::string& k) const {
    const std::string& s = v.at(k);
    char* end = nullptr;
    const double x = std::strtod(s.c_str(), &end);
    ensure(end != s.c_str() && *end == 0, "--", k, " = '", s, "' is not a number");
    return x;
  }
  Index integer(const std::string& k) const {
    const double x = num(k);
    ensure(x == std::floor(x), "--", k, " = ", x, " must be an integer");
    return Index(x);
  }
};

// Every argument is `--name value` with a name of `defaults`; --help prints them and exits.
inline Options parse(int argc, char** argv, const char* program, std::map<std::string, std::string> defaults) {
  Options o{std::move(defaults)};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s: options (default)\n", program);
      for (const auto& [k, d] : o.v) std::printf("  --%-12s %s\n", k.c_str(), d.c_str());
      std::exit(0);
    }
    ensure(a.rfind("--", 0) == 0 && i + 1 < argc, "argument '", a, "': expected --name value");
    a = a.substr(2);
    ensure(o.v.count(a) == 1, "unknown option --", a, " (see --help)");
    o.v[a] = argv[++i];
  }
  return o;
}

inline std::vector<Index> widths(const std::string& s) {
  std::vector<Index> w;
  std::stringstream in(s);
  for (std::string t; std::getline(in, t, ',');) w.push_back(Index(std::stol(t)));
  ensure(!w.empty(), "--hidden '", s, "' names no layer");
  return w;
}

inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}
struct Clock {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double c0 = cpu_seconds();
  double wall() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
  double cpu() const { return cpu_seconds() - c0; }
};

template <class Rows>
void write_tiles(const std::string& path, const Rows& rows) {
  Matrixf tiles = rows.template cast<float>();
  write_png_grid(path, tiles, TileGrid{});
  std::printf("wrote %s\n", path.c_str());
}

}  // namespace ebm::example
