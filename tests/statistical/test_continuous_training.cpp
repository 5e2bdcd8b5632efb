// Maximum-likelihood training of a continuous energy with PCD + MALA recovers a known Gaussian.
//
// The model E(x) = ½ (x − μ)ᵀ P (x − μ) (GaussianEnergy, θ = [μ, P]) is the Gaussian family, so the
// maximum-likelihood fixed point E_data[∂E/∂θ] = E_model[∂E/∂θ] is model mean = data mean and model
// covariance P⁻¹ = data covariance. Training runs T₀ updates to converge, then T more over which θ is averaged
// (Polyak averaging), and the averaged model's mean and covariance are compared with the truth.
//
// Tolerances (derived, not tuned). Two independent errors, for a quantity whose per-row variance is s²
// (s² = Σ_ii for mean i; s² = Σ_ii Σ_jj + Σ_ij² for the covariance entry Σ_ij of Gaussian data):
//  * data: N rows drawn from the truth; their MLE differs from the truth by s/√N;
//  * optimization: averaged SGD on a quadratic converges to the fixed point with the average of the gradient
//    noise over T updates divided by the curvature (Polyak & Juditsky 1992). In parameter units each update's
//    noise is the minibatch moment (variance s²/B) minus the chains' moment (variance s²/n_c, correlated
//    across updates for τ updates since the chains persist): Var ≈ s² (1/B + τ/n_c) / T. The chains take k = 5
//    MALA steps of ε = 0.3 per update; each step contracts by about 1 − ε/λ_max(Σ) ≈ 0.75, so τ ≈ 1 update;
//    τ = 20 is used as a safe bound.
// The test checks |estimate − truth| < 4 · √(s²/N + s² (1/B + τ/n_c)/T) for each of the 5 quantities (a
// normal 4σ event has probability 6e-5 each), and, without the data term, |estimate − MLE| < 4 · √(s² (1/B +
// τ/n_c)/T) against the data's own mean and covariance (divisor N), which isolates the optimization error.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <cmath>

#include "ebm/ebm.hpp"
#include "ebm/models/gaussian_energy.hpp"

using namespace ebm;

TEST_CASE("PCD + MALA training of a Gaussian energy recovers the data's mean and covariance", "[train][continuous]") {
  constexpr Index d = 2, N = 2000, B = 100, n_chains = 100;
  constexpr int T0_epochs = 60, T_epochs = 90;  // 20 updates per epoch: 1200 to converge, 1800 averaged
  constexpr double tau = 20;
  Vectord mu(d);
  mu << 1.0, -0.5;
  Matrixd sigma(d, d);
  sigma << 1.0, 0.4, 0.4, 0.8;

  const Eigen::LLT<Eigen::MatrixXd> llt(sigma);
  const Eigen::MatrixXd L = llt.matrixL();
  Rng rng = make_stream(21, StreamPurpose::user, 0);
  Matrixd data(N, d);
  for (Index r = 0; r < N; ++r) {
    Eigen::VectorXd z(d);
    for (Index i = 0; i < d; ++i) z[i] = standard_normal<double>(rng);
    data.row(r) = (mu + L * z).transpose();
  }

  GaussianEnergyd model(Vectord::Zero(d), Matrixd::Identity(d, d));
  PersistentChains<Mala<GaussianEnergyd>> chains(Mala<GaussianEnergyd>(0.3), n_chains, 5, 22);
  TrainOptions opt;
  opt.batch_size = B;
  opt.epochs = T0_epochs + T_epochs;
  opt.learning_rate = 0.1;
  opt.momentum = {0.0, 0.0, 0.0};  // plain SGD: the averaging argument above is for it
  opt.seed = 23;
  Trainer trainer(model, chains, opt);
  for (int e = 0; e < T0_epochs; ++e) trainer.train_epoch(data);
  Vectord sum = Vectord::Zero(model.num_params());
  std::int64_t T = 0;
  for (int e = 0; e < T_epochs; ++e)
    trainer.train_epoch(data, [&](Index, Index) {
      sum += model.params();
      ++T;
    });
  const GaussianEnergyd averaged(sum.head(d) / double(T),
                                 Eigen::Map<const Matrixd>(sum.data() + d, d, d) / double(T));
  const Eigen::MatrixXd cov = averaged.covariance();

  const auto tol = [&](double s2) {
    return 4 * std::sqrt(s2 / double(N) + s2 * (1.0 / B + tau / n_chains) / double(T));
  };
  const auto opt_tol = [&](double s2) { return 4 * std::sqrt(s2 * (1.0 / B + tau / n_chains) / double(T)); };
  const Vectord mle_mean = data.colwise().mean().transpose();
  const Matrixd centered = data.rowwise() - mle_mean.transpose();
  const Matrixd mle_cov = centered.transpose() * centered / double(N);
  for (Index i = 0; i < d; ++i) {
    INFO("mean " << i << ": " << averaged.mean()[i] << " vs " << mu[i] << ", tolerance " << tol(sigma(i, i)));
    CHECK(std::abs(averaged.mean()[i] - mu[i]) < tol(sigma(i, i)));
    INFO("data mean " << mle_mean[i] << ", tolerance " << opt_tol(sigma(i, i)));
    CHECK(std::abs(averaged.mean()[i] - mle_mean[i]) < opt_tol(sigma(i, i)));
  }
  for (Index i = 0; i < d; ++i)
    for (Index j = i; j < d; ++j) {
      const double s2 = sigma(i, i) * sigma(j, j) + sigma(i, j) * sigma(i, j);
      INFO("covariance (" << i << ", " << j << "): " << cov(i, j) << " vs " << sigma(i, j) << ", tolerance "
                          << tol(s2));
      CHECK(std::abs(cov(i, j) - sigma(i, j)) < tol(s2));
      INFO("data covariance " << mle_cov(i, j) << ", tolerance " << opt_tol(s2));
      CHECK(std::abs(cov(i, j) - mle_cov(i, j)) < opt_tol(s2));
    }
}
