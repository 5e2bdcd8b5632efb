// The Potts model (models/potts_model.hpp) against brute force: its energy against a sum over an explicit edge
// list, its local energies against energy differences, its one-hot gradient against central differences of the
// relaxed energy written here independently, ∂E/∂θ against differences in θ (E is linear in θ), q = 2 against the
// Ising model, enumeration's state index, and the errors. Tiny instances (2 × 3 with q = 3: all 729 states).
#include <catch2/catch.hpp>

#include <cmath>
#include <span>
#include <vector>

#include "ebm/core/random.hpp"
#include "ebm/estimate/exact_categorical.hpp"
#include "ebm/models/ising_model.hpp"
#include "ebm/models/potts_model.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

namespace {

using Potts = PottsModel<double>;

Vectord random_field(Index size, double scale, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Vectord h(size);
  for (Index k = 0; k < size; ++k) h[k] = scale * standard_normal<double>(rng);
  return h;
}

std::vector<Label> random_state(Index n, int q, Rng& rng) {
  std::vector<Label> x(static_cast<std::size_t>(n));
  for (Label& l : x) l = static_cast<Label>(rng() % std::uint32_t(q));
  return x;
}

// The edges of the periodic L × W lattice, listed: (s, right of s) and (s, below s) for every site.
std::vector<std::pair<Index, Index>> edge_list(Index L, Index W) {
  std::vector<std::pair<Index, Index>> edges;
  for (Index a = 0; a < L; ++a)
    for (Index b = 0; b < W; ++b) {
      edges.emplace_back(a * W + b, a * W + (b + 1) % W);
      edges.emplace_back(a * W + b, ((a + 1) % L) * W + b);
    }
  return edges;
}

// E(o) = −J Σ_edges Σ_c o_{s,c} o_{t,c} − Σ h_{s,c} o_{s,c} for a relaxed o (sites × q, site-major).
double relaxed_energy(const Potts& m, const Vectord& o) {
  const int q = m.num_labels();
  double e = 0;
  for (const auto& [s, t] : edge_list(m.rows(), m.cols()))
    for (int c = 0; c < q; ++c) e -= m.coupling() * o[s * q + c] * o[t * q + c];
  for (Index k = 0; k < o.size(); ++k) e -= m.field()[k] * o[k];
  return e;
}

Vectord one_hot(std::span<const Label> x, int q) {
  Vectord o = Vectord::Zero(Index(x.size()) * q);
  for (std::size_t i = 0; i < x.size(); ++i) o[Index(i) * q + x[i]] = 1;
  return o;
}

double brute_energy(const Potts& m, std::span<const Label> x) { return relaxed_energy(m, one_hot(x, m.num_labels())); }

Potts tiny() { return Potts(2, 3, 3, 0.8, random_field(18, 0.5, 11)); }

}  // namespace

TEST_CASE("Potts energy equals the sum over the edge list, for all 729 states of a 2 x 3 lattice with q = 3",
          "[potts][unit]") {
  const Potts m = tiny();
  std::vector<Label> x(6);
  for (Index k = 0; k < 729; ++k) {
    categorical_state(k, 3, x);
    REQUIRE(categorical_state_index(x, 3) == k);
    CHECK(m.energy(x) == Approx(brute_energy(m, x)).margin(1e-12));
  }
  // The 2-periodic direction is a double edge: all labels equal, no field → −J · 2 · 6 edges.
  const Potts plain(2, 3, 3, 0.8);
  std::vector<Label> same(6, 2);
  CHECK(plain.energy(same) == Approx(-0.8 * 12));
}

TEST_CASE("Potts energy on a 4 x 5 lattice with q = 4 equals the sum over the edge list", "[potts][unit]") {
  const Potts m(4, 5, 4, -0.3, random_field(80, 1.0, 12));
  Rng rng = make_stream(13, StreamPurpose::user, 0);
  for (int t = 0; t < 50; ++t) {
    const auto x = random_state(20, 4, rng);
    CHECK(m.energy(x) == Approx(brute_energy(m, x)).margin(1e-12));
  }
}

TEST_CASE("Potts local energies give every single-site energy difference exactly", "[potts][unit]") {
  const Potts m = tiny();
  std::vector<Label> x(6), y(6);
  std::vector<double> e(3);
  for (Index k = 0; k < 729; ++k) {
    categorical_state(k, 3, x);
    for (Index i = 0; i < 6; ++i) {
      m.local_energies(x, i, e);
      for (int c = 0; c < 3; ++c) {
        y = x;
        y[std::size_t(i)] = Label(c);
        CHECK(e[std::size_t(c)] - e[x[std::size_t(i)]] == Approx(m.energy(y) - m.energy(x)).margin(1e-12));
      }
    }
  }
}

