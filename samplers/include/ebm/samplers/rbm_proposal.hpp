#pragma once
// Metropolis–Hastings with the base RBM's block Gibbs sweep as the proposal, for energies with an RBM base
// (models/rbm_base_energy.hpp: E(x) = E_net(x) + F(x), p ∝ p_RBM(x)·exp(−E_net(x))).
//
// Proposal: h ~ p_RBM(h | x), x' ~ p_RBM(x' | h). Its kernel q(x' | x) = Σ_h p(h | x) p(x' | h) satisfies
// p_RBM(x) q(x' | x) = p_RBM(x') q(x | x') (detailed balance of the two-step Gibbs sweep for the x-marginal), so
// the Hastings ratio for p_β ∝ p_RBM·exp(−β E_net) is exp(β (E_net(x) − E_net(x'))): neither q nor F is needed.
// When the net is a small correction the proposal is accepted nearly always and the chains mix as block Gibbs
// does on the RBM, which local and gradient-informed samplers on a 784-dimensional MNIST energy do not
// (benchmarks: ESS per evaluation of GWG on the RBM's free energy is ~100× below block Gibbs).
//
// β (set_net_beta, default 1) tempers the net alone: AIS's second leg (estimate/ais_rbm_base.hpp) walks it from
// 0 (the RBM) to 1. The state's cache is E(x) at β = 1 for the model's θ, as for every binary kernel.
//
// Determinism and cost: chain r draws from rng[r] only, n_h + d + 1 numbers per step, whatever happens; blocks of
// chains are oneTBB tasks; a step allocates nothing after the first (buffers sized to the chains). Per chain a
// step costs the RBM's two products (x W, h Wᵀ), F at x' (a third) and the net at x and x'.
#include <cmath>
#include <span>

#include "ebm/models/rbm_base_energy.hpp"
#include "ebm/samplers/binary_kernel.hpp"

namespace ebm {

template <class M>
concept RbmBaseModel = BinaryEnergyModel<M> && requires(const M& m) {
  m.base_rbm();
  { m.base_rbm().num_hidden() } -> std::convertible_to<Index>;
} && requires(const M& m, ConstBatchRef<typename M::Scalar> x, VecRef<typename M::Scalar> e, typename M::Workspace& ws) {
  m.net_energy(x, e, ws);
  m.base_energy(x, e, ws);
};

template <RbmBaseModel M>
class RbmProposalMetropolis : public detail::BinaryKernel<M> {
  using Base = detail::BinaryKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  using S = Scalar;
  static constexpr bool metropolis_adjusted = false;  // no step size to adapt

  explicit RbmProposalMetropolis(Index block_rows = default_block_rows)
      : Base("RbmProposalMetropolis", false, block_rows, 0, 0) {}

  // The net's inverse temperature: the kernel leaves p_β ∝ p_RBM·exp(−β E_net) invariant.
  void set_net_beta(double beta) {
    ensure(std::isfinite(beta) && beta >= 0, this->name(), ": net beta = ", beta, " must be finite and >= 0");
    beta_ = beta;
  }
  double net_beta() const { return beta_; }
  using Base::name;

  // E_net at the chains' states after the last step (rows of the state), for AIS's weights.
  const VectorX<S>& net_energies() const { return enet_; }

  BinaryStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const auto& rbm = model.base_rbm();
    const Index n_all = s.size(), d = s.x.cols(), nh = rbm.num_hidden();
    if (h_.rows() != n_all || h_.cols() != nh) h_.resize(n_all, nh);
    if (enet_.size() != n_all) enet_.resize(n_all), enet_p_.resize(n_all), fp_.resize(n_all);
    for_each_block(this->plan_, [&](Index b, Index r0, Index n) {
      auto& ws = this->ws_[std::size_t(b)];
      auto x = s.x.middleRows(r0, n);
      auto h = h_.middleRows(r0, n);
      auto xp = this->xp_.middleRows(r0, n);
      rbm.hidden_mean(x, h, ws.base.rbm);
      for (Index r = r0; r < r0 + n; ++r) {
        std::span<S> row(h_.row(r).data(), std::size_t(nh));
        rbm.sample_hidden(row, rng[std::size_t(r)], row);
      }
      rbm.visible_mean(h, xp, ws.base.rbm);
      for (Index r = r0; r < r0 + n; ++r) {
        std::span<S> row(this->xp_.row(r).data(), std::size_t(d));
        rbm.sample_visible(row, rng[std::size_t(r)], row);
        this->flips_[r] = double((this->xp_.row(r) - s.x.row(r)).cwiseAbs().sum());
      }
      model.net_energy(x, enet_.segment(r0, n), ws);
      model.net_energy(xp, enet_p_.segment(r0, n), ws);
      model.base_energy(xp, fp_.segment(r0, n), ws);
      for (Index r = r0; r < r0 + n; ++r) {
        this->ep_[r] = enet_p_[r] + fp_[r];
        const bool finite = std::isfinite(double(this->ep_[r])) && std::isfinite(double(enet_p_[r]));
        this->status_[std::size_t(r)] = finite ? Base::ok : Base::non_finite;
        const double u = uniform01d(rng[std::size_t(r)]);
        double a = 0;
        if (finite) {
          const double delta = beta_ * (double(enet_[r]) - double(enet_p_[r]));
          a = delta >= 0 ? 1.0 : std::exp(delta);
        }
        if (this->decide(s, r, a, u)) enet_[r] = enet_p_[r];
      }
    });
    return this->finish_step(s);
  }

private:
  double beta_ = 1;
  MatrixX<S> h_;                  // hidden units of the proposal (means, then samples)
  VectorX<S> enet_, enet_p_, fp_;  // E_net at x (then at the state after the step), at x', and F(x')
};

}  // namespace ebm
