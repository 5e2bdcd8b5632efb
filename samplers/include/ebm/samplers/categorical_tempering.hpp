#pragma once
// Tempering of a categorical model (TemperingOf in tempering_concept.hpp): replica k steps
// TemperedCategoricalModel<M> at β_k (models/tempered_categorical_model.hpp), E_β = β E, so parallel tempering
// runs around every categorical kernel (random-scan and systematic single-site Gibbs, categorical GWG) on a Potts
// model or any other CategoricalModel. The swap energy is U = E(x) at β = 1.
//
// It is EnergyTempering's scheme (energy_tempering.hpp) for states that are label rows: the replicas are views
// of the model whose params() are [β] alone, so sync() compares the model's θ with the one of the last advance
// and marks every replica's cache stale when it moved; swap energies are evaluated at swap time, one E(x) per
// chain of the replicas taking part, in parallel over fixed blocks of chains (each value is one chain's, so the
// result does not depend on the blocks' schedule); an exchange marks both caches stale (categorical_chains.hpp).
// A separate type, not a branch of EnergyTempering: that one evaluates batched energies over real-valued rows and
// carries base logits and workspaces, none of which a label row has.
#include <span>
#include <vector>

#include "ebm/core/categorical_model.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/tempered_categorical_model.hpp"
#include "ebm/samplers/view_tempering.hpp"

namespace ebm {

template <CategoricalModel M>
class CategoricalTempering : public ViewTempering<M, TemperedCategoricalModel<M>> {
public:
  using Model = M;
  using Replica = TemperedCategoricalModel<M>;
  using Scalar = typename M::Scalar;
  static constexpr bool energy_from_sweep = false;
  // temper, sync and step: ViewTempering (view_tempering.hpp).

  Replica make_replica(const M& model) const { return Replica(model, 1.0); }

  void prepare(const M&, Index n, Index block_rows) { plan_ = BlockPlan(n, block_rows); }

  // u[r] = E(x_r), the model's energy at β = 1.
  template <class State>
  void swap_energies(const M& model, const State& s, VecRef<double> u) {
    for_each_block(plan_, [&](Index, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) u[r] = model.energy(label_row(ConstLabelRef(s.x), r));
    });
  }

  template <class State>
  void top_exchanged(const M&, State&) {}  // the exchange already marked the cache stale

  template <class K, class State>
  void accumulate_model_term(const K&, const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    for (Index r = 0; r < s.size(); ++r) model.accumulate_grad(label_row(ConstLabelRef(s.x), r), weight, grad);
  }

private:
  BlockPlan plan_;
};

}  // namespace ebm
