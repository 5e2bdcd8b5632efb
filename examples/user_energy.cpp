// A user's own energy plugged into ebm through the virtual interface, without recompiling ebm: the banana
// (Rosenbrock-like) density E(x) = (x₀ − a)²/2 + b (x₁ − x₀²)²/2 with θ = (a, b), sampled by adaptive MALA.
// Research code only implements the six members of EnergyFunction; VirtualEnergy makes it a model that the
// samplers, chain policies and trainer accept.
//
//   ./build/examples/user_energy
#include <cstdio>
#include <memory>

#include "ebm/ebm.hpp"

using namespace ebm;

class Banana final : public EnergyFunction<double> {
public:
  Banana(double a, double b) : theta_(2) { theta_ << a, b; }

  Index dim() const override { return 2; }
  Index num_params() const override { return 2; }
  const Vectord& params() const override { return theta_; }

  void energy(const ConstBatchRef<double>& x, VecRef<double> e) const override {
    for (Index r = 0; r < x.rows(); ++r) {
      const double u = x(r, 0) - theta_[0], w = x(r, 1) - x(r, 0) * x(r, 0);
      e[r] = 0.5 * u * u + 0.5 * theta_[1] * w * w;
    }
  }
  void energy_and_grad(const ConstBatchRef<double>& x, VecRef<double> e, BatchRef<double> g) const override {
    energy(x, e);
    for (Index r = 0; r < x.rows(); ++r) {
      const double u = x(r, 0) - theta_[0], w = x(r, 1) - x(r, 0) * x(r, 0);
      g(r, 0) = u - 2.0 * theta_[1] * w * x(r, 0);
      g(r, 1) = theta_[1] * w;
    }
  }
  // Σ_rows ∂E/∂θ · weight: what the trainer's data and model terms are made of.
  void accumulate_grad(const ConstBatchRef<double>& x, double weight, VecRef<double> grad) const override {
    for (Index r = 0; r < x.rows(); ++r) {
      const double u = x(r, 0) - theta_[0], w = x(r, 1) - x(r, 0) * x(r, 0);
      grad[0] += weight * -u;
      grad[1] += weight * 0.5 * w * w;
    }
  }

private:
  Vectord theta_;
};

int main() {
  try {
    const VirtualEnergyd model(std::make_shared<Banana>(1.0, 1.0));
    Mala<VirtualEnergyd> mala(0.05);
    LangevinChains<double> state;
    auto streams = make_chain_streams(/*seed=*/3, 256);
    mala.init(model, state, Matrixd::Zero(256, 2), streams);
    warm_up_step_size(mala, model, state, std::span<Rng>(streams), {1000, {}});
    for (int t = 0; t < 2000; ++t) mala.step(model, state, streams);  // burn-in after the warm-up
    double m0 = 0, m1 = 0, acc = 0;
    const int steps = 4000;
    for (int t = 0; t < steps; ++t) {
      acc += mala.step(model, state, streams).acceptance_rate;
      m0 += state.x.col(0).mean();
      m1 += state.x.col(1).mean();
    }
    // Exact: x₀ ~ N(a, 1), x₁ | x₀ ~ N(x₀², 1/b), so E[x₀] = a = 1 and E[x₁] = a² + 1 = 2.
    std::printf("E[x0] = %.3f (exact 1), E[x1] = %.3f (exact 2), acceptance %.3f, step size %.4f\n", m0 / steps,
                m1 / steps, acc / steps, mala.step_size());
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
