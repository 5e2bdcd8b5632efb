// Binary energies and the exact enumeration over {0,1}^d:
//  * BaseTermEnergy adds −aᵀx to E and −a to ∇ₓE, and its θ is the net's; ∇ₓE of the MLP-with-base and of the
//    RBM free energy match central differences on the relaxed x; RbmFreeEnergy is the RBM's free energy and its
//    ∂F/∂θ matches central differences in θ.
//  * exact_log_z over {0,1}^d agrees with the RBM's own enumeration (a different code path), and
//    exact_binary_distribution sums to 1 and matches e^{−E(x)}/Z state by state.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/estimate/exact.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "support/binary_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

namespace {

// max over rows and coordinates of |∇ₓE − central difference| at points of [0, 1]^d (relaxed x).
template <class M>
double grad_error(const M& model, const Matrixd& x) {
  Vectord e(x.rows());
  Matrixd g(x.rows(), x.cols());
  model.energy_and_grad(x, e, g);
  double worst = 0;
  const double h = 1e-5;
  for (Index r = 0; r < x.rows(); ++r)
    for (Index i = 0; i < x.cols(); ++i) {
      Matrixd xp = x.row(r), xm = x.row(r);
      xp(0, i) += h;
      xm(0, i) -= h;
      Vectord ep(1), em(1);
      model.energy(xp, ep);
      model.energy(xm, em);
      worst = std::max(worst, std::abs(g(r, i) - (ep[0] - em[0]) / (2 * h)));
    }
  return worst;
}

}  // namespace

TEST_CASE("BaseTermEnergy: E = net − aᵀx, ∇ₓE = ∇net − a, θ is the net's", "[binary][energy]") {
  const auto model = test::mlp_with_base<double>(6, 8, 2.0, 1.0, 3);
  const Matrixd x = test::random_binary<double>(5, 6, 4);
  Vectord e(5), en(5);
  Matrixd g(5, 6), gn(5, 6);
  model.energy_and_grad(x, e, g);
  model.net().energy_and_grad(x, en, gn);
  for (Index r = 0; r < 5; ++r) {
    CHECK(e[r] == Approx(en[r] - x.row(r).dot(model.base_logits().transpose())).epsilon(1e-12));
    for (Index i = 0; i < 6; ++i) CHECK(g(r, i) == Approx(gn(r, i) - model.base_logits()[i]).epsilon(1e-12));
  }
  CHECK(model.has_base());
  CHECK(model.num_params() == model.net().num_params());
  CHECK(&model.params() == &model.net().params());
  auto ws = model.make_workspace(5);
  Vectord e2(5);
  model.energy(x, e2, ws);
  CHECK(e2 == e);
  CHECK_FALSE(BaseTermEnergy<MlpEnergyd>::without_base(model.net()).has_base());
  CHECK_ERROR(BaseTermEnergy<MlpEnergyd>(model.net(), Vectord::Zero(5)), Catch::Contains("5 base logits"));
}

TEST_CASE("base_logits_from_data: logits of the smoothed column means", "[binary][energy]") {
  Matrixd data(4, 3);
  data << 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1;  // means 0.75, 0, 0.75
  const Vectord a = base_logits_from_data<double>(data, 0.01);
  const double m0 = 0.75 * 0.98 + 0.01, m1 = 0.01;
  CHECK(a[0] == Approx(std::log(m0 / (1 - m0))));
  CHECK(a[1] == Approx(std::log(m1 / (1 - m1))));
  CHECK(a[2] == a[0]);
}

TEST_CASE("binary energies: ∇ₓE matches central differences on the relaxed x", "[binary][energy]") {
  const Matrixd x = test::random_binary<double>(4, 7, 5) * 0.8 + Matrixd::Constant(4, 7, 0.1);
  CHECK(grad_error(test::mlp_with_base<double>(7, 9, 2.0, 1.0, 6), x) < 1e-7);
  CHECK(grad_error(test::rbm_free_energy<double>(7, 5, 1.0, 0.5, 7), x) < 1e-7);
}

TEST_CASE("RbmFreeEnergy: the RBM's free energy, ∂F/∂θ by central differences, workspace paths agree",
          "[binary][energy]") {
  const auto f = test::rbm_free_energy<double>(7, 5, 1.0, 0.5, 8);
  const Matrixd v = test::random_binary<double>(6, 7, 9);
  Vectord e(6), ref(6);
  f.energy(v, e);
  f.rbm().free_energy(v, ref);
  for (Index r = 0; r < 6; ++r) CHECK(e[r] == Approx(ref[r]).epsilon(1e-12));

  auto ws = f.make_workspace(6);
  Vectord e2(6);
  Matrixd g(6, 7), g2(6, 7);
  f.energy_and_grad(v, e2, g);
  f.energy_and_grad(v, e2, g2, ws);
  CHECK((g - g2).cwiseAbs().maxCoeff() < 1e-14);

  Vectord grad = Vectord::Zero(f.num_params());
  f.accumulate_grad(v, 0.5, grad);
  auto probe = f;
  const double h = 1e-6;
  for (Index k = 0; k < f.num_params(); k += 3) {
    Vectord t = f.params();
    t[k] += h;
    probe.set_params(t);
    Vectord ep(6), em(6);
    probe.energy(v, ep);
    t[k] -= 2 * h;
    probe.set_params(t);
    probe.energy(v, em);
    INFO("parameter " << f.param_name(k));
    CHECK(grad[k] == Approx(0.5 * (ep - em).sum() / (2 * h)).epsilon(1e-6).margin(1e-8));
  }
}

TEST_CASE("exact_log_z over {0,1}^d agrees with the RBM's enumeration; p(x) is e^{−E(x)}/Z", "[binary][exact]") {
  const auto f = test::rbm_free_energy<double>(12, 20, 0.8, 0.5, 10);  // enumerating v: 2^12 states
  CHECK(exact_log_z(f) == Approx(exact_log_z(f.rbm())).epsilon(1e-12));

  const auto m = test::mlp_with_base<double>(10, 8, 2.0, 1.0, 11);
  const Vectord p = exact_binary_distribution(m);
  CHECK(p.sum() == Approx(1.0).epsilon(1e-12));
  const double log_z = exact_log_z(m);
  for (const Index s : {Index{0}, Index{5}, Index{777}, Index{1023}}) {
    Vectord e(1);
    m.energy(test::bits<double>(std::uint64_t(s), 10), e);
    CHECK(p[s] == Approx(std::exp(-e[0] - log_z)).epsilon(1e-10));
    CHECK(binary_state_index(test::bits<double>(std::uint64_t(s), 10)) == s);
  }
  CHECK_ERROR(exact_log_z(test::mlp_with_base<double>(31, 2, 1.0, 1.0, 1)), Catch::Contains("dimension 31"));
}
