#pragma once
// State of a batch of chains of a conditional model: one label row per chain, and the context of the input
// each chain is conditioned on (chain r samples p(y | x_r)). The contexts are refreshed from the current θ
// whenever chains are (re)started, which a chain policy does before every update.
#include <vector>

#include "ebm/core/conditional_model.hpp"

namespace ebm {

template <ConditionalGibbsModel M>
struct LabelChains {
  LabelMatrix y;                             // chains × sites
  std::vector<typename M::Context> context;  // one per chain

  Index size() const { return y.rows(); }
};

}  // namespace ebm
