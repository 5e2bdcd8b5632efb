// The Gaussian–Bernoulli RBM against its definition: free energy by enumerating h, derivatives by central
// differences, the partition function by quadrature, conditionals, concepts and error messages.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "ebm/core/concepts.hpp"
#include "ebm/models/gaussian_bernoulli_rbm.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

static_assert(LatentGibbsModel<GaussianBernoulliRBMd> && LatentGibbsModel<GaussianBernoulliRBMf>);
static_assert(ContinuousEnergyModelWithWorkspace<GaussianBernoulliRBMd>);
static_assert(ContinuousEnergyModelWithWorkspace<GaussianBernoulliRBMf>);

namespace {

// A GB-RBM with W ~ N(0, w²), biases ~ N(0, bias²) and σ_i drawn from [0.5, 1.5].
GaussianBernoulliRBMd random_gbrbm(Index nv, Index nh, double w, double bias, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Vectord sigma(nv);
  for (Index i = 0; i < nv; ++i) sigma[i] = 0.5 + uniform01d(rng);
  GaussianBernoulliRBMd m(nv, nh, sigma);
  m.modify_params([&](Vectord& t) {
    for (Index k = 0; k < t.size(); ++k) t[k] = (k < nv * nh ? w : bias) * standard_normal<double>(rng);
  });
  return m;
}

RowVectorX<double> bits(std::uint64_t s, Index n) {
  RowVectorX<double> x(n);
  for (Index k = 0; k < n; ++k) x[k] = double((s >> k) & 1u);
  return x;
}

// E(v, h) straight from the definition.
double brute_energy(const GaussianBernoulliRBMd& m, const RowVectorX<double>& v, const RowVectorX<double>& h) {
  double e = 0;
  for (Index i = 0; i < m.num_visible(); ++i) {
    const double s = m.sigma()[i];
    e += (v[i] - m.b()[i]) * (v[i] - m.b()[i]) / (2 * s * s);
    for (Index j = 0; j < m.num_hidden(); ++j) e -= v[i] / s * m.W()(i, j) * h[j];
  }
  return e - h.dot(m.c().transpose());
}

double brute_free_energy(const GaussianBernoulliRBMd& m, const RowVectorX<double>& v) {
  double z = 0;
  for (std::uint64_t t = 0; t < (1u << m.num_hidden()); ++t) z += std::exp(-brute_energy(m, v, bits(t, m.num_hidden())));
  return -std::log(z);
}

Matrixd random_states(Index rows, Index nv, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 1);
  Matrixd v(rows, nv);
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < nv; ++i) v(r, i) = 1.5 * standard_normal<double>(rng);
  return v;
}

}  // namespace

TEST_CASE("GB-RBM: free energy equals -log sum_h exp(-E(v,h)), energy(v,h) the definition", "[gbrbm]") {
  const auto m = random_gbrbm(4, 6, 0.7, 0.5, 21);
  const Matrixd v = random_states(20, 4, 22);
  Vectord f(20);
  m.free_energy(v, f);
  Vectord e(20);
  m.energy(v, e);  // the ContinuousEnergyModel energy is F
  for (Index r = 0; r < 20; ++r) {
    CHECK(f[r] == Approx(brute_free_energy(m, v.row(r))).epsilon(1e-12));
    CHECK(e[r] == f[r]);
  }
  Matrixd h(20, 6);
  for (Index r = 0; r < 20; ++r) h.row(r) = bits(std::uint64_t(3 * r + 1) % 64, 6);
  Vectord ej(20);
  m.energy(v, h, ej);
  for (Index r = 0; r < 20; ++r) CHECK(ej[r] == Approx(brute_energy(m, v.row(r), h.row(r))).epsilon(1e-12));
}

