// 2-D toy densities: quadrature log Z against a Gaussian's analytic value, the true densities integrate to 1,
// the samplers are seeded and land where their densities are.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/data/toy2d.hpp"
#include "ebm/ebm.hpp"

using namespace ebm;

TEST_CASE("toy2d: grid quadrature of a Gaussian energy matches its analytic log Z", "[toy2d]") {
  // μ = (0.3, −0.2), Σ = [[1, 0.3], [0.3, 0.5]] on the box [−6, 6]² with 400² cells (h = 0.03).
  //  * Truncation: the box holds each marginal to at least 5.7 of its standard deviations (6 − 0.3 over
  //    sd 1), so the missing mass is below Σ_i 2Φ(−5.7) ≈ 2.4e-8, an error of the same size in log Z.
  //  * Midpoint rule: its h² term is (h²/24) ∫ ∂²f, which vanishes for a density decaying to 0 at the box
  //    edges (up to the truncated mass); the next terms are O(h⁴) ≈ 1e-6 · O(curvature²) ≈ 1e-6 relative.
  // So |log Z_grid − log Z| < 1e-5 is a bound with margin, and far below the O(h²) ≈ 1e-3 error of a wrong
  // cell area or an off-by-half-cell grid.
  Vectord mu(2);
  mu << 0.3, -0.2;
  Matrixd sigma(2, 2);
  sigma << 1, 0.3, 0.3, 0.5;
  const GaussianEnergyd g = GaussianEnergyd::from_covariance(mu, sigma);
  const Grid2d grid{-6, 6, 400};
  const double grid_log_z = log_partition_on_grid(g, grid);
  INFO("grid " << grid_log_z << ", analytic " << g.log_partition());
  CHECK(std::abs(grid_log_z - g.log_partition()) < 1e-5);
  // NLL = mean E + log Z: for one point, E(μ) = 0, so it is log Z.
  CHECK(toy2d_nll(g, mu.transpose(), grid) == Approx(grid_log_z).epsilon(1e-14));
  Matrixd outside(1, 2);
  outside << 7, 0;
  CHECK(std::isinf(toy2d_nll(g, outside, grid)));
}

TEST_CASE("toy2d: the true densities integrate to 1 on the grid", "[toy2d]") {
  // 8 Gaussians (σ = 0.2, centres at radius 2) on [−4, 4]² with 800² cells (h = 0.01 = σ/20): midpoint
  // error O(h⁴/σ⁴) ≈ 1e-5, truncation nil (the box edge is 10σ from every centre). Checkerboard on a grid
  // whose cell edges fall on the board's lines (8/400 = 0.02 divides 1): the sum is exact up to rounding.
  for (const Toy2d which : {Toy2d::eight_gaussians, Toy2d::checkerboard}) {
    const Grid2d grid{-4, 4, which == Toy2d::checkerboard ? Index(400) : Index(800)};
    const Matrixd x = grid.nodes();
    Vectord logp(x.rows());
    toy2d_log_density(which, x, logp);
    const double log_mass = log_sum_exp(logp) + 2 * std::log(grid.cell_width());
    INFO(to_string(which) << ": log of the total mass " << log_mass);
    CHECK(std::abs(log_mass) < 1e-4);
  }
  Vectord out(1);
  CHECK_THROWS_WITH(toy2d_log_density(Toy2d::two_moons, Matrixd::Zero(1, 2), out), Catch::Contains("moons"));
}

TEST_CASE("toy2d: samplers are seeded and land on their densities' support", "[toy2d]") {
  for (const Toy2d which : {Toy2d::eight_gaussians, Toy2d::rings, Toy2d::checkerboard, Toy2d::two_moons}) {
    INFO(to_string(which));
    CHECK(parse_toy2d(to_string(which)) == which);
    const Matrixd a = toy2d_sample(which, 1000, 5), b = toy2d_sample(which, 1000, 5), c = toy2d_sample(which, 1000, 6);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a.allFinite());
    CHECK(a.cwiseAbs().maxCoeff() < 3.5);
    if (toy2d_has_density(which)) {
      Vectord logp(a.rows());
      toy2d_log_density(which, a, logp);
      CHECK(logp.allFinite());  // every checkerboard point on a black square
    }
  }
  // Rings: radii concentrate at 1 and 2 (within 5 noise sd = 0.5, half the gap between them).
  const Matrixd r = toy2d_sample(Toy2d::rings, 2000, 1);
  Index inner = 0;
  for (Index k = 0; k < r.rows(); ++k) {
    const double rad = r.row(k).norm();
    CHECK(std::min(std::abs(rad - 1), std::abs(rad - 2)) < 0.5);
    inner += rad < 1.5;
  }
  // Binomial(2000, 1/2): sd √500 ≈ 22.4; within 4 sd.
  CHECK(std::abs(double(inner) - 1000) < 4 * 22.4);
  CHECK_THROWS_WITH(parse_toy2d("spirals"), Catch::Contains("spirals"));
}
