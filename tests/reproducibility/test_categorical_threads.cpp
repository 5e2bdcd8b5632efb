// The categorical kernels (random-scan and systematic-scan Gibbs, categorical GWG) give bitwise identical chains,
// energies, one-hot gradients and step infos on 1, 2 and 8 threads, on a 5 × 6 Potts model with q = 4 and a field
// (float and double); another seed gives other chains. 60 chains in blocks of 25 make two full blocks and a
// partial one.
#include <catch2/catch.hpp>

#include "ebm/samplers/categorical_samplers.hpp"
#include "reproducibility/kernel_thread_runs.hpp"

using namespace ebm;

namespace {

LabelMatrix start_labels(Index rows, Index sites, int q, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  LabelMatrix x(rows, sites);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<Label>(rng() % std::uint32_t(q));
  return x;
}

template <class S>
void check_categorical_kernels() {
  VectorX<S> h(120);
  for (Index k = 0; k < 120; ++k) h[k] = S(0.1 * double(k % 5) - 0.2);
  const PottsModel<S> model(5, 6, 4, 1.0, h);
  using M = PottsModel<S>;
  const auto start = [&model](Index chains, std::uint64_t seed) {
    return start_labels(chains, model.num_sites(), model.num_labels(), seed);
  };
  const auto check_threads = [&](const char* name, const auto& kernel) {
    test::check_kernel_threads(name, kernel, model, start, 15);
  };
  check_threads("random-scan Gibbs", CategoricalRandomScanGibbs<M>());
  check_threads("systematic-scan Gibbs", CategoricalSystematicGibbs<M>());
  check_threads("categorical GWG", CategoricalGibbsWithGradients<M>());
}

}  // namespace

TEST_CASE("categorical kernels on a Potts model are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][categorical][potts]") {
  check_categorical_kernels<double>();
  check_categorical_kernels<float>();
}
