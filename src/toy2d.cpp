// Toy 2-D densities: samplers, true log-densities, quadrature helpers (see ebm/data/toy2d.hpp).
#include "ebm/data/toy2d.hpp"

#include <algorithm>
#include <numbers>

#include <boost/random/uniform_int_distribution.hpp>

#include "ebm/core/random.hpp"

namespace ebm {

namespace {

constexpr double pi = std::numbers::pi;
constexpr double eight_radius = 2.0, eight_sd = 0.2;
constexpr double ring_sd = 0.1, moon_sd = 0.1;

Index uniform_index(Rng& rng, Index n) {
  boost::random::uniform_int_distribution<Index> pick(0, n - 1);
  return pick(rng);
}

}  // namespace

std::string to_string(Toy2d which) {
  switch (which) {
    case Toy2d::eight_gaussians: return "8gaussians";
    case Toy2d::rings: return "rings";
    case Toy2d::checkerboard: return "checkerboard";
    case Toy2d::two_moons: return "moons";
  }
  fail("unknown toy data set");
}

Toy2d parse_toy2d(const std::string& name) {
  for (const Toy2d t : {Toy2d::eight_gaussians, Toy2d::rings, Toy2d::checkerboard, Toy2d::two_moons})
    if (name == to_string(t)) return t;
  fail("toy data set '", name, "' is unknown; use 8gaussians, rings, checkerboard or moons");
}

Matrixd toy2d_sample(Toy2d which, Index n, std::uint64_t seed) {
  ensure(n >= 0, "toy2d_sample: n = ", n, " must be non-negative");
  Rng rng = make_stream(seed, StreamPurpose::user, static_cast<std::uint64_t>(which));
  Matrixd x(n, 2);
  for (Index r = 0; r < n; ++r) {
    switch (which) {
      case Toy2d::eight_gaussians: {
        const double a = 2 * pi * double(uniform_index(rng, 8)) / 8;
        x(r, 0) = eight_radius * std::cos(a) + eight_sd * standard_normal<double>(rng);
        x(r, 1) = eight_radius * std::sin(a) + eight_sd * standard_normal<double>(rng);
        break;
      }
      case Toy2d::rings: {
        const double radius = uniform_index(rng, 2) == 0 ? 1.0 : 2.0;
        const double a = 2 * pi * uniform01d(rng);
        const double rr = radius + ring_sd * standard_normal<double>(rng);
        x(r, 0) = rr * std::cos(a);
        x(r, 1) = rr * std::sin(a);
        break;
      }
      case Toy2d::checkerboard: {
        // A uniform black square: row i ∈ {0..3} of the board, then the column of the right parity.
        const Index i = uniform_index(rng, 4), j = 2 * uniform_index(rng, 2) + (i % 2);
        x(r, 0) = -2 + double(j) + uniform01d(rng);
        x(r, 1) = -2 + double(i) + uniform01d(rng);
        break;
      }
      case Toy2d::two_moons: {
        const double t = pi * uniform01d(rng);
        const bool upper = uniform_index(rng, 2) == 0;
        const double px = upper ? std::cos(t) : 1 - std::cos(t);
        const double py = upper ? std::sin(t) : 0.5 - std::sin(t);
        x(r, 0) = px - 0.5 + moon_sd * standard_normal<double>(rng);
        x(r, 1) = py - 0.25 + moon_sd * standard_normal<double>(rng);
        break;
      }
    }
  }
  return x;
}

bool toy2d_has_density(Toy2d which) { return which == Toy2d::eight_gaussians || which == Toy2d::checkerboard; }

void toy2d_log_density(Toy2d which, const ConstBatchRef<double>& x, VecRef<double> out) {
  ensure(toy2d_has_density(which), "toy2d_log_density: ", to_string(which), " has no closed-form density");
  ensure(x.cols() == 2 && out.size() == x.rows(), "toy2d_log_density: expected n × 2 points and n outputs, got ",
         x.rows(), " x ", x.cols(), " and ", out.size());
  for (Index r = 0; r < x.rows(); ++r) {
    const double px = x(r, 0), py = x(r, 1);
    if (which == Toy2d::checkerboard) {
      const bool inside = px >= -2 && px < 2 && py >= -2 && py < 2;
      const auto i = static_cast<long>(std::floor(py + 2)), j = static_cast<long>(std::floor(px + 2));
      out[r] = inside && (i + j) % 2 == 0 ? -std::log(8.0) : -std::numeric_limits<double>::infinity();
      continue;
    }
    // (1/8) Σ_k N(x; c_k, σ² I), by log-sum-exp over the components.
    Vectord l(8);
    const double v = eight_sd * eight_sd;
    for (int k = 0; k < 8; ++k) {
      const double a = 2 * pi * k / 8, dx = px - eight_radius * std::cos(a), dy = py - eight_radius * std::sin(a);
      l[k] = -0.5 * (dx * dx + dy * dy) / v;
    }
    out[r] = log_sum_exp(l) - std::log(8.0) - std::log(2 * pi * v);
  }
}

Matrixd Grid2d::nodes() const {
  validate();
  const double h = cell_width();
  Matrixd x(cells * cells, 2);
  for (Index r = 0; r < cells; ++r)
    for (Index c = 0; c < cells; ++c) {
      x(r * cells + c, 0) = lo + (double(c) + 0.5) * h;
      x(r * cells + c, 1) = lo + (double(r) + 0.5) * h;
    }
  return x;
}

double log_sum_exp(const ConstVecRef<double>& v) {
  if (v.size() == 0) return -std::numeric_limits<double>::infinity();
  const double m = v.maxCoeff();
  if (!std::isfinite(m)) return m;  // all −∞ (or a +∞ / NaN, which the sum would give anyway)
  return m + std::log((v.array() - m).exp().sum());
}

}  // namespace ebm
