// Parallel tempering for a grid CRF against exact answers.
//
// Two modes: a 3 × 3, 2-label Potts CRF with a strong coupling (w = 6) and unaries slightly favouring label 0
// puts almost all of p(y | x) on the all-0 and all-1 labellings (≈ 0.7 / 0.3). Single-site Gibbs must cut at
// least three disagreeing edges to cross (a barrier of ~3w = 18 nats), so plain chains started in one mode
// never see the other within the budget; PT's β = 1 replicas give the exact all-0 mass within 4 MCSE.
//
// Chi-square: on a 3 × 3, 3-label CRF, every replica k starts at exact draws of its own tempered law
// p_{β_k} ∝ exp(−β_k E) (the product of the tempered laws is what PT leaves invariant), a few rounds of
// sweeps and swaps follow, and the β = 1 states are compared with p(y | x): exact level, as in
// test_crf_gibbs.cpp. The tempered laws come from copies of the CRF with θ scaled by β (E is linear in θ).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "ebm/crf/exact_crf.hpp"
#include "ebm/samplers/conditional_tempering.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "support/crf_fixtures.hpp"
#include "support/goodness_of_fit.hpp"
#include "support/mcse.hpp"

using namespace ebm;

namespace {

using Crf = test::LinearCrf;
using Kernel = SiteGibbs<Crf>;

Crf scaled(const Crf& crf, double beta) {
  Crf out = crf;
  out.set_params(beta * crf.params());
  return out;
}

ExactConditional exact_of(const Crf& crf, const ConstVecRef<double>& x) {
  auto ctx = crf.make_context();
  crf.condition(x, ctx);
  return exact_conditional(crf, ctx);
}

// Replica k of chain r starts at an exact draw of p_{β_k}(· | x_{r mod inputs}); rows replica by replica.
std::vector<LabelMatrix> tempered_draws(const Crf& crf, const MatrixX<double>& x, Index n,
                                        const std::vector<double>& betas, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 5);
  std::vector<LabelMatrix> y;
  for (double b : betas) {
    const Crf t = scaled(crf, b);
    std::vector<ExactConditional> ex;
    for (Index i = 0; i < x.rows(); ++i) ex.push_back(exact_of(t, x.row(i).transpose()));
    // Inverse CDF by binary search (test::exact_draw's linear scan over 19,683 states is slow for 10⁵ draws).
    std::vector<std::vector<double>> cdf;
    for (const auto& e : ex) {
      cdf.emplace_back(e.prob.size());
      std::partial_sum(e.prob.begin(), e.prob.end(), cdf.back().begin());
    }
    LabelMatrix yk(n, crf.num_sites());
    for (Index r = 0; r < n; ++r) {
      const auto& c = cdf[std::size_t(r % x.rows())];
      const auto k = std::upper_bound(c.begin(), c.end() - 1, uniform01d(rng)) - c.begin();
      decode_labels(Index(k), crf.num_labels(), label_row(yk, r));
    }
    y.push_back(std::move(yk));
  }
  return y;
}

bool all_equal(std::span<const Label> y, Label l) {
  for (Label v : y)
    if (v != l) return false;
  return true;
}

}  // namespace

