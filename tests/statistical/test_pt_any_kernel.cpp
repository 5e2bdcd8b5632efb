// Parallel tempering over kernels other than block Gibbs (tempering_concept.hpp): Gibbs-with-Gradients on binary
// energies against exact enumeration, and MALA on a bimodal 1-D mixture against its known moments.
//
// GWG. N independent ladders, each contributing the final state of its β = 1 chain after T rounds (one draw per
// ladder, so the draws are independent), tested by Pearson's chi-square against exact p(x) (2^10 states) at
// α = 0.001: on an MLP energy with a base term, tempered towards a factorized Bernoulli base (E_β = βE − (1 − β)aᵀx,
// swap energy E + aᵀx), and on an RBM's free energy tempered by scaling down to β = 0 (the uniform law). The
// chains start at independent fair coins. Negative control: the same counts reject p tempered to β = 0.8.
//
// MALA. p = 0.3 N(−3, 0.7²) + 0.7 N(3, 0.7²): the barrier at 0 is ~9 nats above the modes, so MALA alone,
// started in the left mode, stays there (checked: the test rejects it); with 5 temperatures down to β = 0.05 the
// chains cross. Each ladder's time average of x and x² over 3000 rounds after 300 of warm-up is one independent
// draw of the estimator; the tolerance is 4 standard errors of the mean of those 128 draws.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/estimate/exact_binary.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/mala.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "support/binary_fixtures.hpp"
#include "support/goodness_of_fit.hpp"
#include "support/mixture_energy.hpp"

using namespace ebm;

namespace {

constexpr Index d = 10, ladders = 3000;
constexpr double pt_alpha = 0.001;

template <class PT, class M>
std::vector<double> pt_final_counts(PT& pt, const M& model, int rounds, std::uint64_t seed) {
  pt.start(model, test::random_binary<typename M::Scalar>(ladders, d, seed));
  for (int t = 0; t < rounds; ++t) pt.advance(model);
  std::vector<double> counts(std::size_t(Index{1} << d), 0.0);
  for (Index r = 0; r < ladders; ++r) counts[std::size_t(binary_state_index(pt.state().x.row(r)))] += 1;
  return counts;
}

test::ChiSquare pt_chi_square(const Vectord& p, const std::vector<double>& counts) {
  return test::chi_square_test(p, counts, double(ladders), pt_alpha);
}

}  // namespace

TEST_CASE("PT over Gibbs-with-Gradients on an MLP energy with a base samples exact p(x)", "[pt][binary][statistical]") {
  using Mlp = BaseTermEnergy<MlpEnergyd>;
  const Mlp model = test::mlp_with_base<double>(d, 16, 2.5, 1.0, 31);
  using Kernel = GibbsWithGradients<TemperedBinaryEnergy<Mlp>>;
  const VectorX<double> base = 0.5 * model.base_logits();  // any finite logits: the base only shapes the path
  ParallelTempering<Kernel> pt(Kernel{}, ladders, linear_ladder(4), 1, 5, EnergyTempering<Mlp>(base));
  const auto counts = pt_final_counts(pt, model, 150, 6);
  const Vectord p = exact_binary_distribution(model);
  const test::ChiSquare c = pt_chi_square(p, counts);
  INFO("chi-square " << c.x2 << ", critical " << c.critical << "; swap rates " << pt.swap_rates()[0] << " "
                     << pt.swap_rates()[1] << " " << pt.swap_rates()[2]);
  CHECK(c.x2 < c.critical);
  CHECK(pt.swap_stats().accepts[0] > 0);
  // Negative control: the same counts against p tempered to β = 0.8 (∝ p^0.8) reject.
  const Vectord p08 = exact_binary_distribution(TemperedBinaryEnergy<Mlp>(model, VectorX<double>::Zero(d), 0.8));
  const test::ChiSquare wrong = pt_chi_square(p08, counts);
  INFO("against p^0.8: chi-square " << wrong.x2);
  CHECK(wrong.x2 > wrong.critical);
}

