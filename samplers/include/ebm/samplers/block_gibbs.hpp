#pragma once
// Block Gibbs for two-layer models: one sweep is v ~ p(v | h), then h ~ p(h | v), on every chain.
// Chains are split into fixed blocks (core/parallel.hpp), one oneTBB task per block; chain r draws only from
// its own stream rng[r], so the states after any number of sweeps are bit-identical for any thread count.
// Every buffer is allocated in prepare(); a step allocates nothing.
#include <concepts>
#include <span>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/samplers/gibbs_chains.hpp"

namespace ebm {

template <LatentGibbsModel M>
class BlockGibbs {
public:
  using Model = M;
  using Scalar = typename M::Scalar;
  using State = GibbsChains<Scalar>;

  BlockGibbs() : BlockGibbs(default_block_rows) {}
  explicit BlockGibbs(Index block_rows) : block_rows_(block_rows) {
    ensure(block_rows > 0, "BlockGibbs: block_rows = ", block_rows, " must be positive");
  }

  Index block_rows() const { return block_rows_; }

  // Sizes the state and the per-block workspaces for n chains of this model.
  void prepare(const M& model, State& s, Index n) {
    ensure(n > 0, "BlockGibbs: number of chains = ", n, " must be positive");
    s.v.resize(n, model.dim());
    s.h.resize(n, model.num_hidden());
    s.ph.resize(n, model.num_hidden());
    s.energy.setZero(n);
    plan_ = BlockPlan(n, block_rows_);
    ws_.clear();
    for (Index b = 0; b < plan_.count(); ++b) ws_.push_back(model.make_workspace(plan_.size(b)));
  }

  // Chains start at the rows of v0: v = v0, ph = E[h | v0], h ~ p(h | v0).
  void init(const M& model, State& s, const ConstBatchRef<Scalar>& v0, std::span<Rng> rng) {
    ensure(v0.cols() == model.dim(), "BlockGibbs::init: start states have ", v0.cols(), " columns, the model has ",
           model.dim(), " visible units");
    if (s.size() != v0.rows() || s.h.cols() != model.num_hidden() || plan_.rows != v0.rows())
      prepare(model, s, v0.rows());
    check_streams(rng, s.size());
    s.v = v0;
    for_each_block(plan_, [&](Index b, Index r0, Index n) { hidden_half(model, s, rng, b, r0, n); });
  }

