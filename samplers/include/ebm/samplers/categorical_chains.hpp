#pragma once
// State of a batch of chains over categorical x ∈ {0, …, q−1}^n (the kernels of categorical_gibbs.hpp and
// categorical_gwg.hpp), one label row per chain, stored as the conditional models store labels (core/labels.hpp).
// Like BinaryChains it caches what the next step needs, E(x_r) and, for gradient-informed kernels, the one-hot
// gradient ∂E/∂o at x_r (core/categorical_model.hpp), beside the stamp of the model and θ they belong to
// (param_stamp.hpp): a kernel re-evaluates a stale cache at the start of a step.
#include <cstdint>
#include <utility>
#include <vector>

#include "ebm/core/labels.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/chain_exchange.hpp"
#include "ebm/samplers/param_stamp.hpp"
#include "ebm/samplers/step_info.hpp"

namespace ebm {

template <class S>
struct CategoricalChains {
  LabelMatrix x;        // states (chains × sites), every entry below the model's q
  VectorX<S> energy;    // E(x_r) at the θ of stamp
  MatrixX<S> grad;      // ∂E/∂o at the one-hot of x_r (chains × sites·q, site-major); 0 rows for energy-only kernels
  ParamStamp<S> stamp;  // the model and θ energy and grad belong to
  Vectord acceptance;   // chain r's acceptance probability in its last step (Gibbs: its probability of moving)
  std::vector<std::uint8_t> accepted;  // whether chain r's last step changed its state
  std::int64_t steps = 0;              // steps since init

  Index size() const { return x.rows(); }
};

// Swaps chain r of a and of b with everything cached about it (parallel tempering's exchange,
// tempering_concept.hpp). The caches were computed for the other replica's temperature, so both stamps are marked
// stale: the next step re-evaluates E (and ∂E/∂o) there.
template <class S>
void exchange_chain(CategoricalChains<S>& a, CategoricalChains<S>& b, Index r) {
  exchange_cached_chain(a, b, r);  // chain_exchange.hpp
}

// What one step of a categorical kernel did, over all chains.
struct CategoricalStepInfo : StepInfo {
  Index accepted = 0;         // chains that moved
  Index non_finite = 0;       // proposals (or site conditionals) rejected because E or its gradient was NaN/infinite
  double mean_changes = 0;    // mean number of sites whose label changed
};

}  // namespace ebm
