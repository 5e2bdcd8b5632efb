// A deep energy with an RBM base (models/rbm_base_energy.hpp), the Metropolis kernel with the RBM's block Gibbs
// sweep as its proposal (samplers/rbm_proposal.hpp) and the two-leg AIS (estimate/ais_rbm_base.hpp), against
// exact enumeration:
//   - E = E_net + F and ∇ₓE = ∇ₓE_net + ∇ₓF at every state, θ the net's alone;
//   - the kernel's exact transition matrix, built here from the formulas (q(x'|x) = Σ_h p(h|x) p(x'|h) summed
//     over the 2^n_h hidden states, accepted with min(1, e^{β(E_net(x) − E_net(x'))})), leaves p invariant, and
//     3000 chains' final states pass Pearson's chi-square against p at α = 0.001 (steps chosen from the exact law);
//     the same at β = 0.5 against p_β ∝ p_RBM·e^{−E_net/2}; a negative control with the Hastings ratio left out
//     (plain RBM samples) is rejected;
//   - the kernel is bit-identical for 1 and 3 threads;
//   - AIS through the RBM and on to the full energy agrees with the exact log Z within 3 standard errors plus
//     0.03 nats (the margin of test_ais_binary.cpp: Jensen bias and float rounding), with stderr < 0.1.
#include <catch2/catch.hpp>
#include <tbb/global_control.h>

#include <cmath>

#include "ebm/estimate/ais_rbm_base.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/models/rbm_base_energy.hpp"
#include "ebm/samplers/rbm_proposal.hpp"
#include "support/binary_fixtures.hpp"
#include "support/exact_law_check.hpp"

using namespace ebm;

