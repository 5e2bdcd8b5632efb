// Parallel tempering over GWG (MLP energy with base, tempered towards the base), over MALA (1-D mixture) and over
// the categorical kernels (a 5 × 6 Potts model with q = 4, labels) gives bitwise identical replicas, swap energies and swap statistics on 1, 2 and 8 threads; another seed gives
// other chains. 60 ladders in blocks of 25: two full blocks and a partial one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/categorical_samplers.hpp"
#include "ebm/samplers/mala.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/binary_fixtures.hpp"
#include "support/mixture_energy.hpp"

using namespace ebm;

namespace {

struct PtAnyRun {
  std::vector<MatrixX<double>> x, grad;
  std::vector<VectorX<double>> energy, u;
  std::vector<std::int64_t> accepts;
  std::int64_t round_trips = 0;
};

template <class PT, class M, class Start>
PtAnyRun run(PT pt, const M& model, const Start& x0) {
  pt.start(model, x0);
  for (int t = 0; t < 25; ++t) pt.advance(model);
  PtAnyRun out;
  for (Index k = 0; k < pt.num_temperatures(); ++k) {
    out.x.push_back(pt.replica(k).x.template cast<double>());  // labels, for the categorical kernels
    out.grad.push_back(pt.replica(k).grad);
    out.energy.push_back(pt.replica(k).energy);
    out.u.push_back(pt.swap_energies(k));
  }
  out.accepts = pt.swap_stats().accepts;
  out.round_trips = pt.swap_stats().round_trips;
  return out;
}

template <class Make>
void check_threads(const std::string& name, Make make) {
  INFO(name);
  const PtAnyRun serial = test::with_threads(1, [&] { return make(7); });
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    const PtAnyRun parallel = test::with_threads(n, [&] { return make(7); });
    for (std::size_t k = 0; k < serial.x.size(); ++k) {
      INFO("replica " << k);
      CHECK(test::bitwise_equal(serial.x[k], parallel.x[k]));
      CHECK(test::bitwise_equal(serial.grad[k], parallel.grad[k]));
      CHECK(test::bitwise_equal(serial.energy[k], parallel.energy[k]));
      CHECK(test::bitwise_equal(serial.u[k], parallel.u[k]));
    }
    CHECK(serial.accepts == parallel.accepts);
    CHECK(serial.round_trips == parallel.round_trips);
  }
  CHECK(serial.accepts[0] > 0);
  const PtAnyRun other = test::with_threads(2, [&] { return make(8); });
  CHECK_FALSE(test::bitwise_equal(serial.x[0], other.x[0]));
}

}  // namespace

TEST_CASE("PT over GWG and over MALA: bit-identical on 1, 2 and 8 threads", "[reproducibility][pt]") {
  constexpr Index ladders = 60;
  using Mlp = BaseTermEnergy<MlpEnergyd>;
  using Gwg = GibbsWithGradients<TemperedBinaryEnergy<Mlp>>;
  const Mlp mlp = test::mlp_with_base<double>(12, 16, 1.5, 0.5, 3);
  const auto x0 = test::random_binary<double>(ladders, 12, 4);
  check_threads("GWG on an MLP energy with base", [&](std::uint64_t seed) {
    return run(ParallelTempering<Gwg>(Gwg(1, 25), ladders, linear_ladder(4), 2, seed, EnergyTempering<Mlp>(mlp.base_logits())),
               mlp, x0);
  });

  const test::MixtureEnergy1d mix;
  using K = Mala<TemperedBinaryEnergy<test::MixtureEnergy1d>>;
  check_threads("MALA on a 1-D mixture", [&](std::uint64_t seed) {
    return run(ParallelTempering<K>(K(0.3, std::nullopt, 25), ladders, geometric_ladder(4, 0.1), 2, seed), mix,
               MatrixX<double>::Constant(ladders, 1, -3.0));
  });
}

TEST_CASE("PT over the categorical kernels on a Potts model: bit-identical on 1, 2 and 8 threads",
          "[reproducibility][pt][categorical][potts]") {
  constexpr Index ladders = 60;
  using Potts = PottsModel<double>;
  using Tempered = TemperedCategoricalModel<Potts>;
  VectorX<double> h(120);
  for (Index k = 0; k < 120; ++k) h[k] = 0.1 * double(k % 5) - 0.2;
  const Potts model(5, 6, 4, 1.0, h);
  LabelMatrix x0(ladders, model.num_sites());
  Rng rng = make_stream(4, StreamPurpose::init, 0);
  for (Index k = 0; k < x0.size(); ++k) x0.data()[k] = static_cast<Label>(rng() % 4u);
  const auto ladder = linear_ladder(4, 0.4);
  check_threads("random-scan Gibbs", [&](std::uint64_t seed) {
    using K = CategoricalRandomScanGibbs<Tempered>;
    return run(ParallelTempering<K>(K(25), ladders, ladder, 2, seed), model, x0);
  });
  check_threads("systematic-scan Gibbs", [&](std::uint64_t seed) {
    using K = CategoricalSystematicGibbs<Tempered>;
    return run(ParallelTempering<K>(K(25), ladders, ladder, 2, seed), model, x0);
  });
  check_threads("categorical GWG", [&](std::uint64_t seed) {
    using K = CategoricalGibbsWithGradients<Tempered>;
    return run(ParallelTempering<K>(K(25), ladders, ladder, 2, seed), model, x0);
  });
}
