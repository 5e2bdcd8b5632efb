// Parallel tempering over any kernel (tempering_concept.hpp): the contracts hold for every kernel ebm ships, an
// exchange moves a chain with its caches and marks them stale, and the caches in the replicas' states stay
// correct through swaps and through a change of θ between advances (the replicas view the model, and their own
// params() are only [β], so only the tempering can see θ move).
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/models/bernoulli_rbm.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/block_gibbs.hpp"
#include "ebm/samplers/chain_policy_concept.hpp"
#include "ebm/samplers/mala.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "support/binary_fixtures.hpp"
#include "support/mixture_energy.hpp"

using namespace ebm;

namespace {
using Mlp = BaseTermEnergy<MlpEnergyd>;
using Tempered = TemperedBinaryEnergy<Mlp>;
using Gwg = GibbsWithGradients<Tempered>;
using MalaMix = Mala<TemperedBinaryEnergy<test::MixtureEnergy1d>>;

static_assert(ExchangeableChains<GibbsChains<float>>);
static_assert(ExchangeableChains<BinaryChains<double>>);
static_assert(ExchangeableChains<LangevinChains<double>>);
static_assert(TemperingOf<JointTempering<BlockGibbs<BernoulliRBMf>>, BlockGibbs<BernoulliRBMf>>);
static_assert(TemperingOf<EnergyTempering<Mlp>, Gwg>);
static_assert(TemperingOf<EnergyTempering<Mlp>, Dmala<Tempered>>);
static_assert(TemperingOf<EnergyTempering<Mlp>, Dula<Tempered>>);
static_assert(TemperingOf<EnergyTempering<Mlp>, RandomScanGibbs<Tempered>>);
static_assert(TemperingOf<EnergyTempering<test::MixtureEnergy1d>, MalaMix>);
static_assert(ChainPolicy<ParallelTempering<Gwg>>);
static_assert(ChainPolicy<ParallelTempering<MalaMix>>);
static_assert(std::same_as<ParallelTempering<BlockGibbs<BernoulliRBMf>>::Tempering,
                           JointTempering<BlockGibbs<BernoulliRBMf>>>);
static_assert(std::same_as<ParallelTempering<Gwg>::Tempering, EnergyTempering<Mlp>>);

// Every replica whose cache claims to be current holds exactly E_β and ∇ₓE_β of its states; returns how many did.
template <class PT>
int check_current_caches(const PT& pt) {
  int current = 0;
  for (Index k = 0; k < pt.num_temperatures(); ++k) {
    const auto& s = pt.replica(k);
    const auto& rep = pt.replica_model(k);
    if (!pt.kernel(k).cache_is_current(rep, s)) continue;
    ++current;
    VectorX<double> e(s.size());
    MatrixX<double> g(s.size(), s.x.cols());
    rep.energy_and_grad(s.x, e, g);
    INFO("replica " << k);
    CHECK((e - s.energy).cwiseAbs().maxCoeff() < 1e-12);
    CHECK((g - s.grad).cwiseAbs().maxCoeff() < 1e-12);
  }
  return current;
}
}  // namespace

TEST_CASE("exchange_chain moves a chain with its cache and marks both caches stale", "[pt]") {
  const test::MixtureEnergy1d model;
  MalaMix kernel(0.1);
  const TemperedBinaryEnergy<test::MixtureEnergy1d> hot(model, VectorX<double>::Zero(1), 0.5), cold(model, VectorX<double>::Zero(1), 1.0);
  LangevinChains<double> a, b;
  auto rng = make_chain_streams(1, 6);
  kernel.init(cold, a, MatrixX<double>::Constant(3, 1, -1.0), std::span<Rng>(rng).first(3));
  kernel.init(hot, b, MatrixX<double>::Constant(3, 1, 2.0), std::span<Rng>(rng).last(3));
  REQUIRE(kernel.cache_is_current(cold, a));
  const double ea = a.energy[1], eb = b.energy[1];
  exchange_chain(a, b, 1);
  CHECK(a.x(1, 0) == 2.0);
  CHECK(b.x(1, 0) == -1.0);
  CHECK(a.energy[1] == eb);
  CHECK(b.energy[1] == ea);
  CHECK(a.x(0, 0) == -1.0);
  CHECK_FALSE(kernel.cache_is_current(cold, a));  // the row holds E at β = 0.5: the next step re-evaluates
  CHECK_FALSE(kernel.cache_is_current(hot, b));
  kernel.step(cold, a, std::span<Rng>(rng).first(3));
  CHECK(kernel.cache_is_current(cold, a));
}