namespace rbm_base_test {

constexpr Index d = 8, nh = 4, states = Index{1} << d, chains = 3000;
using Model = RbmBaseEnergy<MlpEnergyd>;

Model small_model(double net_gain = 2.0) {
  auto net = test::mlp_with_base<double>(d, 12, net_gain, 0.0, 41).net();
  return Model(net, test::random_rbm<double>(d, nh, 1.0, 0.5, 42));
}

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

// P(x → x') of the kernel at net inverse temperature β, exactly.
Matrixd exact_transition(const Model& m, double beta) {
  const auto& rbm = m.base_rbm();
  MatrixX<double> x(states, d);
  for (Index s = 0; s < states; ++s)
    for (Index i = 0; i < d; ++i) x(s, i) = double((s >> i) & 1);
  Vectord enet(states);
  m.net().energy(x, enet);
  const Index hs = Index{1} << nh;
  Matrixd ph(states, hs), pv(hs, states);  // p(h | x), p(x' | h)
  for (Index s = 0; s < states; ++s)
    for (Index h = 0; h < hs; ++h) {
      double p = 1;
      for (Index j = 0; j < nh; ++j) {
        const double mu = sigmoid(rbm.c()[j] + x.row(s).dot(rbm.W().col(j)));
        p *= (h >> j) & 1 ? mu : 1 - mu;
      }
      ph(s, h) = p;
    }
  for (Index h = 0; h < hs; ++h)
    for (Index s = 0; s < states; ++s) {
      double p = 1;
      for (Index i = 0; i < d; ++i) {
        double a = rbm.b()[i];
        for (Index j = 0; j < nh; ++j) a += rbm.W()(i, j) * double((h >> j) & 1);
        p *= (s >> i) & 1 ? sigmoid(a) : 1 - sigmoid(a);
      }
      pv(h, s) = p;
    }
  const Matrixd q = ph * pv;
  Matrixd P = Matrixd::Zero(states, states);
  for (Index s = 0; s < states; ++s) {
    double stay = 1;
    for (Index t = 0; t < states; ++t) {
      if (t == s) continue;
      P(s, t) = q(s, t) * std::min(1.0, std::exp(beta * (enet[s] - enet[t])));
      stay -= P(s, t);
    }
    P(s, s) = stay;
  }
  return P;
}

// p_β ∝ exp(−β E_net − F) by enumeration.
Vectord exact_p(const Model& m, double beta) {
  MatrixX<double> x(states, d);
  for (Index s = 0; s < states; ++s)
    for (Index i = 0; i < d; ++i) x(s, i) = double((s >> i) & 1);
  Vectord en(states), f(states);
  m.net().energy(x, en);
  m.base().energy(x, f);
  Vectord lp = -(beta * en + f);
  lp.array() -= lp.maxCoeff();
  Vectord p = lp.array().exp().matrix();
  return p / p.sum();
}

TEST_CASE("RbmBaseEnergy: E = E_net + F, grad the sum, theta the net's", "[rbm_base][statistical]") {
  const Model m = small_model();
  MatrixX<double> x = test::random_binary<double>(20, d, 3);
  Vectord e(20), en(20), f(20);
  MatrixX<double> g(20, d), gn(20, d), gf(20, d);
  m.energy_and_grad(x, e, g);
  m.net().energy_and_grad(x, en, gn);
  m.base().energy_and_grad(x, f, gf);
  CHECK((e - en - f).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((g - gn - gf).cwiseAbs().maxCoeff() < 1e-12);
  Vectord e2(20);
  m.energy(x, e2);
  CHECK((e2 - e).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(m.num_params() == m.net().num_params());
  Vectord ga = Vectord::Zero(m.num_params()), gb = Vectord::Zero(m.num_params());
  m.accumulate_grad(x, 0.5, ga);
  m.net().accumulate_grad(x, 0.5, gb);
  CHECK(ga == gb);
  CHECK_THROWS_WITH(Model(MlpEnergyd(d + 1, {4}), test::random_rbm<double>(d, nh, 1.0, 0.5, 1)),
                    Catch::Contains("base RBM with 8 visible units for an energy of dimension 9"));
}

TEST_CASE("RBM-proposal Metropolis draws the exact p (chi-square, 256 states), at beta 1 and 0.5",
          "[rbm_base][statistical]") {
  const Model m = small_model();
  for (const double beta : {1.0, 0.5}) {
    INFO("beta = " << beta);
    const Vectord p = exact_p(m, beta);
    const Matrixd P = exact_transition(m, beta);
    test::check_exact_law(p, p, P, test::uniform_law(states), 40, double(chains), [&] {
      RbmProposalMetropolis<Model> k;
      k.set_net_beta(beta);
      return test::binary_final_counts(k, m, chains, 40, 51 + std::uint64_t(beta * 10));
    });
  }
}

TEST_CASE("negative control: the RBM's samples alone (no Hastings ratio) are rejected", "[rbm_base][statistical]") {
  const Model m = small_model();
  const Vectord p = exact_p(m, 1.0), p_rbm = exact_p(m, 0.0);
  // The proposal alone (β = 0) samples p_RBM; the test must tell it from p with these counts (power from the
  // exact distributions: the non-centrality is far beyond the critical value).
  REQUIRE(test::non_centrality(p, p_rbm, double(chains)) > 200);
  RbmProposalMetropolis<Model> k;
  k.set_net_beta(0.0);
  const auto counts = test::binary_final_counts(k, m, chains, 40, 61);
  const auto c = test::chi_square_test(p, counts, double(chains), test::sampler_alpha);
  CHECK(c.x2 > c.critical);
}

TEST_CASE("RBM-proposal Metropolis is bit-identical for 1 and 3 threads", "[rbm_base][statistical][threads]") {
  const Model m = small_model();
  auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, std::size_t(threads));
    RbmProposalMetropolis<Model> k(16);
    BinaryChains<double> s;
    auto rng = make_chain_streams(7, 100);
    k.init(m, s, test::random_binary<double>(100, d, 8), rng);
    for (int t = 0; t < 20; ++t) k.step(m, s, rng);
    return s;
  };
  const auto a = run(1), b = run(3);
  CHECK(a.x == b.x);
  CHECK(a.energy == b.energy);
  CHECK(a.acceptance == b.acceptance);
}

TEST_CASE("two-leg AIS (RBM, then the net) agrees with exact log Z (d = 16)", "[rbm_base][statistical][ais]") {
  auto net = test::mlp_with_base<double>(16, 16, 3.0, 0.0, 71).net();
  const Model m(net, test::random_rbm<double>(16, 8, 1.0, 0.5, 72));
  const double exact = exact_log_z(m);
  RbmBaseAisOptions o;
  o.rbm.num_betas = 1000;
  o.rbm.seed = 73;
  o.net_betas = 500;
  const Vectord base = m.base_rbm().b();
  const RbmBaseAisResult r = ais_log_z_rbm_base(m, base, o);
  INFO("exact " << exact << ", AIS " << r.log_z << " +- " << r.log_z_stderr << ", RBM leg " << r.rbm.log_z
                << ", ESS " << r.effective_sample_size << ", acceptance " << r.mean_acceptance);
  CHECK(std::abs(exact - exact_log_z(m.base())) > 1);  // the net leg has real distance to cover
  CHECK(r.log_z_stderr < 0.1);
  CHECK(std::abs(r.log_z - exact) < 3 * r.log_z_stderr + 0.03);
  CHECK(std::abs(r.rbm.log_z - exact_log_z(m.base())) < 3 * r.rbm.log_z_stderr + 0.03);
  CHECK(r.mean_acceptance > 0.3);
  CHECK(r.net_betas == 500);
}

}  // namespace rbm_base_test
