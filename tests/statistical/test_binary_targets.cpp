// The samplers added for the benchmark targets (systematic-scan Gibbs, Hamming ball, the path auxiliary sampler)
// against exact enumeration, and the targets' exact answers against every binary sampler.
//
// 1. Chi-square, as in test_binary_samplers.cpp: each kernel's exact transition matrix P from the papers' formulas
//    (support/target_transitions.hpp, independent of the kernels' code) gives p P = p exactly, and the exact law
//    after T steps from uniform starts, with T chosen so that TV(law_T, p) < 1e-4 (computed). Pearson's
//    chi-square of the final states of 3000 independent chains against p at α = 0.001, on a 3 × 3 periodic Ising
//    model with a random field (flip-delta paths) and on the MLP energy with base term of the other tests (d = 8,
//    batched paths, an inexact gradient for PAS); then the other binary samplers on the Ising model and every one
//    on a factorized Bernoulli (d = 8). 23 such tests false-alarm with probability ≤ 2.3 % together.
// 2. Negative controls: the same counts reject a slightly wrong p; a deliberately wrong PAS acceptance (the
//    reverse path's probability from the gradient at x, not at y) breaks p P = p, and draws from its exact law are
//    rejected by the same test.
// 3. Means by enumeration: a 4 × 4 Ising (65,536 states) near the critical coupling, the per-site mean of x and
//    the nearest-neighbour correlation under every binary sampler, within 4 MCSE (P(|z| > 4) = 6.3e-5 each);
//    a factorized Bernoulli of d = 400, chains started at exact draws, Σx within 4 MCSE of Σσ(a).
#include <catch2/catch.hpp>

#include <bit>
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

constexpr Index target_chains = 3000;
using test::sampler_alpha;

using Ising = IsingModel<double>;
using Mlp = BaseTermEnergy<MlpEnergyd>;

Vectord ising_field(Index d, double scale, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Vectord h(d);
  for (Index i = 0; i < d; ++i) h[i] = scale * standard_normal<double>(rng);
  return h;
}

// σ = 0.2, near σ_c ≈ 0.22: the 3 × 3 torus leans to all-up and all-down, which slows single-site moves (at
// σ = 0.3, 40 sweeps of systematic Gibbs leave TV 0.21 from p); the field breaks the symmetry.
Ising ising3() { return Ising(3, 3, 0.2, ising_field(9, 0.3, 51)); }
Mlp mlp8() { return test::mlp_with_base<double>(8, 16, 2.5, 1.0, 21); }

template <class K, class M>
std::vector<double> target_final_counts(K kernel, const M& model, int steps, std::uint64_t seed) {
  return test::binary_final_counts(std::move(kernel), model, target_chains, steps, seed);
}

template <class K, class M>
void check_target_samples_p(const std::string& name, K kernel, const M& model, const Matrixd& P, int steps,
                     std::uint64_t seed) {
  INFO(name);
  const Vectord p = exact_binary_distribution(model);
  test::check_exact_law(p, p, P, test::uniform_law(Index{1} << model.dim()), steps, double(target_chains),
                        [&] { return target_final_counts(kernel, model, steps, seed); });
}

}  // namespace

TEST_CASE("new samplers draw the exact p of a 3 x 3 periodic Ising model (chi-square, 512 states)",
          "[binary][statistical][chi-square][ising]") {
  const Ising model = ising3();
  const auto table = test::tabulate(model);
  check_target_samples_p("systematic-scan Gibbs", SystematicScanGibbs<Ising>(), model, test::systematic_gibbs_transition(table),
                  200, 201);
  check_target_samples_p("Hamming ball, block 3, radius 1", HammingBall<Ising>(3, 1), model,
                  test::hamming_ball_transition(table, 3, 1), 1500, 202);
  check_target_samples_p("Hamming ball, block 5, radius 2", HammingBall<Ising>(5, 2), model,
                  test::hamming_ball_transition(table, 5, 2), 800, 203);
  check_target_samples_p("PAS, path 3", PathAuxiliary<Ising>(3), model, test::path_auxiliary_transition(table, 3), 1000, 205);
  check_target_samples_p("PAS, path length uniform on 1..4", PathAuxiliary<Ising>(4, PathLength::uniform), model,
                  test::path_auxiliary_uniform_length_transition(table, 4), 1000, 204);
}

