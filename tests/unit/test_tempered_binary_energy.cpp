// TemperedBinaryEnergy and the generic AIS's bookkeeping:
//  * E_β = β E − (1 − β) aᵀx and ∇ₓE_β = β ∇ₓE − (1 − β) a, with and without workspace; β = 1 is E itself;
//    params() = [β], so a change of β makes a kernel's cached E and ∇ₓE stale and the kernel re-evaluates them;
//    accumulate_grad gives Σ u(x) = Σ (E + aᵀx), the derivative in β.
//  * With two temperatures (0, 1) AIS is importance sampling from the base: log w = −u(x) at the start states.
//  * After moves, the cache the runs re-tempered equals a fresh evaluation at the current β.
//  * Errors name the bad value.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/estimate/ais_binary.hpp"
#include "ebm/samplers/single_flip_kernels.hpp"
#include "support/binary_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

TEST_CASE("TemperedBinaryEnergy: E_beta = beta E - (1 - beta) a.x, its gradient, params = [beta]", "[ais_binary][energy]") {
  const auto model = test::mlp_with_base<double>(10, 8, 1.5, 1.0, 2);
  Vectord a(10);
  for (Index i = 0; i < 10; ++i) a[i] = 0.3 * double(i) - 1.0;
  const Matrixd x = test::random_binary<double>(7, 10, 3);
  Vectord e(7), et(7), et_ws(7);
  Matrixd g(7, 10), gt(7, 10), gt_ws(7, 10);
  model.energy_and_grad(x, e, g);
  TemperedBinaryEnergy<std::decay_t<decltype(model)>> t(model, a, 0.3);
  CHECK(t.params().size() == 1);
  CHECK(t.params()[0] == 0.3);
  t.energy_and_grad(x, et, gt);
  auto ws = t.make_workspace(7);
  t.energy_and_grad(x, et_ws, gt_ws, ws);
  for (Index r = 0; r < 7; ++r) {
    const double ax = x.row(r).dot(a);
    CHECK(et[r] == Approx(0.3 * e[r] - 0.7 * ax).epsilon(1e-12));
    CHECK(et_ws[r] == et[r]);
    for (Index i = 0; i < 10; ++i) CHECK(gt(r, i) == Approx(0.3 * g(r, i) - 0.7 * a[i]).epsilon(1e-12).margin(1e-14));
  }
  CHECK(gt_ws == gt);
  Vectord en(7);
  t.energy(x, en, ws);
  CHECK(en == et);
  Vectord dbeta = Vectord::Zero(1);
  t.accumulate_grad(x, 2.0, dbeta);
  CHECK(dbeta[0] == Approx(2.0 * (e.sum() + (x * a).sum())).epsilon(1e-12));
  t.set_beta(1.0);
  t.energy(x, en);
  CHECK(en == e);
}

TEST_CASE("TemperedBinaryEnergy: a change of beta makes a kernel's cache stale, and the kernel re-evaluates it",
          "[ais_binary][energy]") {
  const auto model = test::rbm_free_energy<double>(12, 5, 1.0, 0.5, 4);
  using T = TemperedBinaryEnergy<std::decay_t<decltype(model)>>;
  T t(model, Vectord::Constant(12, -0.5), 0.8);
  GibbsWithGradients<T> gwg;
  BinaryChains<double> s;
  auto rng = make_chain_streams(1, 30);
  gwg.init(t, s, test::random_binary<double>(30, 12, 5), rng);
  CHECK(gwg.cache_is_current(t, s));
  t.set_beta(0.2);
  CHECK_FALSE(gwg.cache_is_current(t, s));
  gwg.step(t, s, rng);
  CHECK(gwg.cache_is_current(t, s));
  Vectord e(30);
  t.energy(s.x, e);
  for (Index r = 0; r < 30; ++r) CHECK(s.energy[r] == Approx(e[r]).epsilon(1e-12));
}

