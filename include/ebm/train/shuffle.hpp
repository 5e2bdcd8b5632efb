#pragma once
// The epoch order of a training set: a random permutation of 0 … n−1 by Fisher–Yates with Boost's portable
// uniform_int_distribution (std::shuffle's draws differ between standard libraries, which would break
// reproducibility of checkpoints across machines). Shared by every trainer so they shuffle alike.
#include <boost/random/uniform_int_distribution.hpp>
#include <numeric>
#include <utility>
#include <vector>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

inline void shuffle_order(std::vector<Index>& order, Index n, Rng& rng) {
  order.resize(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  for (Index i = n - 1; i > 0; --i) {
    boost::random::uniform_int_distribution<Index> pick(0, i);
    std::swap(order[std::size_t(i)], order[std::size_t(pick(rng))]);
  }
}

}  // namespace ebm
