#pragma once
// Parallel tempering's exchange for chain sets that cache E (and a gradient) per chain: BinaryChains over 0/1
// rows, CategoricalChains over label rows (tempering_concept.hpp, ExchangeableChains).
#include <utility>

#include "ebm/core/types.hpp"

namespace ebm {

// Chain r of a and chain r of b trade places: the state, its cached E and gradient and its last acceptance move
// together, and both caches are marked stale, because the states belong to different targets (the replicas) and
// the rows now hold values of the other one: the next step of each set re-evaluates its cache (a stale one is
// never used).
template <class Chains>
void exchange_cached_chain(Chains& a, Chains& b, Index r) {
  a.x.row(r).swap(b.x.row(r));
  std::swap(a.energy[r], b.energy[r]);
  if (a.grad.rows() > r && b.grad.rows() > r) a.grad.row(r).swap(b.grad.row(r));
  std::swap(a.acceptance[r], b.acceptance[r]);
  std::swap(a.accepted[std::size_t(r)], b.accepted[std::size_t(r)]);
  a.stamp.invalidate();
  b.stamp.invalidate();
}

}  // namespace ebm