TEST_CASE("Generic AIS with two temperatures is importance sampling from the base", "[ais_binary]") {
  const auto model = test::mlp_with_base<double>(9, 6, 1.5, 1.0, 6);
  BinaryAisOptions opt;
  opt.chains = 40;
  opt.betas = {0.0, 1.0};
  BinaryAisRuns<std::decay_t<decltype(model)>> runs(model, model.base_logits(), opt);
  runs.run_to_end(model);
  const Matrixd& x = runs.states();  // no move was made: the base samples
  Vectord e(40);
  model.energy(x, e);
  for (Index r = 0; r < 40; ++r)
    CHECK(runs.log_weights()[r] == Approx(-(e[r] + x.row(r).dot(model.base_logits()))).epsilon(1e-12));
  const BinaryAisResult res = runs.result();
  CHECK(res.log_z_base == Approx(bernoulli_base_log_z(model.base_logits())).epsilon(1e-14));
  CHECK(res.num_betas == 2);
}

TEST_CASE("Generic AIS: the re-tempered cache equals a fresh evaluation at the current beta", "[ais_binary]") {
  const auto model = test::mlp_with_base<float>(20, 12, 2.0, 1.0, 7);
  BinaryAisOptions opt;
  opt.chains = 30;
  opt.num_betas = 50;
  opt.schedule = AisScheduleShape::linear;
  BinaryAisRuns<std::decay_t<decltype(model)>> runs(model, model.base_logits(), opt);
  for (const Index steps : {1, 5, 20}) {
    runs.advance(model, steps);
    const auto& s = runs.chains();
    Vectorf e(30);
    Matrixf g(30, 20);
    runs.target().energy_and_grad(s.x, e, g);
    INFO("beta " << runs.target().beta());
    CHECK(runs.target().beta() == Approx(double(runs.next_beta() - 1) / 49).epsilon(1e-6));
    for (Index r = 0; r < 30; ++r) {
      CHECK(s.energy[r] == Approx(e[r]).epsilon(1e-5).margin(1e-5));
      for (Index i = 0; i < 20; ++i) CHECK(s.grad(r, i) == Approx(g(r, i)).epsilon(1e-4).margin(1e-4));
    }
  }
}

TEST_CASE("Generic AIS and TemperedBinaryEnergy: errors name the bad value", "[ais_binary][errors]") {
  const auto model = test::mlp_with_base<double>(6, 4, 1.0, 1.0, 8);
  using M = std::decay_t<decltype(model)>;
  const Vectord a = model.base_logits();
  CHECK_ERROR(TemperedBinaryEnergy<M>(model, a, 1.5), Contains("beta = 1.5"));
  CHECK_ERROR(TemperedBinaryEnergy<M>(model, Vectord::Zero(5)), Contains("5 base logits"));
  Vectord bad = a;
  bad[2] = std::nan("");
  CHECK_ERROR(TemperedBinaryEnergy<M>(model, bad), Contains("base logit 2"));
  BinaryAisOptions opt;
  opt.chains = 0;
  CHECK_ERROR(ais_binary_log_z(model, a, opt), Contains("chains = 0"));
  opt = {};
  opt.steps_per_beta = 0;
  CHECK_ERROR(ais_binary_log_z(model, a, opt), Contains("steps_per_beta = 0"));
  opt = {};
  opt.betas = {0.0, 0.5, 0.5, 1.0};
  CHECK_ERROR(ais_binary_log_z(model, a, opt), Contains("betas[2] = 0.5"));
  const auto modelf = test::mlp_with_base<float>(6, 4, 1.0, 1.0, 8);
  opt.betas = {0.0, 0.5, 0.5 + 1e-12, 1.0};
  CHECK_ERROR(ais_binary_log_z(modelf, modelf.base_logits(), opt), Contains("equal in the model's precision"));
  opt = {};
  opt.num_betas = 10;
  opt.chains = 5;
  BinaryAisRuns<M> runs(model, a, opt);
  CHECK_ERROR(runs.result(), Contains("call advance until done()"));
  CHECK_ERROR(energy_mean_log_likelihood(model, Matrixd::Constant(2, 6, 0.5), 0.0), Contains("is 0.5"));
}
