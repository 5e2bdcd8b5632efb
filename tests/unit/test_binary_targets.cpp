// The benchmark targets and the samplers added with them (their distributions are tested in
// tests/statistical/test_binary_targets.cpp):
//  * the periodic Ising model: E against a dense sᵀJs + hᵀs built from the lattice's coordinates, the edge
//    count, ∇ₓE against central differences on the relaxed x, flip_delta and the exact conditional against
//    energy differences, ∂E/∂θ against differences in θ, and its errors;
//  * the factorized Bernoulli: E, ∇ₓE, flip_delta, exact log Z and mean against enumeration;
//  * systematic-scan Gibbs, Hamming ball, PAS: contracts, the cache after many steps, the flip-delta path and the
//    batched path give the same chains, parameter errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <utility>

#include "ebm/core/binary_flip_model.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "support/binary_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

namespace {

using Ising = IsingModel<double>;
using Mlp = BaseTermEnergy<MlpEnergyd>;

static_assert(BinaryEnergyModel<Ising> && BinaryFlipModel<Ising> && BinaryFlipModel<FactorizedBernoulli<float>>);
static_assert(!BinaryFlipModel<Mlp>);
static_assert(MarkovKernel<SystematicScanGibbs<Ising>> && MarkovKernel<HammingBall<Mlp>>);
static_assert(MarkovKernel<PathAuxiliary<Ising>> && MarkovKernel<PathAuxiliary<Mlp>>);
static_assert(SystematicScanGibbs<Ising>::uses_flip_delta && !HammingBall<Mlp>::uses_flip_delta);

// The Ising model with its flip_delta hidden: the kernels take their batched path on it.
struct IsingWithoutFlips {
  using Scalar = double;
  Ising m;
  Index dim() const { return m.dim(); }
  Index num_params() const { return m.num_params(); }
  const Vectord& params() const { return m.params(); }
  void energy(const ConstBatchRef<double>& x, VecRef<double> e) const { m.energy(x, e); }
  void energy_and_grad(const ConstBatchRef<double>& x, VecRef<double> e, BatchRef<double> g) const {
    m.energy_and_grad(x, e, g);
  }
  void accumulate_grad(const ConstBatchRef<double>& x, double w, VecRef<double> g) const { m.accumulate_grad(x, w, g); }
};
static_assert(!BinaryFlipModel<IsingWithoutFlips>);

Vectord random_field(Index d, double scale, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Vectord h(d);
  for (Index i = 0; i < d; ++i) h[i] = scale * standard_normal<double>(rng);
  return h;
}

// sᵀJs + hᵀs with J = σA, A built from the lattice coordinates (a, b) ~ (a ± 1 mod L, b), (a, b ± 1 mod W).
double dense_log_p(Index L, Index W, double sigma, const Vectord& h, const Vectord& x) {
  const Index d = L * W;
  Matrixd A = Matrixd::Zero(d, d);
  for (Index a = 0; a < L; ++a)
    for (Index b = 0; b < W; ++b) {
      const Index i = a * W + b;
      A(i, ((a + 1) % L) * W + b) = A(i, ((a + L - 1) % L) * W + b) = 1;
      A(i, a * W + (b + 1) % W) = A(i, a * W + (b + W - 1) % W) = 1;
    }
  REQUIRE((A - A.transpose()).cwiseAbs().maxCoeff() == 0);
  REQUIRE(A.sum() == 4.0 * double(d));  // 4 neighbours each, every edge counted twice
  const Vectord s = 2 * x.array() - 1;
  return sigma * s.dot(A * s) + h.dot(s);
}

}  // namespace

TEST_CASE("Ising: E is −(sᵀJs + hᵀs) with J = σ·adjacency of the periodic lattice, each edge counted twice",
          "[binary][ising]") {
  const Index L = GENERATE(3, 4), W = 5;
  const double sigma = 0.37;
  const Vectord h = random_field(L * W, 0.4, 1);
  const Ising model(L, W, sigma, h);
  const Matrixd x = test::random_binary<double>(20, L * W, 2);
  Vectord e(20);
  model.energy(x, e);
  for (Index r = 0; r < 20; ++r) CHECK(e[r] == Approx(-dense_log_p(L, W, sigma, h, x.row(r).transpose())).margin(1e-12));
  // All spins up, no field: sᵀJs = σ Σ_i deg(i) = 4σd, i.e. 2σ per edge over the 2d edges.
  const Ising plain(L, W, sigma);
  Vectord e1(1);
  plain.energy(Matrixd::Ones(1, L * W), e1);
  CHECK(e1[0] == Approx(-4 * sigma * double(L * W)));
  CHECK(Ising::critical_sigma() == Approx(std::log(1 + std::numbers::sqrt2) / 4));
  CHECK(Ising::critical_sigma() == Approx(0.2203).margin(1e-4));
}

