// Parallel tempering: ladder validation, the tempered RBM, the swap rule replayed by hand from the replicas'
// states and the swap streams, K = 1 equal to PCD bit for bit, and the β = 1 marginal against exact p(v).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "support/error_matchers.hpp"
#include "support/gibbs_spectrum.hpp"
#include "support/goodness_of_fit.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;
using Catch::Matchers::Contains;

namespace {

using Kernel = BlockGibbs<BernoulliRBMf>;
using PT = ParallelTempering<Kernel>;

Matrixf random_states(Index rows, Index cols, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 1);
  Matrixf x(rows, cols);
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < cols; ++i) x(r, i) = bernoulli(rng, 0.5f);
  return x;
}

double brute_energy_row(const BernoulliRBMf& m, const GibbsChains<float>& s, Index n) {
  return test::brute_energy(m, s.v.row(n).cast<double>(), s.h.row(n).cast<double>());
}

}  // namespace

TEST_CASE("temperature ladders are validated and spaced as documented", "[pt]") {
  CHECK_ERROR(validate_ladder({}), Contains("no inverse temperatures"));
  CHECK_ERROR(validate_ladder({0.9, 0.5}), Contains("β_0 = 0.9 must be 1"));
  CHECK_ERROR(validate_ladder({1.0, 1.0}), Contains("β_1 = 1 is not below β_0 = 1"));
  CHECK_ERROR(validate_ladder({1.0, 0.5, 0.6}), Contains("β_2 = 0.6 is not below β_1 = 0.5"));
  CHECK_ERROR(validate_ladder({1.0, -0.1}), Contains("β_1 = -0.1 must lie in [0, 1]"));
  CHECK_ERROR(validate_ladder({1.0, std::nan("")}), Contains("must lie in [0, 1]"));
  CHECK_NOTHROW(validate_ladder({1.0, 0.5, 0.0}));
  CHECK_ERROR(linear_ladder(0), Contains("K = 0"));
  CHECK_ERROR(geometric_ladder(3, 0.0), Contains("beta_min = 0 must lie in (0, 1)"));
  CHECK(linear_ladder(5) == std::vector<double>{1.0, 0.75, 0.5, 0.25, 0.0});
  CHECK(linear_ladder(1) == std::vector<double>{1.0});
  const auto g = geometric_ladder(3, 0.25);
  REQUIRE(g.size() == 3);
  CHECK(g[0] == 1.0);
  CHECK(g[1] == Approx(0.5));
  CHECK(g[2] == Approx(0.25));
  CHECK_ERROR(PT(Kernel{}, 0, linear_ladder(2), 1, 1), Contains("ladders (chains) = 0"));
  CHECK_ERROR(PT(Kernel{}, 4, linear_ladder(2), 0, 1), Contains("k = 0"));
  CHECK_ERROR(PT(Kernel{}, 4, {1.0, 0.5, 0.5}, 1, 1), Contains("not below"));
  PT pt(Kernel{}, 4, linear_ladder(2), 1, 1);
  CHECK_ERROR(pt.advance(BernoulliRBMf(3, 2)), Contains("not started"));
  CHECK_ERROR(pt.start(BernoulliRBMf(3, 2), Matrixf::Zero(3, 3)), Contains("3 start states for 4 ladders"));
}

