#pragma once
// Two-dimensional toy densities, the standard test bed of continuous EBMs (Grathwohl et al. 2019/2020,
// Du & Mordatch 2019): samplers of four data sets, the true log-density where it is known, and the exact
// normalized density of a trained model on a bounded box by quadrature, so a test NLL needs no estimator:
//
//   eight_gaussians  mixture of 8 isotropic Gaussians, σ = 0.2, equally weighted, centres on the circle of
//                    radius 2 at angles 2πk/8                                                 (density known)
//   rings            two concentric rings of radii 1 and 2, equally weighted, radial noise N(0, 0.1²)
//   checkerboard     uniform on the 8 "black" unit squares of a 4 × 4 board on [−2, 2]², those whose
//                    ⌊x⌋ + ⌊y⌋ is even; density 1/8 on them, 0 elsewhere                     (density known)
//   two_moons        two interleaved half circles of radius 1 (the upper one centred at (0, 0), the lower at
//                    (1, 0.5)), shifted by (−0.5, −0.25) to centre them, noise N(0, 0.1²) per coordinate
//
// Every sampler is seeded: the same (n, seed) gives the same bits everywhere (Boost's portable
// distributions and ebm's streams).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

enum class Toy2d { eight_gaussians, rings, checkerboard, two_moons };

std::string to_string(Toy2d which);
Toy2d parse_toy2d(const std::string& name);

// n points (n × 2) of the named density, from streams derived from seed alone.
Matrixd toy2d_sample(Toy2d which, Index n, std::uint64_t seed);

// Whether the true log-density is known in closed form (eight_gaussians, checkerboard).
bool toy2d_has_density(Toy2d which);
// out(r) = log p(x_r) under the true density (−∞ outside the checkerboard's squares); an error for the data
// sets without a closed form.
void toy2d_log_density(Toy2d which, const ConstBatchRef<double>& x, VecRef<double> out);

// A square box [lo, hi]² cut into cells × cells equal cells; the quadrature nodes are the cell centres.
struct Grid2d {
  double lo = -4;
  double hi = 4;
  Index cells = 200;

  void validate() const {
    ensure(std::isfinite(lo) && std::isfinite(hi) && lo < hi, "Grid2d: the box [", lo, ", ", hi,
           "] must be finite and non-empty");
    ensure(cells > 0, "Grid2d: cells = ", cells, " must be positive");
  }
  double cell_width() const { return (hi - lo) / double(cells); }
  // The cell centres, row r·cells + c = (x_c, y_r).
  Matrixd nodes() const;
};

// log Σ exp(v) without overflow (−∞ for an empty or all −∞ vector).
double log_sum_exp(const ConstVecRef<double>& v);

// log Z of exp(−E) restricted to the box, by the midpoint rule on the grid's cells:
//   Z ≈ Σ_cells exp(−E(centre)) · h²,    log Z = log-sum-exp(−E(centres)) + 2 log h.
// Its error for a smooth energy is O(h²) times the energy's curvature, plus the mass outside the box (see
// the test of a Gaussian, where both are derived).
template <ContinuousEnergyModel M>
double log_partition_on_grid(const M& model, const Grid2d& grid) {
  grid.validate();
  ensure(model.dim() == 2, "log_partition_on_grid: the model has dimension ", model.dim(), ", not 2");
  const Matrixd nodes = grid.nodes();
  const MatrixX<typename M::Scalar> x = nodes.template cast<typename M::Scalar>();
  VectorX<typename M::Scalar> e(x.rows());
  model.energy(x, e);
  const Vectord neg = -e.template cast<double>();
  const double h = grid.cell_width();
  return log_sum_exp(neg) + 2 * std::log(h);
}

// Exact negative log-likelihood per point of the model normalized on the box: mean E(x) + log Z. Points
// outside the box have zero density under that normalization (+∞).
template <ContinuousEnergyModel M>
double toy2d_nll(const M& model, const ConstBatchRef<typename M::Scalar>& x, const Grid2d& grid) {
  ensure(x.rows() > 0 && x.cols() == 2, "toy2d_nll: expected n × 2 points, got ", x.rows(), " x ", x.cols());
  for (Index r = 0; r < x.rows(); ++r)
    for (Index c = 0; c < 2; ++c)
      if (!(double(x(r, c)) >= grid.lo && double(x(r, c)) <= grid.hi))
        return std::numeric_limits<double>::infinity();
  VectorX<typename M::Scalar> e(x.rows());
  model.energy(x, e);
  return e.template cast<double>().mean() + log_partition_on_grid(model, grid);
}

}  // namespace ebm
