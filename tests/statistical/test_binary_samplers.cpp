// The samplers over binary x ∈ {0,1}^8 (Gibbs-with-Gradients with 1 and 3 flips, DMALA, DULA, random-scan Gibbs,
// random-walk Metropolis) against exact enumeration, on an MLP energy with a base term and on an RBM's free
// energy (256 states each).
//
// How. support/binary_transition.hpp builds each kernel's exact transition matrix P from the papers' formulas
// (independently of the kernels' code). From it: p P = p exactly for every Metropolis kernel (the acceptance
// formulas are right); the exact law of the chains after T steps from their start law (independent fair coins,
// i.e. uniform), so T is chosen with TV(law_T, p) < 1e-4 computed, not guessed; and DULA's biased stationary
// law. The sampling test is Pearson's chi-square of the final states of 3000 independent chains (one draw each,
// so the draws are independent, no thinning argument) against p at α = 0.001; 15 such tests (with the
// systematic scan, Hamming ball and PAS on the RBM) false-alarm with probability ≤ 1.5 % together, and their seeds are fixed. A negative control shows the same counts reject a
// slightly wrong p (with the power required from the exact distributions, as in test_gibbs_distribution.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "ebm/estimate/exact_binary.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "support/binary_fixtures.hpp"
#include "support/binary_transition.hpp"
#include "support/exact_law_check.hpp"
#include "support/goodness_of_fit.hpp"
#include "support/mcse.hpp"
#include "support/target_transitions.hpp"

using namespace ebm;

namespace {

constexpr Index d = 8, states = Index{1} << d, sampler_chains = 3000;
using test::sampler_alpha;

using Mlp = BaseTermEnergy<MlpEnergyd>;
using Rbm = RbmFreeEnergy<float>;

Mlp mlp_model() { return test::mlp_with_base<double>(d, 16, 2.5, 1.0, 21); }
Rbm rbm_model() { return test::rbm_free_energy<float>(d, 6, 1.2, 0.5, 22); }

template <class K, class M>
std::vector<double> sampler_final_counts(K kernel, const M& model, int steps, std::uint64_t seed) {
  return test::binary_final_counts(std::move(kernel), model, sampler_chains, steps, seed);
}
test::ChiSquare chi_square(const Vectord& p, const std::vector<double>& counts) {
  return test::chi_square_test(p, counts, double(sampler_chains), sampler_alpha);
}
double non_centrality(const Vectord& p, const Vectord& q) { return test::non_centrality(p, q, double(sampler_chains)); }

// The kernel's exact P leaves p invariant (through the tabulated energies P was built from: a float model's energies
// from another batch split may differ in the last bits, by ~1e-8 in p), and its draws follow p.
template <class K, class M>
void check_samples_p(const std::string& name, K kernel, const M& model, const Matrixd& P, int steps,
                     std::uint64_t seed) {
  INFO(name);
  const auto table = test::tabulate(model);
  Vectord tabulated = (-(table.energy.array() - table.energy.minCoeff())).exp().matrix();
  tabulated /= tabulated.sum();
  test::check_exact_law(exact_binary_distribution(model), tabulated, P, test::uniform_law(states), steps,
                        double(sampler_chains), [&] { return sampler_final_counts(kernel, model, steps, seed); });
}

}  // namespace

TEST_CASE("binary samplers draw the exact p of an MLP energy with base term (chi-square, 256 states)",
          "[binary][statistical][chi-square]") {
  const Mlp model = mlp_model();
  const auto table = test::tabulate(model);
  check_samples_p("GWG, 1 flip", GibbsWithGradients<Mlp>(1), model, test::gwg_transition(table, 1), 60, 101);
  check_samples_p("GWG, 3 flips", GibbsWithGradients<Mlp>(3), model, test::gwg_transition(table, 3), 60, 102);
  check_samples_p("DMALA, alpha 0.6", Dmala<Mlp>(0.6), model, test::discrete_langevin_transition(table, 0.6, true),
                  60, 103);
  check_samples_p("random-scan Gibbs", RandomScanGibbs<Mlp>(), model, test::single_flip_transition(table, true), 150,
                  104);
  check_samples_p("random-walk Metropolis", RandomWalkMetropolis<Mlp>(), model,
                  test::single_flip_transition(table, false), 150, 105);
}

TEST_CASE("binary samplers draw the exact p of an RBM's free energy (chi-square, 256 states)",
          "[binary][statistical][chi-square]") {
  const Rbm model = rbm_model();
  const auto table = test::tabulate(model);
  check_samples_p("GWG, 1 flip", GibbsWithGradients<Rbm>(1), model, test::gwg_transition(table, 1), 60, 111);
  check_samples_p("GWG, 3 flips", GibbsWithGradients<Rbm>(3), model, test::gwg_transition(table, 3), 60, 112);
  check_samples_p("DMALA, alpha 0.6", Dmala<Rbm>(0.6), model, test::discrete_langevin_transition(table, 0.6, true),
                  60, 113);
  check_samples_p("random-scan Gibbs", RandomScanGibbs<Rbm>(), model, test::single_flip_transition(table, true), 150,
                  114);
  check_samples_p("random-walk Metropolis", RandomWalkMetropolis<Rbm>(), model,
                  test::single_flip_transition(table, false), 150, 115);
}