TEST_CASE("a tempered RBM has parameters beta theta, energy beta E and conditionals at beta", "[pt]") {
  const auto rbm = test::random_rbm<float>(5, 3, 1.0, 1.0, 21);
  BernoulliRBMf t;
  rbm.temper(0.25f, t);
  REQUIRE(t.num_visible() == 5);
  REQUIRE(t.num_hidden() == 3);
  CHECK(t.params() == (0.25f * rbm.params()).eval());
  const Matrixf v = random_states(4, 5, 3), h = random_states(4, 3, 4);
  Vectorf e(4), et(4);
  rbm.energy(v, h, e);
  t.energy(v, h, et);
  for (Index r = 0; r < 4; ++r) {
    CHECK(e[r] == Approx(test::brute_energy(rbm, v.row(r).cast<double>(), h.row(r).cast<double>())).margin(1e-5));
    CHECK(et[r] == Approx(0.25 * e[r]).margin(1e-5));
  }
  // p(v | h) goes through the cached Wᵀ: it must be scaled too.
  auto ws = t.make_workspace(4);
  Matrixf pv(4, 5);
  t.visible_mean(h, pv, ws);
  const Matrixf expect =
      ((0.25f * ((h * rbm.W().transpose()).rowwise() + rbm.b().transpose())).array().logistic()).matrix();
  CHECK((pv - expect).cwiseAbs().maxCoeff() < 1e-6f);
  // β = 0 is uniform: every conditional is 1/2. Re-tempering into the same copy reuses it.
  rbm.temper(0.0f, t);
  t.visible_mean(h, pv, ws);
  CHECK((pv.array() == 0.5f).all());
  CHECK_ERROR(rbm.temper(1.5f, t), Contains("inverse temperature 1.5"));
}

TEST_CASE("swap decisions follow min(1, exp((beta_i - beta_j)(E_i - E_j))) with the ladder's stream", "[pt]") {
  CHECK(swap_log_ratio(1.0, 0.5, -3.0, -1.0) == -1.0);
  CHECK(swap_log_ratio(1.0, 0.5, -1.0, -3.0) == 1.0);
  CHECK(swap_log_ratio(0.5, 0.0, 2.0, 2.0) == 0.0);
  // Replay two rounds by hand: even pairs (0,1) first, then the odd pair (1,2), of K = 3 replicas.
  const auto rbm = test::random_rbm<float>(6, 3, 1.0, 0.5, 8);
  const std::vector<double> betas{1.0, 0.6, 0.2};
  const Index N = 200;
  PT pt(Kernel{}, N, betas, 1, 5);
  pt.start(rbm, random_states(N, 6, 9));
  std::int64_t expected_attempts[2] = {0, 0}, expected_accepts[2] = {0, 0};
  for (int round = 0; round < 2; ++round) {
    pt.sweep(rbm);
    const Index k = round;  // the only pair of this round
    std::vector<GibbsChains<float>> before{pt.replica(0), pt.replica(1), pt.replica(2)};
    std::vector<Rng> rng = pt.swap_streams();
    REQUIRE(pt.rounds() == round);
    pt.swap(rbm);
    for (Index n = 0; n < N; ++n) {
      const double ei = brute_energy_row(rbm, before[std::size_t(k)], n);
      const double ej = brute_energy_row(rbm, before[std::size_t(k + 1)], n);
      const double p = std::min(1.0, std::exp((betas[std::size_t(k)] - betas[std::size_t(k + 1)]) * (ei - ej)));
      const bool accept = uniform01d(rng[std::size_t(n)]) < p;
      ++expected_attempts[k];
      expected_accepts[k] += accept;
      const auto& a = before[std::size_t(accept ? k + 1 : k)];
      const auto& b = before[std::size_t(accept ? k : k + 1)];
      INFO("round " << round << ", ladder " << n << ", p = " << p);
      CHECK(pt.replica(k).v.row(n) == a.v.row(n));
      CHECK(pt.replica(k).h.row(n) == a.h.row(n));
      CHECK(pt.replica(k + 1).v.row(n) == b.v.row(n));
      CHECK(pt.replica(k + 1).h.row(n) == b.h.row(n));
      CHECK(pt.replica(2 - 2 * k).v.row(n) == before[std::size_t(2 - 2 * k)].v.row(n));  // not in a pair
    }
  }
  const SwapStats st = pt.swap_stats();
  CHECK(st.attempts == std::vector<std::int64_t>{expected_attempts[0], expected_attempts[1]});
  CHECK(st.accepts == std::vector<std::int64_t>{expected_accepts[0], expected_accepts[1]});
  CHECK(expected_accepts[0] > 0);
  CHECK(expected_accepts[0] < N);
  pt.reset_swap_stats();
  CHECK(pt.swap_rates() == std::vector<double>{0.0, 0.0});
}