TEST_CASE("new samplers draw the exact p of an MLP energy with base term (chi-square, 256 states)",
          "[binary][statistical][chi-square]") {
  const Mlp model = mlp8();
  const auto table = test::tabulate(model);
  check_target_samples_p("systematic-scan Gibbs", SystematicScanGibbs<Mlp>(), model, test::systematic_gibbs_transition(table),
                  30, 211);
  check_target_samples_p("Hamming ball, block 4, radius 2", HammingBall<Mlp>(4, 2), model,
                  test::hamming_ball_transition(table, 4, 2), 100, 212);
  check_target_samples_p("PAS, path 1", PathAuxiliary<Mlp>(1), model, test::path_auxiliary_transition(table, 1), 100, 213);
  check_target_samples_p("PAS, path 3", PathAuxiliary<Mlp>(3), model, test::path_auxiliary_transition(table, 3), 100, 215);
  check_target_samples_p("PAS, path length uniform on 1..2", PathAuxiliary<Mlp>(2, PathLength::uniform), model,
                  test::path_auxiliary_uniform_length_transition(table, 2), 200, 214);
}

// The samplers of test_binary_samplers.cpp (GWG, DMALA, random-scan Gibbs, random-walk Metropolis) on the Ising
// target, and every binary sampler of `ebm bench` on an enumerable factorized Bernoulli (d = 8, its sanity row):
// each sampler against each target it is benchmarked on (DULA aside: its stationary law is biased by design,
// measured in test_binary_samplers.cpp). On the Ising energy (multilinear, no self-coupling) the first-order flip
// estimate of the gradient samplers equals the exact flip delta, as on the factorized Bernoulli.
TEST_CASE("gradient and single-site samplers draw the exact p of the 3 x 3 Ising model (chi-square, 512 states)",
          "[binary][statistical][chi-square][ising]") {
  const Ising model = ising3();
  const auto table = test::tabulate(model);
  check_target_samples_p("GWG, 1 flip", GibbsWithGradients<Ising>(1), model, test::gwg_transition(table, 1), 1500,
                         221);
  check_target_samples_p("GWG, 3 flips", GibbsWithGradients<Ising>(3), model, test::gwg_transition(table, 3), 1500,
                         222);
  check_target_samples_p("DMALA, alpha 0.6", Dmala<Ising>(0.6), model,
                         test::discrete_langevin_transition(table, 0.6, true), 1000, 223);
  check_target_samples_p("random-scan Gibbs", RandomScanGibbs<Ising>(), model,
                         test::single_flip_transition(table, true), 2500, 224);
  check_target_samples_p("random-walk Metropolis", RandomWalkMetropolis<Ising>(), model,
                         test::single_flip_transition(table, false), 2500, 225);
}

TEST_CASE("every binary sampler draws the exact p of a factorized Bernoulli (chi-square, 256 states)",
          "[binary][statistical][chi-square][bernoulli]") {
  using Bern = FactorizedBernoulli<double>;
  const Bern model(ising_field(8, 1.5, 231));
  const auto table = test::tabulate(model);
  check_target_samples_p("GWG, 1 flip", GibbsWithGradients<Bern>(1), model, test::gwg_transition(table, 1), 200, 232);
  check_target_samples_p("GWG, 3 flips", GibbsWithGradients<Bern>(3), model, test::gwg_transition(table, 3), 200, 233);
  check_target_samples_p("DMALA, alpha 0.6", Dmala<Bern>(0.6), model,
                         test::discrete_langevin_transition(table, 0.6, true), 100, 234);
  check_target_samples_p("random-scan Gibbs", RandomScanGibbs<Bern>(), model, test::single_flip_transition(table, true),
                         300, 235);
  check_target_samples_p("random-walk Metropolis", RandomWalkMetropolis<Bern>(), model,
                         test::single_flip_transition(table, false), 300, 236);
  check_target_samples_p("systematic-scan Gibbs", SystematicScanGibbs<Bern>(), model,
                         test::systematic_gibbs_transition(table), 10, 237);
  check_target_samples_p("Hamming ball, block 3, radius 1", HammingBall<Bern>(3, 1), model,
                         test::hamming_ball_transition(table, 3, 1), 200, 238);
  check_target_samples_p("PAS, path 3", PathAuxiliary<Bern>(3), model, test::path_auxiliary_transition(table, 3), 200,
                         239);
}

