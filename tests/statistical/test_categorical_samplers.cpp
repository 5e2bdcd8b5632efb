// The categorical kernels (random-scan and systematic-scan single-site Gibbs, categorical Gibbs-with-Gradients)
// against exact enumeration on a 2 × 3 periodic Potts model with q = 3 and a random field (729 states).
//
// 1. Chi-square, as in test_binary_targets.cpp: each kernel's exact transition matrix P from the papers' formulas
//    (support/categorical_transition.hpp, independent of the kernels' code) gives p P = p exactly, and the exact
//    law after T steps from uniform starts, with T chosen so that TV(law_T, p) < 1e-4 (computed). Pearson's
//    chi-square of the final states of 3000 independent chains against p at α = 0.001 (states pooled to ≥ 5
//    expected counts, support/goodness_of_fit.hpp). Four such tests false-alarm with probability ≤ 0.4 % together.
// 2. Negative controls: the same counts reject a slightly wrong p (J 0.8 → 1.0); GWG without the proposal ratio in
//    its acceptance breaks p P = p, and draws from its exact law are rejected by the same test. Both only after
//    checking, from the non-centrality, that the test has the power to reject.
// 3. Parallel tempering around each kernel (categorical_tempering.hpp), two temperatures β = 1, 0.4, on a 2 × 2
//    Potts model with q = 3 (81 states, so the ladder's chain over pairs of states has 6561): its exact law after
//    T rounds is computed from the kernels' exact matrices and the swap rule (pt_pair_law below, independent of
//    ParallelTempering's code), which checks that p ⊗ p_0.4 is invariant and that the β = 1 marginal is within
//    1e-4 of p in total variation after T rounds; then the β = 1 states of 3000 independent ladders pass the same
//    chi-square test, and (negative control) reject p^0.8.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "ebm/estimate/exact_categorical.hpp"
#include "ebm/models/tempered_categorical_model.hpp"
#include "ebm/samplers/categorical_samplers.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "support/binary_transition.hpp"
#include "support/categorical_transition.hpp"
#include "support/exact_law_check.hpp"
#include "support/goodness_of_fit.hpp"

using namespace ebm;

namespace {

constexpr Index potts_chains = 3000;
using test::sampler_alpha;
constexpr int q = 3;

using Potts = PottsModel<double>;

Vectord potts_field(Index size, double scale, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Vectord h(size);
  for (Index k = 0; k < size; ++k) h[k] = scale * standard_normal<double>(rng);
  return h;
}

// J = 0.8 (J_c of the infinite lattice ≈ 1.005): the tiny torus (double edges across its side of 2) leans towards
// equal labels; the field breaks the symmetry between labels.
Potts potts23() { return Potts(2, 3, q, 0.8, potts_field(18, 0.5, 81)); }

// Uniform labels, the law the exact computation starts from.
LabelMatrix uniform_starts(Index rows, Index sites, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  LabelMatrix x(rows, sites);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<Label>(detail::uniform_index_exact(rng, q));
  return x;
}

template <class K>
std::vector<double> potts_final_counts(K kernel, const Potts& model, int steps, std::uint64_t seed) {
  typename K::State s;
  auto rng = make_chain_streams(seed, potts_chains);
  kernel.init(model, s, uniform_starts(potts_chains, model.num_sites(), seed + 1), rng);
  for (int t = 0; t < steps; ++t) kernel.step(model, s, rng);
  return test::categorical_counts(s.x, q);
}

template <class K>
void check_potts_samples_p(const std::string& name, K kernel, const Potts& model, const Matrixd& P, int steps,
                     std::uint64_t seed) {
  INFO(name);
  const Vectord p = exact_categorical_distribution(model);
  test::check_exact_law(p, p, P, test::uniform_law(729), steps, double(potts_chains),
                        [&] { return potts_final_counts(kernel, model, steps, seed); });
}

}  // namespace

