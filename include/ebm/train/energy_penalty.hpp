#pragma once
// The energy-magnitude penalty of Du & Mordatch 2019 ("Implicit generation and generalization in energy-based
// models"), a gradient transform (gradient_transform.hpp) for any energy model: the training loss gains
//   α · (mean over the minibatch of E(x⁺)² + mean over the chains of E(x⁻)²),
// which keeps the energies near 0 (a neural energy is otherwise free to drift, since only differences of E
// matter). Its gradient, added to grad:
//   2α · ( Σ_r |w⁺| E(x⁺_r) ∂E/∂θ(x⁺_r) + Σ_r |w⁻| E(x⁻_r) ∂E/∂θ(x⁻_r) ),
// with w⁺ = ctx.data_weight, w⁻ = ctx.model_weight and x⁻ the states of the model term's chains. The penalty is
// part of the loss, not of the density: energy() and ∇ₓE, what the samplers see, are unchanged.
//
// What it asks of the model: E(x) from energy(x, e) (or free_energy), and ∂E/∂θ per row, from
// accumulate_weighted_grad(x, w, grad) (gθ += Σ_r w_r ∂E/∂θ(x_r), MlpEnergy has it) or else one
// accumulate_grad(row, w_r, grad) call per row. A model that wraps a network with a fixed term and says so
// with net() (BaseTermEnergy: E = E_net − aᵀx, the same θ) is penalized on E_net: the fixed term is no
// offset the network could remove. Of the chains it asks state().x (Langevin and binary chains) or state().v
// (Gibbs chains).
//
// Rows are processed in fixed blocks in parallel, each into its own buffer, summed in block order: the same
// bits for any number of threads. (Before this transform MlpEnergy folded the penalty into its own
// accumulate_grad; computed apart, the sums round differently, by a few units in the last place.)
#include <cmath>
#include <type_traits>

#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

namespace detail {

// The states of a chain policy's chains (rows), where the model term was evaluated.
template <class Chains>
concept HasChainPositions = requires(const Chains& c) { c.state().x; } || requires(const Chains& c) { c.state().v; };

template <class Chains>
const auto& chain_positions(const Chains& c) {
  if constexpr (requires { c.state().x; })
    return c.state().x;
  else
    return c.state().v;
}

// The energy the penalty applies to: the network's when the model wraps one (net()), the model's otherwise.
template <class M>
const auto& penalized_energy(const M& model) {
  if constexpr (requires { model.net(); })
    return model.net();
  else
    return model;
}

}  // namespace detail

class EnergyMagnitudePenalty {
public:
  explicit EnergyMagnitudePenalty(double alpha) : alpha_(alpha) {
    ensure(alpha >= 0 && std::isfinite(alpha), "energy penalty: alpha = ", alpha, " must be non-negative and finite");
  }
  double alpha() const { return alpha_; }

  template <class Ctx>
  void apply(const Ctx& ctx, VecRef<typename Ctx::Scalar> grad) {
    static_assert(detail::HasChainPositions<typename Ctx::Chains>,
                  "EnergyMagnitudePenalty needs the model term's chain states (a chain policy whose state() has x or "
                  "v); this trainer has none");
    using S = typename Ctx::Scalar;
    if (alpha_ == 0) return;
    const auto& model = detail::penalized_energy(ctx.model);
    add(model, ctx.batch, S(2 * alpha_) * std::abs(ctx.data_weight), grad);
    add(model, detail::chain_positions(ctx.chains), S(2 * alpha_) * std::abs(ctx.model_weight), grad);
  }

private:
  // grad += c · Σ_r E(x_r) ∂E/∂θ(x_r), over fixed blocks of rows.
  template <class M, class S>
  void add(const M& model, const std::type_identity_t<ConstBatchRef<S>>& x, S c, std::type_identity_t<VecRef<S>> grad) {
    if (x.rows() == 0 || c == S(0)) return;
    const BlockPlan plan(x.rows(), default_block_rows);
    const Index p = grad.size();
    MatrixX<S>& partial = partial_buffer<S>();
    partial.resize(plan.count(), p);
    for_each_block(plan, [&](Index b, Index r0, Index n) {
      const auto xb = x.middleRows(r0, n);
      VectorX<S> e(n);
      if constexpr (requires { model.energy(xb, e); })
        model.energy(xb, e);
      else
        model.free_energy(xb, e);
      e *= c;  // the per-row weights c · E(x_r)
      Eigen::Map<VectorX<S>> out(partial.row(b).data(), p);  // a row of a row-major matrix is contiguous
      out.setZero();
      if constexpr (requires { model.accumulate_weighted_grad(xb, e, out); }) {
        model.accumulate_weighted_grad(xb, e, out);
      } else {
        for (Index r = 0; r < n; ++r) model.accumulate_grad(xb.row(r), e[r], out);
      }
    });
    for (Index b = 0; b < plan.count(); ++b) grad += partial.row(b).transpose();
  }

  template <class S>
  MatrixX<S>& partial_buffer() {
    if constexpr (std::is_same_v<S, float>)
      return partial_f_;
    else
      return partial_d_;
  }

  double alpha_;
  MatrixX<float> partial_f_;  // one row per block: that block's contribution (reused between updates)
  MatrixX<double> partial_d_;
};

}  // namespace ebm
