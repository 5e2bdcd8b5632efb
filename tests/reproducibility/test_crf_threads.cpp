// Conditional models are bit-identical on 1, 2 and 8 threads: single-site/checkerboard Gibbs chains of a
// grid CRF, and PCD training with per-example chains (data term, chains and optimizer). Shapes give several
// blocks and a partial one; a different seed gives a different result (so the comparison can fail).
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "reproducibility/crf_runs.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

using Crf = test::ReproCrf;

LabelMatrix sample(SiteScan scan, std::uint64_t seed) {
  const Crf crf = test::repro_crf(0.5f);
  const auto x = test::repro_images(37);
  SiteGibbs<Crf> kernel(scan, 4);
  LabelChains<Crf> state;
  auto rng = make_chain_streams(seed, 37);
  kernel.init(crf, state, x, test::repro_labels(37, 1), rng);
  for (int t = 0; t < 5; ++t) kernel.step(crf, state, rng);
  return state.y;
}

VectorX<float> train_crf(std::uint64_t seed) {
  return test::train_repro_crf(PerExampleChains<SiteGibbs<Crf>>(SiteGibbs<Crf>(SiteScan::checkerboard, 3), 50, 2, seed),
                               0.5f, seed);
}

}  // namespace

TEST_CASE("grid CRF Gibbs chains are bit-identical on 1, 2 and 8 threads", "[crf][threads]") {
  for (SiteScan scan : {SiteScan::raster, SiteScan::checkerboard}) {
    const auto ref = test::with_threads(1, [&] { return sample(scan, 11); });
    for (int n : test::thread_counts) CHECK(test::bitwise_equal(test::with_threads(n, [&] { return sample(scan, 11); }), ref));
    CHECK_FALSE(test::bitwise_equal(sample(scan, 12), ref));
  }
}

TEST_CASE("grid CRF PCD training is bit-identical on 1, 2 and 8 threads", "[crf][threads]") {
  const auto ref = test::with_threads(1, [] { return train_crf(5); });
  for (int n : test::thread_counts) CHECK(test::bitwise_equal(test::with_threads(n, [] { return train_crf(5); }), ref));
  CHECK_FALSE(test::bitwise_equal(train_crf(6), ref));
}
