// CRF prediction against exact enumeration on tiny 3 × 3, 3-label CRFs (19,683 labellings):
//  * Rao-Blackwellized sampled marginals agree with the exact p(y_s = l | x) within 4 Monte-Carlo standard
//    errors at every site and label; the standard error is estimated honestly from the spread between 32
//    independent chains (each chain's estimate is one draw; their mean has se = sd / √32);
//  * annealed Gibbs + ICM finds the exact MAP labelling;
//  * ICM never increases the energy, from any start.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/crf/exact_crf.hpp"
#include "ebm/crf/predict.hpp"
#include "support/crf_fixtures.hpp"

using namespace ebm;

namespace {

template <class Crf>
void check_marginals(const Crf& crf, std::uint64_t seed) {
  constexpr Index chains = 32;
  const auto x1 = test::random_images(1, crf.input_dim(), seed);
  auto ctx = crf.make_context();
  crf.condition(x1.row(0).transpose(), ctx);
  const int L = crf.num_labels();
  const MatrixX<double> exact = test::exact_marginals(exact_conditional(crf, ctx), crf.num_sites(), L);
  // The same input in every row: row r is an independent chain (its own stream r).
  const MatrixX<double> x = x1.replicate(chains, 1);
  PredictOptions opt;
  opt.burn_in = 20;
  opt.sweeps = 400;
  opt.seed = seed;
  const MatrixX<double> est = predict_marginals(crf, x, opt);
  for (Index s = 0; s < crf.num_sites(); ++s)
    for (int l = 0; l < L; ++l) {
      const auto col = est.col(s * L + l);
      const double mean = col.mean();
      const double sd = std::sqrt((col.array() - mean).square().sum() / double(chains - 1));
      const double se = sd / std::sqrt(double(chains));
      INFO("site " << s << " label " << l << ": sampled " << mean << " exact " << exact(s, l) << " se " << se);
      CHECK(std::abs(mean - exact(s, l)) <= 4 * se);
      CHECK(se < 0.01);  // and the estimate is informative: 400 sweeps × 32 chains pin it down
    }
}

}  // namespace

TEST_CASE("sampled marginals of a tiny Potts CRF equal the exact ones within 4 MCSE", "[crf][predict][statistical]") {
  // A strong coupling (w = 1.2 on top of random unaries) so that neighbours are clearly dependent.
  auto crf = test::tiny_linear_crf(Pairwise::potts, 21);
  crf.modify_params([&](VectorX<double>& t) { t[crf.pairwise_offset()] = 1.2; });
  check_marginals(crf, 31);
  check_marginals(crf, 32);
}

TEST_CASE("sampled marginals of a tiny full-pairwise MLP CRF equal the exact ones within 4 MCSE",
          "[crf][predict][statistical]") {
  check_marginals(test::tiny_mlp_crf(Pairwise::full, 22, 0.8), 33);
}

TEST_CASE("sampled marginals of a tiny contrast CRF (a coupling per edge from the image) equal the exact ones "
          "within 4 MCSE", "[crf][predict][statistical][contrast]") {
  // θ at scale 0.5: couplings of about one. Larger random edge networks make near-deterministic sites whose
  // marginals hinge on neighbour flips rarer than 1 in 10⁴ sweeps, which 32 × 400 sweeps cannot estimate.
  check_marginals(test::tiny_linear_crf(Pairwise::contrast, 25, 0.5), 34);
  check_marginals(test::tiny_conv_crf(Pairwise::contrast, 26, 0.5), 35);
}

TEST_CASE("annealed MAP finds the exact MAP labelling of a tiny CRF", "[crf][predict][statistical]") {
  auto crf = test::tiny_linear_crf(Pairwise::full, 23, 0.8);
  const auto x = test::random_images(5, crf.input_dim(), 41);
  PredictOptions opt;
  opt.method = PredictMethod::annealed_map;
  opt.anneal_sweeps = 100;
  opt.beta0 = 0.1;
  opt.beta1 = 20;
  const LabelMatrix y = predict_labels(crf, x, opt);
  auto ctx = crf.make_context();
  std::vector<Label> best(static_cast<std::size_t>(crf.num_sites()));
  for (Index r = 0; r < x.rows(); ++r) {
    crf.condition(x.row(r).transpose(), ctx);
    const ExactConditional ex = exact_conditional(crf, ctx);
    const auto k = std::size_t(std::max_element(ex.prob.begin(), ex.prob.end()) - ex.prob.begin());
    decode_labels(Index(k), crf.num_labels(), std::span(best));
    INFO("input " << r << ": p(MAP | x) = " << ex.prob[k]);
    CHECK(std::vector<Label>(y.row(r).data(), y.row(r).data() + y.cols()) == best);
  }
}

TEST_CASE("ICM never increases the energy of a tiny CRF, from random starts", "[crf][predict][statistical]") {
  auto crf = test::tiny_mlp_crf(Pairwise::full, 24, 1.0);
  const auto x = test::random_images(20, crf.input_dim(), 42);
  Rng rng = make_stream(43, StreamPurpose::user, 0);
  auto ctx = crf.make_context();
  std::vector<Label> y(static_cast<std::size_t>(crf.num_sites()));
  std::vector<double> e(static_cast<std::size_t>(crf.num_labels()));
  for (Index r = 0; r < x.rows(); ++r) {
    crf.condition(x.row(r).transpose(), ctx);
    for (auto& l : y) l = Label(rng() % 3u);
    double before = crf.energy(ctx, y);
    for (int t = 0; t < 50; ++t) {
      const Index changed = icm_sweep(crf, ctx, std::span(y), std::span(e), t % 2 ? SiteScan::raster : SiteScan::checkerboard);
      const double after = crf.energy(ctx, y);
      CHECK(after <= before + 1e-12);
      before = after;
      if (changed == 0) break;
    }
  }
}
