// Conditional parallel tempering is bit-identical on 1, 2 and 8 threads: sampling (every replica's labels and
// the swap counts) and PT-PCD training of a grid CRF with per-example chains. Several chains per block size
// and a partial minibatch; a different seed gives a different result (so the comparison can fail).
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/samplers/conditional_tempering.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "ebm/train/trainer.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/crf_fixtures.hpp"

using namespace ebm;

namespace {

using Crf = GridCrf<MlpUnary<float>>;
using Kernel = SiteGibbs<Crf>;

Crf make_crf() {
  Crf crf(6, 7, PatchFeatures{1, 2, 1}, MlpUnary<float>(18, 5, 4), Pairwise::full);
  crf.init(3, 1.0f, 1.5f);
  return crf;
}

MatrixX<float> images(Index n) { return test::random_images(n, 42, 8).cast<float>(); }

LabelMatrix labels(Index n, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 2);
  LabelMatrix y(n, 42);
  for (Index k = 0; k < y.size(); ++k) y.data()[k] = Label(rng() % 4u);
  return y;
}

// Every replica's labels stacked, then the swap accepts as one more row.
MatrixX<float> sample(std::uint64_t seed) {
  const Crf crf = make_crf();
  const Index n = 37;
  ConditionalTempering<Kernel> pt(Kernel(SiteScan::checkerboard, 4), n, {1.0, 0.7, 0.45, 0.25}, 3, seed);
  pt.start(crf, images(n), labels(n, 1));
  for (int t = 0; t < 3; ++t) pt.advance(crf);
  MatrixX<float> out(4 * n + 1, 42);
  out.setZero();
  for (Index k = 0; k < 4; ++k) out.middleRows(k * n, n) = pt.replica(k).y.cast<float>();
  const auto stats = pt.swap_stats();
  for (Index k = 0; k < 3; ++k) out(4 * n, k) = float(stats.accepts[std::size_t(k)]);
  return out;
}

VectorX<float> train(std::uint64_t seed) {
  Crf crf = make_crf();
  const auto x = images(50);
  const auto y = labels(50, 4);
  ConditionalTempering<Kernel> chains(Kernel(SiteScan::checkerboard, 3), 50, {1.0, 0.6, 0.3}, 2, seed);
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

TEST_CASE("conditional PT sampling of a grid CRF is bit-identical on 1, 2 and 8 threads", "[crf][tempering][threads]") {
  const auto ref = test::with_threads(1, [] { return sample(11); });
  CHECK(ref.row(ref.rows() - 1).sum() > 0);  // swaps were accepted
  for (int n : test::thread_counts) CHECK(test::bitwise_equal(test::with_threads(n, [] { return sample(11); }), ref));
  CHECK_FALSE(test::bitwise_equal(sample(12), ref));
}

TEST_CASE("conditional PT-PCD training of a grid CRF is bit-identical on 1, 2 and 8 threads",
          "[crf][tempering][threads]") {
  const auto ref = test::with_threads(1, [] { return train(5); });
  for (int n : test::thread_counts) CHECK(test::bitwise_equal(test::with_threads(n, [] { return train(5); }), ref));
  CHECK_FALSE(test::bitwise_equal(train(6), ref));
}