TEST_CASE("Ising: ∇ₓE against central differences; energy_and_grad's E equals energy's bit for bit", "[binary][ising]") {
  const Ising model(4, 3, -0.29, random_field(12, 0.5, 3));
  const Matrixd x = test::random_binary<double>(6, 12, 4);
  Vectord e(6), e2(6);
  Matrixd g(6, 12);
  model.energy_and_grad(x, e, g);
  model.energy(x, e2);
  CHECK((e - e2).cwiseAbs().maxCoeff() == 0);
  const double eps = 1e-4;
  for (Index r = 0; r < 6; ++r)
    for (Index i = 0; i < 12; ++i) {
      Matrixd xp = x.row(r), xm = x.row(r);
      xp(0, i) += eps;
      xm(0, i) -= eps;
      Vectord ep(1), em(1);
      model.energy(xp, ep);
      model.energy(xm, em);
      CHECK(g(r, i) == Approx((ep[0] - em[0]) / (2 * eps)).margin(1e-7));  // E is quadratic: exact up to rounding
      // −4σ N_i − 2h_i
      CHECK(g(r, i) == Approx(-4 * model.sigma() * model.neighbour_sum(std::span<const double>(x.row(r).data(), 12), i) -
                              2 * model.field()[i]));
    }
}

TEST_CASE("Ising in float: the vectorized stencil gives the double model's ∇ₓE exactly and its E to float rounding",
          "[binary][ising]") {
  // W = 150: lattice rows of two full chunks of 64 sites and a remainder, besides the two wrapped end sites.
  for (const auto& [L, W] : {std::pair<Index, Index>{3, 3}, {4, 150}, {6, 70}}) {
    const Vectord h = random_field(L * W, 0.3, 11);
    const IsingModel<float> mf(L, W, 0.37, h.cast<float>());
    const IsingModel<double> mfd(L, W, double(float(0.37)), h.cast<float>().cast<double>());  // mf's θ in double
    const Matrixd x = test::random_binary<double>(7, L * W, 12);
    Vectord ed(7);
    Matrixd gd(7, L * W);
    mfd.energy_and_grad(x, ed, gd);
    Vectorf ef(7), ef2(7);
    Matrixf gf(7, L * W);
    mf.energy_and_grad(x.cast<float>(), ef, gf);
    mf.energy(x.cast<float>(), ef2);
    CHECK((ef - ef2).cwiseAbs().maxCoeff() == 0);
    CHECK((gf - gd.cast<float>()).cwiseAbs().maxCoeff() == 0);  // −4σN_i exact, one rounding with −2h_i
    for (Index r = 0; r < 7; ++r) {
      CHECK(double(ef[r]) == Approx(ed[r]).epsilon(1e-6));
      CHECK(ed[r] == Approx(-dense_log_p(L, W, double(float(0.37)), h.cast<float>().cast<double>(),
                                         x.row(r).transpose())).margin(1e-9));
    }
  }
}

TEST_CASE("Ising and factorized Bernoulli: flip_delta is the exact energy change, and the first-order estimate equals it",
          "[binary][ising]") {
  const Ising ising(3, 4, 0.45, random_field(12, 0.7, 5));
  const FactorizedBernoulli<double> bern(random_field(12, 1.5, 6));
  const Matrixd x = test::random_binary<double>(8, 12, 7);
  auto check = [&](const auto& model) {
    Vectord e(8), ef(8);
    Matrixd g(8, 12);
    model.energy_and_grad(x, e, g);
    for (Index r = 0; r < 8; ++r)
      for (Index i = 0; i < 12; ++i) {
        Matrixd xf = x.row(r);
        xf(0, i) = 1 - xf(0, i);
        model.energy(xf, ef.head(1));
        const double delta = model.flip_delta(std::span<const double>(x.row(r).data(), 12), i);
        CHECK(delta == Approx(ef[0] - e[r]).margin(1e-12));
        CHECK((1 - 2 * x(r, i)) * g(r, i) == Approx(delta).margin(1e-12));  // E is multilinear in x
      }
  };
  check(ising);
  check(bern);
  // The exact conditional p(x_i = 1 | rest) = σ(4σN_i + 2h_i), from the enumerated p of a 3 × 3 lattice.
  const Ising small(3, 3, 0.3, random_field(9, 0.5, 8));
  const Vectord p = exact_binary_distribution(small);
  const Index rest = 0b101100010, i = 4;  // x_4 = 0 here
  const double p1 = p[rest | (1 << i)] / (p[rest] + p[rest | (1 << i)]);
  Vectord xr(9);
  for (Index j = 0; j < 9; ++j) xr[j] = double((rest >> j) & 1);
  const double logit = 4 * small.sigma() * small.neighbour_sum(std::span<const double>(xr.data(), 9), i) + 2 * small.field()[i];
  CHECK(p1 == Approx(1 / (1 + std::exp(-logit))).epsilon(1e-12));
}

