#pragma once
// A continuous energy as a small virtual interface, for energies that live in research code compiled apart
// from ebm: derive from EnergyFunction<S>, implement its six members, and hand it to any Langevin sampler.
//
//   class MyEnergy : public ebm::EnergyFunction<double> { ... };
//   auto f = std::make_shared<MyEnergy>(...);
//   ebm::Mala<ebm::VirtualEnergyd> mala(0.1);
//   mala.init(ebm::VirtualEnergyd(f), state, x0, streams);
//
// The contract is the ContinuousEnergyModel concept's (core/concepts.hpp), rows being examples or chains:
//   energy(x, e)                e(r) = E(x_r)
//   energy_and_grad(x, e, g)    e(r) = E(x_r),  g.row(r) = ∇ₓE(x_r)
//   accumulate_grad(x, w, gθ)   gθ += w · Σ_r ∂E/∂θ(x_r),  θ = params()
// Samplers call energy_and_grad on disjoint blocks of rows from several threads at once: the const members
// must be safe to call concurrently (no shared scratch, no shared random state).
//
// EnergyFunction<S> itself satisfies the concept, so a sampler may also be instantiated on it directly and be
// given a derived object by reference; VirtualEnergy<S> is the same thing as a copyable value (it shares
// ownership of the function), for code that keeps models by value. Either way one virtual call is made per
// block of rows, not per row.
#include <memory>
#include <utility>

#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class EnergyFunction {
public:
  using Scalar = S;

  virtual ~EnergyFunction() = default;

  virtual Index dim() const = 0;
  // θ, one flat vector (may be empty); num_params() == params().size().
  virtual Index num_params() const = 0;
  virtual const VectorX<S>& params() const = 0;

  virtual void energy(const ConstBatchRef<S>& x, VecRef<S> e) const = 0;
  virtual void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> grad_x) const = 0;
  virtual void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad_theta) const = 0;

protected:
  EnergyFunction() = default;
  EnergyFunction(const EnergyFunction&) = default;
  EnergyFunction& operator=(const EnergyFunction&) = default;
};

// A value that forwards to a shared EnergyFunction. Copies share the function; the function's params() are
// what the samplers see (they re-evaluate their cached energies when these change).
template <class S>
class VirtualEnergy {
public:
  using Scalar = S;

  explicit VirtualEnergy(std::shared_ptr<EnergyFunction<S>> f) : f_(std::move(f)) {
    ensure(f_ != nullptr, "VirtualEnergy: the energy function is null");
  }
  // Non-owning: f must outlive this object and its copies.
  explicit VirtualEnergy(EnergyFunction<S>& f) : f_(std::shared_ptr<EnergyFunction<S>>(), &f) {}

  EnergyFunction<S>& function() const { return *f_; }

  Index dim() const { return f_->dim(); }
  Index num_params() const { return f_->num_params(); }
  const VectorX<S>& params() const { return f_->params(); }
  void energy(const ConstBatchRef<S>& x, VecRef<S> e) const { f_->energy(x, e); }
  void free_energy(const ConstBatchRef<S>& x, VecRef<S> e) const { f_->energy(x, e); }  // no latent variables
  void energy_and_grad(const ConstBatchRef<S>& x, VecRef<S> e, BatchRef<S> grad_x) const {
    f_->energy_and_grad(x, e, grad_x);
  }
  void accumulate_grad(const ConstBatchRef<S>& x, S weight, VecRef<S> grad_theta) const {
    f_->accumulate_grad(x, weight, grad_theta);
  }

private:
  std::shared_ptr<EnergyFunction<S>> f_;
};

using VirtualEnergyf = VirtualEnergy<float>;
using VirtualEnergyd = VirtualEnergy<double>;

static_assert(ContinuousEnergyModel<EnergyFunction<double>>);
static_assert(ContinuousEnergyModel<VirtualEnergy<double>>);
static_assert(EnergyModel<VirtualEnergy<double>>);

}  // namespace ebm
