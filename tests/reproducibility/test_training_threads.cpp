// PCD-1 and CD-1 training of a float RBM gives bitwise-identical parameters, optimizer state and chains on
// 1, 2 and 8 threads, on data sparse enough for the gather path and dense enough for the GEMM path; a
// different seed gives a different run. Shapes are chosen so that every parallel loop has several blocks
// and a partial one: 60 PCD chains or a CD minibatch of 60 are blocks of 25, 25 and 10; the 64 rows of W
// are two ranges of the statistics loop.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "ebm/ebm.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

constexpr Index nv = 64, nh = 32;

struct TrainedState {
  Vectorf params, velocity, gradient;
  Matrixf v, h, ph;
  std::int64_t updates = 0;
  std::vector<double> v_density, h_density;  // of the chains at the end of each epoch
};

// 600 rows with each unit on with probability p (the two cases straddle the density threshold widely).
Matrixf make_data(float p) {
  Rng rng = make_stream(5, StreamPurpose::user, 0);
  Matrixf x(600, nv);
  for (Index r = 0; r < x.rows(); ++r)
    for (Index i = 0; i < nv; ++i) x(r, i) = bernoulli(rng, p);
  return x;
}

// The model to train: fixed start, independent of the run's seed. The hidden biases start at −3 with sparse
// data and at +2 with dense data, so that the hidden states start on the same side of the threshold as the
// visible ones and p(v|h) takes the same path as p(h|v). (With dense data the weights soon turn negative and
// the hidden units off, as usual for an uncentered RBM: the dense p(v|h) runs in the first epochs.)
BernoulliRBMf start_model(const Matrixf& data, bool sparse) {
  BernoulliRBMf rbm(nv, nh);
  Rng rng = make_stream(3, StreamPurpose::init, 0);
  rbm.init_normal(rng, 0.1f);
  rbm.init_visible_bias(data);
  rbm.modify_params([&](Vectorf& t) { t.tail(nh).setConstant(sparse ? -3.0f : 2.0f); });
  return rbm;
}

template <class Policy>
TrainedState train(const Matrixf& data, bool sparse, Policy chains, Index batch_size, int epochs, std::uint64_t seed) {
  BernoulliRBMf rbm = start_model(data, sparse);
  TrainOptions opt;
  opt.batch_size = batch_size;
  opt.epochs = epochs;
  opt.learning_rate = 0.05;
  opt.weight_decay = 1e-4;
  opt.seed = seed;
  Trainer trainer(rbm, chains, opt);
  std::vector<double> v_density, h_density;
  trainer.fit(data, [&](const EpochReport&) {
    v_density.push_back(test::density(chains.state().v));
    h_density.push_back(test::density(chains.state().h));
    return true;
  });
  return {rbm.params(),     trainer.optimizer_state().vectors.at("velocity"), trainer.last_gradient(), chains.state().v,
          chains.state().h, chains.state().ph,              trainer.updates_done(),  v_density,
          h_density};
}

using Kernel = BlockGibbs<BernoulliRBMf>;

// 300 updates either way.
TrainedState train_pcd(const Matrixf& data, bool sparse, std::uint64_t seed) {
  return train(data, sparse, PersistentChains<Kernel>(Kernel{}, 60, 1, seed), 20, 10, seed);
}
TrainedState train_cd(const Matrixf& data, bool sparse, std::uint64_t seed) {
  return train(data, sparse, ContrastiveDivergence<Kernel>(Kernel{}, 1, seed), 60, 30, seed);
}

void check_identical(const TrainedState& a, const TrainedState& b) {
  CHECK(a.updates == b.updates);
  CHECK(test::bitwise_equal(a.params, b.params));
  CHECK(test::bitwise_equal(a.velocity, b.velocity));
  CHECK(test::bitwise_equal(a.gradient, b.gradient));
  CHECK(test::bitwise_equal(a.v, b.v));
  CHECK(test::bitwise_equal(a.h, b.h));
  CHECK(test::bitwise_equal(a.ph, b.ph));
}

}  // namespace

TEST_CASE("PCD-1 and CD-1 training are bitwise identical on 1, 2 and 8 threads", "[reproducibility][train]") {
  const bool sparse = GENERATE(true, false);
  const bool persistent = GENERATE(true, false);
  INFO((sparse ? "sparse data (gather path)" : "dense data (GEMM path)") << ", "
                                                                          << (persistent ? "PCD-1" : "CD-1"));
  const Matrixf data = make_data(sparse ? 0.08f : 0.6f);
  auto run = [&](std::uint64_t seed) { return persistent ? train_pcd(data, sparse, seed) : train_cd(data, sparse, seed); };

  const TrainedState serial = test::with_threads(1, [&] { return run(17); });
  REQUIRE(serial.updates == 300);
  REQUIRE(serial.v.rows() == 60);
  // The run really was on the intended side of the threshold: the data, and the chains after every epoch
  // (after the first, for the hidden units of the dense run).
  const double t = detail::sparse_density_threshold;
  const auto [v_min, v_max] = std::minmax_element(serial.v_density.begin(), serial.v_density.end());
  if (sparse) {
    CHECK(test::density(data) < t);
    CHECK(*v_max < t);
    CHECK(*std::max_element(serial.h_density.begin(), serial.h_density.end()) < t);
  } else {
    CHECK(test::density(data) > t);
    CHECK(*v_min > t);
    CHECK(serial.h_density.front() > t);
  }
  // Training moved the parameters well away from the start (so the comparison is not of untouched values).
  CHECK((serial.params - start_model(data, sparse).params()).cwiseAbs().maxCoeff() > 0.1f);

  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    const TrainedState parallel = test::with_threads(n, [&] {
      CHECK(tbb::this_task_arena::max_concurrency() == n);
      return run(17);
    });
    check_identical(serial, parallel);
  }

  const TrainedState other_seed = test::with_threads(2, [&] { return run(18); });
  CHECK_FALSE(test::bitwise_equal(serial.params, other_seed.params));
  CHECK_FALSE(test::bitwise_equal(serial.v, other_seed.v));
}
