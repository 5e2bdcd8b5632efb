// The generic AIS (estimate/ais_binary.hpp) against exact log Z by enumeration, for an MLP energy with a base
// term and an RBM's free energy (d = 16), with Gibbs-with-Gradients (the default) and random-scan Gibbs as the
// transition; against the RBM's own AIS and exact log Z (enumerated over the 16 hidden units) on a 100 × 16 RBM
// whose 2^100 visible states cannot be enumerated; and a finer schedule against a coarser one.
//
// Tolerance. |log Ẑ − log Z| < 3 stderr + margin, margin = 0.03 nats, made of
//   - the Jensen bias of log mean(w): E[log Ẑ] − log Z ≈ −stderr²/2, below 0.005 for stderr < 0.1 and 0.02 for
//     stderr < 0.2 (the bound of the 100 × 16 case; both checked);
//   - float rounding of the energies summed along the path: each weight adds Σ_k Δβ_k u(x_k) with u = E + aᵀx
//     rounded to ~1e−6 relative (|u| < 100 here, so < 1e−4 per unit of Σ Δβ = 1), and u recovered from a fresh
//     E_β at β > 0.001, which costs at most eps·|aᵀx|/β·Δβ ≈ 1e−5 per temperature at the cold end of the
//     path (see ais_binary.hpp): together below 0.005.
// Plus a requirement that stderr < 0.1 (0.2), so the band cannot pass by being wide.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/estimate/ais.hpp"
#include "ebm/estimate/ais_binary.hpp"
#include "ebm/estimate/exact.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/samplers/discrete_langevin.hpp"
#include "ebm/samplers/single_flip_kernels.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

constexpr double margin = 0.03;

void check_binary_ais(const AisResult& ais, double exact, double max_stderr = 0.1) {
  INFO("exact log Z = " << exact << ", AIS " << ais.log_z << " ± " << ais.log_z_stderr << ", log Z_base = "
                        << ais.log_z_base << ", ESS = " << ais.effective_sample_size << " of " << ais.runs);
  CHECK(ais.log_z_stderr < max_stderr);
  CHECK(std::abs(ais.log_z - exact) < 3 * ais.log_z_stderr + margin);
}

}  // namespace

TEMPLATE_TEST_CASE("Generic AIS with GWG agrees with exact log Z: MLP energy with base term (d = 16)",
                   "[ais_binary][statistical]", float, double) {
  using S = TestType;
  const auto model = test::mlp_with_base<S>(16, 32, 4.0, 1.0, 3);
  const double exact = exact_log_z(model);
  BinaryAisOptions opt;
  opt.num_betas = 4000;
  opt.seed = 4;
  // The base of the path is the model's own base term: the net is what the annealing has to add.
  const BinaryAisResult ais = ais_binary_log_z(model, model.base_logits(), opt);
  CHECK(ais.runs == 100);
  CHECK(ais.num_betas == 4000);
  CHECK(ais.log_z_base == Approx(bernoulli_base_log_z(model.base_logits())).epsilon(1e-12));
  CHECK(std::abs(exact - ais.log_z_base) > 1.5);  // real distance to cover (2.0 nats)
  CHECK(ais.mean_acceptance > 0.2);
  check_binary_ais(ais, exact);
  // With log Z known exactly, the log-likelihood helper is −mean E − log Z.
  const MatrixX<S> data = test::random_binary<S>(50, 16, 9);
  VectorX<S> e(50);
  model.energy(data, e);
  CHECK(energy_mean_log_likelihood(model, data, exact) ==
        Approx(-e.template cast<double>().mean() - exact).epsilon(1e-12));
}