  // One sweep on every chain.
  StepInfo step(const M& model, State& s, std::span<Rng> rng) {
    check_streams(rng, s.size());
    ensure(plan_.rows == s.size(), "BlockGibbs::step: chains were not prepared (call init first)");
    // A model that computes p(v | h) of all blocks at once (sharing its reads of the weights among them, with
    // the bits of one block at a time) does so first; the sampling and the hidden half stay per block.
    constexpr bool all_blocks = requires(std::span<typename M::Workspace> w) {
      model.visible_mean_blocks(s.h, s.v, plan_, w);
    };
    if constexpr (all_blocks) model.visible_mean_blocks(s.h, s.v, plan_, std::span(ws_));
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      auto v = s.v.middleRows(r0, n);
      if constexpr (!all_blocks) model.visible_mean(s.h.middleRows(r0, n), v, ws_[static_cast<std::size_t>(b)]);
      for (Index r = r0; r < r0 + n; ++r) {
        const std::span<Scalar> row(s.v.row(r).data(), static_cast<std::size_t>(s.v.cols()));
        model.sample_visible(row, rng[static_cast<std::size_t>(r)], row);  // in place: mean → sample
      }
      hidden_half(model, s, rng, b, r0, n);
    });
    return {};
  }

  // One sweep at inverse temperature beta of `model`, where `tempered` is model.temper(beta): p(v | h) from the
  // tempered copy, then a = c + vW from the untempered model, ph = σ(β a), h ~ ph, and s.energy = E(v, h) at
  // β = 1 from a in O(nv + nh) per chain. Parallel tempering needs E at β = 1 for its swaps; taking it from the
  // product the sweep does anyway is what removes their cost. The untempered a is the only way to get it at
  // β = 0 (the tempered pre-activation is β a: dividing by β fails there). With beta = 1 the states equal
  // step()'s up to the rounding of σ on another buffer. The scratch for a is sized on first use.
  StepInfo step_tempered(const M& model, const M& tempered, double beta, State& s, std::span<Rng> rng)
    requires requires(const M& m, const ConstBatchRef<Scalar>& x, BatchRef<Scalar> out, typename M::Workspace& w,
                      std::span<const Scalar> row) {
      m.hidden_preactivation(x, out, w);
      { m.energy_from_preactivation(row, row, row) } -> std::convertible_to<double>;
    }
  {
    check_streams(rng, s.size());
    ensure(plan_.rows == s.size(), "BlockGibbs::step_tempered: chains were not prepared (call init first)");
    if (pre_.rows() != s.size() || pre_.cols() != s.h.cols()) pre_.resize(s.size(), s.h.cols());
    const Scalar b = Scalar(beta);
    for_each_block(plan_, [&](Index blk, Index r0, Index n) {
      auto& ws = ws_[static_cast<std::size_t>(blk)];
      auto v = s.v.middleRows(r0, n);
      tempered.visible_mean(s.h.middleRows(r0, n), v, ws);
      for (Index r = r0; r < r0 + n; ++r) {
        const std::span<Scalar> row(s.v.row(r).data(), static_cast<std::size_t>(s.v.cols()));
        tempered.sample_visible(row, rng[static_cast<std::size_t>(r)], row);
      }
      auto a = pre_.middleRows(r0, n);
      model.hidden_preactivation(s.v.middleRows(r0, n), a, ws);
      if (beta == 1.0)
        s.ph.middleRows(r0, n).array() = a.array().logistic();
      else
        s.ph.middleRows(r0, n).array() = (b * a.array()).logistic();
      const auto nv = static_cast<std::size_t>(s.v.cols()), nh = static_cast<std::size_t>(s.h.cols());
      for (Index r = r0; r < r0 + n; ++r) {
        tempered.sample_hidden(std::span<const Scalar>(s.ph.row(r).data(), nh), rng[static_cast<std::size_t>(r)],
                               std::span<Scalar>(s.h.row(r).data(), nh));
        s.energy[r] = model.energy_from_preactivation(std::span<const Scalar>(s.v.row(r).data(), nv),
                                                      std::span<const Scalar>(s.h.row(r).data(), nh),
                                                      std::span<const Scalar>(pre_.row(r).data(), nh));
      }
    });
    return {};
  }

  // grad += weight · Σ_chains ∂E/∂θ at the current states: the model term.
  void accumulate_stats(const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    model.accumulate_stats(s.v, s.ph, weight, grad);
  }

private:
  void hidden_half(const M& model, State& s, std::span<Rng> rng, Index b, Index r0, Index n) {
    model.hidden_mean(s.v.middleRows(r0, n), s.ph.middleRows(r0, n), ws_[static_cast<std::size_t>(b)]);
    const auto nh = static_cast<std::size_t>(s.h.cols());
    for (Index r = r0; r < r0 + n; ++r)
      model.sample_hidden(std::span<const Scalar>(s.ph.row(r).data(), nh), rng[static_cast<std::size_t>(r)],
                          std::span<Scalar>(s.h.row(r).data(), nh));
  }
  static void check_streams(std::span<Rng> rng, Index n) {
    ensure(static_cast<Index>(rng.size()) >= n, "BlockGibbs: ", rng.size(), " random streams for ", n, " chains");
  }

  Index block_rows_;
  BlockPlan plan_;
  std::vector<typename M::Workspace> ws_;
  MatrixX<Scalar> pre_;  // hidden pre-activations of step_tempered (chains × nh)
};

}  // namespace ebm