TEST_CASE("categorical samplers draw the exact p of a 2 x 3 periodic Potts model, q = 3 (chi-square, 729 states)",
          "[categorical][statistical][chi-square][potts]") {
  const Potts model = potts23();
  const auto table = test::tabulate_categorical(model);
  check_potts_samples_p("systematic-scan Gibbs", CategoricalSystematicGibbs<Potts>(), model,
                  test::systematic_gibbs_transition(table), 40, 501);
  check_potts_samples_p("random-scan Gibbs", CategoricalRandomScanGibbs<Potts>(), model,
                  test::random_scan_gibbs_transition(table), 400, 502);
  check_potts_samples_p("categorical GWG", CategoricalGibbsWithGradients<Potts>(), model,
                  test::categorical_gwg_transition(table), 250, 503);
}

TEST_CASE("categorical GWG in float draws the exact p of the same Potts model (chi-square)",
          "[categorical][statistical][chi-square][potts]") {
  const Potts model = potts23();
  const PottsModel<float> model_f(2, 3, q, 0.8, model.field().cast<float>());
  const auto table = test::tabulate_categorical(model_f);
  const Vectord p = exact_categorical_distribution(model_f);
  const Matrixd P = test::categorical_gwg_transition(table);
  const double tv = test::total_variation(test::law_after(P, test::uniform_law(729), 250), p);
  REQUIRE(tv < 1e-4);
  CategoricalGibbsWithGradients<PottsModel<float>> kernel;
  CategoricalChains<float> s;
  auto rng = make_chain_streams(504, potts_chains);
  kernel.init(model_f, s, uniform_starts(potts_chains, 6, 505), rng);
  for (int t = 0; t < 250; ++t) kernel.step(model_f, s, rng);
  test::check_counts_follow(p, test::categorical_counts(s.x, q), double(potts_chains));
}

TEST_CASE("negative controls: a slightly wrong p, and GWG without its proposal ratio, are rejected",
          "[categorical][statistical][chi-square][potts]") {
  const Potts model = potts23();
  const Vectord p = exact_categorical_distribution(model);
  SECTION("the sampler's counts against a wrong p (coupling 0.8 → 1.0)") {
    const Potts wrong(2, 3, q, 1.0, model.field());
    const Vectord q_law = exact_categorical_distribution(wrong);
    INFO("TV(p, q) = " << test::total_variation(p, q_law));
    REQUIRE(test::has_power(p, q_law, double(potts_chains), sampler_alpha));
    const auto c = test::chi_square_test(q_law, potts_final_counts(CategoricalSystematicGibbs<Potts>(), model, 40, 501), double(potts_chains), sampler_alpha);
    INFO("chi-square against q " << c.x2 << ", critical " << c.critical);
    CHECK(c.x2 > c.critical);
  }
  SECTION("GWG accepting with min(1, p(y)/p(x)), without q(x | y)/q(y | x)") {
    const Matrixd P = test::categorical_gwg_transition(test::tabulate_categorical(model), false);
    const double drift = (p.transpose() * P - p.transpose()).cwiseAbs().maxCoeff();
    INFO("max |p P − p| = " << drift);
    CHECK(drift > 1e-4);  // the invariance check above would catch it
    const Vectord law = test::law_after(P, test::uniform_law(729), 1000);
    INFO("TV(law of the wrong kernel after 1000 steps, p) = " << test::total_variation(law, p));
    REQUIRE(test::has_power(law, p, double(potts_chains), sampler_alpha));
    // 3000 draws from that law (inverse CDF, fixed seed) are what the wrong kernel's chains would give.
    Rng rng = make_stream(506, StreamPurpose::user, 0);
    std::vector<double> counts(729, 0.0);
    for (Index r = 0; r < potts_chains; ++r) {
      const double u = uniform01d(rng);
      double acc = 0;
      Index s = 0;
      while (s < 728 && (acc += law[s]) <= u) ++s;
      counts[std::size_t(s)] += 1;
    }
    const auto c = test::chi_square_test(p, counts, double(potts_chains), sampler_alpha);
    INFO("chi-square against p " << c.x2 << ", critical " << c.critical);
    CHECK(c.x2 > c.critical);
  }
}