// The samplers of test_binary_targets.cpp on the RBM's free energy (its `ebm bench` rbm target runs them too).
TEST_CASE("systematic Gibbs, Hamming ball and PAS draw the exact p of an RBM's free energy (chi-square, 256 states)",
          "[binary][statistical][chi-square]") {
  const Rbm model = rbm_model();
  const auto table = test::tabulate(model);
  check_samples_p("systematic-scan Gibbs", SystematicScanGibbs<Rbm>(), model, test::systematic_gibbs_transition(table),
                  30, 116);
  check_samples_p("Hamming ball, block 4, radius 2", HammingBall<Rbm>(4, 2), model,
                  test::hamming_ball_transition(table, 4, 2), 100, 117);
  check_samples_p("PAS, path 3", PathAuxiliary<Rbm>(3), model, test::path_auxiliary_transition(table, 3), 100, 118);
  check_samples_p("PAS, path length uniform on 1..2", PathAuxiliary<Rbm>(2, PathLength::uniform), model,
                  test::path_auxiliary_uniform_length_transition(table, 2), 200, 119);
}

TEST_CASE("negative control: the chi-square test rejects a slightly wrong p (GWG draws)",
          "[binary][statistical][chi-square]") {
  const Mlp model = mlp_model();
  const Vectord p = exact_binary_distribution(model);
  // The wrong target: the same energy with one base logit off by 0.6.
  Vectord a = model.base_logits();
  a[3] += 0.6;
  const Mlp wrong(model.net(), a);
  const Vectord q = exact_binary_distribution(wrong);
  const auto cells = test::pool_states(q, double(sampler_chains));
  const int df = cells.cells() - 1;
  const double lambda = non_centrality(p, q), critical = test::chi_square_critical(df, sampler_alpha);
  INFO("TV(p, q) = " << test::total_variation(p, q) << ", non-centrality " << lambda << " on " << df << " df");
  // The expected statistic df + λ lies more than 4 of its standard deviations √(2(df + 2λ)) above the critical
  // value: the test has power ≈ 1 and must reject.
  REQUIRE(df + lambda - critical > 4 * std::sqrt(2 * (df + 2 * lambda)));
  const auto counts = sampler_final_counts(GibbsWithGradients<Mlp>(1), model, 60, 101);
  const double x2 = test::chi_square_statistic(cells, counts);
  INFO("chi-square against q: " << x2 << ", critical " << critical);
  CHECK(x2 > critical);
}

// DULA has no test: its stationary law π_α is not p. Computed exactly (the left eigenvector of its transition
// matrix) and documented here: on this MLP energy TV(π_α, p) = 0.113 at α = 0.3 and 0.259 at α = 1 (the bias
// grows with α; exact numbers, asserted within ±20 %), and the sampler's final states follow π_α, not p. For
// comparison, DMALA at any α and GWG have TV 0 (p P = p above).
TEST_CASE("DULA's stationary bias against the exact p, measured and bounded", "[binary][statistical][dula]") {
  const Mlp model = mlp_model();
  const Vectord p = exact_binary_distribution(model);
  const auto table = test::tabulate(model);
  struct Case {
    double alpha, tv_lo, tv_hi;
  };
  for (const Case c : {Case{0.3, 0.09, 0.136}, Case{1.0, 0.207, 0.311}}) {
    const Matrixd P = test::discrete_langevin_transition(table, c.alpha, false);
    const Vectord pi = test::stationary_law(P);
    const double tv = test::total_variation(pi, p);
    INFO("alpha " << c.alpha << ": TV(pi_alpha, p) = " << tv);
    CHECK(tv > c.tv_lo);
    CHECK(tv < c.tv_hi);
    const int steps = 60;
    const double tv_t = test::total_variation(test::law_after(P, test::uniform_law(states), steps), pi);
    INFO("TV(law after " << steps << " steps, pi_alpha) = " << tv_t);
    REQUIRE(tv_t < 1e-4);
    const auto counts = sampler_final_counts(Dula<Mlp>(c.alpha), model, steps, 120 + std::uint64_t(10 * c.alpha));
    const auto against_pi = chi_square(pi, counts);
    INFO("chi-square against pi_alpha " << against_pi.x2 << " on " << against_pi.df << " df, critical "
                                        << against_pi.critical);
    CHECK(against_pi.x2 < against_pi.critical);
    // Against p the bias is visible whenever the test has the power to see it.
    const double lambda = non_centrality(pi, p);
    const auto against_p = chi_square(p, counts);
    INFO("against p: non-centrality " << lambda << ", chi-square " << against_p.x2 << ", critical "
                                      << against_p.critical);
    if (against_p.df + lambda - against_p.critical > 4 * std::sqrt(2 * (against_p.df + 2 * lambda)))
      CHECK(against_p.x2 > against_p.critical);
  }
}

