// Continuous energies and Langevin kernels: definitions, exact identities, behaviour and error messages.
//  * every energy (Gaussian, mixture in 1 and 3 dimensions, a user energy through the virtual interface):
//    ∇ₓE and ∂E/∂θ against central finite differences; energy() equals energy_and_grad()'s energies;
//  * the Gaussian's exact answers, its workspace product, float against double;
//  * MALA: tiny steps accept almost always, huge ones almost never, and the rejection rate vanishes as
//    ε^{3/2}/(π√2) on N(0, 1) (the leading term of the Metropolis–Hastings ratio, derived below); NaN
//    proposals are rejections; the cached energies equal fresh ones;
//  * PersistentChains<Mala> and ContrastiveDivergence<Ula> run unchanged, and refresh the cache when θ moves;
//  * MALA with warm-up and ULA are bitwise identical on 1, 2 and 8 threads;
//  * every bad hyper-parameter or non-finite value is an ebm::Error naming the argument, step, chain, value.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>

#include "ebm/ebm.hpp"
#include "support/error_matchers.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {


// A user's energy from "research code", through the virtual interface: a Gamma(2, 1) shifted by θ in every
// coordinate, E(x) = Σ_i (x_i − θ) − log(x_i − θ), p(x_i) ∝ (x_i − θ) e^{−(x_i − θ)} on x_i > θ. Below θ its
// energy is NaN (log of a negative number), which is what the NaN tests need.
class ShiftedGamma : public EnergyFunction<double> {
public:
  ShiftedGamma(Index d, double shift) : d_(d), theta_(Vectord::Constant(1, shift)) {}
  void set_shift(double shift) { theta_[0] = shift; }

  Index dim() const override { return d_; }
  Index num_params() const override { return 1; }
  const Vectord& params() const override { return theta_; }
  void energy(const ConstBatchRef<double>& x, VecRef<double> e) const override {
    for (Index r = 0; r < x.rows(); ++r) {
      e[r] = 0;
      for (Index i = 0; i < d_; ++i) e[r] += (x(r, i) - theta_[0]) - std::log(x(r, i) - theta_[0]);
    }
  }
  void energy_and_grad(const ConstBatchRef<double>& x, VecRef<double> e, BatchRef<double> g) const override {
    energy(x, e);
    for (Index r = 0; r < x.rows(); ++r)
      for (Index i = 0; i < d_; ++i) g(r, i) = 1 - 1 / (x(r, i) - theta_[0]);
  }
  void accumulate_grad(const ConstBatchRef<double>& x, double w, VecRef<double> grad) const override {
    for (Index r = 0; r < x.rows(); ++r)
      for (Index i = 0; i < d_; ++i) grad[0] += w * (-1 + 1 / (x(r, i) - theta_[0]));
  }

private:
  Index d_;
  Vectord theta_;
};

Matrixd normal_matrix(Index rows, Index cols, std::uint64_t seed, double sd = 1) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Matrixd m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = sd * standard_normal<double>(rng);
  return m;
}

// A d-dimensional Gaussian energy with a random mean and a random positive definite precision that is not
// symmetric (its antisymmetric part must not matter).
template <class S>
GaussianEnergy<S> random_gaussian(Index d, std::uint64_t seed) {
  const Matrixd a = normal_matrix(d, d, seed);
  Matrixd p = a * a.transpose() / double(d) + Matrixd::Identity(d, d);
  if (d > 1) {
    p(0, 1) += 0.3;
    p(1, 0) -= 0.3;
  }
  const Vectord mu = normal_matrix(d, 1, seed + 1).col(0);
  return GaussianEnergy<S>(mu.cast<S>(), p.cast<S>());
}

// ---- energies for the generic finite-difference test ----------------------------------------------------
struct GaussianCase {
  using Model = GaussianEnergyd;
  static Model make() { return random_gaussian<double>(4, 3); }
  static Model with_params(const Model& m, const Vectord& theta) {
    Model c = m;
    c.set_params(theta);
    return c;
  }
  static Matrixd points() { return normal_matrix(5, 4, 5, 1.5); }
};

template <int D>
struct MixtureCase {
  using Model = GaussianMixtureEnergyd;
  static Model make() {
    return Model(normal_matrix(D, 1, 7).col(0), normal_matrix(D, 1, 8).col(0), 0.6, 0.9, 0.3);
  }
  static Model with_params(const Model& m, const Vectord& theta) {
    Model c = m;
    c.set_params(theta);
    return c;
  }
  static Matrixd points() { return normal_matrix(6, D, 9, 1.5); }  // between, on and beyond the components
};

