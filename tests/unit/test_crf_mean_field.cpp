// Mean-field inference (crf/predict.hpp) against what it must be: without pairwise terms the softmax of −U
// after one update; with weak coupling close to the exact marginals of a tiny CRF (enumerated), its error second
// order in the coupling (halving the coupling quarters it); every schedule reaching the same fixed point, which
// one more update leaves in place; labels the argmax of the marginals; options checked.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/crf/exact_crf.hpp"
#include "ebm/crf/predict.hpp"
#include "support/crf_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

static_assert(MeanFieldModel<test::LinearCrf> && MeanFieldModel<test::ConvCrf>);

namespace {

template <class Crf>
MatrixX<double> mf_marginals(const Crf& crf, const typename Crf::Context& ctx, const PredictOptions& opt,
                             MeanFieldInfo* info = nullptr) {
  MatrixX<double> q, next;
  const MeanFieldInfo i = mean_field(crf, ctx, opt, q, next);
  if (info) *info = i;
  return q;
}

// softmax(−U(s, ·)) at every site, the unaries alone.
template <class Ctx>
MatrixX<double> unary_softmax(const Ctx& ctx) {
  MatrixX<double> p(ctx.unary.rows(), ctx.unary.cols());
  for (Index s = 0; s < p.rows(); ++s) {
    double emin = INFINITY, z = 0;
    for (Index l = 0; l < p.cols(); ++l) emin = std::min(emin, double(ctx.unary(s, l)));
    for (Index l = 0; l < p.cols(); ++l) z += (p(s, l) = std::exp(-(double(ctx.unary(s, l)) - emin)));
    for (Index l = 0; l < p.cols(); ++l) p(s, l) /= z;
  }
  return p;
}

// A tiny CRF whose pairwise terms all scale with `coupling`: Potts weight, table entries, or (contrast) the
// table and the edge couplings: b₂ = softplus⁻¹(coupling) and a fixed spread δ_st = w₂ᵀ h_st between the edges,
// so c_st = softplus(softplus⁻¹(coupling) + δ_st) ≈ coupling · e^{δ_st} for small couplings.
test::LinearCrf coupled(Pairwise kind, double coupling, std::uint64_t seed) {
  auto crf = test::tiny_linear_crf(kind, seed, 0.8);
  crf.modify_params([&](VectorX<double>& t) {
    const Index o = crf.pairwise_offset();
    if (kind == Pairwise::potts) {
      t[o] = coupling;
      return;
    }
    t.segment(o, 9) *= coupling;
    if (kind == Pairwise::contrast) {
      const Index e = crf.edge_offset(), m = crf.edge_net().hidden();
      t.segment(e + 5 * m, m) *= 0.3;  // w₂: |δ_st| of a few tenths
      t[e + crf.edge_net().num_params() - 1] = EdgeNet<double>::softplus_inverse(coupling);
    }
  });
  return crf;
}

double max_error(const MatrixX<double>& a, const MatrixX<double>& b) { return (a - b).cwiseAbs().maxCoeff(); }

}  // namespace

TEST_CASE("mean field without pairwise terms is the softmax of -U after one update", "[crf][mean_field]") {
  PredictOptions opt;
  for (Pairwise kind : {Pairwise::potts, Pairwise::full, Pairwise::contrast}) {
    auto crf = test::tiny_linear_crf(kind, 3, 0.8);
    crf.modify_params([&](VectorX<double>& t) {
      t.tail(crf.pairwise_params()).setZero();
      if (kind == Pairwise::contrast) t[t.size() - 1] = -80;  // c_st = softplus(−80) ≈ 2·10⁻³⁵: 0 beside U
    });
    auto ctx = crf.make_context();
    crf.condition(test::random_images(1, 9, 4).row(0).transpose(), ctx);
    MeanFieldInfo info;
    const MatrixX<double> q = mf_marginals(crf, ctx, opt, &info);
    INFO(to_string(kind));
    CHECK(info.iterations == 1);
    CHECK(info.converged);
    CHECK(q == unary_softmax(ctx));  // exactly: the same operations on the same numbers
  }
}

