#pragma once
// What ebm asks of a model. A model is a plain type; these concepts spell out which samplers and trainers
// it can be used with, and a failed concept check names the missing member at the call site.
//
//  EnergyModel       a flat parameter vector θ and the free energy F(x) = −log Σ_latent e^{−E} per row.
//  LatentGibbsModel  a two-layer (bipartite) model: the conditional means E[h|v], E[v|h], draws from those
//                    conditionals, and the sufficient statistics ∂E/∂θ given (v, E[h|v]) accumulated into a
//                    gradient. This is what block Gibbs and the CD/PCD trainer need.
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

}  // namespace ebm