TEST_CASE("Generic AIS agrees with exact log Z: RBM free energy (16 visible x 8 hidden), GWG and random-scan Gibbs",
          "[ais_binary][statistical]") {
  const auto model = test::rbm_free_energy<double>(16, 8, 1.0, 0.5, 21);
  const double exact = exact_log_z(model);
  REQUIRE(exact == Approx(exact_log_z(model.rbm())).epsilon(1e-10));  // the two enumerations agree
  const Vectord base = base_logits_from_data<double>(exact_sample_visible(model.rbm(), 2000, 5));
  BinaryAisOptions opt;
  opt.num_betas = 1000;
  opt.seed = 6;
  SECTION("Gibbs-with-Gradients") {
    const BinaryAisResult ais = ais_binary_log_z(model, base, opt);
    CHECK(std::abs(exact - ais.log_z_base) > 3);
    check_binary_ais(ais, exact);
  }
  SECTION("random-scan Gibbs") {
    using Target = TemperedBinaryEnergy<RbmFreeEnergy<double>>;
    opt.steps_per_beta = 2;
    const BinaryAisResult ais = ais_binary_log_z(model, base, opt, RandomScanGibbs<Target>());
    CHECK(ais.steps_per_beta == 2);
    check_binary_ais(ais, exact);
  }
}

// 2^100 visible states; log Z is exact by summing over the 2^16 hidden states (exact_rbm). Both AIS estimators
// start from the same base rates (the RBM's visible biases), and they use disjoint streams for the same seed.
// The generic AIS anneals over v alone with a kernel that moves a few of the 100 coordinates per step, while the
// RBM's AIS resamples every unit per temperature: with 2,000 temperatures GWG (1 flip) reads 2.7 nats low with
// ESS 12, GWG with 4 flips has stderr 0.2–0.3, DMALA (α = 0.6, about 1.3 s) 0.10–0.15 over seeds; hence DMALA
// here and a stderr bound of 0.2 instead of 0.1 (still far below the 39 nats between base and model).
TEST_CASE("Generic AIS on a 100 x 16 RBM agrees with the RBM's fast AIS and with exact log Z", "[ais_binary][statistical]") {
  const auto rbm = test::random_rbm<float>(100, 16, 0.5, 0.5, 31);
  const RbmFreeEnergy<float> model(rbm);
  const double exact = exact_log_z(rbm);
  const Vectorf base = rbm.b();
  AisOptions fast_opt;
  fast_opt.num_betas = 2000;
  fast_opt.seed = 8;
  const AisResult fast = ais_log_z(rbm, base, fast_opt);
  BinaryAisOptions opt;
  opt.num_betas = 2000;
  opt.seed = 8;
  const BinaryAisResult generic =
      ais_binary_log_z(model, base, opt, Dmala<TemperedBinaryEnergy<RbmFreeEnergy<float>>>(0.6));
  INFO("exact " << exact << ", fast " << fast.log_z << " ± " << fast.log_z_stderr << ", generic " << generic.log_z
                << " ± " << generic.log_z_stderr << " (ESS " << generic.effective_sample_size << ", acceptance "
                << generic.mean_acceptance << ")");
  CHECK(std::abs(exact - generic.log_z_base) > 30);
  check_binary_ais(fast, exact);
  check_binary_ais(generic, exact, 0.2);
  const double combined = std::hypot(fast.log_z_stderr, generic.log_z_stderr);
  CHECK(std::abs(fast.log_z - generic.log_z) < 3 * combined + margin);
}

// AIS is consistent in the number of temperatures: a schedule 4 times finer must not move the estimate by more
// than the two estimates' combined error (3σ + the margin above), and its weights must be no more spread.
TEST_CASE("Generic AIS: four times more temperatures do not move the estimate beyond its error (MLP, d = 40)",
          "[ais_binary][statistical]") {
  const auto model = test::mlp_with_base<float>(40, 32, 2.0, 1.0, 13);
  BinaryAisOptions opt;
  opt.seed = 14;
  opt.num_betas = 500;
  const BinaryAisResult coarse = ais_binary_log_z(model, model.base_logits(), opt);
  opt.seed = 15;
  opt.num_betas = 2000;
  const BinaryAisResult fine = ais_binary_log_z(model, model.base_logits(), opt);
  INFO("500 betas: " << coarse.log_z << " ± " << coarse.log_z_stderr << " (ESS " << coarse.effective_sample_size
                     << "); 2000 betas: " << fine.log_z << " ± " << fine.log_z_stderr << " (ESS "
                     << fine.effective_sample_size << ")");
  CHECK(fine.log_z_stderr < 0.1);
  CHECK(std::abs(fine.log_z - coarse.log_z) < 3 * std::hypot(fine.log_z_stderr, coarse.log_z_stderr) + margin);
  CHECK(fine.log_z_stderr <= coarse.log_z_stderr * 1.2);
}