TEST_CASE("conditional PT crosses between two modes that single-site Gibbs never leaves, with the exact mass",
          "[crf][tempering]") {
  // 1 feature (the pixel, ignored: zero weights), label biases (0, δ), Potts weight 6.
  Crf crf(3, 3, PatchFeatures{0, 1, 0}, LinearUnary<double>(1, 2), Pairwise::potts);
  const double delta = std::log(7.0 / 3.0) / 9.0;  // p(all 0) / p(all 1) = exp(9δ) = 7/3
  VectorX<double> theta = VectorX<double>::Zero(crf.num_params());
  theta[3] = delta;
  theta[crf.pairwise_offset()] = 6.0;
  crf.set_params(theta);
  const MatrixX<double> x1 = MatrixX<double>::Zero(1, crf.input_dim());
  const auto ex = exact_of(crf, x1.row(0).transpose());
  const double p0 = ex.prob.front(), p1 = ex.prob.back();  // all 0 is state 0, all 1 the last
  REQUIRE(p0 + p1 > 0.999);
  REQUIRE(std::abs(p0 - 0.7) < 0.01);

  const Index n = 32;
  const int rounds = 600;
  const MatrixX<double> x = MatrixX<double>::Zero(n, crf.input_dim());

  const auto betas = geometric_ladder(8, 0.08);
  // Plain checkerboard Gibbs from the all-1 mode, as many sweeps as PT's 8 replicas get: never all 0.
  {
    Kernel kernel;
    LabelChains<Crf> s;
    auto rng = make_chain_streams(3, n);
    kernel.init(crf, s, x, LabelMatrix::Ones(n, crf.num_sites()), rng);
    Index visits = 0;
    for (int t = 0; t < rounds * int(betas.size()); ++t) {
      kernel.step(crf, s, rng);
      for (Index r = 0; r < n; ++r) visits += all_equal(label_row(ConstLabelRef(s.y), r), 0);
    }
    CHECK(visits == 0);
  }

  // PT, replicas started at exact draws of their tempered laws.
  const auto y0 = tempered_draws(crf, x, n, betas, 4);
  ConditionalTempering<Kernel> pt(Kernel(), n, betas, 1, 5);
  pt.start_replicas(crf, x, y0);
  Eigen::MatrixXd ind(rounds, n);
  for (int t = 0; t < rounds; ++t) {
    pt.advance(crf);
    for (Index r = 0; r < n; ++r) ind(t, r) = all_equal(label_row(ConstLabelRef(pt.state().y), r), 0) ? 1.0 : 0.0;
  }
  const auto est = test::estimate_mean(ind);
  const auto rates = pt.swap_rates();
  const auto stats = pt.swap_stats();
  INFO("PT all-0 mass " << est.mean << " ± " << est.mcse << " (ESS " << est.ess << "), exact " << p0
                        << "; round trips " << stats.round_trips << "; swap rate β_0↔β_1 " << rates.front()
                        << ", last pair " << rates.back());
  CHECK(std::abs(est.mean - p0) < 4 * est.mcse);
  CHECK(est.ess > 100);  // the chains do cross: an unmixed estimate would have a tiny ESS
  CHECK(stats.round_trips > 0);
}

TEST_CASE("conditional PT's beta = 1 replicas sample the exact p(y | x) of a 3x3 3-label CRF (chi-square)",
          "[crf][tempering][chi-square]") {
  const auto crf = test::tiny_linear_crf(Pairwise::full, 17, 0.9);
  const auto x = test::random_images(2, crf.input_dim(), 5);
  const Index per_input = 20000, n = per_input * x.rows();
  MatrixX<double> xs(n, x.cols());
  for (Index r = 0; r < n; ++r) xs.row(r) = x.row(r % x.rows());
  const std::vector<double> betas{1.0, 0.6, 0.3};
  const auto y0 = tempered_draws(crf, x, n, betas, 21);
  ConditionalTempering<Kernel> pt(Kernel(SiteScan::checkerboard, 500), n, betas, 3, 22);
  pt.start_replicas(crf, xs, y0);
  pt.advance(crf);
  std::vector<std::vector<double>> counts(std::size_t(x.rows()), std::vector<double>(19683, 0.0));
  for (Index r = 0; r < n; ++r)
    counts[std::size_t(r % x.rows())][std::size_t(encode_labels(label_row(ConstLabelRef(pt.state().y), r), 3))] += 1;
  const auto rates = pt.swap_rates();
  REQUIRE(rates[0] > 0.05);  // swaps do happen, so the test sees them
  REQUIRE(rates[1] > 0.05);
  const double alpha = 0.001;
  for (Index i = 0; i < x.rows(); ++i) {
    const auto ex = exact_of(crf, x.row(i).transpose());
    const auto cells = test::pool_states(Eigen::Map<const Eigen::VectorXd>(ex.prob.data(), Eigen::Index(ex.prob.size())),
                                         double(per_input));
    const int df = cells.cells() - 1;
    const double x2 = test::chi_square_statistic(cells, counts[std::size_t(i)]);
    const double critical = test::chi_square_critical(df, alpha);
    INFO("input " << i << ": chi-square " << x2 << " on " << df << " df, critical " << critical << ", swap rates "
                  << rates[0] << ", " << rates[1]);
    CHECK(x2 < critical);
  }
}