TEST_CASE("Ising: ∂E/∂θ = (−sᵀAs, −s) against differences in θ", "[binary][ising]") {
  Ising model(3, 3, 0.2, random_field(9, 0.3, 9));
  const Matrixd x = test::random_binary<double>(5, 9, 10);
  Vectord grad = Vectord::Zero(model.num_params());
  model.accumulate_grad(x, 0.5, grad);
  const Vectord theta = model.params();
  for (Index k = 0; k < model.num_params(); ++k) {
    Vectord tp = theta, tm = theta;
    tp[k] += 1e-3;
    tm[k] -= 1e-3;
    Vectord ep(5), em(5);
    model.set_params(tp);
    model.energy(x, ep);
    model.set_params(tm);
    model.energy(x, em);
    INFO(model.param_name(k));
    CHECK(grad[k] == Approx(0.5 * (ep - em).sum() / 2e-3).margin(1e-9));  // E is linear in θ
  }
}

TEST_CASE("Ising: errors name the bad lattice, field or parameter", "[binary][ising][errors]") {
  CHECK_ERROR(Ising(2, 5, 0.1), Catch::Contains("both sides must be at least 3"));
  CHECK_ERROR(Ising(3, 3, 0.1, Vectord::Zero(8)), Catch::Contains("field has 8 entries for 3 x 3 = 9 sites"));
  CHECK_ERROR(Ising(3, 3, std::nan("")), Catch::Contains("sigma = nan must be finite"));
  Ising model(3, 3, 0.1);
  Vectord bad = model.params();
  bad[4] = INFINITY;
  CHECK_ERROR(model.set_params(bad), Catch::Contains("field h[3] is inf"));
  Vectord e(2);
  CHECK_ERROR(model.energy(Matrixd::Zero(2, 8), e), Catch::Contains("states have 8 columns, the lattice has 3 x 3"));
}

TEST_CASE("factorized Bernoulli: E, ∇ₓE, exact log Z and mean against enumeration", "[binary][bernoulli]") {
  const Vectord a = random_field(10, 1.2, 11);
  const FactorizedBernoulli<double> model(a);
  CHECK(model.log_z() == Approx(exact_log_z(model)).epsilon(1e-12));
  const Vectord p = exact_binary_distribution(model);
  Vectord mean = Vectord::Zero(10);
  for (Index s = 0; s < p.size(); ++s)
    for (Index i = 0; i < 10; ++i) mean[i] += p[s] * double((s >> i) & 1);
  CHECK((mean - model.mean()).cwiseAbs().maxCoeff() < 1e-12);
  const Matrixd x = test::random_binary<double>(4, 10, 12);
  Vectord e(4);
  Matrixd g(4, 10);
  model.energy_and_grad(x, e, g);
  for (Index r = 0; r < 4; ++r) {
    CHECK(e[r] == Approx(-a.dot(x.row(r).transpose())));
    CHECK((g.row(r).transpose() + a).cwiseAbs().maxCoeff() == 0);
  }
  Vectord grad = Vectord::Zero(10);
  model.accumulate_grad(x, 2.0, grad);
  CHECK((grad + 2.0 * x.colwise().sum().transpose()).cwiseAbs().maxCoeff() < 1e-12);
  CHECK_ERROR(FactorizedBernoulli<double>(Vectord::Constant(3, NAN)), Catch::Contains("logit a[0] is nan"));
}

namespace {

template <class K, class M>
BinaryChains<typename M::Scalar> run_chains(K kernel, const M& model, int steps, Index chains = 30) {
  BinaryChains<typename M::Scalar> s;
  auto rng = make_chain_streams(3, chains);
  kernel.init(model, s, test::random_binary<typename M::Scalar>(chains, model.dim(), 4), rng);
  for (int t = 0; t < steps; ++t) kernel.step(model, s, rng);
  return s;
}

template <class K, class M>
void check_cache_after_steps(const char* name, K kernel, const M& model) {
  INFO(name);
  const auto s = run_chains(kernel, model, 40);
  CHECK(kernel.cache_is_current(model, s));
  Vectord e(30);
  Matrixd g(30, model.dim());
  model.energy_and_grad(s.x, e, g);
  // Flip-delta kernels carry E by adding exact deltas: rounding only.
  CHECK((e - s.energy).cwiseAbs().maxCoeff() < 1e-10);
  if (s.has_grad()) CHECK((g - s.grad).cwiseAbs().maxCoeff() < 1e-10);
  CHECK(((s.x.array() == 0) || (s.x.array() == 1)).all());
  CHECK(s.steps == 40);
}

}  // namespace

