#pragma once
// What ebm asks of a transition kernel: the contract every sampler (BlockGibbs, Ula, Mala, SiteGibbs, the binary
// kernels of binary_kernels.hpp) meets, and every chain policy relies on. A kernel works on a batch of chains
// whose state it does not own:
//
//   typename K::Model, K::Scalar  the model it samples and its number type
//   typename K::State             the chains, one row per chain (State::size() chains), with whatever the next
//                                 step needs cached in it (never in the kernel: one kernel may step several
//                                 chain sets)
//   prepare(model, state, n)      sizes the state and the kernel's buffers for n chains; a step then allocates
//                                 nothing
//   init(model, state, start, rng)  chains start at the rows of `start` (calls prepare when the shape changed)
//   step(model, state, rng) → info  one transition of every chain; chain r draws only from rng[r], so results do
//                                 not depend on the number of threads. info derives from StepInfo (acceptance
//                                 rate, and whatever else the kernel reports)
//   accumulate_stats(model, state, w, grad)  grad += w · Σ_chains ∂E/∂θ at the current states: the model term
//
// The contract is split so that a failed check names the missing member at the call site:
//   TransitionKernel<K>              everything but init;
//   KernelStartingFrom<K, Start>     and init from a `Start` (rows of x, a conditional batch of inputs+labels, or
//                                    label rows, ConstLabelRef, for the categorical kernels);
//   MarkovKernel<K>                  a kernel of a joint model whose chains start at rows of x (the usual case).
// Parallel tempering asks more of a kernel's chains and model: tempering_concept.hpp.
//
// Rules a State follows to work with the generic policies, estimators and checkpoints (beyond the concept,
// which only needs size()):
//   positions in a member x     a matrix, one row per chain (chains × d). The replay buffer starts chains
//                               through init and copies their positions from s.x back into its buffer
//                               (GibbsChains' v is the one exception it knows); energy tempering
//                               (EnergyTempering) evaluates the swap energies and the model term at s.x; AIS
//                               over binary energies (ais_binary.hpp) reads s.x; a checkpoint stores s.x
//                               (io/chain_state_codec.hpp's default codec).
//   a cache under a member stamp  whatever the state caches about its chains (E, ∇ₓE at x) is valid only for
//                               the model and θ recorded in its `ParamStamp<Scalar> stamp` (param_stamp.hpp:
//                               the model's address and a copy of θ). The kernel calls stamp.reset(num_params)
//                               in prepare and stamp.record(model) after evaluating the cache, and re-evaluates
//                               the cache at the start of a step when !stamp.matches(model). Everyone else
//                               marks it stale with stamp.invalidate(), never by editing it: exchange_chain
//                               after swapping chains between replicas (tempering_concept.hpp); EnergyTempering's
//                               sync(), which calls s.stamp.invalidate() on every replica's state when θ changed
//                               since the last advance (its replicas are views whose params() are [β] alone, so
//                               the state's stamp cannot see θ move): a state tempered by it must have a stamp
//                               with invalidate(), even one that caches nothing; and a restored checkpoint
//                               (chain_state_codec.hpp), so the first step re-evaluates the cache.
//   the rest                    per-step reports (acceptance, step counts) are neither stored by a checkpoint
//                               nor needed by a resumed run; anything else a step reads and cannot recompute
//                               from x belongs in the state's ChainStateCodec, or resuming is not bit for bit.
// A state of another layout (block Gibbs' v, h, ph) specialises ChainStateCodec (io/chain_state_codec.hpp).
// (Not named `Kernel`: code that says `using namespace ebm;` and `using Kernel = BlockGibbs<…>;`, as the tests
// do, would find two `Kernel`s.)
#include <concepts>
#include <span>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/step_info.hpp"

namespace ebm {

template <class K>
concept KernelTypes = requires {
  typename K::Model;
  typename K::Scalar;
  typename K::State;
} && requires(const typename K::State& s) {
  { s.size() } -> std::convertible_to<Index>;
};

template <class K>
concept TransitionKernel =
    KernelTypes<K> && requires(K& k, const K& ck, const typename K::Model& m, typename K::State& s,
                               const typename K::State& cs, std::span<Rng> rng, typename K::Scalar w,
                               VecRef<typename K::Scalar> grad, Index n) {
      k.prepare(m, s, n);
      { k.step(m, s, rng) } -> std::derived_from<StepInfo>;
      ck.accumulate_stats(m, cs, w, grad);
    };

template <class K, class Start>
concept KernelStartingFrom = TransitionKernel<K> && requires(K& k, const typename K::Model& m, typename K::State& s,
                                                             const Start& start, std::span<Rng> rng) {
  k.init(m, s, start, rng);
};

template <class K>
concept MarkovKernel = KernelStartingFrom<K, ConstBatchRef<typename K::Scalar>>;

// A Metropolis kernel whose step size warm_up_step_size can adapt (step_size_adaptation.hpp).
template <class K>
concept AdaptableKernel = TransitionKernel<K> && requires(K& k, const K& ck, double eps) {
  requires K::metropolis_adjusted;
  { ck.step_size() } -> std::convertible_to<double>;
  k.set_step_size(eps);
};

}  // namespace ebm