namespace {

// The exact law of a two-temperature ladder (β_0 = 1, β_1 = β) over pairs of states, L(a, b) = P(replica 0 at a,
// replica 1 at b), after `rounds` rounds from `start`. A round is one kernel step of each replica (independent
// streams), L ← P_1ᵀ L P_β, then, in even rounds only (K = 2 has no odd pair), the swap (a, b) → (b, a) accepted
// with α(a, b) = min(1, exp((1 − β)(E(a) − E(b)))).
Matrixd pt_pair_law(const Matrixd& P1, const Matrixd& Pb, const Vectord& energy, double beta, Matrixd L, int rounds) {
  const Index N = energy.size();
  auto alpha = [&](Index a, Index b) { return std::min(1.0, std::exp((1 - beta) * (energy[a] - energy[b]))); };
  for (int t = 0; t < rounds; ++t) {
    L = P1.transpose() * L * Pb;
    if (t % 2 != 0) continue;
    Matrixd next(N, N);
    for (Index a = 0; a < N; ++a)
      for (Index b = 0; b < N; ++b) next(a, b) = L(a, b) * (1 - alpha(a, b)) + L(b, a) * alpha(b, a);
    L = next;
  }
  return L;
}

using Tempered = TemperedCategoricalModel<Potts>;

template <class K>
void check_pt_samples_p(const std::string& name, Matrixd (*transition)(const test::CategoricalTable&), int rounds,
                        std::uint64_t seed) {
  INFO("PT around " << name);
  constexpr double beta = 0.4;
  const Potts model(2, 2, q, 1.2, potts_field(12, 0.5, 82));
  const Vectord p = exact_categorical_distribution(model), pb = exact_categorical_distribution(Tempered(model, beta));
  const auto table = test::tabulate_categorical(model);
  const Matrixd P1 = transition(table), Pb = transition(test::tabulate_categorical(Tempered(model, beta)));
  const Matrixd product = p * pb.transpose();
  CHECK((pt_pair_law(P1, Pb, table.energy, beta, product, 2) - product).cwiseAbs().maxCoeff() < 1e-13);
  // Both replicas of a ladder start at the same uniform labelling.
  const Matrixd L = pt_pair_law(P1, Pb, table.energy, beta, Matrixd(test::uniform_law(81).asDiagonal()), rounds);
  const double tv = test::total_variation(L.rowwise().sum(), p);
  INFO("TV(beta = 1 marginal after " << rounds << " rounds, p) = " << tv);
  REQUIRE(tv < 1e-4);
  ParallelTempering<K> pt(K{}, potts_chains, {1.0, beta}, 1, seed);
  pt.start(model, uniform_starts(potts_chains, model.num_sites(), seed + 1));
  for (int t = 0; t < rounds; ++t) pt.advance(model);
  const auto counts = test::categorical_counts(pt.state().x, q);
  test::check_counts_follow(p, counts, double(potts_chains));
  CHECK(pt.swap_stats().accepts[0] > 0);
  const Vectord p08 = exact_categorical_distribution(Tempered(model, 0.8));
  REQUIRE(test::has_power(p, p08, double(potts_chains), sampler_alpha));
  const auto wrong = test::chi_square_test(p08, counts, double(potts_chains), sampler_alpha);
  INFO("against p^0.8: chi-square " << wrong.x2 << ", critical " << wrong.critical);
  CHECK(wrong.x2 > wrong.critical);
}

}  // namespace

TEST_CASE("parallel tempering around the categorical kernels draws the exact p of a 2 x 2 Potts model (chi-square)",
          "[categorical][statistical][chi-square][potts][pt]") {
  check_pt_samples_p<CategoricalRandomScanGibbs<Tempered>>("random-scan Gibbs", test::random_scan_gibbs_transition,
                                                            300, 511);
  check_pt_samples_p<CategoricalSystematicGibbs<Tempered>>("systematic-scan Gibbs", test::systematic_gibbs_transition,
                                                            60, 512);
  check_pt_samples_p<CategoricalGibbsWithGradients<Tempered>>(
      "categorical GWG", [](const test::CategoricalTable& t) { return test::categorical_gwg_transition(t); }, 200, 513);
}
