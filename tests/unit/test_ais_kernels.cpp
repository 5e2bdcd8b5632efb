// The pieces of AIS that are fast by being clever: the block-wise mt19937 against Boost's engine, the gather
// relative to a reference row against the plain product, and every weight increment (polynomial and library
// paths) against log p*_k(v) − log p*_{k−1}(v) computed in double from the run's state.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/estimate/ais.hpp"
#include "ebm/estimate/detail/mt19937_block.hpp"
#include "ebm/models/dense_kernels.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;

TEST_CASE("Mt19937Block continues an Rng word for word, from any position, in any chunks", "[ais][random]") {
  for (int skip : {0, 1, 397, 623, 624, 625, 1500}) {
    INFO("engine advanced by " << skip << " words first");
    Rng engine = make_stream(9, StreamPurpose::ais, 3);
    for (int i = 0; i < skip; ++i) engine();
    detail::Mt19937Block block(engine);
    std::vector<std::uint32_t> words(4000);
    Index at = 0;
    for (Index chunk : {1, 500, 784, 13, 624, 1000, 1078}) {
      block.generate(words.data() + at, chunk);
      at += chunk;
    }
    REQUIRE(at == Index(words.size()));
    Index mismatches = 0;
    for (std::uint32_t w : words) mismatches += w != engine();
    CHECK(mismatches == 0);
  }
}

TEMPLATE_TEST_CASE("gather relative to a reference row equals bias + x M", "[ais][kernels]", float, double) {
  using S = TestType;
  Rng rng = make_stream(4, StreamPurpose::user, 0);
  for (Index cols : {37, 600}) {  // a tail-only width and one with full vector tiles
    constexpr Index rows = 7, n = 45;
    INFO(cols << " columns");
    MatrixX<S> x(rows, cols), m(cols, n);
    VectorX<S> ref(cols), bias(n);
    for (Index k = 0; k < x.size(); ++k) x.data()[k] = S(uniform01f(rng) < 0.6f);
    for (Index k = 0; k < cols; ++k) ref[k] = S(uniform01f(rng) < 0.5f);
    for (Index k = 0; k < m.size(); ++k) m.data()[k] = standard_normal<S>(rng);
    for (Index k = 0; k < n; ++k) bias[k] = standard_normal<S>(rng);
    std::vector<std::int32_t> ones;
    for (Index k = 0; k < cols; ++k)
      if (ref[k] != S(0)) ones.push_back(std::int32_t(k));
    VectorX<S> init(n);
    detail::sum_rows<S>(ones.data(), Index(ones.size()), m.data(), n, bias.data(), init.data());
    detail::RowPattern pattern;
    const double density = pattern.build<S>(x, ref.data(), 1.0);
    Index differ = 0;
    for (Index r = 0; r < rows; ++r) differ += (x.row(r).transpose().array() != ref.array()).count();
    CHECK(density == Approx(double(differ) / double(x.size())));
    MatrixX<S> out(rows, n);
    detail::gather_rows_offset<S>(x, ref.data(), pattern, m.data(), n, init.data(), out);
    const Matrixd expected = (x.template cast<double>() * m.template cast<double>()).rowwise() +
                             bias.template cast<double>().transpose();
    CHECK((out.template cast<double>() - expected).cwiseAbs().maxCoeff() < (std::is_same_v<S, float> ? 1e-4 : 1e-11));
  }
}

// Steps of 0.1 and 0.05 take the library functions (δ max|x| > 1/16), the finer ones the polynomials.
TEMPLATE_TEST_CASE("every AIS weight increment equals log p*_k(v) - log p*_k-1(v) computed in double", "[ais]",
                   float, double) {
  using S = TestType;
  const auto rbm = test::random_rbm<S>(60, 40, 0.4, 1.0, 17);
  const VectorX<S> base = VectorX<S>::Constant(60, S(-1));
  AisOptions opt;
  opt.runs = 6;
  opt.block_rows = 4;
  opt.betas = {0, 0.1, 0.15, 0.16, 0.161, 0.16101, 0.1610101, 0.5, 0.52, 0.9, 0.9001, 1};
  AisRuns<S> runs(rbm, base, opt);
  const Matrixd W = rbm.W().template cast<double>();
  const Vectord c = rbm.c().template cast<double>(), gap = (rbm.b() - base).template cast<double>();
  auto log_p = [&](const Vectord& v, double beta) {  // log p*_β(v) up to the base-rate term, which cancels
    const Vectord x = W.transpose() * v + c;
    double s = beta * gap.dot(v);
    for (Index j = 0; j < x.size(); ++j) s += softplus(beta * x[j]);
    return s;
  };
  while (!runs.done()) {
    const Index k = runs.next_beta();
    // AIS rounds the schedule to the model's precision once, and uses those β for weights and moves alike.
    const double beta = double(S(opt.betas[std::size_t(k)])), prev = double(S(opt.betas[std::size_t(k - 1)]));
    const Matrixd v = runs.visible().template cast<double>();
    const Vectord before = runs.log_weights();
    runs.advance(rbm, 1);
    for (Index r = 0; r < opt.runs; ++r) {
      const Vectord vr = v.row(r).transpose();
      const double expected = log_p(vr, beta) - log_p(vr, prev);
      // Each term is at most δ |x_j| (or δ |gap_i|); float rounds x to ~1e−7 of its size. Beyond that, the
      // difference of two log-weights (and of two log p*) is only known to a few ulps of their size.
      const double scale = (beta - prev) * ((W.transpose() * vr + c).cwiseAbs().sum() + gap.cwiseAbs().sum());
      const double ulps = 1e-14 * (std::abs(before[r]) + std::abs(log_p(vr, beta)) + 1);
      INFO("step " << k << " (beta " << beta << ", delta " << beta - prev << "), run " << r);
      CHECK(std::abs(runs.log_weights()[r] - before[r] - expected) <=
            (std::is_same_v<S, float> ? 1e-6 : 1e-13) * scale + ulps);
    }
  }
}
