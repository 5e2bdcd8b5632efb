#pragma once
// SGD or Adam, chosen at run time (TrainOptions::optimizer, a command-line option): the trainers' default
// optimizer type. It meets OptimizerFor by forwarding to the one it holds, so its state is that optimizer's
// state ("sgd" or "adam"), and restoring a state of the other kind is an error. Code that knows its optimizer
// at compile time names it instead: Trainer<Policy, Adam<float>>.
#include <concepts>
#include <variant>

#include "ebm/train/adam.hpp"
#include "ebm/train/optimizer_state.hpp"
#include "ebm/train/sgd.hpp"
#include "ebm/train/train_options.hpp"

namespace ebm {

template <class S>
class SelectedOptimizer {
public:
  explicit SelectedOptimizer(Optimizer which = Optimizer::sgd, AdamOptions adam = {}) {
    if (which == Optimizer::adam)
      opt_.template emplace<Adam<S>>(adam);
  }
  explicit SelectedOptimizer(const TrainOptions& o) : SelectedOptimizer(o.optimizer, o.adam) {}

  Optimizer which() const { return opt_.index() == 0 ? Optimizer::sgd : Optimizer::adam; }
  // The optimizer held, or nullptr when it is the other one.
  Sgd<S>* sgd() { return std::get_if<Sgd<S>>(&opt_); }
  const Sgd<S>* sgd() const { return std::get_if<Sgd<S>>(&opt_); }
  Adam<S>* adam() { return std::get_if<Adam<S>>(&opt_); }
  const Adam<S>* adam() const { return std::get_if<Adam<S>>(&opt_); }

  template <class M>
  void step(M& model, const VectorX<S>& grad, double lr, double momentum) {
    std::visit([&](auto& o) { o.step(model, grad, lr, momentum); }, opt_);
  }
  OptimizerState state() const {
    return std::visit([](const auto& o) { return o.state(); }, opt_);
  }
  void restore(const OptimizerState& s) {
    std::visit([&](auto& o) { o.restore(s); }, opt_);
  }

private:
  std::variant<Sgd<S>, Adam<S>> opt_;
};

// The optimizer a trainer builds when it is given only TrainOptions: from the options if the type takes them
// (SelectedOptimizer), from the Adam options if it takes those (Adam), default-constructed otherwise (Sgd).
template <class Opt>
Opt optimizer_from_options(const TrainOptions& o) {
  if constexpr (std::constructible_from<Opt, const TrainOptions&>)
    return Opt(o);
  else if constexpr (std::constructible_from<Opt, const AdamOptions&>)
    return Opt(o.adam);
  else
    return Opt{};
}

}  // namespace ebm