// Central differences with step 1e-5 have truncation error ~ h² F''' ≈ 1e-10 and rounding ~ 1e-16/h ≈ 1e-11
// for F of order 1: 1e-7 relative (plus absolute 1e-8) leaves a wide margin.
TEST_CASE("GB-RBM: gradients in v and in every parameter match central differences", "[gbrbm]") {
  const auto m = random_gbrbm(3, 4, 0.8, 0.6, 23);
  const Matrixd v = random_states(5, 3, 24);
  Vectord e(5);
  Matrixd g(5, 3);
  m.energy_and_grad(v, e, g);
  auto ws = m.make_workspace(5);
  Vectord e2(5);
  Matrixd g2(5, 3);
  m.energy_and_grad(v, e2, g2, ws);
  CHECK(e2 == e);
  CHECK(g2 == g);
  const double h = 1e-5;
  for (Index r = 0; r < 5; ++r)
    for (Index i = 0; i < 3; ++i) {
      Matrixd vp = v.row(r), vm = v.row(r);
      vp(0, i) += h;
      vm(0, i) -= h;
      Vectord fp(1), fm(1);
      m.free_energy(vp, fp);
      m.free_energy(vm, fm);
      CHECK(g(r, i) == Approx((fp[0] - fm[0]) / (2 * h)).epsilon(1e-7).margin(1e-8));
    }
  // ∂/∂θ of Σ_r F(v_r) by accumulate_grad (the data statistics) and by accumulate_stats with E[h|v].
  Vectord grad = Vectord::Zero(m.num_params());
  m.accumulate_grad(v, 1.0, grad);
  Matrixd ph(5, 4);
  m.hidden_mean(v, ph, ws);
  Vectord grad2 = Vectord::Zero(m.num_params());
  m.accumulate_stats(v, ph, 0.5, grad2);
  for (Index k = 0; k < m.num_params(); ++k) {
    INFO("parameter " << m.param_name(k));
    auto mp = m, mm = m;
    mp.modify_params([&](Vectord& t) { t[k] += h; });
    mm.modify_params([&](Vectord& t) { t[k] -= h; });
    Vectord fp(5), fm(5);
    mp.free_energy(v, fp);
    mm.free_energy(v, fm);
    const double fd = (fp.sum() - fm.sum()) / (2 * h);
    CHECK(grad[k] == Approx(fd).epsilon(1e-7).margin(1e-8));
    CHECK(grad2[k] == Approx(0.5 * fd).epsilon(1e-7).margin(1e-8));
  }
}

TEST_CASE("GB-RBM: conditionals are the brute-force ones", "[gbrbm]") {
  const auto m = random_gbrbm(3, 4, 0.9, 0.5, 25);
  auto ws = m.make_workspace(4);
  const Matrixd v = random_states(4, 3, 26);
  Matrixd ph(4, 4);
  m.hidden_mean(v, ph, ws);
  for (Index r = 0; r < 4; ++r)
    for (Index j = 0; j < 4; ++j) {
      double num = 0, den = 0;
      for (std::uint64_t t = 0; t < 16; ++t) {
        const double w = std::exp(-brute_energy(m, v.row(r), bits(t, 4)));
        den += w;
        if ((t >> j) & 1u) num += w;
      }
      CHECK(ph(r, j) == Approx(num / den).epsilon(1e-12));
    }
  // p(v|h) ∝ exp(−E(v,h)) is Gaussian in v: its mean is the stationary point of E(·, h), i.e. ∂E/∂v_i = 0:
  // (v_i − b_i)/σ_i² = (Wh)_i/σ_i.
  Matrixd hs(4, 4);
  for (Index r = 0; r < 4; ++r) hs.row(r) = bits(std::uint64_t(5 * r + 2) % 16, 4);
  Matrixd mv(4, 3);
  m.visible_mean(hs, mv, ws);
  for (Index r = 0; r < 4; ++r)
    for (Index i = 0; i < 3; ++i) {
      const double a = m.W().row(i).dot(hs.row(r));
      CHECK(mv(r, i) == Approx(m.b()[i] + m.sigma()[i] * a).epsilon(1e-12));
    }
}

