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

  // θ moves between advances (PT-PCD): the replicas' own params() ([β]) do not, so the tempering marks the
  // caches stale and the next steps re-evaluate them at the new θ.
  pt.advance(model);
  model.modify_params([](VectorX<double>& t) { t *= 1.3; });
  pt.advance(model);
  CHECK(check_current_caches(pt) > 0);
  for (Index k = 0; k < pt.num_temperatures(); ++k) {
    const auto& s = pt.replica(k);
    if (!pt.kernel(k).cache_is_current(pt.replica_model(k), s)) continue;
    VectorX<double> e(n);
    model.energy(s.x, e);  // at the new θ, through the model itself
    const double beta = pt.betas()[std::size_t(k)];
    for (Index r = 0; r < n; ++r) {
      const double base = s.x.row(r).dot(model.base_logits());
      CHECK(std::abs(s.energy[r] - (beta * e[r] - (1 - beta) * base)) < 1e-9);
    }
  }
}