TEST_CASE("new binary kernels: the cached E (and ∇ₓE) equal a fresh evaluation after 40 steps", "[binary][kernel]") {
  const Ising ising(3, 4, 0.35, random_field(12, 0.3, 13));
  const auto mlp = test::mlp_with_base<double>(9, 12, 2.0, 1.0, 1);
  check_cache_after_steps("systematic Gibbs, Ising", SystematicScanGibbs<Ising>(), ising);
  check_cache_after_steps("systematic Gibbs, MLP", SystematicScanGibbs<Mlp>(), mlp);
  check_cache_after_steps("Hamming ball 4/2, Ising", HammingBall<Ising>(4, 2), ising);
  check_cache_after_steps("Hamming ball 3/1, MLP", HammingBall<Mlp>(3, 1, 7), mlp);
  check_cache_after_steps("PAS 3, Ising", PathAuxiliary<Ising>(3), ising);
  check_cache_after_steps("PAS 2, MLP", PathAuxiliary<Mlp>(2), mlp);
  check_cache_after_steps("PAS up to 3, MLP", PathAuxiliary<Mlp>(3, PathLength::uniform), mlp);
}

TEST_CASE("systematic Gibbs and Hamming ball: the flip-delta path and the batched path give the same chains",
          "[binary][kernel]") {
  const Ising ising(3, 4, 0.4, random_field(12, 0.3, 14));
  const IsingWithoutFlips hidden{ising};
  {
    const auto a = run_chains(SystematicScanGibbs<Ising>(), ising, 20);
    const auto b = run_chains(SystematicScanGibbs<IsingWithoutFlips>(), hidden, 20);
    CHECK(a.x == b.x);
    CHECK((a.energy - b.energy).cwiseAbs().maxCoeff() < 1e-12);
    CHECK(a.acceptance.isApprox(b.acceptance, 1e-12));
  }
  {
    const auto a = run_chains(HammingBall<Ising>(5, 2), ising, 50);
    const auto b = run_chains(HammingBall<IsingWithoutFlips>(5, 2), hidden, 50);
    CHECK(a.x == b.x);
    CHECK((a.energy - b.energy).cwiseAbs().maxCoeff() < 1e-12);
  }
}

TEST_CASE("PAS flips exactly R coordinates per proposal; with R = 1 it moves like GWG's law", "[binary][kernel]") {
  const Ising ising(4, 4, 0.3);
  PathAuxiliary<Ising> pas(4);
  BinaryChains<double> s;
  auto rng = make_chain_streams(5, 40);
  pas.init(ising, s, test::random_binary<double>(40, 16, 6), rng);
  for (int t = 0; t < 10; ++t) {
    const Matrixd before = s.x;
    const auto info = pas.step(ising, s, rng);
    CHECK(info.mean_flips == 4);
    for (Index r = 0; r < 40; ++r) {
      const Index changed = (s.x.row(r) - before.row(r)).cwiseAbs().sum();
      CHECK((changed == 0 || changed == 4));
      CHECK((changed == 4) == bool(s.accepted[std::size_t(r)]));
    }
  }
}

TEST_CASE("new binary kernels: parameter errors", "[binary][kernel][errors]") {
  CHECK_ERROR(HammingBall<Ising>(0, 1), Catch::Contains("block size 0 must lie in [1, 62]"));
  CHECK_ERROR(HammingBall<Ising>(3, 4), Catch::Contains("radius 4 must lie in [1, block size 3]"));
  CHECK_ERROR(HammingBall<Ising>(40, 6), Catch::Contains("at most 16384 are enumerated"));
  CHECK_ERROR(PathAuxiliary<Ising>(0), Catch::Contains("path length 0 must be at least 1"));
  const Ising ising(3, 3, 0.1);
  HammingBall<Ising> hb(10, 1);
  PathAuxiliary<Ising> pas(10);
  BinaryChains<double> s;
  auto rng = make_chain_streams(1, 2);
  hb.init(ising, s, Matrixd::Zero(2, 9), rng);
  CHECK_ERROR(hb.step(ising, s, rng), Catch::Contains("block size 10 exceeds the dimension 9"));
  pas.init(ising, s, Matrixd::Zero(2, 9), rng);
  CHECK_ERROR(pas.step(ising, s, rng), Catch::Contains("path length 10 exceeds the dimension 9"));
  HammingBall<Ising> whole(9, 9);
  CHECK(whole.ball() == 512);
  HammingBall<Ising> hb52(5, 2);
  CHECK(hb52.ball() == 1 + 5 + 10);
}
