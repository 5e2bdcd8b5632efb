#pragma once
// What parallel tempering (parallel_tempering.hpp) asks of a kernel's chains and of a model, so that it runs
// over any kernel: block Gibbs on an RBM, the binary kernels (Gibbs-with-Gradients, DULA/DMALA, random-scan
// Gibbs) on a binary energy, MALA on a continuous energy, the categorical kernels on a Potts model (whose chains
// start from label rows, not rows of x: hence TransitionKernel, not MarkovKernel), or a kernel of your own.
//
// ExchangeableChains<State>: the chains of a kernel's state can trade places with the chains of another state of
// the same shape, row by row, by a free function found by argument-dependent lookup:
//   exchange_chain(a, b, r)   swaps chain r of a and chain r of b, with everything the states hold about it:
//                             the position and whatever is cached about it (E, ∇ₓE, E[h | v], per-chain
//                             statistics). A state whose caches belong to a model (a ParamStamp,
//                             param_stamp.hpp) marks them stale, since after the swap its rows were computed for
//                             another replica's target: the next step re-evaluates them (a stale cache is never
//                             used). gibbs_chains.hpp, binary_chains.hpp and langevin_chains.hpp define it.
//
// TemperingOf<T, K>: T tempers the model of kernel K. A tempered family is
//   E_β(x) = β U(x) + B(x),   β ∈ [0, 1],   B independent of β,
// and replica exchange between inverse temperatures β_i, β_j is accepted with probability
//   min(1, exp((β_i − β_j)(U(x_i) − U(x_j))))                                      (swap_ledger.hpp)
// so a swap needs U at every chain: the swap energy. When tempering only scales the energy (B = 0: the RBM's
// joint energy, an energy without a base) U is the energy at β = 1; with a base distribution (AIS's path,
// E_β = βE − (1 − β) aᵀx) it is U = E + aᵀx.
//   T::Model                  the model at β = 1 (what a trainer updates and passes to the policy)
//   T::Replica                the model type a replica's kernel steps: K::Model (the RBM itself for RBMs;
//                             TemperedBinaryEnergy<Model> for energies, TemperedCategoricalModel<Model> for
//                             categorical models)
//   T::energy_from_sweep      whether step() leaves the swap energies of the states it swept (then a swap
//                             round costs no model evaluation)
//   make_replica(model)       a replica of the model's shape (allocates; called once)
//   temper(model, β, rep)     rep becomes the model at β (no allocation): called before every advance, since
//                             θ only changes between advances
//   prepare(model, n, rows)   sizes T's scratch for n chains in blocks of `rows` (allocates)
//   sync(model, states)       after temper, before the sweeps: a tempering whose replicas view the model marks
//                             the states' caches stale when θ changed (their stamps see only the replica)
//   step(kernel, model, rep, β, state, rng, u) → bool   one transition of a replica at β; true if it also wrote
//                             the swap energies of its chains into u (energy_from_sweep)
//   swap_energies(model, state, u)    u[r] = U(x_r) at the current states, in double, parallel over blocks
//   top_exchanged(model, state)       the β = 1 state received chains from below in this advance (an RBM
//                             recomputes E[h | v] there, which the model term reads)
//   accumulate_model_term(kernel, model, state, w, grad)   grad += w · Σ ∂E/∂θ over the β = 1 chains
// joint_tempering.hpp (RBMs, the model's own temper and joint energy), energy_tempering.hpp (any continuous
// or binary energy, optionally with a factorized Bernoulli base) and categorical_tempering.hpp (any categorical
// model, E_β = βE over label rows) are the three temperings ebm ships.
#include <concepts>
#include <span>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/kernel_concept.hpp"

namespace ebm {

template <class S>
concept ExchangeableChains = requires(S& a, S& b, Index r) {
  { a.size() } -> std::convertible_to<Index>;
  exchange_chain(a, b, r);
};

template <class T, class K>
concept TemperingOf =
    TransitionKernel<K> && ExchangeableChains<typename K::State> &&
    requires {
      typename T::Model;
      typename T::Replica;
      requires std::same_as<typename K::Model, typename T::Replica>;
      { T::energy_from_sweep } -> std::convertible_to<bool>;
    } &&
    requires(T& t, const T& ct, K& k, const K& ck, const typename T::Model& m, typename T::Replica& rep,
             const typename T::Replica& crep, double beta, typename K::State& s, const typename K::State& cs,
             std::span<typename K::State> states, std::span<Rng> rng, VecRef<double> u, Index n,
             typename K::Scalar w, VecRef<typename K::Scalar> grad) {
      { ct.make_replica(m) } -> std::same_as<typename T::Replica>;
      ct.temper(m, beta, rep);
      t.prepare(m, n, n);
      t.sync(m, states);
      { t.step(k, m, crep, beta, s, rng, u) } -> std::convertible_to<bool>;
      t.swap_energies(m, cs, u);
      t.top_exchanged(m, s);
      ct.accumulate_model_term(ck, m, cs, w, grad);
    };

}  // namespace ebm
