// Conditional parallel tempering is bit-identical on 1, 2 and 8 threads: sampling (every replica's labels and
// the swap counts) and PT-PCD training of a grid CRF with per-example chains. Several chains per block size
// and a partial minibatch; a different seed gives a different result (so the comparison can fail).
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/samplers/conditional_tempering.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "reproducibility/crf_runs.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

using Crf = test::ReproCrf;
using Kernel = SiteGibbs<Crf>;

// Every replica's labels stacked, then the swap accepts as one more row.
MatrixX<float> sample(std::uint64_t seed) {
  const Crf crf = test::repro_crf(1.5f);
  const Index n = 37;
  ConditionalTempering<Kernel> pt(Kernel(SiteScan::checkerboard, 4), n, {1.0, 0.7, 0.45, 0.25}, 3, seed);
  pt.start(crf, test::repro_images(n), test::repro_labels(n, 1));
  for (int t = 0; t < 3; ++t) pt.advance(crf);
  MatrixX<float> out(4 * n + 1, 42);
  out.setZero();
  for (Index k = 0; k < 4; ++k) out.middleRows(k * n, n) = pt.replica(k).y.cast<float>();
  const auto stats = pt.swap_stats();
  for (Index k = 0; k < 3; ++k) out(4 * n, k) = float(stats.accepts[std::size_t(k)]);
  return out;
}

VectorX<float> train_tempered_crf(std::uint64_t seed) {
  return test::train_repro_crf(
      ConditionalTempering<Kernel>(Kernel(SiteScan::checkerboard, 3), 50, {1.0, 0.6, 0.3}, 2, seed), 1.5f, seed);
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
  const auto ref = test::with_threads(1, [] { return train_tempered_crf(5); });
  for (int n : test::thread_counts) CHECK(test::bitwise_equal(test::with_threads(n, [] { return train_tempered_crf(5); }), ref));
  CHECK_FALSE(test::bitwise_equal(train_tempered_crf(6), ref));
}