TEST_CASE("mean field on weakly coupled tiny CRFs is close to the exact marginals, error second order",
          "[crf][mean_field][exact]") {
  PredictOptions opt;
  opt.mf_tolerance = 1e-12;
  opt.mf_iterations = 1000;
  for (Pairwise kind : {Pairwise::potts, Pairwise::full, Pairwise::contrast}) {
    for (std::uint64_t seed : {5, 6}) {
      const auto x = test::random_images(1, 9, seed + 20);
      double err[2] = {0, 0}, effect[2] = {0, 0};
      for (int half = 0; half < 2; ++half) {
        const auto crf = coupled(kind, half ? 0.1 : 0.2, seed);
        auto ctx = crf.make_context();
        crf.condition(x.row(0).transpose(), ctx);
        const MatrixX<double> exact = test::exact_marginals(exact_conditional(crf, ctx), 9, 3);
        MeanFieldInfo info;
        const MatrixX<double> q = mf_marginals(crf, ctx, opt, &info);
        REQUIRE(info.converged);
        err[half] = max_error(q, exact);
        effect[half] = max_error(unary_softmax(ctx), exact);  // what the coupling changes
      }
      INFO(to_string(kind) << " seed " << seed << ": mean-field error " << err[0] << " (coupling 0.2), " << err[1]
                           << " (0.1); the coupling moves the marginals by " << effect[0] << ", " << effect[1]);
      // Mean field is exact to first order in the coupling: its error is a small part of the coupling's effect
      // and falls about fourfold when the coupling halves (second order), where the effect only halves.
      CHECK(err[0] < 0.25 * effect[0]);
      CHECK(err[1] < 0.4 * err[0]);
      CHECK(effect[1] > 0.4 * effect[0]);
    }
  }
}

TEST_CASE("mean-field schedules reach the same fixed point, which one more update keeps", "[crf][mean_field]") {
  const auto crf = coupled(Pairwise::contrast, 0.3, 7);
  auto ctx = crf.make_context();
  crf.condition(test::random_images(1, 9, 8).row(0).transpose(), ctx);
  PredictOptions opt;
  opt.mf_tolerance = 1e-13;
  opt.mf_iterations = 2000;
  const MatrixX<double> checker = mf_marginals(crf, ctx, opt);
  opt.scan = SiteScan::raster;
  const MatrixX<double> raster = mf_marginals(crf, ctx, opt);
  opt.mf_parallel = true;
  const MatrixX<double> parallel = mf_marginals(crf, ctx, opt);
  opt.mf_damping = 0.5;
  MeanFieldInfo info;
  const MatrixX<double> damped = mf_marginals(crf, ctx, opt, &info);
  CHECK(info.converged);
  CHECK(max_error(raster, checker) < 1e-10);
  CHECK(max_error(parallel, checker) < 1e-10);
  CHECK(max_error(damped, checker) < 1e-10);
  // q is a fixed point of the update: q_s = softmax(−E_q[e_s]) at every site; rows sum to one.
  std::vector<double> e(3);
  for (Index s = 0; s < 9; ++s) {
    crf.expected_local_energies(ctx, checker, s, std::span(e));
    softmax_of_negative(std::span(e));
    for (int l = 0; l < 3; ++l) CHECK(e[std::size_t(l)] == Approx(checker(s, l)).margin(1e-11));
    CHECK(checker.row(s).sum() == Approx(1.0).epsilon(1e-14));
  }
}

TEST_CASE("mean-field labels are the argmax of the mean-field marginals", "[crf][mean_field]") {
  const auto crf = coupled(Pairwise::contrast, 1.0, 9);
  const auto x = test::random_images(6, 9, 10);
  PredictOptions opt;
  opt.method = PredictMethod::mean_field;
  const LabelMatrix y = predict_labels(crf, x, opt);
  const MatrixX<double> m = predict_marginals(crf, x, opt);
  for (Index r = 0; r < x.rows(); ++r)
    for (Index s = 0; s < 9; ++s) {
      Index best = 0;
      m.row(r).segment(s * 3, 3).maxCoeff(&best);
      CHECK(y(r, s) == best);
    }
  CHECK(parse_predict_method("mf") == PredictMethod::mean_field);
  CHECK(std::string(to_string(PredictMethod::mean_field)) == "mf");
}

TEST_CASE("mean-field options are checked", "[crf][mean_field][errors]") {
  using Catch::Matchers::Contains;
  PredictOptions opt;
  opt.mf_damping = 1.0;
  CHECK_ERROR(opt.validate(), Contains("mean-field damping = 1 must be in [0, 1)"));
  opt = {};
  opt.mf_iterations = 0;
  CHECK_ERROR(opt.validate(), Contains("mean-field iterations = 0 must be at least 1"));
  opt = {};
  opt.mf_tolerance = -1;
  CHECK_ERROR(opt.validate(), Contains("mean-field tolerance = -1 must be non-negative"));
  CHECK_ERROR(parse_predict_method("bp"), Contains("use unary, icm, map, mpm or mf"));
}
