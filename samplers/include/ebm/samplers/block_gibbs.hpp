#pragma once
// Block Gibbs for two-layer models: one sweep is v ~ p(v | h), then h ~ p(h | v), on every chain.
// Chains are split into fixed blocks (core/parallel.hpp), one oneTBB task per block; chain r draws only from
// its own stream rng[r], so the states after any number of sweeps are bit-identical for any thread count.
// Every buffer is allocated in prepare(); a step allocates nothing.
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
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      auto v = s.v.middleRows(r0, n);
      model.visible_mean(s.h.middleRows(r0, n), v, ws_[static_cast<std::size_t>(b)]);
      for (Index r = r0; r < r0 + n; ++r) {
        const std::span<Scalar> row(s.v.row(r).data(), static_cast<std::size_t>(s.v.cols()));
        model.sample_visible(row, rng[static_cast<std::size_t>(r)], row);  // in place: mean → sample
      }
      hidden_half(model, s, rng, b, r0, n);
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
};

}  // namespace ebm
