// The categorical kernels (samplers/categorical_gibbs.hpp, categorical_gwg.hpp) on small Potts models: they meet the
// kernel contract, their cached E (and one-hot gradient) equal fresh evaluations after steps, a changed θ is seen,
// a draw of one label follows its weights, and bad starts are errors naming the label.
#include <catch2/catch.hpp>

#include <span>
#include <vector>

#include "ebm/samplers/categorical_samplers.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

namespace {

using Potts = PottsModel<double>;
using RandomScan = CategoricalRandomScanGibbs<Potts>;
using Systematic = CategoricalSystematicGibbs<Potts>;
using Gwg = CategoricalGibbsWithGradients<Potts>;

static_assert(CategoricalModel<Potts> && CategoricalGradientModel<PottsModel<float>>);
static_assert(KernelStartingFrom<RandomScan, ConstLabelRef>);
static_assert(KernelStartingFrom<Systematic, ConstLabelRef>);
static_assert(KernelStartingFrom<Gwg, ConstLabelRef> && Gwg::metropolis_adjusted);
static_assert(KernelStartingFrom<CategoricalGibbsWithGradients<PottsModel<float>>, ConstLabelRef>);

LabelMatrix random_labels(Index rows, Index sites, int q, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  LabelMatrix x(rows, sites);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<Label>(rng() % std::uint32_t(q));
  return x;
}

Potts model_4x5() {
  Vectord h(80);
  for (Index k = 0; k < 80; ++k) h[k] = 0.1 * double(k % 7) - 0.3;
  return Potts(4, 5, 4, 1.0, h);
}

template <class K>
void check_cache(K kernel, const Potts& m, bool with_grad) {
  typename K::State s;
  auto rng = make_chain_streams(3, 30);
  kernel.init(m, s, random_labels(30, m.num_sites(), 4, 4), rng);
  for (int t = 0; t < 20; ++t) {
    const auto info = kernel.step(m, s, rng);
    CHECK(info.non_finite == 0);
    CHECK(info.acceptance_rate >= 0);
    CHECK(info.acceptance_rate <= 1);
  }
  CHECK(s.steps == 20);
  std::vector<double> g(std::size_t(m.num_sites() * 4));
  for (Index r = 0; r < 30; ++r) {
    const auto x = label_row(ConstLabelRef(s.x), r);
    CHECK(s.energy[r] == Approx(m.energy_and_grad(x, g)).margin(1e-9));
    if (with_grad)
      for (std::size_t k = 0; k < g.size(); ++k) CHECK(s.grad(r, Index(k)) == g[k]);
  }
  CHECK(s.grad.rows() == (with_grad ? 30 : 0));
}

}  // namespace

TEST_CASE("categorical kernels keep E (and the one-hot gradient) of their chains current", "[categorical][unit]") {
  const Potts m = model_4x5();
  check_cache(RandomScan(), m, false);
  check_cache(Systematic(7), m, false);
  check_cache(Gwg(), m, true);
}

TEST_CASE("categorical kernels re-evaluate their cache when theta changes", "[categorical][unit]") {
  Potts m = model_4x5();
  Gwg kernel;
  Gwg::State s;
  auto rng = make_chain_streams(5, 10);
  kernel.init(m, s, random_labels(10, 20, 4, 6), rng);
  kernel.step(m, s, rng);
  Vectord theta = m.params();
  theta[0] = 0.2;
  m.set_params(theta);
  CHECK_FALSE(kernel.cache_is_current(m, s));
  const LabelMatrix before = s.x;
  kernel.step(m, s, rng);
  CHECK(kernel.cache_is_current(m, s));
  std::vector<double> g(80);
  for (Index r = 0; r < 10; ++r) CHECK(s.energy[r] == Approx(m.energy_and_grad(label_row(ConstLabelRef(s.x), r), g)));
}

TEST_CASE("draw_label follows exp(-e) and reports the probability of the current label", "[categorical][unit]") {
  const double e[3] = {0.0, std::log(2.0), std::log(4.0)};  // weights 4 : 2 : 1 (of 7)
  double w[3], p_current = 0;
  CHECK(detail::draw_label(e, 3, 1, 0.0, w, p_current) == 0);
  CHECK(p_current == Approx(2.0 / 7));
  CHECK(detail::draw_label(e, 3, 1, 3.9 / 7, w, p_current) == 0);
  CHECK(detail::draw_label(e, 3, 1, 4.1 / 7, w, p_current) == 1);
  CHECK(detail::draw_label(e, 3, 1, 6.1 / 7, w, p_current) == 2);
  const double bad[3] = {0.0, std::nan(""), 1.0};
  CHECK(detail::draw_label(bad, 3, 0, 0.5, w, p_current) == 3);
  const double blocked[3] = {INFINITY, 0.0, INFINITY};  // a label of infinite energy is never drawn
  for (double u : {0.0, 0.5, 0.999999}) CHECK(detail::draw_label(blocked, 3, 0, u, w, p_current) == 1);
}

TEST_CASE("categorical kernels: bad starts and unprepared chains are errors naming the problem",
          "[categorical][unit][errors]") {
  using Catch::Contains;
  const Potts m = model_4x5();
  Systematic kernel;
  Systematic::State s;
  auto rng = make_chain_streams(1, 4);
  LabelMatrix x = random_labels(4, 20, 4, 2);
  x(2, 7) = 4;
  CHECK_ERROR(kernel.init(m, s, x, rng), Contains("label (2, 7) is 4"));
  CHECK_ERROR(kernel.init(m, s, random_labels(4, 19, 4, 2), rng), Contains("19 sites, the model has 20"));
  Systematic fresh;
  Systematic::State t;
  CHECK_ERROR(fresh.step(m, t, rng), Contains("call init first"));
  CHECK_ERROR(kernel.init(m, s, random_labels(5, 20, 4, 2), rng), Contains("4 random streams for 5 chains"));
}
