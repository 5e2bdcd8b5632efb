// A step of the categorical kernels (random-scan and systematic-scan Gibbs, categorical GWG) allocates nothing once
// the chains are initialized: on an 8 × 8 Potts model with q = 5, with a full block of 25 chains and a partial one
// of 10.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/samplers/categorical_samplers.hpp"
#include "noalloc/binary_step_noalloc.hpp"

using namespace ebm;

namespace {

using test::check_steps_allocate_nothing;

// 35 chains of random labels.
template <class M>
LabelMatrix random_start(const M& model) {
  LabelMatrix x(35, model.num_sites());
  Rng init = make_stream(6, StreamPurpose::init, 0);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<Label>(init() % std::uint32_t(model.num_labels()));
  return x;
}

template <class M>
void check_all_categorical(const M& model) {
  const LabelMatrix x = random_start(model);
  check_steps_allocate_nothing("random-scan Gibbs", CategoricalRandomScanGibbs<M>(), model, x);
  check_steps_allocate_nothing("systematic-scan Gibbs", CategoricalSystematicGibbs<M>(), model, x);
  check_steps_allocate_nothing("categorical GWG", CategoricalGibbsWithGradients<M>(), model, x);
}

}  // namespace

TEST_CASE("categorical kernels: a step on a Potts model allocates nothing", "[noalloc][categorical][potts]") {
  check_all_categorical(PottsModel<double>(8, 8, 5, 1.0));
  check_all_categorical(PottsModel<float>(8, 8, 5, 1.0));
}
