#pragma once
// Step-size adaptation for Metropolis-adjusted kernels during warm-up.
//
// DualAveraging is the scheme of Hoffman & Gelman (2014, "The No-U-Turn Sampler", §3.2.1, after Nesterov
// 2009), as in Stan's stepsize_adaptation and BlackJAX's adaptation/step_size.py. After the t-th observed
// acceptance statistic α_t it sets
//
//   H̄_t    = (1 − 1/(t + t₀)) H̄_{t−1} + (δ − α_t)/(t + t₀)        running error against the target δ
//   log ε_t = μ − √t/γ · H̄_t                                       the next step size
//   log ε̄_t = t^{−κ} log ε_t + (1 − t^{−κ}) log ε̄_{t−1}           the averaged one, used after warm-up
//
// with μ = log(10 ε₀) (biased towards larger steps, as in Stan), γ = 0.05, t₀ = 10, κ = 0.75. It has one
// verb, learn(α) → log ε_t, and final() → log ε̄_t, the step size to freeze.
//
// warm_up_step_size runs a kernel's chains for a number of steps, feeding the batch's mean acceptance
// probability (StepInfo::acceptance_rate) to one DualAveraging, so all chains share one ε; it then freezes
// ε = exp(final()) in the kernel. Warm-up and sampling are separate phases: nothing adapts afterwards.
//
// AcceptanceTracking is for training, where θ moves under persistent chains and a frozen ε drifts out of range:
// after every update, ε ← clamp(ε · exp(gain · (a − target)), min, max) with a the chains' mean acceptance of
// the last step (a multiplicative Robbins–Monro step with a fixed gain). The chains of PCD are biased anyway;
// sampling and AIS adapt at a fixed θ with warm_up_step_size and then freeze ε.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/kernel_concept.hpp"

namespace ebm {

struct DualAveragingOptions {
  double target = 0.574;  // δ: optimal for MALA in high dimension (Roberts & Rosenthal 1998)
  double gamma = 0.05;
  double t0 = 10;
  double kappa = 0.75;

  void validate() const {
    ensure(target > 0 && target < 1, "dual averaging: target acceptance = ", target, " must lie in (0, 1)");
    ensure(gamma > 0 && std::isfinite(gamma), "dual averaging: gamma = ", gamma, " must be positive and finite");
    ensure(t0 >= 0 && std::isfinite(t0), "dual averaging: t0 = ", t0, " must be non-negative and finite");
    ensure(kappa > 0.5 && kappa <= 1, "dual averaging: kappa = ", kappa, " must lie in (0.5, 1]");
  }
};

class DualAveraging {
public:
  explicit DualAveraging(double initial_step_size, DualAveragingOptions options = {}) : opt_(options) {
    opt_.validate();
    ensure(initial_step_size > 0 && std::isfinite(initial_step_size), "dual averaging: initial step size = ",
           initial_step_size, " must be positive and finite");
    mu_ = std::log(10 * initial_step_size);
    log_eps_ = log_eps_bar_ = std::log(initial_step_size);
  }

  // Observes one acceptance statistic in [0, 1]; returns the log step size to use next.
  double learn(double acceptance) {
    ensure(acceptance >= 0 && acceptance <= 1, "dual averaging: acceptance statistic = ", acceptance,
           " must lie in [0, 1]");
    ++t_;
    const double t = double(t_);
    const double eta = 1 / (t + opt_.t0);
    h_bar_ = (1 - eta) * h_bar_ + eta * (opt_.target - acceptance);
    log_eps_ = mu_ - std::sqrt(t) / opt_.gamma * h_bar_;
    const double w = std::pow(t, -opt_.kappa);
    log_eps_bar_ = w * log_eps_ + (1 - w) * log_eps_bar_;
    return log_eps_;
  }
  // The averaged log step size, the one to keep after warm-up.
  double final() const { return log_eps_bar_; }

  double step_size() const { return std::exp(log_eps_); }
  std::int64_t count() const { return t_; }
  const DualAveragingOptions& options() const { return opt_; }

private:
  DualAveragingOptions opt_;
  double mu_ = 0, log_eps_ = 0, log_eps_bar_ = 0, h_bar_ = 0;
  std::int64_t t_ = 0;
};

struct StepSizeWarmup {
  std::int64_t steps = 1000;          // warm-up steps, each one step of every chain
  DualAveragingOptions adaptation{};  // the target acceptance is adaptation.target

  void validate() const {
    ensure(steps > 0, "step-size warm-up: steps = ", steps, " must be positive");
    adaptation.validate();
  }
};

struct WarmupReport {
  double step_size = 0;             // the frozen ε = exp(final())
  double last_acceptance_rate = 0;  // batch mean acceptance of the last warm-up step
  std::int64_t steps = 0;
};

// Adapts the kernel's step size on the chains in s (already initialized), then freezes it in the kernel. The
// chains keep moving, so warm-up also serves as burn-in. Bit-identical for any number of threads, like the
// kernel's steps: the acceptance statistic is summed in chain order.
template <TransitionKernel K>
WarmupReport warm_up_step_size(K& kernel, const typename K::Model& model, typename K::State& s, std::span<Rng> rng,
                               const StepSizeWarmup& warmup = {}) {
  static_assert(AdaptableKernel<K>,
                "step-size adaptation needs an acceptance rate and a step size: use a Metropolis-adjusted kernel "
                "(Mala, Dmala)");
  warmup.validate();
  DualAveraging da(kernel.step_size(), warmup.adaptation);
  WarmupReport report;
  for (std::int64_t t = 0; t < warmup.steps; ++t) {
    const auto info = kernel.step(model, s, rng);
    report.last_acceptance_rate = info.acceptance_rate;
    const double next = std::exp(da.learn(info.acceptance_rate));
    ensure(next > 0 && std::isfinite(next), "warm_up_step_size: at warm-up step ", t + 1, " the adapted step size is ",
           next, " (acceptance rate ", info.acceptance_rate, "): the acceptance does not respond to the step size");
    kernel.set_step_size(next);
  }
  kernel.set_step_size(std::exp(da.final()));
  report.step_size = kernel.step_size();
  report.steps = warmup.steps;
  return report;
}

struct AcceptanceTracking {
  double target = 0.574;
  double gain = 0.05;
  double min = 1e-3, max = 10.0;

  // The one verb: nudges the kernel's step size towards the target after a step of mean acceptance a (kernels
  // without a step size are left alone).
  template <class K>
  void track(K& kernel, double acceptance) const {
    if constexpr (requires { kernel.set_step_size(1.0); }) {
      const double next = kernel.step_size() * std::exp(gain * (acceptance - target));
      kernel.set_step_size(std::min(std::max(next, min), max));
    }
  }
};

}  // namespace ebm