// Z = Σ_h ∫ exp(−E(v,h)) dv: for each h, E is quadratic in v with minimum at b + σWh, so the integral is
// √(2π) σ · exp(cᵀh + ½(Wh)² + (b/σ)Wh) (nv = 1). The trapezoid rule on [−40, 40] with 160 001 points is
// spectrally accurate for this smooth, rapidly decaying integrand (the tails beyond ±40 are < e^{−300}),
// so the two agree to rounding: 1e-10 relative.
TEST_CASE("GB-RBM: exp(-F) integrates to the closed-form partition function (nv = 1, nh = 3)", "[gbrbm]") {
  GaussianBernoulliRBMd m(1, 3, 1.3);
  m.modify_params([](Vectord& t) { t << 0.8, -1.1, 0.4, 0.3, -0.2, 0.5, 0.1; });  // W (1×3), b, c (3)
  const double closed = m.log_partition();
  double by_hand = 0;
  for (std::uint64_t s = 0; s < 8; ++s) {
    const RowVectorX<double> h = bits(s, 3);
    const double a = m.W().row(0).dot(h), sg = 1.3;
    by_hand += std::sqrt(2 * std::numbers::pi) * sg * std::exp(m.c().dot(h.transpose()) + 0.5 * a * a + m.b()[0] / sg * a);
  }
  CHECK(closed == Approx(std::log(by_hand)).epsilon(1e-13));
  const Index n = 160001;
  const double lo = -40, hi = 40, dx = (hi - lo) / double(n - 1);
  Matrixd grid(n, 1);
  for (Index k = 0; k < n; ++k) grid(k, 0) = lo + dx * double(k);
  Vectord f(n);
  m.free_energy(grid, f);
  double z = 0;
  for (Index k = 0; k < n; ++k) z += (k == 0 || k == n - 1 ? 0.5 : 1.0) * std::exp(-f[k]);
  z *= dx;
  CHECK(std::log(z) == Approx(closed).epsilon(1e-10));
}

TEST_CASE("GB-RBM: float and double agree", "[gbrbm]") {
  const auto md = random_gbrbm(5, 7, 0.5, 0.5, 27);
  GaussianBernoulliRBMf mf(5, 7, md.sigma().cast<float>());
  mf.set_params(md.params().cast<float>());
  const Matrixd v = random_states(30, 5, 28);
  Vectord ed(30);
  Matrixd gd(30, 5);
  md.energy_and_grad(v, ed, gd);
  Vectorf ef(30);
  Matrixf gf(30, 5);
  mf.energy_and_grad(v.cast<float>(), ef, gf);
  CHECK((ef.cast<double>() - ed).cwiseAbs().maxCoeff() < 1e-4);
  CHECK((gf.cast<double>() - gd).cwiseAbs().maxCoeff() < 1e-4);
}

TEST_CASE("GB-RBM: bad shapes, sigma and parameters are errors that leave the model unchanged", "[gbrbm][errors]") {
  CHECK_ERROR(GaussianBernoulliRBMd(0, 3), Contains("num_visible = 0"));
  CHECK_ERROR(GaussianBernoulliRBMd(2, 0), Contains("num_hidden = 0"));
  CHECK_ERROR(GaussianBernoulliRBMd(2, 3, 0.0), Contains("sigma(0) = 0"));
  CHECK_ERROR(GaussianBernoulliRBMd(2, 3, -1.0), Contains("must be positive"));
  CHECK_ERROR(GaussianBernoulliRBMd(2, 3, Vectord::Constant(2, std::nan(""))), Contains("sigma(0) = nan"));
  CHECK_ERROR(GaussianBernoulliRBMd(2, 3, Vectord::Constant(3, 1.0)), Contains("sigma has 3 entries"));
  GaussianBernoulliRBMd m(2, 3);
  CHECK_ERROR(m.set_params(Vectord::Zero(4)), Contains("got 4 values, expected 11"));
  Vectord bad = Vectord::Ones(11);
  bad[7] = std::nan("");
  CHECK_ERROR(m.set_params(bad), Contains("parameter b(1) is nan"));
  CHECK(m.params() == Vectord::Zero(11));
  CHECK_ERROR(m.modify_params([](Vectord& t) { t[0] = INFINITY; }), Contains("parameter W(0, 0) is inf"));
  CHECK(m.params() == Vectord::Zero(11));
  Matrixd x(2, 2);
  x << 0.5, -3.2, 1.0, std::nan("");
  CHECK_ERROR(m.validate_data(x, "minibatch"), Contains("minibatch: entry (1, 1) is nan"));
  CHECK_ERROR(m.validate_data(Matrixd::Zero(2, 3), "minibatch"), Contains("has 3 columns, expected 2"));
  CHECK_NOTHROW(m.validate_data(Matrixd::Constant(2, 2, 7.3), "minibatch"));  // not binary: fine
}
