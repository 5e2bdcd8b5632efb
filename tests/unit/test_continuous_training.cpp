// Training continuous energies: Adam against its definition, the continuous data term against a direct sum,
// finiteness-only data checks, Adam's strong guarantee, and bitwise-identical Trainer<PersistentChains<Mala>>
// runs on 1, 2 and 8 threads.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/ebm.hpp"
#include "ebm/models/gaussian_energy.hpp"
#include "ebm/train/adam.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

// θ = [μ (2), P (2×2)]; μ = 0, P = I.
GaussianEnergyd unit_gaussian() { return GaussianEnergyd(Vectord::Zero(2), Matrixd::Identity(2, 2)); }

Matrixd normal_rows(Index rows, Index cols, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Matrixd m(rows, cols);
  for (Index k = 0; k < m.size(); ++k) m.data()[k] = standard_normal<double>(rng);
  return m;
}

}  // namespace

TEST_CASE("Adam: two steps match the definition computed by hand", "[train][adam]") {
  // β₁ = 0.5, β₂ = 0.75, lr = 0.1, no weight decay, ε = 1e-300 (negligible beside √v̂, but it keeps the
  // entries with zero gradient at 0/ε = 0). Only μ₀'s gradient is non-zero: g₁ = 2, then g₂ = −3.
  //   step 1: m = 0.5·2 = 1,      v = 0.25·4 = 1,           m̂ = 1/0.5 = 2,       v̂ = 1/0.25 = 4,
  //           Δ = −0.1 · 2/√4 = −0.1                                             → μ₀ = −0.1
  //   step 2: m = 0.5 − 1.5 = −1, v = 0.75 + 0.25·9 = 3,    m̂ = −1/0.75 = −4/3,  v̂ = 3/(1 − 0.5625) = 48/7,
  //           Δ = −0.1 · (−4/3)/√(48/7) = 0.1 · (4/3) · √(7/48)                → μ₀ = −0.1 + Δ
  AdamOptions o;
  o.beta1 = 0.5;
  o.beta2 = 0.75;
  o.eps = 1e-300;
  GaussianEnergyd model = unit_gaussian();
  Adam<double> adam(o);
  Vectord g = Vectord::Zero(model.num_params());
  g[0] = 2;
  adam.step(model, g, 0.1);
  CHECK(model.params()[0] == Approx(-0.1).epsilon(1e-14));
  CHECK(adam.first_moment()[0] == 1.0);
  CHECK(adam.second_moment()[0] == 1.0);
  g[0] = -3;
  adam.step(model, g, 0.1);
  const double expected = -0.1 + 0.1 * (4.0 / 3.0) * std::sqrt(7.0 / 48.0);
  CHECK(model.params()[0] == Approx(expected).epsilon(1e-14));
  CHECK(adam.first_moment()[0] == -1.0);
  CHECK(adam.second_moment()[0] == 3.0);
  CHECK(adam.steps() == 2);
  // Every other parameter had zero gradient: unchanged.
  CHECK(model.params().tail(model.num_params() - 1) == unit_gaussian().params().tail(model.num_params() - 1));
}

TEST_CASE("Adam: a step the model refuses leaves model and optimizer as they were", "[train][adam]") {
  GaussianEnergyd model = unit_gaussian();
  Adam<double> adam;
  Vectord g = Vectord::Zero(model.num_params());
  g[0] = 1;
  adam.step(model, g, 0.01);
  const Vectord theta = model.params(), m = adam.first_moment(), v = adam.second_moment();
  // A huge positive gradient on P(0,0) drives it negative: not positive definite, set_params refuses.
  g.setZero();
  g[2] = 1;
  CHECK_THROWS_AS(adam.step(model, g, 10.0), Error);
  CHECK(model.params() == theta);
  CHECK(adam.first_moment() == m);
  CHECK(adam.second_moment() == v);
  CHECK(adam.steps() == 1);
  // A non-finite gradient: caught by the finiteness check.
  g[2] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(adam.step(model, g, 0.01), Error);
  CHECK(model.params() == theta);
  CHECK(adam.steps() == 1);
}

TEST_CASE("Continuous data term: weight times the sum over rows, the same bits for any block size and thread count",
          "[train][continuous]") {
  GaussianEnergyd model(Vectord::Constant(3, 0.2), Matrixd::Identity(3, 3) * 1.5);
  const Matrixd x = normal_rows(83, 3, 4);  // blocks of 25: 25, 25, 25, 8
  Vectord direct = Vectord::Zero(model.num_params());
  model.accumulate_grad(x, 0.25, direct);
  DataTerm<GaussianEnergyd> term;
  Vectord g = Vectord::Zero(model.num_params());
  term.accumulate(model, x, 0.25, g);
  CHECK((g - direct).cwiseAbs().maxCoeff() < 1e-12);  // only the summation order differs
  const Vectord serial = test::with_threads(1, [&] {
    Vectord out = Vectord::Zero(model.num_params());
    DataTerm<GaussianEnergyd>(7).accumulate(model, x, 0.25, out);
    return out;
  });
  for (const int n : test::thread_counts) {
    const Vectord par = test::with_threads(n, [&] {
      Vectord out = Vectord::Zero(model.num_params());
      DataTerm<GaussianEnergyd>(7).accumulate(model, x, 0.25, out);
      return out;
    });
    CHECK(test::bitwise_equal(par, serial));
  }
}

TEST_CASE("Continuous data: any finite value is accepted, non-finite values are errors", "[train][continuous]") {
  GaussianEnergyd model = unit_gaussian();
  Matrixd x(2, 2);
  x << 0.3, -7.5, 1e3, 2.0;
  CHECK_NOTHROW(validate_data(model, x, "data"));
  x(1, 0) = std::nan("");
  CHECK_THROWS_WITH(validate_data(model, x, "data"), Catch::Contains("entry (1, 0)"));
}

namespace {

struct GaussianRun {
  Vectord params, gradient;
  Matrixd chains;
};

GaussianRun train_gaussian(Optimizer which, std::uint64_t seed) {
  const Matrixd data = normal_rows(300, 2, 11);
  GaussianEnergyd model = unit_gaussian();
  PersistentChains<Mala<GaussianEnergyd>> chains(Mala<GaussianEnergyd>(0.3), 60, 3, seed);  // blocks 25, 25, 10
  TrainOptions opt;
  opt.batch_size = 60;
  opt.epochs = 3;
  opt.learning_rate = 0.05;
  opt.optimizer = which;
  opt.seed = seed;
  Trainer trainer(model, chains, opt);
  trainer.fit(data);
  return {model.params(), trainer.last_gradient(), chains.state().x};
}

}  // namespace

TEST_CASE("Trainer<PersistentChains<Mala>>: a continuous model trains bitwise identically on 1, 2 and 8 threads",
          "[train][continuous][reproducibility]") {
  for (const Optimizer which : {Optimizer::sgd, Optimizer::adam}) {
    const GaussianRun serial = test::with_threads(1, [&] { return train_gaussian(which, 3); });
    CHECK(serial.params != unit_gaussian().params());  // it did train
    for (const int n : test::thread_counts) {
      INFO(n << " threads");
      const GaussianRun par = test::with_threads(n, [&] { return train_gaussian(which, 3); });
      CHECK(test::bitwise_equal(par.params, serial.params));
      CHECK(test::bitwise_equal(par.gradient, serial.gradient));
      CHECK(test::bitwise_equal(par.chains, serial.chains));
    }
    CHECK(!test::bitwise_equal(test::with_threads(2, [&] { return train_gaussian(which, 4); }).params, serial.params));
  }
}
