// Replay-buffer chains: the proportion of fresh starts, distinct slots and the write-back, bitwise identical
// runs on 1, 2 and 8 threads, errors; and the trainer runs with it.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "ebm/ebm.hpp"
#include "ebm/samplers/replay_buffer.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

using Policy = ReplayBuffer<Ula<GaussianEnergyd>>;

GaussianEnergyd standard_gaussian(Index d) { return GaussianEnergyd(Vectord::Zero(d), Matrixd::Identity(d, d)); }

Policy make_policy(Index chains, Index capacity, std::uint64_t seed, double rho) {
  return Policy(Ula<GaussianEnergyd>(0.1), chains, capacity, 2, seed, uniform_box_initializer<double>(-3, 3), rho);
}

}  // namespace

TEST_CASE("ReplayBuffer: fresh starts occur with probability rho", "[replay]") {
  // Over U updates of n chains the number of fresh starts is Binomial(nU, ρ): mean nUρ, standard error
  // √(nU ρ(1 − ρ)). Checked within 4 standard errors, for ρ = 0.05 (the default) and ρ = 0.3.
  const GaussianEnergyd model = standard_gaussian(2);
  const Matrixd no_batch(1, 2);
  for (const double rho : {0.05, 0.3}) {
    Policy p = make_policy(40, 400, 5, rho);
    constexpr int U = 500;
    for (int u = 0; u < U; ++u) p.advance(model, no_batch);
    const double trials = 40.0 * U, expected = trials * rho, se = std::sqrt(trials * rho * (1 - rho));
    INFO("rho " << rho << ": " << p.fresh_starts() << " fresh starts, expected " << expected << " +- " << se);
    CHECK(std::abs(double(p.fresh_starts()) - expected) < 4 * se);
    CHECK(p.fresh_starts() + p.buffer_starts() == std::int64_t(trials));
  }
  Policy defaults(Ula<GaussianEnergyd>(0.1), 4, 8, 1, 1, uniform_box_initializer<double>(-1, 1));
  CHECK(defaults.reinit_probability() == 0.05);
}

TEST_CASE("ReplayBuffer: distinct slots, chains written back, other slots untouched, rho = 0 and 1", "[replay]") {
  const GaussianEnergyd model = standard_gaussian(3);
  const Matrixd no_batch(1, 3);
  Policy p = make_policy(10, 30, 9, 0.0);
  p.advance(model, no_batch);  // fills the buffer with noise, then one update
  for (int u = 0; u < 5; ++u) {
    const Matrixd before = p.buffer();
    p.advance(model, no_batch);
    const auto& slots = p.last_slots();
    const std::set<Index> distinct(slots.begin(), slots.end());
    CHECK(distinct.size() == slots.size());
    for (Index r = 0; r < 10; ++r) {
      CHECK(p.last_fresh()[std::size_t(r)] == 0);  // ρ = 0: never fresh
      CHECK(p.buffer().row(slots[std::size_t(r)]) == p.state().x.row(r));
    }
    for (Index j = 0; j < 30; ++j)
      if (!distinct.count(j)) CHECK(p.buffer().row(j) == before.row(j));
  }
  Policy all_fresh = make_policy(10, 30, 9, 1.0);
  all_fresh.advance(model, no_batch);
  CHECK(all_fresh.fresh_starts() == 10);
  CHECK(all_fresh.buffer_starts() == 0);
  CHECK((p.buffer().array().abs() < 20).all());  // noise in [−3, 3), a few small Langevin steps
}

TEST_CASE("ReplayBuffer: bitwise identical on 1, 2 and 8 threads; another seed differs", "[replay][reproducibility]") {
  const GaussianEnergyd model = standard_gaussian(2);
  const auto run = [&](std::uint64_t seed) {
    Policy p = make_policy(60, 200, seed, 0.1);  // 60 chains: blocks of 25, 25, 10
    const Matrixd no_batch(1, 2);
    for (int u = 0; u < 20; ++u) p.advance(model, no_batch);
    return p.buffer();
  };
  const Matrixd serial = test::with_threads(1, [&] { return run(3); });
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    CHECK(test::bitwise_equal(test::with_threads(n, [&] { return run(3); }), serial));
  }
  CHECK(!test::bitwise_equal(run(4), serial));
}

TEST_CASE("ReplayBuffer: bad arguments are errors; a trainer runs with it", "[replay]") {
  const auto init = uniform_box_initializer<double>(-1, 1);
  CHECK_THROWS_WITH(Policy(Ula<GaussianEnergyd>(0.1), 10, 5, 1, 1, init), Catch::Contains("capacity = 5"));
  CHECK_THROWS_WITH(Policy(Ula<GaussianEnergyd>(0.1), 10, 50, 1, 1, init, 1.5), Catch::Contains("reinit_probability"));
  CHECK_THROWS_WITH(Policy(Ula<GaussianEnergyd>(0.1), 10, 50, 1, 1, {}), Catch::Contains("initializer"));
  CHECK_THROWS_WITH(uniform_box_initializer<double>(1, 1), Catch::Contains("box"));

  GaussianEnergyd model = standard_gaussian(2);
  ReplayBuffer<Mala<GaussianEnergyd>> chains(Mala<GaussianEnergyd>(0.2), 20, 200, 5, 7,
                                             uniform_box_initializer<double>(-3, 3));
  Rng rng = make_stream(8, StreamPurpose::user, 0);
  Matrixd data(200, 2);
  for (Index k = 0; k < data.size(); ++k) data.data()[k] = 0.5 + standard_normal<double>(rng);
  TrainOptions opt;
  opt.batch_size = 20;
  opt.epochs = 5;
  // Adam moves each parameter by at most about lr per update: 50 updates of 0.005 keep P = I + (≤ 0.25 per
  // entry) positive definite whatever the noise does, and the means move towards the data's 0.5.
  opt.learning_rate = 0.005;
  opt.optimizer = Optimizer::adam;
  Trainer trainer(model, chains, opt);
  trainer.fit(data);
  CHECK(model.mean()[0] > 0.05);
  CHECK(model.mean()[1] > 0.05);
  CHECK(chains.fresh_starts() + chains.buffer_starts() == 50 * 20);
}

TEST_CASE("ReplayBuffer: restore continues a run bit for bit; a wrong buffer size is an error", "[replay]") {
  // What a checkpoint stores (the buffer, the policy's stream, the start counts, the chains' streams) restored
  // into a fresh policy: its next updates equal the uninterrupted run's.
  const GaussianEnergyd model = standard_gaussian(3);
  const Matrixd no_batch(1, 3);
  Policy whole = make_policy(10, 60, 4, 0.2), first = make_policy(10, 60, 4, 0.2);
  for (int u = 0; u < 5; ++u) whole.advance(model, no_batch);
  for (int u = 0; u < 2; ++u) first.advance(model, no_batch);
  Policy second = make_policy(10, 60, 4, 0.2);
  second.restore(first.buffer(), first.draw_stream(), first.fresh_starts(), first.buffer_starts());
  second.streams() = first.streams();
  for (int u = 0; u < 3; ++u) second.advance(model, no_batch);
  CHECK(second.buffer() == whole.buffer());
  CHECK(second.fresh_starts() == whole.fresh_starts());
  CHECK(second.buffer_starts() == whole.buffer_starts());
  CHECK_THROWS_WITH(second.restore(Matrixd(7, 3), first.draw_stream(), 0, 0),
                    Catch::Contains("7 stored states for a capacity of 60"));
}
