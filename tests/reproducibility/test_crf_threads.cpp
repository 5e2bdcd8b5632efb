// Conditional models are bit-identical on 1, 2 and 8 threads: single-site/checkerboard Gibbs chains of a
// grid CRF, and PCD training with per-example chains (data term, chains and optimizer). Shapes give several
// blocks and a partial one; a different seed gives a different result (so the comparison can fail).
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "ebm/train/trainer.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/crf_fixtures.hpp"

using namespace ebm;

namespace {

using Crf = GridCrf<MlpUnary<float>>;

Crf make_crf() {
  Crf crf(6, 7, PatchFeatures{1, 2, 1}, MlpUnary<float>(18, 5, 4), Pairwise::full);
  crf.init(3, 1.0f, 0.5f);
  return crf;
}

MatrixX<float> images(Index n) { return test::random_images(n, 42, 8).cast<float>(); }

LabelMatrix labels(Index n, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 2);
  LabelMatrix y(n, 42);
  for (Index k = 0; k < y.size(); ++k) y.data()[k] = Label(rng() % 4u);
  return y;
}

LabelMatrix sample(SiteScan scan, std::uint64_t seed) {
  const Crf crf = make_crf();
  const auto x = images(37);
  SiteGibbs<Crf> kernel(scan, 4);
  LabelChains<Crf> state;
  auto rng = make_chain_streams(seed, 37);
  kernel.init(crf, state, x, labels(37, 1), rng);
  for (int t = 0; t < 5; ++t) kernel.step(crf, state, rng);
  return state.y;
}

VectorX<float> train(std::uint64_t seed) {
  Crf crf = make_crf();
  const auto x = images(50);
  const auto y = labels(50, 4);
  PerExampleChains<SiteGibbs<Crf>> chains(SiteGibbs<Crf>(SiteScan::checkerboard, 3), 50, 2, seed);
  TrainOptions o;
  o.batch_size = 20;
  o.epochs = 3;
  o.learning_rate = 0.05;
  o.seed = seed;
  o.weight_decay = 1e-3;
  Trainer trainer(crf, chains, o);
  trainer.fit(ConditionalData<float>(x, y));
  return crf.params();
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
  const auto ref = test::with_threads(1, [] { return train(5); });
  for (int n : test::thread_counts) CHECK(test::bitwise_equal(test::with_threads(n, [] { return train(5); }), ref));
  CHECK_FALSE(test::bitwise_equal(train(6), ref));
}
