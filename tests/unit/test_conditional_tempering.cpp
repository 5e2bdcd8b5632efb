// ConditionalTempering: ladder and argument errors; with one temperature it is SiteGibbs (sampling) and
// PerExampleChains (training) bit for bit; and its swaps replayed by hand (independent kernels, energies from
// model.energy, uniforms from a copy of each chain's swap stream) give the same replicas round after round.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/samplers/conditional_tempering.hpp"
#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "support/crf_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

namespace {

using Crf = test::LinearCrf;
using Kernel = SiteGibbs<Crf>;
using Policy = ConditionalTempering<Kernel>;

LabelMatrix tempering_labels(Index n, Index sites, int labels, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 3);
  LabelMatrix y(n, sites);
  for (Index k = 0; k < y.size(); ++k) y.data()[k] = Label(rng() % unsigned(labels));
  return y;
}

}  // namespace

TEST_CASE("ConditionalTempering rejects bad ladders and arguments", "[crf][tempering]") {
  const Kernel k;
  CHECK_THROWS_AS(Policy(k, 4, {0.9, 0.5}, 1, 1), Error);       // β_0 ≠ 1
  CHECK_THROWS_AS(Policy(k, 4, {1.0, 0.5, 0.6}, 1, 1), Error);  // not decreasing
  CHECK_THROWS_AS(Policy(k, 4, {1.0, 0.5, 0.0}, 1, 1), Error);  // β = 0: site Gibbs needs β > 0
  CHECK_THROWS_AS(Policy(k, 4, {}, 1, 1), Error);
  CHECK_THROWS_AS(Policy(k, 0, {1.0, 0.5}, 1, 1), Error);
  CHECK_THROWS_AS(Policy(k, 4, {1.0, 0.5}, 0, 1), Error);
  CHECK_NOTHROW(Policy(k, 4, geometric_ladder(4, 0.1), 1, 1));

  const auto crf = test::tiny_linear_crf(Pairwise::potts, 3);
  const auto x = test::random_images(4, crf.input_dim(), 1);
  const auto y = tempering_labels(4, crf.num_sites(), 3, 2);
  Policy p(k, 4, {1.0, 0.5}, 1, 1);
  CHECK_THROWS_AS(p.advance(crf), Error);  // not started
  CHECK_THROWS_AS(p.start(crf, x.topRows(3), y.topRows(3)), Error);
  p.start(crf, x, y);
  const auto all = ConditionalBatch<double>::all(ConditionalData<double>(x, y));
  CHECK_THROWS_AS(p.advance(crf, all), Error);  // a sampling object is not a training policy
}

TEST_CASE("ConditionalTempering with one temperature is SiteGibbs and PerExampleChains bit for bit",
          "[crf][tempering]") {
  const auto crf = test::tiny_linear_crf(Pairwise::full, 5, 0.9);
  const Index n = 7;
  const auto x = test::random_images(n, crf.input_dim(), 6);
  const auto y = tempering_labels(n, crf.num_sites(), crf.num_labels(), 7);

  // Sampling: 3 advances of 2 rounds = 6 sweeps.
  Policy pt(Kernel(SiteScan::raster), n, {1.0}, 2, 42);
  pt.start(crf, x, y);
  for (int t = 0; t < 3; ++t) pt.advance(crf);
  Kernel plain(SiteScan::raster);
  LabelChains<Crf> s;
  auto rng = make_chain_streams(42, n);
  plain.init(crf, s, x, y, rng);
  for (int t = 0; t < 6; ++t) plain.step(crf, s, rng);
  CHECK(pt.state().y == s.y);

  // Training: minibatches naming examples in different orders, some twice.
  const ConditionalData<double> data(x, y);
  Policy ptt(Kernel(SiteScan::checkerboard), n, {1.0}, 3, 9);
  PerExampleChains<Kernel> pec(Kernel(SiteScan::checkerboard), n, 3, 9);
  const std::vector<std::vector<Index>> batches{{0, 3, 5}, {6, 3, 1, 2}, {5, 0, 4}, {3, 6}};
  for (const auto& idx : batches) {
    ConditionalBatch<double> b;
    b.gather(data, idx.data(), Index(idx.size()));
    ptt.advance(crf, b);
    pec.advance(crf, b);
    REQUIRE(ptt.state().y == pec.state().y);
    VectorX<double> g1 = VectorX<double>::Zero(crf.num_params()), g2 = g1;
    ptt.accumulate_model_term(crf, 0.5, g1);
    pec.accumulate_model_term(crf, 0.5, g2);
    CHECK(g1 == g2);
  }
  CHECK(ptt.stored(0) == pec.stored());
  CHECK(ptt.swap_rates().empty());
}

