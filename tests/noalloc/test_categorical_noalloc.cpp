// A step of the categorical kernels (random-scan and systematic-scan Gibbs, categorical GWG) allocates nothing once
// the chains are initialized: on an 8 × 8 Potts model with q = 5, with a full block of 25 chains and a partial one
// of 10.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/samplers/categorical_samplers.hpp"

using namespace ebm;

namespace {

template <class K, class M>
void check_steps_allocate_nothing(const char* name, K kernel, const M& model) {
  INFO(name);
  typename K::State s;
  auto rng = make_chain_streams(5, 35);
  LabelMatrix x(35, model.num_sites());
  Rng init = make_stream(6, StreamPurpose::init, 0);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<Label>(init() % std::uint32_t(model.num_labels()));
  kernel.init(model, s, x, rng);
  kernel.step(model, s, rng);
  test::AllocationCounts counts;
  {
    test::NoAllocationScope scope;
    for (int t = 0; t < 3; ++t) kernel.step(model, s, rng);
    counts = scope.counts();
  }
  CHECK(counts.operator_new == 0);
  CHECK(counts.malloc == 0);
  CHECK(s.energy.allFinite());
}

template <class M>
void check_all(const M& model) {
  check_steps_allocate_nothing("random-scan Gibbs", CategoricalRandomScanGibbs<M>(), model);
  check_steps_allocate_nothing("systematic-scan Gibbs", CategoricalSystematicGibbs<M>(), model);
  check_steps_allocate_nothing("categorical GWG", CategoricalGibbsWithGradients<M>(), model);
}

}  // namespace

TEST_CASE("categorical kernels: a step on a Potts model allocates nothing", "[noalloc][categorical][potts]") {
  check_all(PottsModel<double>(8, 8, 5, 1.0));
  check_all(PottsModel<float>(8, 8, 5, 1.0));
}