// With an even fixed path length the parity of Σx is invariant: p P = p still holds, but the chain is reducible
// and its law from uniform starts stays far from p. Measured here, so the documentation's warning stays true.
TEST_CASE("PAS with an even fixed path length preserves the parity of the start (reducible), as documented",
          "[binary][statistical][ising]") {
  const Ising model = ising3();
  const auto table = test::tabulate(model);
  const Vectord p = exact_binary_distribution(model);
  const Matrixd P = test::path_auxiliary_transition(table, 2);
  CHECK((p.transpose() * P - p.transpose()).cwiseAbs().maxCoeff() < 1e-13);
  for (Index s = 0; s < P.rows(); ++s)
    for (Index y = 0; y < P.cols(); ++y)
      if (P(s, y) > 0) CHECK(std::popcount(std::uint64_t(s ^ y)) % 2 == 0);
  const double tv = test::total_variation(test::law_after(P, test::uniform_law(512), 1000), p);
  INFO("TV(law after 1000 steps, p) = " << tv);
  CHECK(tv > 0.1);
}

TEST_CASE("negative controls: a slightly wrong p, and a PAS with a wrong acceptance, are rejected",
          "[binary][statistical][chi-square][ising]") {
  const Ising model = ising3();
  const Vectord p = exact_binary_distribution(model);
  SECTION("the sampler's counts against a wrong p (coupling 0.2 → 0.26)") {
    const Ising wrong(3, 3, 0.26, model.field());
    const Vectord q = exact_binary_distribution(wrong);
    INFO("TV(p, q) = " << test::total_variation(p, q));
    REQUIRE(test::has_power(p, q, double(target_chains), sampler_alpha));
    const auto c = test::chi_square_test(q, target_final_counts(SystematicScanGibbs<Ising>(), model, 200, 201), double(target_chains), sampler_alpha);
    INFO("chi-square against q " << c.x2 << ", critical " << c.critical);
    CHECK(c.x2 > c.critical);
  }
  SECTION("PAS with the reverse path's probability from the gradient at x instead of at y") {
    const auto table = test::tabulate(model);
    const Matrixd P = test::path_auxiliary_transition(table, 3, true);
    const double drift = (p.transpose() * P - p.transpose()).cwiseAbs().maxCoeff();
    INFO("max |p P − p| = " << drift);
    CHECK(drift > 1e-3);  // the invariance check above would catch it
    const Vectord law = test::law_after(P, test::uniform_law(512), 1000);
    INFO("TV(law of the wrong kernel after 1000 steps, p) = " << test::total_variation(law, p));
    REQUIRE(test::has_power(law, p, double(target_chains), sampler_alpha));
    // 3000 draws from that law (inverse CDF, fixed seed) are what the wrong kernel's chains would give.
    Rng rng = make_stream(206, StreamPurpose::user, 0);
    std::vector<double> counts(512, 0.0);
    for (Index r = 0; r < target_chains; ++r) {
      const double u = uniform01d(rng);
      double acc = 0;
      Index s = 0;
      while (s < 511 && (acc += law[s]) <= u) ++s;
      counts[std::size_t(s)] += 1;
    }
    const auto c = test::chi_square_test(p, counts, double(target_chains), sampler_alpha);
    INFO("chi-square against p " << c.x2 << ", critical " << c.critical);
    CHECK(c.x2 > c.critical);
  }
}

namespace {

// Per chain and step, a statistic of the states after a burn-in; its grand mean within 4 MCSE of the exact one.
template <class K, class M, class F>
void check_mean(const std::string& name, K kernel, const M& model, const Matrixd& start, int burn_in, int steps,
                F&& statistic, double exact, double max_mcse, std::uint64_t seed) {
  INFO(name);
  const Index n = start.rows();
  BinaryChains<double> s;
  auto rng = make_chain_streams(seed, n);
  kernel.init(model, s, start, rng);
  for (int t = 0; t < burn_in; ++t) kernel.step(model, s, rng);
  Eigen::MatrixXd draws(steps, n);
  for (int t = 0; t < steps; ++t) {
    kernel.step(model, s, rng);
    for (Index r = 0; r < n; ++r) draws(t, r) = statistic(s.x.row(r));
  }
  const auto e = test::estimate_mean(draws);
  INFO("sampler " << e.mean << " +- " << e.mcse << " (tau " << e.tau << ", ESS " << e.ess << "), exact " << exact);
  CHECK(std::abs(e.mean - exact) < 4 * e.mcse);
  CHECK(e.mcse < max_mcse);  // the check has teeth
}

}  // namespace