TEST_CASE("PT over GWG: caches stay correct through swaps and through a change of theta", "[pt][binary]") {
  constexpr Index d = 8, n = 40;
  Mlp model = test::mlp_with_base<double>(d, 12, 1.0, 0.5, 3);
  ParallelTempering<Gwg> pt(Gwg{}, n, linear_ladder(4, 0.7), 2, 9, EnergyTempering<Mlp>(model.base_logits()));
  pt.start(model, test::random_binary<double>(n, d, 4));
  CHECK(check_current_caches(pt) == 4);

  pt.sweep(model);
  CHECK(check_current_caches(pt) == 4);  // every replica was just stepped at its own temperature
  pt.swap(model);
  REQUIRE(pt.swap_stats().accepts[0] > 0);  // the first round's pairs are (0, 1) and (2, 3)
  // Replicas that exchanged chains hold rows computed at another temperature: their caches are stale, never used.
  CHECK_FALSE(pt.kernel(0).cache_is_current(pt.replica_model(0), pt.replica(0)));
  CHECK_FALSE(pt.kernel(1).cache_is_current(pt.replica_model(1), pt.replica(1)));
  check_current_caches(pt);
  // The swap energies are U = E + aᵀx of the states, wherever the states went.
  for (Index k = 0; k < 2; ++k) {
    VectorX<double> e(n);
    model.energy(pt.replica(k).x, e);
    const Eigen::VectorXd u = e + pt.replica(k).x * pt.tempering().base_logits();
    CHECK((u - pt.swap_energies(k)).cwiseAbs().maxCoeff() < 1e-12);
  }
  pt.sweep(model);
  CHECK(check_current_caches(pt) == 4);

  // θ moves between advances (PT-PCD): the replicas' own params() ([β]) do not, so only the tempering sees it
  // and marks the caches stale. Three temperatures, one round per advance: the round after the change proposes
  // the pair (1, 2) only, so replica 0 is re-evaluated at the new θ by that alone, not by an exchange.
  ParallelTempering<Gwg> pt2(Gwg(4), n, {1.0, 0.9, 0.8}, 1, 11, EnergyTempering<Mlp>(model.base_logits()));
  pt2.start(model, test::random_binary<double>(n, d, 5));
  pt2.advance(model);  // round 0: pair (0, 1)
  pt2.sweep(model);    // every cache current at this θ
  model.modify_params([](VectorX<double>& t) { t *= 3.0; });
  pt2.advance(model);  // round 1: pair (1, 2)
  const auto& s = pt2.replica(0);
  REQUIRE(pt2.kernel(0).cache_is_current(pt2.replica_model(0), s));
  VectorX<double> e(n);
  model.energy(s.x, e);  // at the new θ, through the model itself
  CHECK((e - s.energy).cwiseAbs().maxCoeff() < 1e-9);
  CHECK(check_current_caches(pt2) >= 1);
}

TEST_CASE("EnergyTempering::sync marks the replicas' caches stale exactly when theta moved", "[pt][binary]") {
  constexpr Index d = 6, n = 10;
  Mlp model = test::mlp_with_base<double>(d, 8, 1.0, 0.5, 7);
  EnergyTempering<Mlp> tempering(model.base_logits());
  Tempered hot = tempering.make_replica(model), cold = tempering.make_replica(model);
  tempering.temper(model, 0.5, hot);
  tempering.temper(model, 1.0, cold);
  std::vector<BinaryChains<double>> states(2);
  Gwg kernel;
  auto rng = make_chain_streams(3, 2 * n);
  tempering.sync(model, std::span<BinaryChains<double>>(states));  // first call: records θ
  kernel.init(hot, states[0], test::random_binary<double>(n, d, 1), std::span<Rng>(rng).first(n));
  kernel.init(cold, states[1], test::random_binary<double>(n, d, 2), std::span<Rng>(rng).last(n));
  tempering.sync(model, std::span<BinaryChains<double>>(states));  // θ unchanged: caches kept
  CHECK(kernel.cache_is_current(hot, states[0]));
  CHECK(kernel.cache_is_current(cold, states[1]));
  model.modify_params([](VectorX<double>& t) { t[0] += 0.25; });
  // The replicas' own stamps cannot see it (their params() are [β]) ...
  CHECK(kernel.cache_is_current(hot, states[0]));
  tempering.sync(model, std::span<BinaryChains<double>>(states));
  // ... the tempering does.
  CHECK_FALSE(kernel.cache_is_current(hot, states[0]));
  CHECK_FALSE(kernel.cache_is_current(cold, states[1]));
}
