// Single-site (raster) and checkerboard Gibbs leave the exact p(y | x) of a 3 × 3, 3-label CRF invariant:
// chains start at exact draws (inverse CDF over all 19,683 labellings), take 3 sweeps, and their end states
// are compared with p(y | x) by a chi-square test. Under the null hypothesis the end states are independent
// exact draws, so the test's level is exact (no burn-in or autocorrelation argument needed); a kernel with
// the wrong conditionals drifts towards its own stationary law within a sweep or two and is rejected, as the
// negative control shows for a 1 % change of p. Half of the chains are conditioned on one image, half on
// another (interleaved), so a chain that used another chain's context would fail too.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/crf/exact_crf.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "support/crf_fixtures.hpp"
#include "support/goodness_of_fit.hpp"

using namespace ebm;

namespace {

constexpr Index chains_per_input = 40000;
constexpr int sweeps = 3;

// End-state counts per input after `sweeps` sweeps from exact draws.
std::vector<std::vector<double>> run(const test::LinearCrf& crf, const MatrixX<double>& x,
                                     const std::vector<ExactConditional>& exact, SiteScan scan, std::uint64_t seed) {
  const Index inputs = x.rows(), n = chains_per_input * inputs;
  MatrixX<double> xs(n, x.cols());
  LabelMatrix y0(n, crf.num_sites());
  Rng draw = make_stream(seed, StreamPurpose::user, 99);
  for (Index r = 0; r < n; ++r) {
    xs.row(r) = x.row(r % inputs);
    test::exact_draw(exact[std::size_t(r % inputs)], crf.num_labels(), draw, label_row(y0, r));
  }
  SiteGibbs<test::LinearCrf> kernel(scan, 500);
  LabelChains<test::LinearCrf> state;
  auto rng = make_chain_streams(seed, n);
  kernel.init(crf, state, xs, y0, rng);
  for (int t = 0; t < sweeps; ++t) kernel.step(crf, state, rng);
  std::vector<std::vector<double>> counts(std::size_t(inputs), std::vector<double>(exact[0].prob.size(), 0.0));
  for (Index r = 0; r < n; ++r)
    counts[std::size_t(r % inputs)][std::size_t(encode_labels(label_row(ConstLabelRef(state.y), r), crf.num_labels()))] += 1;
  return counts;
}

Eigen::VectorXd as_vector(const std::vector<double>& p) {
  return Eigen::Map<const Eigen::VectorXd>(p.data(), Eigen::Index(p.size()));
}

}  // namespace

TEST_CASE("single-site and checkerboard Gibbs sample the exact p(y | x) of a 3x3 3-label CRF (chi-square)",
          "[crf][chi-square]") {
  // Full pairwise table and linear unaries, θ ~ N(0, 0.9²): couplings strong enough that p(y | x) is far
  // from a product of its marginals.
  const auto crf = test::tiny_linear_crf(Pairwise::full, 17, 0.9);
  const auto x = test::random_images(2, crf.input_dim(), 5);
  std::vector<ExactConditional> exact;
  for (Index i = 0; i < x.rows(); ++i) {
    auto ctx = crf.make_context();
    crf.condition(x.row(i).transpose(), ctx);
    exact.push_back(exact_conditional(crf, ctx));
  }
  const double alpha = 0.001;  // per statistic; 4 statistics: family-wise false alarms ≤ 0.4 %
  for (SiteScan scan : {SiteScan::raster, SiteScan::checkerboard}) {
    const auto counts = run(crf, x, exact, scan, scan == SiteScan::raster ? 101 : 202);
    for (std::size_t i = 0; i < exact.size(); ++i) {
      const auto cells = test::pool_states(as_vector(exact[i].prob), double(chains_per_input));
      const int df = cells.cells() - 1;
      const double x2 = test::chi_square_statistic(cells, counts[i]);
      const double critical = test::chi_square_critical(df, alpha);
      INFO((scan == SiteScan::raster ? "raster" : "checkerboard")
           << ", input " << i << ": chi-square " << x2 << " on " << df << " df, critical " << critical);
      CHECK(x2 < critical);
    }
  }
}

TEST_CASE("the CRF chi-square test has power: it rejects p(y | x) of a CRF with one pairwise entry off by 0.4",
          "[crf][chi-square]") {
  const auto crf = test::tiny_linear_crf(Pairwise::full, 17, 0.9);
  auto wrong = crf;
  wrong.modify_params([&](VectorX<double>& t) { t[crf.pairwise_offset() + 1] += 0.4; });
  const auto x = test::random_images(2, crf.input_dim(), 5);
  std::vector<ExactConditional> exact, wrong_exact;
  for (Index i = 0; i < x.rows(); ++i) {
    auto ctx = crf.make_context();
    crf.condition(x.row(i).transpose(), ctx);
    exact.push_back(exact_conditional(crf, ctx));
    wrong.condition(x.row(i).transpose(), ctx);
    wrong_exact.push_back(exact_conditional(wrong, ctx));
  }
  const auto counts = run(crf, x, exact, SiteScan::checkerboard, 303);
  const double n = double(chains_per_input), alpha = 0.001;
  const auto q = as_vector(wrong_exact[0].prob), p = as_vector(exact[0].prob);
  const auto cells = test::pool_states(q, n);
  const int df = cells.cells() - 1;
  // Non-centrality λ = n Σ_cells (p − q)²/q: the expected statistic df + λ must exceed the critical value by
  // 4 of its standard deviations √(2(df + 2λ)), so the test must reject.
  Eigen::VectorXd pc = Eigen::VectorXd::Zero(cells.cells());
  for (Index s = 0; s < p.size(); ++s) pc[cells.cell_of_state[std::size_t(s)]] += p[s];
  const double lambda = n * ((pc - cells.probability).array().square() / cells.probability.array()).sum();
  const double critical = test::chi_square_critical(df, alpha);
  const double x2 = test::chi_square_statistic(cells, counts[0]);
  INFO("total variation " << 0.5 * (p - q).cwiseAbs().sum() << ", non-centrality " << lambda << ", chi-square "
                          << x2 << " on " << df << " df, critical " << critical);
  REQUIRE(df + lambda - critical > 4 * std::sqrt(2 * (df + 2 * lambda)));
  CHECK(x2 > critical);
}