TEST_CASE("PT over Gibbs-with-Gradients on an RBM free energy, tempered by scaling to beta = 0", "[pt][binary][statistical]") {
  using Rbm = RbmFreeEnergy<float>;
  const Rbm model = test::rbm_free_energy<float>(d, 6, 1.2, 0.5, 32);
  using Kernel = GibbsWithGradients<TemperedBinaryEnergy<Rbm>>;
  ParallelTempering<Kernel> pt(Kernel{}, ladders, linear_ladder(4), 1, 7);  // EnergyTempering<Rbm>{}: no base
  const auto counts = pt_final_counts(pt, model, 150, 8);
  const test::ChiSquare c = pt_chi_square(exact_binary_distribution(model), counts);
  INFO("chi-square " << c.x2 << ", critical " << c.critical);
  CHECK(c.x2 < c.critical);
  CHECK(pt.swap_stats().accepts[0] > 0);
}

namespace {
struct Moments {
  double mean, mean_se, m2, m2_se;
};
// Time averages of x and x² of every ladder's β = 1 chain, and their mean and standard error over the ladders.
template <class PT>
Moments pt_moments(PT& pt, const test::MixtureEnergy1d& model, Index n, int warm_up, int rounds) {
  pt.start(model, MatrixX<double>::Constant(n, 1, -model.m));  // every chain in the left mode
  for (int t = 0; t < warm_up; ++t) pt.advance(model);
  Vectord sx = Vectord::Zero(n), sx2 = Vectord::Zero(n);
  for (int t = 0; t < rounds; ++t) {
    pt.advance(model);
    for (Index r = 0; r < n; ++r) {
      const double x = pt.state().x(r, 0);
      sx[r] += x;
      sx2[r] += x * x;
    }
  }
  sx /= double(rounds);
  sx2 /= double(rounds);
  auto se = [&](const Vectord& v) { return std::sqrt((v.array() - v.mean()).square().sum() / double(n - 1) / double(n)); };
  return {sx.mean(), se(sx), sx2.mean(), se(sx2)};
}
}  // namespace

TEST_CASE("PT over MALA crosses the barrier of a 1-D mixture and matches its moments", "[pt][langevin][statistical]") {
  const test::MixtureEnergy1d model;
  using Kernel = Mala<TemperedBinaryEnergy<test::MixtureEnergy1d>>;
  constexpr Index n = 128;
  const std::vector<double> betas = geometric_ladder(5, 0.05);
  ParallelTempering<Kernel> pt(Kernel(0.2), n, betas, 1, 11);
  // A step size per temperature: the tempered components have variance s²/β.
  for (Index k = 0; k < pt.num_temperatures(); ++k)
    pt.kernel(k).set_step_size(0.4 * model.s * model.s / betas[std::size_t(k)]);
  const Moments got = pt_moments(pt, model, n, 300, 3000);
  INFO("E[x] = " << got.mean << " ± " << got.mean_se << " (truth " << model.mean() << "); E[x²] = " << got.m2
                 << " ± " << got.m2_se << " (truth " << model.second_moment() << ")");
  CHECK(std::abs(got.mean - model.mean()) < 4 * got.mean_se);
  CHECK(std::abs(got.m2 - model.second_moment()) < 4 * got.m2_se);
  CHECK(pt.swap_stats().round_trips > 0);

  // Power: MALA alone (K = 1) from the left mode never crosses, and the same test rejects its mean.
  ParallelTempering<Kernel> alone(Kernel(0.4 * model.s * model.s), n, {1.0}, 1, 11);
  const Moments stuck = pt_moments(alone, model, n, 300, 3000);
  INFO("MALA alone: E[x] = " << stuck.mean << " ± " << stuck.mean_se);
  CHECK(std::abs(stuck.mean - model.mean()) > 4 * std::max(stuck.mean_se, got.mean_se));
}