struct VirtualCase {
  using Model = VirtualEnergyd;
  static Model make() { return Model(std::make_shared<ShiftedGamma>(3, 0.2)); }
  static Model with_params(const Model& m, const Vectord& theta) {
    return Model(std::make_shared<ShiftedGamma>(m.dim(), theta[0]));
  }
  static Matrixd points() { return (normal_matrix(5, 3, 11).array().abs() + 0.5).matrix(); }  // x − θ ≥ 0.3
};

}  // namespace

// Central differences (E(x + h) − E(x − h)) / 2h in double with h = 1e-5 · max(1, |x|): the truncation error
// h²/6 · |E'''| is below 1e-9 for these energies (|E'''| ≤ 1/0.3³ for the shifted Gamma, 0 for the
// quadratic), the rounding error ε_mach · |E| / h below 1e-9 (|E| < 50), so a tolerance of 1e-6 · max(1, |g|)
// is safe, and any real mistake (a factor, a sign, a missing term) is off by far more.
TEMPLATE_TEST_CASE("continuous energies: grad_x E and dE/dtheta match central finite differences", "[langevin][energy]",
                   GaussianCase, MixtureCase<1>, MixtureCase<3>, VirtualCase) {
  using Model = typename TestType::Model;
  static_assert(ContinuousEnergyModel<Model>);
  const Model model = TestType::make();
  const Matrixd x = TestType::points();
  const Index n = x.rows(), d = model.dim();
  REQUIRE(x.cols() == d);

  Vectord e(n), e_only(n);
  Matrixd g(n, d);
  model.energy_and_grad(x, e, g);
  model.energy(x, e_only);
  CHECK(test::bitwise_equal(e, e_only));

  auto energy_at = [&](const Model& m, const Matrixd& pts) {
    Vectord out(pts.rows());
    m.energy(pts, out);
    return out;
  };
  for (Index r = 0; r < n; ++r)
    for (Index i = 0; i < d; ++i) {
      const double h = 1e-5 * std::max(1.0, std::abs(x(r, i)));
      Matrixd plus = x.row(r), minus = x.row(r);
      plus(0, i) += h;
      minus(0, i) -= h;
      const double fd = (energy_at(model, plus)[0] - energy_at(model, minus)[0]) / (2 * h);
      INFO("row " << r << ", coordinate " << i << ": grad " << g(r, i) << ", finite difference " << fd);
      CHECK(std::abs(fd - g(r, i)) < 1e-6 * std::max(1.0, std::abs(g(r, i))));
    }

  // grad_theta += w Σ_r ∂E/∂θ(x_r): starts from non-zero values, which must be added to, not overwritten.
  const double w = 0.7;
  const Index P = model.num_params();
  const Vectord start = Vectord::LinSpaced(P, -1, 1);
  Vectord gt = start;
  model.accumulate_grad(x, w, gt);
  for (Index k = 0; k < P; ++k) {
    const Vectord theta = model.params();
    const double h = 1e-5 * std::max(1.0, std::abs(theta[k]));
    Vectord tp = theta, tm = theta;
    tp[k] += h;
    tm[k] -= h;
    const double fd = w * (energy_at(TestType::with_params(model, tp), x).sum() -
                           energy_at(TestType::with_params(model, tm), x).sum()) /
                      (2 * h);
    const double got = gt[k] - start[k];
    INFO("parameter " << k << ": accumulate_grad " << got << ", finite difference " << fd);
    CHECK(std::abs(fd - got) < 1e-6 * std::max(1.0, std::abs(got)));
  }
}

