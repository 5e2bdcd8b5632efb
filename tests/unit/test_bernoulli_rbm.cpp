// The Bernoulli RBM against its definition: free energy, conditionals, statistics, both product paths.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <span>
#include <tbb/global_control.h>
#include <utility>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/models/bernoulli_rbm.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;
using test::bits;

TEST_CASE("free energy equals -log sum_h exp(-E(v,h)) by brute force", "[rbm]") {
  const auto rbm = test::random_rbm<double>(6, 5, 1.0, 0.5, 11);
  Matrixd v(64, 6);
  for (Index s = 0; s < 64; ++s) v.row(s) = bits<double>(std::uint64_t(s), 6);
  Vectord f(64);
  rbm.free_energy(v, f);
  for (Index s = 0; s < 64; ++s) CHECK(f[s] == Approx(test::brute_free_energy(rbm, v.row(s))).epsilon(1e-12));
}

TEST_CASE("conditionals equal brute-force probability ratios", "[rbm]") {
  const auto rbm = test::random_rbm<double>(5, 4, 1.0, 0.5, 12);
  auto ws = rbm.make_workspace(1);
  for (std::uint64_t s : {0u, 5u, 19u, 31u}) {
    const RowVectorX<double> v = bits<double>(s, 5);
    Matrixd ph(1, 4);
    rbm.hidden_mean(v, ph, ws);
    for (Index j = 0; j < 4; ++j) {
      // p(h_j = 1 | v) = Σ_{h: h_j=1} e^{-E} / Σ_h e^{-E}
      double num = 0, den = 0;
      for (std::uint64_t t = 0; t < 16; ++t) {
        const double w = std::exp(-test::brute_energy(rbm, v, bits<double>(t, 4)));
        den += w;
        if ((t >> j) & 1u) num += w;
      }
      CHECK(ph(0, j) == Approx(num / den).epsilon(1e-12));
    }
  }
  for (std::uint64_t t : {0u, 3u, 9u, 15u}) {
    const RowVectorX<double> h = bits<double>(t, 4);
    Matrixd pv(1, 5);
    rbm.visible_mean(h, pv, ws);
    for (Index i = 0; i < 5; ++i) {
      double num = 0, den = 0;
      for (std::uint64_t s = 0; s < 32; ++s) {
        const double w = std::exp(-test::brute_energy(rbm, bits<double>(s, 5), h));
        den += w;
        if ((s >> i) & 1u) num += w;
      }
      CHECK(pv(0, i) == Approx(num / den).epsilon(1e-12));
    }
  }
}

TEST_CASE("sparse gather path and dense GEMM path agree", "[rbm]") {
  const auto rbm = test::random_rbm<float>(300, 200, 0.1, 0.1, 13);
  Rng rng = make_stream(1, StreamPurpose::user, 1);
  for (double density : {0.05, 0.2, 0.6}) {
    Matrixf v(40, 300);
    for (Index r = 0; r < v.rows(); ++r)
      for (Index i = 0; i < v.cols(); ++i) v(r, i) = bernoulli(rng, float(density));
    auto ws = rbm.make_workspace(40);
    Matrixf ph(40, 200);
    rbm.hidden_mean(v, ph, ws);
    Matrixf pre = v * rbm.W();
    pre.rowwise() += rbm.c().transpose();
    const Matrixf expected = pre.array().logistic().matrix();
    CHECK((ph - expected).cwiseAbs().maxCoeff() < 1e-5f);
    // statistics: dense reference
    Vectorf g = Vectorf::Zero(rbm.num_params());
    rbm.accumulate_stats(v, ph, 0.5f, g);
    const Matrixf gw = -0.5f * (v.transpose() * ph);
    CHECK((rbm.W_of(g) - gw).cwiseAbs().maxCoeff() < 1e-4f);
    CHECK((rbm.b_of(g) + 0.5f * v.colwise().sum().transpose()).cwiseAbs().maxCoeff() < 1e-4f);
    CHECK((rbm.c_of(g) + 0.5f * ph.colwise().sum().transpose()).cwiseAbs().maxCoeff() < 1e-4f);
  }
}

TEST_CASE("conditionals of blocks with majority-one, majority-zero, coin-flip and non-binary columns agree with the plain product", "[rbm]") {
  // Columns mostly 1 (the gather sums relative to 1 there), mostly 0, and coin flips, in blocks of 25 rows as
  // the samplers use them; one entry that is neither 0 nor 1 in a majority-one column, which the offset form
  // must handle as well (it is exact for any value, only its speed assumes binary states).
  const auto rbm = test::random_rbm<float>(120, 90, 0.1, 0.1, 21);
  Rng rng = make_stream(2, StreamPurpose::user, 1);
  for (Index rows : {1, 2, 25}) {
    Matrixf h(rows, 90);
    for (Index j = 0; j < h.cols(); ++j) {
      const float p = j % 3 == 0 ? 0.95f : j % 3 == 1 ? 0.05f : 0.5f;
      for (Index r = 0; r < rows; ++r) h(r, j) = bernoulli(rng, p);
    }
    h(0, 0) = 0.25f;
    auto ws = rbm.make_workspace(rows);
    Matrixf pv(rows, 120), pre(rows, 120), ph(rows, 90);
    rbm.visible_mean(h, pv, ws);
    rbm.visible_preactivation(h, pre, ws);
    Matrixf expected = h * rbm.W().transpose();
    expected.rowwise() += rbm.b().transpose();
    CHECK((pre - expected).cwiseAbs().maxCoeff() < 1e-5f);
    CHECK((pv - Matrixf(expected.array().logistic().matrix())).cwiseAbs().maxCoeff() < 1e-5f);
    const Matrixf v = pv.unaryExpr([&](float p) { return bernoulli(rng, p); });
    rbm.hidden_mean(v, ph, ws);
    Matrixf a = v * rbm.W();
    a.rowwise() += rbm.c().transpose();
    CHECK((ph - Matrixf(a.array().logistic().matrix())).cwiseAbs().maxCoeff() < 1e-5f);
  }
}