TEST_CASE("DMALA: step-size adaptation reaches the target acceptance, then the step size stays frozen",
          "[binary][statistical][dmala]") {
  const auto model = test::mlp_with_base<double>(40, 32, 2.0, 1.0, 31);
  const Index n = 256;
  Dmala<Mlp> dmala(0.05);
  BinaryChains<double> s;
  auto rng = make_chain_streams(32, n);
  dmala.init(model, s, test::random_binary<double>(n, 40, 33), rng);
  // A tiny step flips almost nothing and is almost always accepted.
  double tiny = 0;
  for (int t = 0; t < 20; ++t) tiny += dmala.step(model, s, rng).acceptance_rate / 20;
  CHECK(tiny > 0.99);
  const WarmupReport rep = warm_up_step_size(dmala, model, s, std::span<Rng>(rng), StepSizeWarmup{500, {}});
  INFO("adapted step size " << rep.step_size);
  CHECK(rep.step_size > 0.05);
  CHECK(dmala.step_size() == rep.step_size);
  Eigen::MatrixXd acc(400, n);
  double flips = 0;
  for (Index t = 0; t < 400; ++t) {
    flips += dmala.step(model, s, rng).mean_flips / 400;
    acc.row(t) = s.acceptance.transpose();
  }
  CHECK(dmala.step_size() == rep.step_size);  // frozen
  const auto e = test::estimate_mean(acc);
  INFO("acceptance after warm-up " << e.mean << " +- " << e.mcse << ", mean flips per proposal " << flips);
  // The same tolerance as MALA's (test_langevin.cpp: 0.02, three standard deviations of the adapted
  // acceptance's spread); the MCSE of the frozen-phase mean must be small beside it.
  CHECK(e.mcse < 0.005);
  CHECK(std::abs(e.mean - 0.574) < 0.02);
  CHECK(flips > 1);  // the adapted proposal moves more than one coordinate at a time
}

TEST_CASE("one kernel, two chain sets, θ changes: both sets re-evaluate their caches and sample the new p",
          "[binary][statistical][cache]") {
  Mlp model = mlp_model();
  const Mlp other = test::mlp_with_base<double>(d, 16, 2.5, 1.0, 41);
  const Mlp target(other.net(), model.base_logits());  // what `model` becomes: another net, the same base
  GibbsWithGradients<Mlp> gwg;
  BinaryChains<double> a, b;
  auto rng_a = make_chain_streams(42, sampler_chains), rng_b = make_chain_streams(43, sampler_chains);
  gwg.init(model, a, test::random_binary<double>(sampler_chains, d, 44), rng_a);
  gwg.init(model, b, test::random_binary<double>(sampler_chains, d, 45), rng_b);
  for (int t = 0; t < 5; ++t) {
    gwg.step(model, a, rng_a);
    gwg.step(model, b, rng_b);
  }
  model.set_params(other.params());  // a trainer's update
  CHECK_FALSE(gwg.cache_is_current(model, a));
  CHECK_FALSE(gwg.cache_is_current(model, b));
  gwg.step(model, a, rng_a);  // refreshes a's cache only
  CHECK(gwg.cache_is_current(model, a));
  CHECK_FALSE(gwg.cache_is_current(model, b));
  gwg.step(model, b, rng_b);  // and b's, although the kernel has just seen this θ
  CHECK(gwg.cache_is_current(model, b));
  Vectord e(sampler_chains);
  Matrixd g(sampler_chains, d);
  model.energy_and_grad(b.x, e, g);
  // Equal up to rounding (one product over all rows here, blocks of 25 in the kernel); a stale cache would be
  // off by O(1).
  CHECK((e - b.energy).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((g - b.grad).cwiseAbs().maxCoeff() < 1e-12);
  for (int t = 0; t < 60; ++t) {
    gwg.step(model, a, rng_a);
    gwg.step(model, b, rng_b);
  }
  std::vector<double> counts(std::size_t(states), 0.0);
  for (Index r = 0; r < sampler_chains; ++r) counts[std::size_t(binary_state_index(b.x.row(r)))] += 1;
  const Vectord p = exact_binary_distribution(target);
  const auto c = chi_square(p, counts);
  INFO("set b against the new p: chi-square " << c.x2 << " on " << c.df << " df, critical " << c.critical);
  CHECK(c.x2 < c.critical);
}
