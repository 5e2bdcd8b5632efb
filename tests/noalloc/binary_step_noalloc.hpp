#pragma once
// The no-allocation check every discrete kernel's test runs: after init and one step, three more steps of 35
// chains (a full block of 25 and a partial one of 10) call neither operator new nor malloc. Binary kernels start
// from random coins; categorical ones pass their own start labels.
// Include after noalloc/allocation_counter.hpp, which must come first in the test file.
#include <catch2/catch.hpp>

#include "ebm/samplers/binary_chains.hpp"
#include "noalloc/allocation_counter.hpp"
#include "support/binary_fixtures.hpp"

namespace ebm::test {

template <class K, class M, class Start>
void check_steps_allocate_nothing(const char* name, K kernel, const M& model, const Start& start) {
  INFO(name);
  typename K::State s;
  auto rng = make_chain_streams(5, start.rows());
  kernel.init(model, s, start, rng);
  kernel.step(model, s, rng);
  AllocationCounts counts;
  {
    NoAllocationScope scope;
    for (int t = 0; t < 3; ++t) kernel.step(model, s, rng);
    counts = scope.counts();
  }
  CHECK(counts.operator_new == 0);
  CHECK(counts.malloc == 0);
  CHECK(s.energy.allFinite());
}

template <class K, class M>
void check_steps_allocate_nothing(const char* name, K kernel, const M& model) {
  using S = typename M::Scalar;
  check_steps_allocate_nothing(name, std::move(kernel), model, random_binary<S>(35, model.dim(), 6));
}

}  // namespace ebm::test
