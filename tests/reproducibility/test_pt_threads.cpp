// Parallel tempering is bitwise identical on 1, 2 and 8 threads, for sampling (every replica's states and the
// swap counts) and for PT-PCD training (parameters, β = 1 chains). 60 ladders are blocks of 25, 25 and 10 in
// every sweep and in the energies of the swaps; K = 4 temperatures with a swap rate well inside (0, 1), so
// the decisions really depend on the energies.
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/io/tempering_checkpoint.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

constexpr Index pt_nv = 64, pt_nh = 32, ladders = 60;
using PT = ParallelTempering<BlockGibbs<BernoulliRBMf>>;

Matrixf random_rows(Index rows, float p, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Matrixf x(rows, pt_nv);
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < pt_nv; ++i) x(r, i) = bernoulli(rng, p);
  return x;
}

BernoulliRBMf start_model() {
  BernoulliRBMf rbm(pt_nv, pt_nh);
  Rng rng = make_stream(3, StreamPurpose::init, 0);
  rbm.init_normal(rng, 0.3f);
  rbm.modify_params([](Vectorf& t) { t.tail(pt_nh + pt_nv).setConstant(-1.0f); });
  return rbm;
}

struct PtRun {
  Matrixf v, h, ph, params;
  SwapStats swaps;
};

// Every replica's (v, h, ph), stacked as a checkpoint holds them (io/tempering_checkpoint.hpp).
void stack(const PT& pt, PtRun& out) {
  TrainingState t;
  save_tempering(pt, t);
  out.v = t.chains.at("v");
  out.h = t.chains.at("h");
  out.ph = t.chains.at("ph");
}

PtRun sample(std::uint64_t seed) {
  const BernoulliRBMf rbm = start_model();
  PT pt(BlockGibbs<BernoulliRBMf>{}, ladders, {1.0, 0.8, 0.6, 0.4}, 5, seed);
  pt.start(rbm, random_rows(ladders, 0.3f, 1));
  for (int t = 0; t < 20; ++t) pt.advance(rbm);
  PtRun out;
  stack(pt, out);
  out.swaps = pt.swap_stats();
  return out;
}

PtRun train(std::uint64_t seed) {
  BernoulliRBMf rbm = start_model();
  PT pt(BlockGibbs<BernoulliRBMf>{}, ladders, {1.0, 0.8, 0.6, 0.4}, 1, seed);
  TrainOptions opt;
  opt.batch_size = 20;
  opt.epochs = 5;
  opt.learning_rate = 0.05;
  opt.seed = seed;
  Trainer trainer(rbm, pt, opt);
  trainer.fit(random_rows(300, 0.15f, 2));
  PtRun out;
  stack(pt, out);
  out.params = rbm.params().transpose();
  out.swaps = pt.swap_stats();
  return out;
}

void check_identical(const PtRun& a, const PtRun& b) {
  CHECK(test::bitwise_equal(a.v, b.v));
  CHECK(test::bitwise_equal(a.h, b.h));
  CHECK(test::bitwise_equal(a.ph, b.ph));
  CHECK(test::bitwise_equal(a.params, b.params));
  CHECK(a.swaps.accepts == b.swaps.accepts);
  CHECK(a.swaps.round_trips == b.swaps.round_trips);
}

}  // namespace

TEST_CASE("PT sampling and PT-PCD training are bitwise identical on 1, 2 and 8 threads", "[reproducibility][pt]") {
  const bool training = GENERATE(false, true);
  INFO((training ? "PT-PCD training" : "PT sampling"));
  auto run = [&](std::uint64_t seed) { return training ? train(seed) : sample(seed); };
  const PtRun serial = test::with_threads(1, [&] { return run(17); });
  REQUIRE(serial.v.rows() == 4 * ladders);
  for (double r : serial.swaps.rates()) {
    CHECK(r > 0.05);
    CHECK(r < 0.95);
  }
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    check_identical(serial, test::with_threads(n, [&] { return run(17); }));
  }
  const PtRun other_seed = test::with_threads(2, [&] { return run(18); });
  CHECK_FALSE(test::bitwise_equal(serial.v, other_seed.v));
}
