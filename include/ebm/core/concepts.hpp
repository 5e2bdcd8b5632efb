#pragma once
// What ebm asks of a model. A model is a plain type; these concepts spell out which samplers and trainers
// it can be used with, and a failed concept check names the missing member at the call site.
//
//  EnergyModel       a flat parameter vector θ and the free energy F(x) = −log Σ_latent e^{−E} per row.
//  LatentGibbsModel  a two-layer (bipartite) model: the conditional means E[h|v], E[v|h], draws from those
//                    conditionals, and the sufficient statistics ∂E/∂θ given (v, E[h|v]) accumulated into a
//                    gradient. This is what block Gibbs and the CD/PCD trainer need.
//  TemperableModel   a LatentGibbsModel at any inverse temperature, with its joint energy: parallel tempering.
#include <concepts>
#include <span>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class M>
concept EnergyModel = requires(const M& m, ConstBatchRef<typename M::Scalar> x, VecRef<typename M::Scalar> out) {
  typename M::Scalar;
  { m.dim() } -> std::convertible_to<Index>;
  { m.num_params() } -> std::convertible_to<Index>;
  { m.params() } -> std::convertible_to<const VectorX<typename M::Scalar>&>;
  m.free_energy(x, out);
};

template <class M>
concept LatentGibbsModel =
    EnergyModel<M> && requires(const M& m, ConstBatchRef<typename M::Scalar> x, BatchRef<typename M::Scalar> y,
                               typename M::Workspace& ws, std::span<const typename M::Scalar> mean, Rng& rng,
                               std::span<typename M::Scalar> out, typename M::Scalar w,
                               VecRef<typename M::Scalar> grad) {
      { m.num_hidden() } -> std::convertible_to<Index>;
      { m.make_workspace(Index{}) } -> std::same_as<typename M::Workspace>;
      m.hidden_mean(x, y, ws);
      m.visible_mean(x, y, ws);
      m.sample_hidden(mean, rng, out);
      m.sample_visible(mean, rng, out);
      m.accumulate_stats(x, x, w, grad);
    };

// TemperableModel  a LatentGibbsModel that writes a copy of itself at inverse temperature β ∈ [0, 1] into a
//                  model of the same type, whose joint distribution is ∝ exp(−β E(v, h)), and evaluates the
//                  joint energy E(v, h) of states (at β = 1): what parallel tempering needs for its replicas
//                  and its swap decisions. temper must not allocate once `out` has the right shape, and
//                  energy must be safe to call concurrently on disjoint rows.
template <class M>
concept TemperableModel =
    LatentGibbsModel<M> && requires(const M& m, typename M::Scalar beta, M& out, ConstBatchRef<typename M::Scalar> x,
                                    VecRef<typename M::Scalar> e) {
      m.temper(beta, out);
      m.energy(x, x, e);
    };

// ContinuousEnergyModel  an energy E(x; θ) of a real vector x (one row per example or chain), with its
//                        gradient ∇ₓE and the statistics ∂E/∂θ: what Langevin samplers (ULA, MALA) and the
//                        model term of a trainer need.
//   energy(x, e)                 e(r) = E(x_r)
//   energy_and_grad(x, e, g)     e(r) = E(x_r), g.row(r) = ∇ₓE(x_r)
//   accumulate_grad(x, w, gθ)    gθ += w · Σ_r ∂E/∂θ(x_r)
// Samplers call energy_and_grad on disjoint blocks of rows from several threads at once, so it must be safe
// to call concurrently on a const model (models/energy_function.hpp is the same contract as a virtual class).
template <class M>
concept ContinuousEnergyModel =
    requires(const M& m, ConstBatchRef<typename M::Scalar> x, VecRef<typename M::Scalar> e,
             BatchRef<typename M::Scalar> g, typename M::Scalar w, VecRef<typename M::Scalar> grad) {
      typename M::Scalar;
      { m.dim() } -> std::convertible_to<Index>;
      { m.num_params() } -> std::convertible_to<Index>;
      { m.params() } -> std::convertible_to<const VectorX<typename M::Scalar>&>;
      m.energy(x, e);
      m.energy_and_grad(x, e, g);
      m.accumulate_grad(x, w, grad);
    };

// BinaryEnergyModel  an energy E(x; θ) over x ∈ {0,1}^d that is a differentiable function of the relaxed
//                    x ∈ ℝ^d, with the members of a ContinuousEnergyModel evaluated at binary rows: E(x), ∇ₓE(x)
//                    and ∂E/∂θ, batched over chains. Gradient-informed discrete samplers (Gibbs-with-Gradients,
//                    DULA, DMALA in samplers/binary_kernels.hpp) read ∇ₓE to estimate the effect of every flip at
//                    once: E(x with x_i flipped) − E(x) ≈ (1 − 2x_i) ∂E/∂x_i. MlpEnergy (with or without a base
//                    term, models/base_term_energy.hpp) and the Bernoulli RBM's free energy
//                    (models/rbm_free_energy.hpp) are binary energies; so is any continuous energy that is
//                    meaningful on the corners of the cube.
template <class M>
concept BinaryEnergyModel = ContinuousEnergyModel<M>;

// Optional: a model whose energy_and_grad needs scratch (e.g. GEMM packing buffers) may offer a Workspace
// for a block of rows; samplers then keep one per block, made once, so a step allocates nothing.
template <class M>
concept ContinuousEnergyModelWithWorkspace =
    ContinuousEnergyModel<M> && requires(const M& m, ConstBatchRef<typename M::Scalar> x, VecRef<typename M::Scalar> e,
                                         BatchRef<typename M::Scalar> g, typename M::Workspace& ws) {
      { m.make_workspace(Index{}) } -> std::same_as<typename M::Workspace>;
      m.energy_and_grad(x, e, g, ws);
    };

// Optional: E alone with a workspace, allocating nothing (single-site samplers need no gradient).
template <class M>
concept EnergyModelWithWorkspaceEnergy =
    ContinuousEnergyModelWithWorkspace<M> &&
    requires(const M& m, ConstBatchRef<typename M::Scalar> x, VecRef<typename M::Scalar> e, typename M::Workspace& ws) {
      m.energy(x, e, ws);
    };

}  // namespace ebm