TEST_CASE("every binary sampler reproduces the exact means of a 4 x 4 Ising model (enumerated)",
          "[binary][statistical][ising][mean]") {
  const Ising model(4, 4, 0.2, ising_field(16, 0.2, 61));
  const Vectord p = exact_binary_distribution(model);
  // Exact E[mean of x] and E[nearest-neighbour correlation c(x) = sᵀAs / (4d)] (each edge twice, so c ∈ [−1, 1]).
  const Index d = 16;
  auto mean_x = [](const auto& x) { return x.mean(); };
  const Ising plain(4, 4, 1.0);  // E = −sᵀAs at σ = 1, no field
  auto correlation = [&](const auto& x) {
    Vectord e(1);
    plain.energy(x, e);
    return -e[0] / (4.0 * double(d));
  };
  double m_exact = 0, c_exact = 0;
  for (Index st = 0; st < p.size(); ++st) {
    Matrixd x(1, d);
    for (Index i = 0; i < d; ++i) x(0, i) = double((st >> i) & 1);
    m_exact += p[st] * mean_x(x.row(0));
    c_exact += p[st] * correlation(x.row(0));
  }
  const Matrixd start = test::random_binary<double>(64, d, 62);
  auto both = [&](const std::string& name, auto kernel, int burn_in, int steps, std::uint64_t seed) {
    check_mean(name + ", mean of x", kernel, model, start, burn_in, steps, mean_x, m_exact, 0.01, seed);
    check_mean(name + ", nn correlation", kernel, model, start, burn_in, steps, correlation, c_exact, 0.01, seed + 1);
  };
  // Steps chosen so that every MCSE is below 0.01 (random-scan Gibbs needs ~800 steps per independent draw).
  both("systematic-scan Gibbs", SystematicScanGibbs<Ising>(), 200, 1600, 301);
  both("random-scan Gibbs", RandomScanGibbs<Ising>(), 3000, 24000, 303);
  both("GWG", GibbsWithGradients<Ising>(1), 1500, 12000, 305);
  both("DMALA", Dmala<Ising>(0.3), 1000, 8000, 307);
  both("Hamming ball 4/2", HammingBall<Ising>(4, 2), 1500, 12000, 309);
  both("PAS 3", PathAuxiliary<Ising>(3), 600, 4800, 311);
}

TEST_CASE("factorized Bernoulli, d = 400: chains started at exact draws stay exact under every new sampler",
          "[binary][statistical][bernoulli][mean]") {
  const Index d = 400, n = 32;
  const FactorizedBernoulli<double> model(ising_field(d, 1.5, 71));
  const Vectord m = model.mean();
  const double exact = m.sum(), sd = std::sqrt((m.array() * (1 - m.array())).sum());
  Matrixd start(n, d);
  Rng rng = make_stream(72, StreamPurpose::init, 0);
  for (Index r = 0; r < n; ++r) model.sample(rng, std::span<double>(start.row(r).data(), std::size_t(d)));
  auto sum_x = [](const auto& x) { return x.sum(); };
  // Σx has sd ≈ 8; 4 MCSE of a few hundred effective draws is well below one sd.
  check_mean("systematic-scan Gibbs", SystematicScanGibbs<FactorizedBernoulli<double>>(), model, start, 0, 200, sum_x,
             exact, 0.1 * sd, 401);
  check_mean("Hamming ball 8/2", HammingBall<FactorizedBernoulli<double>>(8, 2), model, start, 0, 2000, sum_x, exact,
             0.5 * sd, 402);
  check_mean("PAS 5", PathAuxiliary<FactorizedBernoulli<double>>(5), model, start, 0, 2000, sum_x, exact, 0.5 * sd, 403);
  check_mean("GWG", GibbsWithGradients<FactorizedBernoulli<double>>(1), model, start, 0, 2000, sum_x, exact, 0.5 * sd,
             404);
}
