#pragma once
// How a kernel's chain state goes into a checkpoint (TrainingState::chains, model_file.hpp) and comes back.
// A ChainStateCodec<State> names the state's stored matrices, one row per chain, and what restoring them means:
//
//   fields(state, f)          calls f(name, matrix) for every stored matrix of the state (const or not):
//                             the positions and whatever else a step cannot recompute from them
//   restored(state, where)    after the matrices were written back into a prepared state: checks them (binary
//                             units, …; an ebm::Error naming `where` and the field) and marks every cache stale
//
// What a kernel caches about its chains (E, ∇ₓE at the positions) is not stored: a restored state's stamp is
// invalidated (param_stamp.hpp), so the first step re-evaluates it at the current θ, exactly as an uninterrupted
// run does after an update changed θ. Per-step reports (acceptance, step counts) are not stored either.
//
// The codecs ebm ships:
//   GibbsChains (block Gibbs on an RBM)        v, h, ph   (ph = E[h | v], the model term reads it)
//   BinaryChains (GWG, DULA, DMALA, …)          x          (every entry 0 or 1)
//   any other state with a matrix member x      x          (LangevinChains, a user's kernel, as the plug-in test's)
//                                                          and stamp.invalidate() when it has a stamp
// A state of another layout specialises ChainStateCodec. save_chain_state / restore_chain_state serve the
// single-set policies (PCD, CD); parallel tempering stacks every replica (io/tempering_checkpoint.hpp).
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/samplers/binary_chains.hpp"
#include "ebm/samplers/gibbs_chains.hpp"

namespace ebm {

template <class State>
struct ChainStateCodec;

// The default: positions in a matrix member x (the rule the replay buffer, energy tempering and AIS rely on,
// kernel_concept.hpp), the cache behind a ParamStamp member stamp when there is one.
template <class State>
  requires requires(State& s) { s.x.rows(); s.x.cols(); }
struct ChainStateCodec<State> {
  template <class St, class F>
  static void fields(St& s, F&& f) {
    f("x", s.x);
  }
  static void restored(State& s, const std::string&) {
    if constexpr (requires { s.stamp.invalidate(); }) s.stamp.invalidate();
  }
};

template <class S>
struct ChainStateCodec<BinaryChains<S>> {
  template <class St, class F>
  static void fields(St& s, F&& f) {
    f("x", s.x);
  }
  static void restored(BinaryChains<S>& s, const std::string& where) {
    check_binary(s.x, where + ": chains.x");
    s.stamp.invalidate();
  }
};

template <class S>
struct ChainStateCodec<GibbsChains<S>> {
  template <class St, class F>
  static void fields(St& s, F&& f) {
    f("v", s.v);
    f("h", s.h);
    f("ph", s.ph);
  }
  // The swap energies (energy) are recomputed by parallel tempering's restore; block Gibbs caches nothing else.
  static void restored(GibbsChains<S>& s, const std::string& where) {
    check_binary(s.h, where + ": chains.h");
  }
};

template <class State>
concept HasChainStateCodec = requires(State& s, const State& cs, const std::string& where) {
  ChainStateCodec<State>::fields(s, [](std::string_view, auto&) {});
  ChainStateCodec<State>::fields(cs, [](std::string_view, const auto&) {});
  ChainStateCodec<State>::restored(s, where);
};

namespace detail {
// chains.<name> for a field: present, `rows` rows from row0 on, and as wide as the prepared state's field.
inline const Matrixf& stored_chain(const TrainingState& t, std::string_view name, Index rows, Index width,
                                   const std::string& where) {
  const auto it = t.chains.find(std::string(name));
  ensure(it != t.chains.end(), where, ": the checkpoint holds no chains.", name, " (chain state)");
  ensure(it->second.rows() == rows, where, ": chains.", name, " has ", it->second.rows(), " rows, not ", rows,
         " (one per chain)");
  ensure(it->second.cols() == width, where, ": chains.", name, " has ", it->second.cols(), " columns; the model needs ",
         width);
  return it->second;
}
}  // namespace detail

// t.chains[name] = every field of the state (float32).
template <HasChainStateCodec State>
void save_chain_state(const State& s, TrainingState& t) {
  ChainStateCodec<State>::fields(s, [&](std::string_view name, const auto& m) {
    t.chains[std::string(name)] = m.template cast<float>();
  });
}

// The state of `rows` chains back from t: the kernel prepares it for the model, the stored fields are written
// into it and checked, its caches marked stale. `where` names the file in errors.
template <class K>
  requires HasChainStateCodec<typename K::State>
void restore_chain_state(K& kernel, const typename K::Model& model, typename K::State& s, const TrainingState& t,
                         Index rows, const std::string& where) {
  using State = typename K::State;
  kernel.prepare(model, s, rows);
  ChainStateCodec<State>::fields(s, [&](std::string_view name, auto& m) {
    using S = typename std::decay_t<decltype(m)>::Scalar;
    m = detail::stored_chain(t, name, rows, m.cols(), where).template cast<S>();
  });
  ChainStateCodec<State>::restored(s, where);
}

}  // namespace ebm
