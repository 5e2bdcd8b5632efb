// Checkpoints of parallel tempering over any kernel (io/tempering_checkpoint.hpp): PT-PCD around GWG and around
// DMALA on a small MLP energy with a base term, trained N updates in one go, equals N/2 updates + a model file
// + a new process's load + N/2 updates, bit for bit (θ, Adam's moments, every replica's chains, the chain and
// swap streams, the rounds, the swap statistics and round-trip marks), on 1 and 2 threads; the RBM's block-Gibbs
// PT goes through the same codec; corrupt or mismatched checkpoints are ebm::Errors naming the entry.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/io/model_codecs.hpp"
#include "ebm/io/model_kind.hpp"
#include "ebm/io/tempering_checkpoint.hpp"
#include "ebm/samplers/energy_tempering.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/binary_fixtures.hpp"
#include "support/error_matchers.hpp"
#include "support/scratch.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

// A named namespace around the whole file, test cases included: the unity build compiles this file together
// with others whose anonymous namespaces define their own Mlp, Run, …
namespace pt_checkpoint_test {

using Mlp = BaseTermEnergy<MlpEnergyf>;
using Tempered = TemperedBinaryEnergy<Mlp>;
constexpr Index d = 10, ladders = 12;

const Matrixf& training_data() {
  static const Matrixf x = test::random_binary<float>(60, d, 9);  // batch 10: 6 updates per epoch
  return x;
}

TrainOptions options() {
  TrainOptions o;
  o.batch_size = 10;
  o.epochs = 4;
  o.learning_rate = 0.02;
  o.optimizer = Optimizer::adam;
  o.seed = 5;
  return o;
}

template <class K>
using Pt = ParallelTempering<K, EnergyTempering<Mlp>>;

// Blocks of 5 chains: 12 ladders are blocks of 5, 5 and 2, so 2 threads split every sweep.
template <class K>
K make_kernel() {
  if constexpr (requires(const K& k) { k.step_size(); })
    return K(0.4, 5);  // DMALA's step size
  else
    return K(1, 5);  // GWG, one flip
}

template <class K>
Pt<K> make_pt(const Mlp& m, Index temperatures = 3) {
  return Pt<K>(make_kernel<K>(), ladders, linear_ladder(temperatures, 0.2), 2, 17,
               EnergyTempering<Mlp>(m.base_logits()));
}

struct Run {
  VectorX<float> theta;
  std::vector<Matrixf> x;  // every replica
  std::vector<Rng> streams, swap_streams;
  std::int64_t rounds = 0;
  SwapStats swaps;
  std::vector<signed char> directions;
  OptimizerState optimizer;
};

template <class K, class T>
Run snapshot(const Mlp& m, const Pt<K>& pt, const T& trainer) {
  Run r{m.params(), {}, pt.streams(), pt.swap_streams(), pt.rounds(), pt.swap_stats(), pt.swap_directions(),
        trainer.optimizer_state()};
  for (Index k = 0; k < pt.num_temperatures(); ++k) r.x.push_back(pt.replica(k).x);
  return r;
}

void check_same(const Run& a, const Run& b) {
  CHECK(test::bitwise_equal(a.theta, b.theta));
  REQUIRE(a.x.size() == b.x.size());
  for (std::size_t k = 0; k < a.x.size(); ++k) {
    INFO("replica " << k);
    CHECK(test::bitwise_equal(a.x[k], b.x[k]));
  }
  CHECK(a.streams == b.streams);
  CHECK(a.swap_streams == b.swap_streams);
  CHECK(a.rounds == b.rounds);
  CHECK(a.swaps.attempts == b.swaps.attempts);
  CHECK(a.swaps.accepts == b.swaps.accepts);
  CHECK(a.swaps.round_trips == b.swaps.round_trips);
  CHECK(a.directions == b.directions);
  CHECK(a.optimizer.steps == b.optimizer.steps);
  for (const char* v : {"m", "v"}) CHECK(test::bitwise_equal(a.optimizer.vectors.at(v), b.optimizer.vectors.at(v)));
}

Mlp start_model() { return test::mlp_with_base<float>(d, 8, 1.0, 0.5, 3); }

// 4 epochs in one go.
template <class K>
Run straight() {
  Mlp m = start_model();
  Pt<K> pt = make_pt<K>(m);
  Trainer trainer(m, pt, options());
  trainer.fit(training_data());
  return snapshot(m, pt, trainer);
}

// 2 epochs, then the checkpoint file.
template <class K>
void first_half(const std::string& path) {
  Mlp m = start_model();
  Pt<K> pt = make_pt<K>(m);
  Trainer trainer(m, pt, options());
  trainer.train_epoch(training_data());
  trainer.train_epoch(training_data());
  TrainingState t;
  t.epoch = trainer.epochs_done();
  t.updates = trainer.updates_done();
  t.optimizer = trainer.optimizer_state();
  t.streams["shuffle"] = {trainer.shuffle_stream()};
  save_tempering(pt, t);
  save_model(path, m, "{}", &t);
}

// As a new process would: everything from the file, then the remaining 2 epochs.
template <class K>
Run second_half(const std::string& path) {
  const ModelFile f = load_model_file(path, "mlp_energy");
  REQUIRE(f.training.has_value());
  const TrainingState& t = *f.training;
  Mlp m = model_of<Mlp>(f);
  Pt<K> pt = make_pt<K>(m);
  Trainer trainer(m, pt, options());
  trainer.set_progress(int(t.epoch), t.updates);
  trainer.restore_optimizer(t.optimizer);
  trainer.shuffle_stream() = t.streams.at("shuffle").front();
  restore_tempering(pt, m, t, "checkpoint '" + path + "'");
  trainer.fit(training_data());
  return snapshot(m, pt, trainer);
}

// Straight on 1 thread against: straight on 2 threads, and the split run with its halves on 1 and 2 threads
// and on 2 and 1.
template <class K>
void check_resume(const std::string& name) {
  const std::string path = test::scratch_path("tempering-checkpoint", name + ".ebm");
  const Run whole = test::with_threads(1, [] { return straight<K>(); });
  REQUIRE(whole.swaps.accepts[0] > 0);  // swaps happen, so the swap state matters
  SECTION("straight, 2 threads") { check_same(whole, test::with_threads(2, [] { return straight<K>(); })); }
  SECTION("1 thread, checkpoint, 2 threads") {
    test::with_threads(1, [&] { first_half<K>(path); });
    check_same(whole, test::with_threads(2, [&] { return second_half<K>(path); }));
  }
  SECTION("2 threads, checkpoint, 1 thread") {
    test::with_threads(2, [&] { first_half<K>(path); });
    check_same(whole, test::with_threads(1, [&] { return second_half<K>(path); }));
  }
}

TEST_CASE("PT around GWG on an MLP energy resumes from a model file bit for bit, on 1 and 2 threads",
          "[pt][io][checkpoint]") {
  check_resume<GibbsWithGradients<Tempered>>("gwg");
}

TEST_CASE("PT around DMALA on an MLP energy resumes from a model file bit for bit, on 1 and 2 threads",
          "[pt][io][checkpoint]") {
  check_resume<Dmala<Tempered>>("dmala");
}

TEST_CASE("the checkpoint stores what the header says; the comparison can fail", "[pt][io][checkpoint]") {
  using K = GibbsWithGradients<Tempered>;
  const std::string path = test::scratch_path("tempering-checkpoint", "layout.ebm");
  first_half<K>(path);
  const TrainingState t = *load_model_file(path, "mlp_energy").training;
  CHECK(t.chains.at("x").rows() == 3 * ladders);
  CHECK(t.chains.at("x").cols() == d);
  CHECK(t.streams.at("chains").size() == std::size_t(3 * ladders + ladders));
  CHECK(t.counters.at("pt.rounds") == 2 * 6 * 2);  // 2 epochs of 6 updates of k = 2 rounds
  CHECK(t.counters.at("pt.attempts.0") + t.counters.at("pt.attempts.1") == 2 * 6 * 2 * ladders);
  CHECK(t.state.at("pt.directions").size() == 3 * ladders);

  // Without the swap streams' state (fresh streams instead) the resumed run differs: the file's streams matter.
  TrainingState fresh = t;
  std::vector<Rng>& s = fresh.streams.at("chains");
  const std::vector<Rng> other = make_chain_streams(99, Index(s.size()));
  std::copy(other.begin() + 3 * ladders, other.end(), s.begin() + 3 * ladders);
  Mlp m = model_of<Mlp>(load_model_file(path, "mlp_energy"));
  Pt<K> a = make_pt<K>(m), b = make_pt<K>(m);
  restore_tempering(a, m, t, "a");
  restore_tempering(b, m, fresh, "b");
  for (int r = 0; r < 10; ++r) {
    a.advance(m);
    b.advance(m);
  }
  CHECK_FALSE(test::bitwise_equal(a.state().x, b.state().x));
}

TEST_CASE("the RBM's block-Gibbs PT goes through the same codec: v, h, ph of every replica, bit for bit",
          "[pt][io][checkpoint]") {
  using PtRbm = ParallelTempering<BlockGibbs<BernoulliRBMf>>;
  BernoulliRBMf rbm(d, 4);
  Rng init = make_stream(2, StreamPurpose::init, 0);
  rbm.init_normal(init, 0.5f);
  PtRbm whole(BlockGibbs<BernoulliRBMf>{}, ladders, linear_ladder(3), 1, 7);
  whole.start(rbm, training_data().topRows(ladders));
  for (int r = 0; r < 5; ++r) whole.advance(rbm);
  TrainingState t;
  save_tempering(whole, t);
  CHECK(t.chains.at("v").rows() == 3 * ladders);
  CHECK(t.chains.at("ph").cols() == 4);
  PtRbm resumed(BlockGibbs<BernoulliRBMf>{}, ladders, linear_ladder(3), 1, 7);
  restore_tempering(resumed, rbm, t, "rbm");
  for (int r = 0; r < 5; ++r) {
    whole.advance(rbm);
    resumed.advance(rbm);
  }
  for (Index k = 0; k < 3; ++k) {
    CHECK(test::bitwise_equal(whole.replica(k).v, resumed.replica(k).v));
    CHECK(test::bitwise_equal(whole.replica(k).h, resumed.replica(k).h));
    CHECK(test::bitwise_equal(whole.replica(k).ph, resumed.replica(k).ph));
  }
  CHECK(whole.swap_stats().accepts == resumed.swap_stats().accepts);
  CHECK(whole.rounds() == resumed.rounds());
}

TEST_CASE("corrupt or mismatched PT checkpoints are errors naming the entry", "[pt][io][checkpoint][errors]") {
  using K = GibbsWithGradients<Tempered>;
  const std::string path = test::scratch_path("tempering-checkpoint", "corrupt.ebm");
  first_half<K>(path);
  const TrainingState good = *load_model_file(path, "mlp_energy").training;
  const Mlp m = model_of<Mlp>(load_model_file(path, "mlp_energy"));
  const auto refused = [&](const TrainingState& t, Index temperatures = 3) {
    Pt<K> pt = make_pt<K>(m, temperatures);
    restore_tempering(pt, m, t, "checkpoint 'c.ebm'");
  };
  CHECK_NOTHROW(refused(good));
  // A ladder of another shape than the file's.
  CHECK_ERROR(refused(good, 4), Contains("checkpoint 'c.ebm': the checkpoint has 48 random streams; parallel "
                                         "tempering of 4 temperatures x 12 ladders needs 60"));
  TrainingState t = good;
  t.streams.at("chains").pop_back();
  CHECK_ERROR(refused(t), Contains("has 47 random streams"));
  t = good;
  t.counters.erase("pt.rounds");
  CHECK_ERROR(refused(t), Contains("holds no counter pt.rounds (parallel tempering state)"));
  t = good;
  t.counters.erase("pt.attempts.1");
  CHECK_ERROR(refused(t), Contains("holds no counter pt.attempts.1"));
  t = good;
  t.counters.at("pt.accepts.0") = t.counters.at("pt.attempts.0") + 1;
  CHECK_ERROR(refused(t), Contains("counters pt.accepts.0 = ") && Contains("exceeds pt.attempts.0"));
  t = good;
  t.state.at("pt.directions")[5] = 2;
  CHECK_ERROR(refused(t), Contains("state pt.directions entry 5 is 2; round-trip marks are -1, 0 or 1"));
  t = good;
  t.state.erase("pt.directions");
  CHECK_ERROR(refused(t), Contains("holds no state pt.directions"));
  t = good;
  t.chains.at("x").conservativeResize(3 * ladders - 1, d);
  CHECK_ERROR(refused(t), Contains("chains.x has 35 rows; 3 temperatures x 12 ladders need 36"));
  t = good;
  t.chains.erase("x");
  CHECK_ERROR(refused(t), Contains("the checkpoint holds no chains.x (chain state)"));
  t = good;
  t.chains.at("x").conservativeResize(3 * ladders, d - 1);
  CHECK_ERROR(refused(t), Contains("chains.x has 9 columns; the model needs 10"));
  t = good;
  t.chains.at("x")(20, 3) = 0.5f;
  CHECK_ERROR(refused(t), Contains("checkpoint 'c.ebm': chains.x: entry (8, 3) is 0.5"));

  // A damaged file never reaches the codec: the reader's checksum refuses it.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  CHECK_ERROR(load_model_file(path, "mlp_energy"), Contains(path));
}

}  // namespace pt_checkpoint_test
