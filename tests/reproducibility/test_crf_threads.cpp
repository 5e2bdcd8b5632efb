// Conditional models are bit-identical on 1, 2 and 8 threads: single-site/checkerboard Gibbs chains of a
// grid CRF, and PCD training with per-example chains (data term, chains and optimizer). Shapes give several
// blocks and a partial one; a different seed gives a different result (so the comparison can fail).
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/crf/predict.hpp"
#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "reproducibility/crf_runs.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

using Crf = test::ReproCrf;

LabelMatrix sample(SiteScan scan, std::uint64_t seed, Pairwise pairwise = Pairwise::full) {
  const Crf crf = test::repro_crf(0.5f, pairwise);
  const auto x = test::repro_images(37);
  SiteGibbs<Crf> kernel(scan, 4);
  LabelChains<Crf> state;
  auto rng = make_chain_streams(seed, 37);
  kernel.init(crf, state, x, test::repro_labels(37, 1), rng);
  for (int t = 0; t < 5; ++t) kernel.step(crf, state, rng);
  return state.y;
}

VectorX<float> train_crf(std::uint64_t seed, Pairwise pairwise = Pairwise::full) {
  return test::train_repro_crf(PerExampleChains<SiteGibbs<Crf>>(SiteGibbs<Crf>(SiteScan::checkerboard, 3), 50, 2, seed),
                               0.5f, seed, pairwise);
}

// Mean-field marginals (then labels) of 37 images, in blocks of 2, under one schedule.
MatrixX<double> mean_field_marginals(bool parallel, std::uint64_t seed) {
  const Crf crf = test::repro_crf(0.8f, Pairwise::contrast);
  PredictOptions opt;
  opt.method = PredictMethod::mean_field;
  opt.mf_parallel = parallel;
  opt.mf_damping = parallel ? 0.3 : 0.0;
  opt.block_rows = 2;
  return predict_marginals(crf, test::random_images(37, 42, seed).cast<float>(), opt);
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

TEST_CASE("contrast-pairwise CRF: Gibbs chains and PCD training are bit-identical on 1, 2 and 8 threads",
          "[crf][threads][contrast]") {
  const auto ref = test::with_threads(1, [&] { return sample(SiteScan::checkerboard, 11, Pairwise::contrast); });
  for (int n : test::thread_counts)
    CHECK(test::bitwise_equal(test::with_threads(n, [&] { return sample(SiteScan::checkerboard, 11, Pairwise::contrast); }), ref));
  CHECK_FALSE(test::bitwise_equal(sample(SiteScan::checkerboard, 11), ref));  // the couplings matter
  const auto theta = test::with_threads(1, [] { return train_crf(5, Pairwise::contrast); });
  for (int n : test::thread_counts)
    CHECK(test::bitwise_equal(test::with_threads(n, [] { return train_crf(5, Pairwise::contrast); }), theta));
  CHECK_FALSE(test::bitwise_equal(train_crf(6, Pairwise::contrast), theta));
}

TEST_CASE("mean-field marginals are bit-identical on 1, 2 and 8 threads", "[crf][threads][mean_field]") {
  for (bool parallel : {false, true}) {
    const auto ref = test::with_threads(1, [&] { return mean_field_marginals(parallel, 21); });
    for (int n : test::thread_counts)
      CHECK(test::bitwise_equal(test::with_threads(n, [&] { return mean_field_marginals(parallel, 21); }), ref));
    CHECK_FALSE(test::bitwise_equal(mean_field_marginals(parallel, 22), ref));
  }
}
