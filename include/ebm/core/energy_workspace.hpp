#pragma once
// The per-block workspace of an energy model, for the kernels and wrappers that evaluate E (and ∇ₓE) on blocks
// of chains: a model with a workspace form (ContinuousEnergyModelWithWorkspace) gets one M::Workspace per block,
// sized once, so that a step allocates nothing; any other model gets an empty placeholder and is called
// without one.
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/parallel.hpp"

namespace ebm {

struct NoEnergyWorkspace {};

template <class M>
struct EnergyWorkspaceOf {
  using type = NoEnergyWorkspace;
};
template <ContinuousEnergyModelWithWorkspace M>
struct EnergyWorkspaceOf<M> {
  using type = typename M::Workspace;
};
template <class M>
using energy_workspace_t = typename EnergyWorkspaceOf<M>::type;

// One workspace per block of `plan`, each sized for that block's rows.
template <class M>
void make_block_workspaces(const M& model, const BlockPlan& plan, std::vector<energy_workspace_t<M>>& ws) {
  ws.clear();
  ws.reserve(std::size_t(plan.count()));
  for (Index b = 0; b < plan.count(); ++b) {
    if constexpr (ContinuousEnergyModelWithWorkspace<M>)
      ws.push_back(model.make_workspace(plan.size(b)));
    else
      ws.emplace_back();
  }
}

}  // namespace ebm