TEST_CASE("visible_mean_blocks gives every block the bits of visible_mean on that block", "[rbm]") {
  // MNIST's shape, 7 blocks of 25 rows and a partial one, with the three paths mixed: sparse 0/1 blocks (the
  // gather), dense 0/1 blocks (subset sums, sharing each tile's table) and blocks of probabilities (the GEMM,
  // sharing W's panels), on one thread and on several.
  const auto rbm = test::random_rbm<float>(784, 500, 0.1, 0.1, 5);
  Rng rng = make_stream(3, StreamPurpose::user, 1);
  const BlockPlan plan(190, 25);
  Matrixf h(190, 500);
  for (Index r = 0; r < h.rows(); ++r) {
    const int kind = int(r / 25) % 3;
    for (Index j = 0; j < h.cols(); ++j)
      h(r, j) = kind == 0 ? bernoulli(rng, 0.1f) : kind == 1 ? bernoulli(rng, 0.5f) : uniform01f(rng);
  }
  Matrixf expected(190, 784);
  for (Index b = 0; b < plan.count(); ++b) {
    auto ws = rbm.make_workspace(plan.size(b));
    rbm.visible_mean(h.middleRows(plan.begin(b), plan.size(b)), expected.middleRows(plan.begin(b), plan.size(b)), ws);
  }
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
    std::vector<BernoulliRBMf::Workspace> ws;
    for (Index b = 0; b < plan.count(); ++b) ws.push_back(rbm.make_workspace(plan.size(b)));
    Matrixf pv(190, 784);
    rbm.visible_mean_blocks(h, pv, plan, std::span(ws));
    CHECK(std::memcmp(pv.data(), expected.data(), sizeof(float) * std::size_t(pv.size())) == 0);
  }
}

TEST_CASE("the centered gradient equals its four-step definition", "[rbm]") {
  const Index nv = 150, nh = 40;  // several blocks of rows, the last one partial
  BernoulliRBMd rbm(nv, nh);
  Rng rng = make_stream(4, StreamPurpose::user, 1);
  Vectord g(rbm.num_params()), mu(nv), lambda(nh);
  for (Index k = 0; k < g.size(); ++k) g[k] = standard_normal<double>(rng);
  for (Index i = 0; i < nv; ++i) mu[i] = uniform01d(rng);
  for (Index j = 0; j < nh; ++j) lambda[j] = uniform01d(rng);
  Vectord expected = g;
  auto gW = rbm.W_of(expected);
  auto gb = rbm.b_of(expected);
  auto gc = rbm.c_of(expected);
  gW -= mu * gc.transpose();
  gW -= gb * lambda.transpose();
  gb -= gW * lambda;
  gc -= gW.transpose() * mu;
  Vectord serial = g;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    rbm.center_gradient(serial, mu, lambda);
  }
  CHECK((serial - expected).cwiseAbs().maxCoeff() < 1e-12);
  for (int threads : {2, 8}) {
    INFO("threads " << threads);
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
    Vectord parallel = g;
    rbm.center_gradient(parallel, mu, lambda);
    CHECK(std::memcmp(parallel.data(), serial.data(), sizeof(double) * std::size_t(serial.size())) == 0);
  }
}

TEST_CASE("energy matches the definition and free energy is below every -log term", "[rbm]") {
  const auto rbm = test::random_rbm<double>(4, 3, 1.0, 1.0, 14);
  Matrixd v(1, 4), h(1, 3);
  v.row(0) = bits<double>(9, 4);
  h.row(0) = bits<double>(5, 3);
  Vectord e(1);
  rbm.energy(v, h, e);
  CHECK(e[0] == Approx(test::brute_energy(rbm, v.row(0), h.row(0))).epsilon(1e-12));
}

TEST_CASE("the cached W transpose equals W's transpose exactly after every change, for any shape", "[rbm]") {
  // The tiled transpose has full tiles, partial edge tiles and tasks of several tiles; 784 x 500 is MNIST.
  for (auto [nv, nh] : {std::pair<Index, Index>{1, 1}, {5, 3}, {16, 16}, {17, 33}, {70, 41}, {784, 500}}) {
    BernoulliRBMf rbm(nv, nh);
    Rng rng = make_stream(3, StreamPurpose::user, std::uint64_t(nv));
    rbm.init_normal(rng, 1.0f);
    CHECK(rbm.W_transposed() == Matrixf(rbm.W().transpose()));
    rbm.modify_params([](Vectorf& t) { t *= 0.5f; });
    CHECK(rbm.W_transposed() == Matrixf(rbm.W().transpose()));
  }
}

TEST_CASE("the one-scan data check names the first bad entry of a large matrix", "[rbm][errors]") {
  // Large enough for the parallel scan (2^18 entries and more).
  Matrixf x = Matrixf::Zero(400, 784);
  x(7, 3) = 1;
  CHECK_NOTHROW(check_finite_binary(x, "training data"));
  x(350, 700) = 0.5f;
  x(399, 783) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(check_finite_binary(x, "training data"), Catch::Contains("entry (399, 783) is nan"));
  x(399, 783) = 0;
  CHECK_THROWS_WITH(check_finite_binary(x, "training data"),
                    Catch::Contains("entry (350, 700) is 0.5") && Catch::Contains("only 0 or 1"));
  CHECK_NOTHROW(check_finite(x, "finite data"));  // 0.5 is finite
}