TEST_CASE("Potts one-hot gradient equals central differences of the relaxed energy", "[potts][unit]") {
  auto check = [](const Potts& m, std::uint64_t seed) {
    const int q = m.num_labels();
    const Index n = m.num_sites();
    Rng rng = make_stream(seed, StreamPurpose::user, 0);
    std::vector<double> g(static_cast<std::size_t>(n * q)), e(static_cast<std::size_t>(q));
    for (int t = 0; t < 20; ++t) {
      const auto x = random_state(n, q, rng);
      const double energy = m.energy_and_grad(x, g);
      CHECK(energy == m.energy(x));
      const Vectord o = one_hot(x, q);
      CHECK(relaxed_energy(m, o) == Approx(energy).margin(1e-12));
      for (Index k = 0; k < n * q; ++k) {
        const double step = 1e-3;
        Vectord up = o, down = o;
        up[k] += step;
        down[k] -= step;
        // E is linear in each coordinate (no self-edges), so the difference is exact up to rounding.
        CHECK(g[std::size_t(k)] == Approx((relaxed_energy(m, up) - relaxed_energy(m, down)) / (2 * step)).margin(1e-9));
      }
      for (Index i = 0; i < n; ++i) {  // the same bits as the local energies
        m.local_energies(x, i, e);
        for (int c = 0; c < q; ++c) CHECK(e[std::size_t(c)] == g[std::size_t(i * q + c)]);
      }
    }
  };
  check(tiny(), 21);
  check(Potts(3, 4, 4, 1.1, random_field(48, 0.7, 22)), 23);
}

TEST_CASE("Potts dE/dtheta equals the difference in theta (E is linear in theta)", "[potts][unit]") {
  Potts m(3, 3, 3, 0.6, random_field(27, 0.4, 31));
  Rng rng = make_stream(32, StreamPurpose::user, 0);
  std::vector<std::vector<Label>> xs;
  for (int t = 0; t < 4; ++t) xs.push_back(random_state(9, 3, rng));
  Vectord g = Vectord::Zero(m.num_params());
  for (const auto& x : xs) m.accumulate_grad(x, 0.5, g);
  const Vectord theta = m.params();
  auto total = [&](const Potts& model) {
    double s = 0;
    for (const auto& x : xs) s += model.energy(x);
    return s;
  };
  const double base = total(m);
  for (Index k = 0; k < m.num_params(); ++k) {
    Vectord t = theta;
    t[k] += 1;
    m.set_params(t);
    CHECK(g[k] == Approx(0.5 * (total(m) - base)).margin(1e-12));
    m.set_params(theta);
  }
  CHECK(m.param_name(0) == "J");
  CHECK(m.param_name(1 + 2 * 3 + 1) == "h[2][1]");
}

TEST_CASE("Potts with q = 2 is the Ising model at sigma = J/4 (up to a constant), with the same critical point",
          "[potts][unit]") {
  const double J = 0.9;
  const Vectord h_ising = random_field(12, 0.3, 41);
  Vectord h_potts = Vectord::Zero(24);
  for (Index s = 0; s < 12; ++s) h_potts[2 * s + 1] = 2 * h_ising[s];  // h s = h (2x − 1): a difference of 2h
  const Potts potts(3, 4, 2, J, h_potts);
  const IsingModel<double> ising(3, 4, J / 4, h_ising);
  Rng rng = make_stream(42, StreamPurpose::user, 0);
  double offset = 0;
  for (int t = 0; t < 30; ++t) {
    const auto x = random_state(12, 2, rng);
    Matrixd xr(1, 12);
    for (Index i = 0; i < 12; ++i) xr(0, i) = x[std::size_t(i)];
    Vectord e(1);
    ising.energy(xr, e);
    if (t == 0) offset = potts.energy(x) - e[0];
    CHECK(potts.energy(x) - e[0] == Approx(offset).margin(1e-12));
  }
  CHECK(Potts::critical_coupling(2) == Approx(4 * IsingModel<double>::critical_sigma()));
  CHECK(Potts::critical_coupling(4) == Approx(std::log(3.0)));
}

TEST_CASE("exact_categorical_distribution sums to one and follows the energies", "[potts][unit]") {
  const Potts m = tiny();
  const Vectord p = exact_categorical_distribution(m);
  REQUIRE(p.size() == 729);
  CHECK(p.sum() == Approx(1.0).margin(1e-12));
  const double log_z = exact_categorical_log_z(m);
  std::vector<Label> x(6);
  for (Index k = 0; k < 729; k += 17) {
    categorical_state(k, 3, x);
    CHECK(std::log(p[k]) == Approx(-m.energy(x) - log_z).margin(1e-10));
  }
  CHECK_ERROR(exact_categorical_distribution(Potts(6, 6, 3, 0.5)), Catch::Contains("3^36 states"));
}

TEST_CASE("Potts model errors name the bad value", "[potts][unit][errors]") {
  using Catch::Contains;
  CHECK_ERROR(Potts(1, 5, 3, 0.5), Contains("lattice 1 x 5"));
  CHECK_ERROR(Potts(3, 3, 1, 0.5), Contains("q = 1"));
  CHECK_ERROR(Potts(3, 3, 257, 0.5), Contains("q = 257"));
  CHECK_ERROR(Potts(3, 3, 3, std::nan("")), Contains("coupling J = nan"));
  CHECK_ERROR(Potts(3, 3, 3, 0.5, Vectord::Zero(9)), Contains("field has 9 entries"));
  Vectord h = Vectord::Zero(27);
  h[5] = INFINITY;
  CHECK_ERROR(Potts(3, 3, 3, 0.5, h), Contains("field entry 5 is inf"));
  Potts m(3, 3, 3, 0.5);
  CHECK_ERROR(m.set_params(Vectord::Zero(3)), Contains("3 values for 28 parameters"));
}
