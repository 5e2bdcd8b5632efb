#pragma once
// What the trainers (Trainer, ObjectiveTrainer) ask of an optimizer: Sgd, Adam, SelectedOptimizer (one of the
// two chosen at run time), or one of your own.
//
//   o.step(model, grad, lr, momentum)  θ ← θ + Δ(grad, optimizer state). `momentum` is the schedule's value at
//                                      this update; an optimizer with a momentum of its own (Adam's β₁) ignores
//                                      it. Strong guarantee: a step that throws leaves θ and the state as they
//                                      were.
//   o.state() → OptimizerState         everything the next step depends on besides θ and grad, in the form a
//                                      checkpoint stores (optimizer_state.hpp)
//   o.restore(const OptimizerState&)   the inverse: after restore(s) the optimizer steps exactly as the one s
//                                      came from. Refuses, with an ebm::Error naming the field, a state of
//                                      another kind, with a missing, unknown or non-finite vector, or with
//                                      vectors of unequal sizes. (Their size against the model is checked where
//                                      the model is known: Trainer::restore_optimizer, and step.)
//
// Weight decay and any other change of the gradient are not the optimizer's business: they are gradient
// transforms (gradient_transform.hpp), applied before step, so SGD and Adam see the same decayed gradient.
#include <cmath>
#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/train/optimizer_state.hpp"

namespace ebm {

template <class O, class M>
concept OptimizerFor = requires(O& o, const O& co, M& model, const VectorX<typename M::Scalar>& grad, double lr,
                                double momentum, const OptimizerState& s) {
  o.step(model, grad, lr, momentum);
  { co.state() } -> std::same_as<OptimizerState>;
  o.restore(s);
};

namespace detail {

// Checks `s` for an optimizer of `kind` whose state is exactly the vectors `names`: the kind matches, every
// name is present and no other, all have one size (0 before the first step), every entry is finite, steps
// ≥ 0. Returns that size.
inline Index check_optimizer_state(const OptimizerState& s, std::string_view kind,
                                   std::initializer_list<std::string_view> names) {
  const std::string where = "optimizer state (" + std::string(kind) + ")";
  ensure(s.kind == kind, "optimizer state: kind = \"", s.kind, "\", but this optimizer is \"", kind, "\"");
  ensure(s.steps >= 0, where, ": steps = ", s.steps, " must be non-negative");
  for (const auto& [name, v] : s.vectors) {
    bool known = false;
    for (const std::string_view n : names) known = known || n == name;
    ensure(known, where, ": unknown vector \"", name, "\"");
  }
  Index size = -1;
  std::string first;
  for (const std::string_view n : names) {
    const auto it = s.vectors.find(std::string(n));
    ensure(it != s.vectors.end(), where, ": vector \"", n, "\" is missing");
    const Vectorf& v = it->second;
    if (size < 0) {
      size = v.size();
      first = n;
    }
    ensure(v.size() == size, where, ": \"", n, "\" has ", v.size(), " entries, \"", first, "\" has ", size);
    for (Index k = 0; k < v.size(); ++k)
      ensure(std::isfinite(v[k]), where, ": ", n, "[", k, "] = ", double(v[k]), "; the state must be finite");
  }
  return size < 0 ? 0 : size;
}

// Restores `s` into `optimizer` after checking, as only the caller can, that every vector of the state has one
// entry per parameter of the model (or none: before the first step). Both trainers' restore_optimizer.
template <class O>
void restore_checked(O& optimizer, const OptimizerState& s, Index num_params) {
  for (const auto& [name, v] : s.vectors)
    ensure(v.size() == 0 || v.size() == num_params, "optimizer state (", s.kind, "): \"", name, "\" has ", v.size(),
           " entries, the model has ", num_params, " parameters");
  optimizer.restore(s);
}

// Throws, naming the first parameter whose θ_k + Δ_k is not finite (by the model's param_name when it has one),
// if there is one: the divergence check a step runs before it changes anything. `who` starts the message.
template <class M, class S>
void check_finite_step(const M& model, const VectorX<S>& theta, const VectorX<S>& delta, const VectorX<S>& grad,
                       std::string_view who) {
  for (Index k = 0; k < theta.size(); ++k)
    if (!std::isfinite(double(theta[k] + delta[k]))) {
      std::string name = "#" + std::to_string(k);
      if constexpr (requires { model.param_name(k); }) name = model.param_name(k);
      fail(who, ": parameter ", name, " would become ", double(theta[k] + delta[k]), " (gradient ", double(grad[k]),
           "); training diverged, lower the learning rate");
    }
}

}  // namespace detail
}  // namespace ebm
