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
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "ebm/estimate/exact_categorical.hpp"
#include "ebm/samplers/categorical_samplers.hpp"
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
  std::vector<double> counts(729, 0.0);
  for (Index r = 0; r < potts_chains; ++r) counts[std::size_t(categorical_state_index(label_row(ConstLabelRef(s.x), r), q))] += 1;
  return counts;
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
  std::vector<double> counts(729, 0.0);
  for (Index r = 0; r < potts_chains; ++r) counts[std::size_t(categorical_state_index(label_row(ConstLabelRef(s.x), r), q))] += 1;
  const auto c = test::chi_square_test(p, counts, double(potts_chains), sampler_alpha);
  INFO("chi-square " << c.x2 << " on " << c.df << " df, critical " << c.critical);
  CHECK(c.x2 < c.critical);
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
