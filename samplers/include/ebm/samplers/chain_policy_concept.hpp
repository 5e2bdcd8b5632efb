#pragma once
// What a trainer asks of a chain policy (ContrastiveDivergence, PersistentChains, ReplayBuffer,
// ParallelTempering, PerExampleChains, ConditionalTempering): where the chains of the model term come from.
//
//   typename P::Model, P::Scalar          the model and its number type
//   advance(model, batch)                 moves the chains for one update under the current θ (restarting them
//                                         at the minibatch, continuing them, drawing from a buffer, …)
//   accumulate_model_term(model, w, grad) grad += w · Σ_chains ∂E/∂θ at the chains' states
//   num_chains()                          how many chains that sum ran over (the trainer divides by it)
//
// ChainPolicyFor<P, Batch> checks it for a given minibatch type (rows of x for a joint model, a conditional
// batch of inputs with labels for a CRF); ChainPolicy<P> for rows of x.
#include <concepts>

#include "ebm/core/types.hpp"

namespace ebm {

template <class P>
concept ChainPolicyTypes = requires {
  typename P::Model;
  typename P::Scalar;
};

template <class P, class Batch>
concept ChainPolicyFor =
    ChainPolicyTypes<P> && requires(P& p, const P& cp, const typename P::Model& m, const Batch& batch,
                                    typename P::Scalar w, VecRef<typename P::Scalar> grad) {
      p.advance(m, batch);
      cp.accumulate_model_term(m, w, grad);
      { cp.num_chains() } -> std::convertible_to<Index>;
    };

template <class P>
concept ChainPolicy = ChainPolicyFor<P, ConstBatchRef<typename P::Scalar>>;

}  // namespace ebm
