#pragma once
// Gradient transforms: what happens to the gradient between "data term − model term" and the optimizer step.
// Centering (centering.hpp), weight decay (weight_decay.hpp) and the energy-magnitude penalty
// (energy_penalty.hpp) are transforms; the trainer knows none of them, it applies its list in order:
//
//   grad = data term − model term;  for t in transforms: t.apply(ctx, grad);  optimizer.step(model, grad, …)
//
// The contract (GradientTransform<T, Ctx>):
//   t.apply(ctx, grad)            changes grad (VecRef of the model's Scalar) in place; ctx is the update's
//                                 UpdateContext below: the model, the minibatch, the data term and the chains
//                                 it was computed from. It may keep state (a running mean), which is then the
//                                 transform's to expose for checkpoints.
//   t.start_epoch(model, data)    optional: called by train_epoch before the first minibatch of every epoch
//                                 with the whole (possibly re-binarized) training set.
// A transform that needs a part of the context another trainer lacks (Centering needs the RBM's hidden means,
// the energy penalty the chains) fails to compile there, with a static_assert that says what is missing.
//
// TransformList<Ctx> holds the transforms a run chose at run time, in order, by value; add() returns a
// reference to the stored transform (stable: the list owns each in its own allocation), find<T>() the first
// of a type. The trainers own one.
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "ebm/core/types.hpp"

namespace ebm {

// What one update hands to its transforms; references valid during apply() only.
template <class ModelT, class DataT, class BatchT, class DataTermT, class ChainsT>
struct UpdateContext {
  using Model = ModelT;
  using Scalar = typename ModelT::Scalar;
  using Data = DataT;          // the training set type, as start_epoch receives it
  using Batch = BatchT;        // the minibatch type
  using DataTerm = DataTermT;  // NoTerm when the trainer has none
  using Chains = ChainsT;      // NoTerm when the trainer has none

  const Model& model;
  const Batch& batch;           // this update's minibatch
  Scalar data_weight;           // weight of each minibatch row in grad (1 / rows)
  const DataTerm& data_term;    // after accumulate() on this batch (an RBM's: E[h|v] in last_hidden_means())
  const Chains& chains;         // the chain policy after advance(): the states of the model term
  Scalar model_weight;          // weight of each chain in grad (−1 / num_chains; 0 without a model term)
};

// Stands in for a data term or chains a trainer does not have (ObjectiveTrainer has neither).
struct NoTerm {};

template <class T, class Ctx>
concept GradientTransform = requires(T& t, const Ctx& ctx, VecRef<typename Ctx::Scalar> grad) { t.apply(ctx, grad); };

template <class Ctx>
class TransformList {
public:
  using Model = typename Ctx::Model;
  using Data = typename Ctx::Data;
  using Scalar = typename Ctx::Scalar;

  template <class T>
    requires GradientTransform<std::decay_t<T>, Ctx>
  std::decay_t<T>& add(T&& t) {
    auto h = std::make_unique<Holder<std::decay_t<T>>>(std::forward<T>(t));
    auto& ref = h->t;
    items_.push_back(std::move(h));
    return ref;
  }

  // The first transform of type T in the list, or nullptr.
  template <class T>
  T* find() {
    for (auto& it : items_)
      if (auto* h = dynamic_cast<Holder<T>*>(it.get())) return &h->t;
    return nullptr;
  }
  template <class T>
  const T* find() const {
    for (const auto& it : items_)
      if (const auto* h = dynamic_cast<const Holder<T>*>(it.get())) return &h->t;
    return nullptr;
  }

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

  void start_epoch(const Model& model, const Data& data) {
    for (auto& it : items_) it->start_epoch(model, data);
  }
  void apply(const Ctx& ctx, VecRef<Scalar> grad) {
    for (auto& it : items_) it->apply(ctx, grad);
  }

private:
  struct Base {
    virtual ~Base() = default;
    virtual void start_epoch(const Model& model, const Data& data) = 0;
    virtual void apply(const Ctx& ctx, VecRef<Scalar> grad) = 0;
  };
  template <class T>
  struct Holder final : Base {
    template <class U>
    explicit Holder(U&& u) : t(std::forward<U>(u)) {}
    void start_epoch(const Model& model, const Data& data) override {
      if constexpr (requires { t.start_epoch(model, data); }) t.start_epoch(model, data);
    }
    void apply(const Ctx& ctx, VecRef<Scalar> grad) override { t.apply(ctx, grad); }
    T t;
  };

  std::vector<std::unique_ptr<Base>> items_;
};

}  // namespace ebm