TEST_CASE("ConditionalTempering swaps replayed by hand: energies from model.energy, uniforms from the swap streams",
          "[crf][tempering]") {
  const auto crf = test::tiny_linear_crf(Pairwise::potts, 8, 1.2);
  const Index n = 5;
  const std::vector<double> betas{1.0, 0.6, 0.35, 0.2};
  const Index K = Index(betas.size());
  const auto x = test::random_images(n, crf.input_dim(), 10);
  const auto y = tempering_labels(n, crf.num_sites(), crf.num_labels(), 11);
  const std::uint64_t seed = 77;

  Policy pt(Kernel(SiteScan::checkerboard), n, betas, 1, seed);
  pt.start(crf, x, y);

  // The replay: K independent kernels and states with the policy's streams.
  std::vector<Kernel> kernels(std::size_t(K), Kernel(SiteScan::checkerboard));
  std::vector<LabelChains<Crf>> states(static_cast<std::size_t>(K));
  std::vector<Rng> rng = make_chain_streams(seed, K * n), swap_rng;
  for (Index c = 0; c < n; ++c) swap_rng.push_back(make_stream(seed, StreamPurpose::chain, swap_stream_offset + c));
  for (Index k = 0; k < K; ++k) {
    kernels[std::size_t(k)].set_beta(betas[std::size_t(k)]);
    kernels[std::size_t(k)].init(crf, states[std::size_t(k)], x, y, std::span<Rng>(rng.data() + k * n, std::size_t(n)));
  }
  std::int64_t accepted = 0, proposed = 0;
  for (int round = 0; round < 12; ++round) {
    for (Index k = 0; k < K; ++k)
      kernels[std::size_t(k)].step(crf, states[std::size_t(k)], std::span<Rng>(rng.data() + k * n, std::size_t(n)));
    for (Index c = 0; c < n; ++c)
      for (Index k = round % 2; k + 1 < K; k += 2) {
        auto& a = states[std::size_t(k)];
        auto& b = states[std::size_t(k + 1)];
        const double ea = crf.energy(a.context[std::size_t(c)], label_row(ConstLabelRef(a.y), c));
        const double eb = crf.energy(b.context[std::size_t(c)], label_row(ConstLabelRef(b.y), c));
        const double r = std::exp((betas[std::size_t(k)] - betas[std::size_t(k + 1)]) * (ea - eb));
        const double u = uniform01d(swap_rng[std::size_t(c)]);
        ++proposed;
        if (u < r) {
          ++accepted;
          a.y.row(c).swap(b.y.row(c));
        }
      }
    pt.advance(crf);
    for (Index k = 0; k < K; ++k) REQUIRE(pt.replica(k).y == states[std::size_t(k)].y);
  }
  // Some swaps must have been accepted and some rejected, or the replay proves little.
  CHECK(accepted > 0);
  CHECK(accepted < proposed);
  const auto stats = pt.swap_stats();
  std::int64_t att = 0, acc = 0;
  for (Index k = 0; k + 1 < K; ++k) att += stats.attempts[std::size_t(k)], acc += stats.accepts[std::size_t(k)];
  CHECK(att == proposed);
  CHECK(acc == accepted);
  CHECK(pt.rounds() == 12);
}