TEST_CASE("Gaussian energy: exact covariance and log Z, symmetric part only, workspace product, float", "[langevin][energy]") {
  const auto model = random_gaussian<double>(3, 21);
  const Matrixd p = model.precision();
  const Matrixd ps = 0.5 * (p + p.transpose());
  CHECK((model.covariance() * ps - Matrixd::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(model.log_partition() == Approx(1.5 * std::log(2 * std::numbers::pi) - 0.5 * std::log(ps.determinant())).epsilon(1e-12));

  // Only Pₛ matters: the symmetrized model gives the same energies.
  Vectord theta = model.params();
  Eigen::Map<Matrixd>(theta.data() + 3, 3, 3) = ps;
  GaussianEnergyd sym = model;
  sym.set_params(theta);
  const Matrixd x = normal_matrix(7, 3, 22);
  Vectord e1(7), e2(7);
  model.energy(x, e1);
  sym.energy(x, e2);
  CHECK((e1 - e2).cwiseAbs().maxCoeff() < 1e-12);
  // E at the mean is 0, and E(μ + v) = ½ vᵀ Pₛ v.
  Matrixd at(2, 3);
  at.row(0) = model.mean().transpose();
  at.row(1) = model.mean().transpose() + RowVectorX<double>::Ones(3);
  model.energy(at, e1.head(2));
  CHECK(std::abs(e1[0]) < 1e-12);
  CHECK(e1[1] == Approx(0.5 * ps.sum()).epsilon(1e-12));

  // The workspace form runs the same GEMM kernel on preallocated buffers: same bits (d = 64, 25 rows, so
  // Eigen takes its blocked GEMM path rather than the small-product one).
  const auto big = random_gaussian<double>(64, 23);
  const Matrixd xb = normal_matrix(25, 64, 24);
  Vectord ea(25), eb(25);
  Matrixd ga(25, 64), gb(25, 64);
  auto ws = big.make_workspace(25);
  big.energy_and_grad(xb, ea, ga);
  big.energy_and_grad(xb, eb, gb, ws);
  CHECK(test::bitwise_equal(ea, eb));
  CHECK(test::bitwise_equal(ga, gb));

  // float agrees with double to float precision.
  const auto bigf = random_gaussian<float>(64, 23);
  Vectorf ef(25);
  Matrixf gf(25, 64);
  bigf.energy_and_grad(xb.cast<float>(), ef, gf);
  CHECK((ef.cast<double>() - ea).cwiseAbs().maxCoeff() < 1e-4 * ea.cwiseAbs().maxCoeff());
  CHECK((gf.cast<double>() - ga).cwiseAbs().maxCoeff() < 1e-4 * ga.cwiseAbs().maxCoeff());
}

TEST_CASE("MALA: tiny steps accept almost always, huge steps almost never", "[langevin][mala]") {
  // Chains start at exact draws from N(μ, Σ) (x = μ + L z, Σ = L Lᵀ), so the acceptance is the stationary one.
  Vectord mu(2);
  mu << 1, -0.5;
  Matrixd cov(2, 2);
  cov << 1, 1.6, 1.6, 4;
  const auto model = GaussianEnergyd::from_covariance(mu, cov);
  const Index chains = 1000;
  const Matrixd L = cov.llt().matrixL();
  const Matrixd x0 = (normal_matrix(chains, 2, 31) * L.transpose()).rowwise() + mu.transpose();
  auto mean_acceptance = [&](double eps) {
    Mala<GaussianEnergyd> mala(eps);
    LangevinChains<double> s;
    auto rng = make_chain_streams(32, chains);
    mala.init(model, s, x0, rng);
    double a = 0;
    for (int t = 0; t < 10; ++t) a += mala.step(model, s, rng).acceptance_rate;
    return a / 10;
  };
  // Rejection ~ ε^{3/2}: ≈ 1e-6 at ε = 1e-4. At ε = 100 a proposal lands ~ ε·λ_max(P)·|x − μ| ≈ 300 away in
  // the narrow direction, an energy ~ 10⁴ above: acceptance ~ e^{−10⁴}.
  CHECK(mean_acceptance(1e-4) > 0.999);
  CHECK(mean_acceptance(100) < 1e-3);
}

// On E = x²/2 (N(0, 1)), with a the current point and b = (1 − ε) a + √(2ε) ξ the proposal, the log
// Metropolis–Hastings ratio is exactly
//   L = (a² − b²)/2 + [(b − (1 − ε) a)² − (a − (1 − ε) b)²] / (4ε) = −ε (b² − a²) / 4,
// and b² − a² = 2√(2ε) a ξ + O(ε), so L = −(ε^{3/2}/√2) a ξ + O(ε²). The rejection probability
// 1 − min(1, e^L) is max(0, −L) to leading order, whose mean over independent a, ξ ~ N(0, 1) is
// (ε^{3/2}/√2) E[max(0, a ξ)] = (ε^{3/2}/√2) · E|a ξ|/2 = ε^{3/2} / (π √2).
// The O(ε²) term of L is antisymmetric under a ↔ ξ while the leading one is symmetric, so it adds nothing at
// first order; the relative correction is O(ε). Measured on 10 000 chains started at exact draws, over 20
// steps (MALA keeps them exactly stationary), with the Rao–Blackwellized rejection 1 − α of every chain and
// step; the chains are independent, so the standard error comes from the spread of the per-chain means.
// Tolerance: 4 standard errors + 3ε relative for the O(ε) correction.
TEST_CASE("MALA: the rejection rate vanishes as eps^(3/2) / (pi sqrt 2) on a standard normal", "[langevin][mala]") {
  const GaussianEnergyd model(Vectord::Zero(1), Matrixd::Identity(1, 1));
  const Index chains = 10000, steps = 20;
  const Matrixd x0 = normal_matrix(chains, 1, 41);
  for (const double eps : {1e-2, 1e-3}) {
    Mala<GaussianEnergyd> mala(eps);
    LangevinChains<double> s;
    auto rng = make_chain_streams(42, chains);
    mala.init(model, s, x0, rng);
    Eigen::ArrayXd per_chain = Eigen::ArrayXd::Zero(chains);
    for (Index t = 0; t < steps; ++t) {
      mala.step(model, s, rng);
      per_chain += (1 - s.acceptance.array()) / double(steps);
    }
    const double mean = per_chain.mean();
    const double se = std::sqrt((per_chain - mean).square().sum() / double(chains - 1) / double(chains));
    const double leading = std::pow(eps, 1.5) / (std::numbers::pi * std::numbers::sqrt2);
    INFO("eps " << eps << ": rejection " << mean << " +- " << se << ", leading term " << leading << ", ratio "
                << mean / leading);
    CHECK(std::abs(mean - leading) < 4 * se + 3 * eps * leading);
  }
}

TEST_CASE("MALA: NaN proposals are rejected and counted; cached energies equal fresh ones", "[langevin][mala]") {
  // The shifted Gamma's energy is NaN below θ = 0.2: with ε = 0.5 many proposals go there.
  auto f = std::make_shared<ShiftedGamma>(2, 0.2);
  const VirtualEnergyd model(f);
  const Index chains = 100;
  Mala<VirtualEnergyd> mala(0.5);
  LangevinChains<double> s;
  auto rng = make_chain_streams(51, chains);
  mala.init(model, s, Matrixd::Constant(chains, 2, 1.0), rng);
  Index non_finite = 0, accepted = 0;
  for (int t = 0; t < 50; ++t) {
    const LangevinStepInfo info = mala.step(model, s, rng);
    non_finite += info.non_finite;
    accepted += info.accepted;
    CHECK(info.acceptance_rate >= 0);
    CHECK(info.acceptance_rate <= 1);
  }
  CHECK(non_finite > 0);
  CHECK(accepted > 0);
  CHECK(s.steps == 50);
  CHECK(s.x.minCoeff() > 0.2);
  CHECK(s.x.allFinite());
  Vectord fresh(chains);
  Matrixd fresh_grad(chains, 2);
  model.energy_and_grad(s.x, fresh, fresh_grad);
  CHECK(test::bitwise_equal(fresh, s.energy));
  CHECK(test::bitwise_equal(fresh_grad, s.grad));

  // Same for the Gaussian (blocked GEMM at d = 64: compare with a tolerance, the product's blocking may
  // differ between 25-row blocks and the whole batch).
  const auto g = random_gaussian<double>(64, 52);
  Mala<GaussianEnergyd> mala_g(0.05);
  LangevinChains<double> sg;
  auto rng_g = make_chain_streams(53, 60);
  mala_g.init(g, sg, normal_matrix(60, 64, 54), rng_g);
  for (int t = 0; t < 20; ++t) mala_g.step(g, sg, rng_g);
  Vectord eg(60);
  g.energy(sg.x, eg);
  CHECK((eg - sg.energy).cwiseAbs().maxCoeff() < 1e-10 * eg.cwiseAbs().maxCoeff());
}

TEST_CASE("ULA with a box: clip and reflect keep every chain inside", "[langevin][ula]") {
  const GaussianEnergyd model(Vectord::Zero(3), Matrixd::Identity(3, 3));
  for (const BoxMode mode : {BoxMode::clip, BoxMode::reflect}) {
    Ula<GaussianEnergyd> ula(2.0, Box{-0.3, 0.4, mode});  // noise sd 2 ≫ the box: every step hits the walls
    LangevinChains<double> s;
    auto rng = make_chain_streams(55, 40);
    ula.init(model, s, Matrixd::Zero(40, 3), rng);
    for (int t = 0; t < 20; ++t) ula.step(model, s, rng);
    CHECK(s.x.minCoeff() >= -0.3);
    CHECK(s.x.maxCoeff() <= 0.4);
    if (mode == BoxMode::clip) CHECK(((s.x.array() == -0.3) || (s.x.array() == 0.4)).count() > 0);
  }
}

TEST_CASE("PersistentChains<Mala> and ContrastiveDivergence<Ula> run unchanged", "[langevin][policies]") {
  GaussianEnergyd model = random_gaussian<double>(3, 61);
  const Matrixd batch = normal_matrix(10, 3, 62);

  SECTION("PCD: chains persist, the model term is accumulate_grad at the chains, a new theta refreshes the cache") {
    PersistentChains<Mala<GaussianEnergyd>> pcd(Mala<GaussianEnergyd>(0.1), 30, 2, 63);
    pcd.advance(model, batch);
    REQUIRE(pcd.num_chains() == 30);
    CHECK(pcd.state().steps == 2);
    const Matrixd after_first = pcd.state().x;
    pcd.advance(model, batch);
    CHECK(pcd.state().steps == 4);  // the chains lived on
    CHECK_FALSE(test::bitwise_equal(after_first, pcd.state().x));

    Vectord via_policy = Vectord::Zero(model.num_params()), direct = Vectord::Zero(model.num_params());
    pcd.accumulate_model_term(model, -0.5, via_policy);
    model.accumulate_grad(pcd.state().x, -0.5, direct);
    CHECK(test::bitwise_equal(via_policy, direct));

    // A training update moves θ: the next step must see the new energy at the chains' positions.
    model.modify_params([](Vectord& t) { t.head(3).array() += 2.0; });
    pcd.advance(model, batch);
    Vectord fresh(30);
    model.energy(pcd.state().x, fresh);
    CHECK((fresh - pcd.state().energy).cwiseAbs().maxCoeff() < 1e-12 * (1 + fresh.cwiseAbs().maxCoeff()));
  }

  SECTION("CD: chains restart at the minibatch and take k steps, from streams (seed, row)") {
    ContrastiveDivergence<Ula<GaussianEnergyd>> cd(Ula<GaussianEnergyd>(0.1), 1, 64);
    cd.advance(model, batch);
    REQUIRE(cd.num_chains() == 10);
    CHECK(cd.state().steps == 1);
    // The same as one ULA step by hand from the batch, with streams made from the same seed.
    Ula<GaussianEnergyd> ula(0.1);
    LangevinChains<double> s;
    auto rng = make_chain_streams(64, 10);
    ula.init(model, s, batch, rng);
    ula.step(model, s, rng);
    CHECK(test::bitwise_equal(s.x, cd.state().x));
    cd.advance(model, batch);  // restarts: again one step from the batch (streams moved on, so other noise)
    CHECK(cd.state().steps == 1);
  }
}

namespace {

template <class S>
struct LangevinRun {
  MatrixX<S> x, grad;
  VectorX<S> energy;
  Vectord acceptance;
  double step_size = 0;
};

// 60 chains (blocks of 25: two full blocks and a partial one) of a 64-dimensional Gaussian: MALA with a
// reflecting box through a 50-step warm-up and 50 frozen steps, or ULA with a clipping box for 100 steps.
template <class S>
LangevinRun<S> run_langevin(bool mala, std::uint64_t seed) {
  const auto model = random_gaussian<S>(64, 71);
  const MatrixX<S> x0 = (normal_matrix(60, 64, 72).array().tanh() * 2.5).matrix().cast<S>();  // inside [−3, 3]
  auto rng = make_chain_streams(seed, 60);
  LangevinChains<S> s;
  double eps = 0;
  if (mala) {
    Mala<GaussianEnergy<S>> k(0.05, Box{-3, 3, BoxMode::reflect});
    k.init(model, s, x0, rng);
    eps = warm_up_step_size(k, model, s, std::span<Rng>(rng), {50, {}}).step_size;
    for (int t = 0; t < 50; ++t) k.step(model, s, rng);
  } else {
    Ula<GaussianEnergy<S>> k(0.05, Box{-3, 3, BoxMode::clip});
    k.init(model, s, x0, rng);
    for (int t = 0; t < 100; ++t) k.step(model, s, rng);
  }
  return {s.x, s.grad, s.energy, s.acceptance, eps};
}

}  // namespace

TEMPLATE_TEST_CASE("MALA (with warm-up) and ULA are bitwise identical on 1, 2 and 8 threads", "[langevin][reproducibility]",
                   float, double) {
  using S = TestType;
  const bool mala = GENERATE(true, false);
  INFO((mala ? "MALA" : "ULA"));
  const auto serial = test::with_threads(1, [&] { return run_langevin<S>(mala, 7); });
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    const auto parallel = test::with_threads(n, [&] { return run_langevin<S>(mala, 7); });
    CHECK(test::bitwise_equal(serial.x, parallel.x));
    CHECK(test::bitwise_equal(serial.grad, parallel.grad));
    CHECK(test::bitwise_equal(serial.energy, parallel.energy));
    CHECK(test::bitwise_equal(serial.acceptance, parallel.acceptance));
    CHECK(serial.step_size == parallel.step_size);
  }
  const auto other = test::with_threads(2, [&] { return run_langevin<S>(mala, 8); });
  CHECK_FALSE(test::bitwise_equal(serial.x, other.x));
}

TEST_CASE("Langevin: bad hyper-parameters are errors naming the argument and value", "[langevin][errors]") {
  using G = GaussianEnergyd;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_ERROR(Mala<G>(0.0), Contains("Mala: step size = 0 must be positive and finite"));
  CHECK_ERROR(Ula<G>(-0.5), Contains("Ula: step size = -0.5 must be positive and finite"));
  CHECK_ERROR(Mala<G>(nan), Contains("Mala: step size = nan"));
  CHECK_ERROR(Mala<G>(0.1, Box{1, 0}), Contains("Mala: box [1, 0] must have finite bounds with lo < hi"));
  CHECK_ERROR(Ula<G>(0.1, Box{0, std::numeric_limits<double>::infinity()}), Contains("Ula: box [0, inf]"));
  CHECK_ERROR(Mala<G>(0.1, std::nullopt, 0), Contains("Mala: block_rows = 0 must be positive"));
  Mala<G> mala(0.1);
  CHECK_ERROR(mala.set_step_size(std::numeric_limits<double>::infinity()), Contains("Mala: step size = inf"));

  CHECK_ERROR(DualAveraging(0.1, {1.2}), Contains("target acceptance = 1.2 must lie in (0, 1)"));
  CHECK_ERROR(DualAveraging(0.1, {0.574, 0.05, 10, 0.3}), Contains("kappa = 0.3 must lie in (0.5, 1]"));
  CHECK_ERROR(DualAveraging(0.0), Contains("initial step size = 0 must be positive and finite"));
  DualAveraging da(0.1);
  CHECK_ERROR(da.learn(1.5), Contains("acceptance statistic = 1.5 must lie in [0, 1]"));

  const G model(Vectord::Zero(2), Matrixd::Identity(2, 2));
  LangevinChains<double> s;
  auto rng = make_chain_streams(1, 4);
  mala.init(model, s, Matrixd::Zero(4, 2), rng);
  CHECK_ERROR(warm_up_step_size(mala, model, s, std::span<Rng>(rng), {0, {}}),
              Contains("step-size warm-up: steps = 0 must be positive"));

  Matrixd not_pd = Matrixd::Identity(2, 2);
  not_pd(1, 1) = -1;
  CHECK_ERROR(G(Vectord::Zero(2), not_pd), Contains("GaussianEnergy") && Contains("not positive definite"));
  CHECK_ERROR(G(Vectord::Zero(2), Matrixd::Identity(3, 3)), Contains("GaussianEnergy: precision is 3 x 3, expected 2 x 2"));
  G g = model;
  CHECK_ERROR(g.set_params(Vectord::Zero(5)), Contains("got 5 values, expected 6"));
  CHECK_ERROR(g.modify_params([&](Vectord& t) { t[4] = nan; }), Contains("parameter P(1, 0) is nan"));
  CHECK_ERROR(g.modify_params([&](Vectord& t) { t[5] = -2; }), Contains("not positive definite"));
  CHECK(test::bitwise_equal(g.params(), model.params()));  // a rejected θ leaves the model as it was
  Vectord e(1);
  g.energy(Matrixd::Ones(1, 2), e);
  CHECK(e[0] == 1.0);
  CHECK_ERROR(GaussianMixtureEnergyd(Vectord::Zero(1), Vectord::Zero(1), 0.0, 1.0, 0.5),
              Contains("sigma_a = 0 must be positive and finite"));
  CHECK_ERROR(GaussianMixtureEnergyd(Vectord::Zero(1), Vectord::Zero(1), 1.0, 1.0, 1.0),
              Contains("weight_a = 1 must lie in (0, 1)"));
  CHECK_ERROR(VirtualEnergyd(std::shared_ptr<EnergyFunction<double>>()), Contains("VirtualEnergy: the energy function is null"));
}

TEST_CASE("Langevin: bad start states, streams and calls are errors naming chain, entry and value", "[langevin][errors]") {
  const GaussianEnergyd model(Vectord::Zero(2), Matrixd::Identity(2, 2));
  Mala<GaussianEnergyd> mala(0.1, Box{-1, 1, BoxMode::reflect});
  LangevinChains<double> s;
  auto rng = make_chain_streams(1, 10);
  CHECK_ERROR(mala.step(model, s, rng), Contains("Mala: chains were not prepared for this model (call init first)"));
  CHECK_ERROR(mala.init(model, s, Matrixd::Zero(4, 3), rng),
              Contains("Mala::init: start states have 3 columns, the model has dimension 2"));
  Matrixd x0 = Matrixd::Zero(4, 2);
  x0(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_ERROR(mala.init(model, s, x0, rng), Contains("Mala::init: chain 2: start state entry 1 is nan"));
  x0(2, 1) = 1.5;
  CHECK_ERROR(mala.init(model, s, x0, rng),
              Contains("Mala::init: chain 2: start state entry 1 = 1.5 lies outside the box [-1, 1]"));
  auto few = make_chain_streams(1, 3);
  CHECK_ERROR(mala.init(model, s, Matrixd::Zero(4, 2), few), Contains("Mala: 3 random streams for 4 chains"));
}

TEST_CASE("Langevin: non-finite energies at a chain's state are errors naming the step, chain and value",
          "[langevin][errors]") {
  auto f = std::make_shared<ShiftedGamma>(2, 0.0);  // energy NaN wherever a coordinate is negative
  const VirtualEnergyd model(f);
  LangevinChains<double> s;
  auto rng = make_chain_streams(1, 4);
  Matrixd x0 = Matrixd::Constant(4, 2, 1.0);

  SECTION("at the start state") {
    x0(1, 0) = -0.5;
    Mala<VirtualEnergyd> mala(0.01);
    CHECK_ERROR(mala.init(model, s, x0, rng), Contains("Mala: chain 1, at its start state: the energy is nan"));
    x0(1, 0) = 0.0;  // log 0: infinite energy, infinite gradient
    CHECK_ERROR(mala.init(model, s, x0, rng), Contains("Mala: chain 1, at its start state: the energy is inf"));
  }
  SECTION("at the current state when the model changed under the chains") {
    Mala<VirtualEnergyd> mala(0.001);
    x0(3, 1) = 0.5;
    mala.init(model, s, x0, rng);
    for (int t = 0; t < 3; ++t) mala.step(model, s, rng);
    f->set_shift(0.7);  // now chain 3's second coordinate (≈ 0.5) lies below the shift
    CHECK_ERROR(mala.step(model, s, rng),
                Contains("Mala: chain 3, at its current state, re-evaluated after step 3 because the model changed: "
                         "the energy is nan"));
  }
  SECTION("ULA: after a move (it cannot reject); the chains keep their previous positions") {
    Ula<VirtualEnergyd> ula(2.0);  // noise sd 2 around x ≈ 1: a coordinate goes negative at once
    ula.init(model, s, x0, rng);
    const Matrixd before = s.x;
    CHECK_ERROR(ula.step(model, s, rng), Contains("Ula: chain ") && Contains(", after the move of step 1: ") &&
                                             Contains("is nan") && Contains("ULA cannot reject a move"));
    CHECK(test::bitwise_equal(before, s.x));
    CHECK(s.steps == 0);
  }
}
