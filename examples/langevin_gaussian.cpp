// Sample a correlated 2-D Gaussian with MALA: 200 chains, step size adapted during 1,000 warm-up steps
// towards an acceptance rate of 0.574 (dual averaging), then frozen for 5,000 sampling steps. Prints the
// sample mean and covariance next to the exact ones, and the acceptance rate.
//
//   ./build/examples/langevin_gaussian
#include <cstdio>

#include "ebm/ebm.hpp"

int main() {
  using namespace ebm;
  try {
    // E(x) = ½ (x − μ)ᵀ Σ⁻¹ (x − μ): N(μ, Σ) with σ₁ = 1, σ₂ = 2 and correlation 0.8.
    Vectord mu(2);
    mu << 1.0, -0.5;
    Matrixd cov(2, 2);
    cov << 1.0, 1.6, 1.6, 4.0;
    const auto model = GaussianEnergyd::from_covariance(mu, cov);

    const Index chains = 200;
    Mala<GaussianEnergyd> mala(0.1);  // initial step size; adapted below
    LangevinChains<double> state;
    auto streams = make_chain_streams(/*seed=*/1, chains);  // chain r draws from stream r only
    mala.init(model, state, Matrixd::Zero(chains, 2), streams);

    const WarmupReport warmup = warm_up_step_size(mala, model, state, std::span<Rng>(streams), {1000, {}});
    std::printf("warm-up: step size %.4f (acceptance %.3f at the last warm-up step)\n", warmup.step_size,
                warmup.last_acceptance_rate);

    const Index steps = 5000;
    Eigen::Vector2d sum = Eigen::Vector2d::Zero();
    Eigen::Matrix2d outer = Eigen::Matrix2d::Zero();
    double acceptance = 0;
    for (Index t = 0; t < steps; ++t) {
      acceptance += mala.step(model, state, streams).acceptance_rate;
      sum += state.x.colwise().sum().transpose();
      outer += state.x.transpose() * state.x;
    }
    const double n = double(steps * chains);
    const Eigen::Vector2d mean = sum / n;
    const Eigen::Matrix2d covariance = outer / n - mean * mean.transpose();
    std::printf("mean        %8.4f %8.4f    (exact %.4f %.4f)\n", mean[0], mean[1], mu[0], mu[1]);
    std::printf("covariance  %8.4f %8.4f    (exact %.4f %.4f)\n", covariance(0, 0), covariance(0, 1), cov(0, 0),
                cov(0, 1));
    std::printf("            %8.4f %8.4f    (exact %.4f %.4f)\n", covariance(1, 0), covariance(1, 1), cov(1, 0),
                cov(1, 1));
    std::printf("acceptance  %.3f (target 0.574)\n", acceptance / double(steps));
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