TEST_CASE("the energies swaps use are E(v, h) at beta = 1 of every replica, beta = 0 included", "[pt]") {
  // They come from the sweep's untempered pre-activations (BlockGibbs::step_tempered) and move with swapped
  // states; at β = 0 the tempered model's pre-activations are all 0, so they could not have come from there.
  STATIC_REQUIRE(PT::cached_energy);
  const auto rbm = test::random_rbm<float>(6, 4, 1.0, 0.5, 17);
  const Index N = 60;
  PT pt(Kernel{}, N, linear_ladder(3, 0.0), 2, 6);
  pt.start(rbm, random_states(N, 6, 2));
  for (int t = 0; t < 3; ++t) {
    pt.advance(rbm);
    for (Index k = 0; k < 3; ++k)
      for (Index n = 0; n < N; ++n) {
        INFO("advance " << t << ", replica " << k << ", ladder " << n);
        CHECK(pt.replica(k).energy[n] == Approx(brute_energy_row(rbm, pt.replica(k), n)).margin(1e-5));
      }
  }
  CHECK(pt.swap_stats().accepts[0] > 0);
  CHECK(pt.swap_stats().accepts[1] > 0);
}

TEST_CASE("after advance the beta = 1 chains cache E[h | v] at beta = 1 even when swaps brought them", "[pt]") {
  const auto rbm = test::random_rbm<float>(6, 3, 1.0, 0.5, 8);
  PT pt(Kernel{}, 50, {1.0, 0.7, 0.4}, 3, 2);
  pt.start(rbm, random_states(50, 6, 1));
  pt.advance(rbm);
  REQUIRE(pt.swap_stats().accepts[0] > 0);
  Matrixf ph(50, 3);
  auto ws = rbm.make_workspace(50);
  rbm.hidden_mean(pt.state().v, ph, ws);
  CHECK((ph - pt.state().ph).cwiseAbs().maxCoeff() < 1e-6f);
}

TEST_CASE("with one temperature PT-PCD is PCD bit for bit", "[pt]") {
  const Matrixf data = random_states(120, 10, 11);
  TrainOptions opt;
  opt.batch_size = 20;
  opt.epochs = 3;
  opt.learning_rate = 0.05;
  opt.seed = 4;
  auto train = [&](auto chains) {
    BernoulliRBMf rbm(10, 6);
    Rng rng = make_stream(2, StreamPurpose::init, 0);
    rbm.init_normal(rng, 0.1f);
    Trainer trainer(rbm, chains, opt);
    trainer.fit(data);
    return std::pair{rbm.params(), chains.state()};
  };
  const auto [p1, s1] = train(PersistentChains<Kernel>(Kernel{}, 30, 2, 4));
  const auto [p2, s2] = train(PT(Kernel{}, 30, {1.0}, 2, 4));
  CHECK(p1 == p2);
  CHECK(s1.v == s2.v);
  CHECK(s1.h == s2.h);
  CHECK(s1.ph == s2.ph);
}

TEST_CASE("the beta = 1 replicas of PT sample the exact p(v) of a small RBM", "[pt]") {
  // 3000 independent ladders after a burn-in: one draw each, so the chi-square's independence holds exactly.
  const auto rbm = test::random_rbm<float>(7, 4, 1.5, 1.0, 31);
  const Index N = 3000;
  PT pt(Kernel{}, N, linear_ladder(4, 0.1), 60, 12);
  pt.start(rbm, random_states(N, 7, 13));
  pt.advance(rbm);
  std::vector<double> counts(std::size_t(1) << 7, 0.0);
  for (Index n = 0; n < N; ++n) counts[test::state_index(pt.state().v.row(n))] += 1;
  const Eigen::VectorXd p = exact_visible_distribution(rbm);
  const test::PooledCells cells = test::pool_states(p, double(N));
  const double x2 = test::chi_square_statistic(cells, counts);
  const int df = cells.cells() - 1;
  const double alpha = 0.001, critical = test::chi_square_critical(df, alpha);
  INFO("chi-square " << x2 << " on " << df << " df, critical " << critical << ", swap rate β0-β1 "
                     << pt.swap_rates()[0]);
  CHECK(x2 < critical);
  CHECK(pt.swap_rates()[0] > 0.1);  // the ladder actually exchanged states
}
