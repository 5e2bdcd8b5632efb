// The binary kernels' contracts and edge cases (their distributions are tested in
// tests/statistical/test_binary_samplers.cpp):
//  * each satisfies MarkovKernel, DMALA also AdaptableKernel, and the chain policies run them;
//  * the cache in the state equals a fresh evaluation after many steps, and carries θ as its version;
//  * start states must be binary; a NaN proposal is a rejection, never a move;
//  * the Trainer runs PCD with GWG on an MLP energy with base term unchanged, and the exact log-likelihood rises.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ebm/estimate/exact_binary.hpp"
#include "ebm/models/ising_model.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/chain_policies.hpp"
#include "ebm/samplers/chain_policy_concept.hpp"
#include "ebm/samplers/replay_buffer.hpp"
#include "ebm/train/trainer.hpp"
#include "support/binary_fixtures.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

namespace {

using Mlp = BaseTermEnergy<MlpEnergyd>;
using Rbm = RbmFreeEnergy<float>;

static_assert(MarkovKernel<GibbsWithGradients<Mlp>> && AdaptableKernel<Dmala<Mlp>>);
static_assert(MarkovKernel<Dula<Rbm>> && !AdaptableKernel<Dula<Rbm>>);
static_assert(MarkovKernel<RandomScanGibbs<Rbm>> && MarkovKernel<RandomWalkMetropolis<Mlp>>);
static_assert(ChainPolicy<PersistentChains<GibbsWithGradients<Mlp>>>);
static_assert(ChainPolicy<ReplayBuffer<Dmala<Rbm>>>);
static_assert(BinaryEnergyModel<Mlp> && EnergyModelWithWorkspaceEnergy<Mlp>);

// An energy that is NaN wherever x_0 = 1: every proposal that sets x_0 must be rejected.
struct NanWhereFirstIsOn {
  using Scalar = double;
  Vectord theta = Vectord::Zero(0);
  Index dim() const { return 4; }
  Index num_params() const { return 0; }
  const Vectord& params() const { return theta; }
  void energy(const ConstBatchRef<double>& x, VecRef<double> e) const {
    for (Index r = 0; r < x.rows(); ++r)
      e[r] = x(r, 0) != 0 ? std::numeric_limits<double>::quiet_NaN() : -x.row(r).sum();
  }
  void energy_and_grad(const ConstBatchRef<double>& x, VecRef<double> e, BatchRef<double> g) const {
    energy(x, e);
    g.setConstant(-1);
    g.col(0).setConstant(-5);  // the gradient pushes towards x_0 = 1 hard
  }
  void accumulate_grad(const ConstBatchRef<double>&, double, VecRef<double>) const {}
};

// A finite energy whose gradient has a ±∞ or NaN entry (the last one) wherever x_0 = 1: the gradient kernels must
// reject those proposals too (their next proposal would be built from it).
struct BadGradWhereFirstIsOn {
  using Scalar = double;
  double bad = std::numeric_limits<double>::infinity();
  Vectord theta = Vectord::Zero(0);
  Index dim() const { return 40; }  // more than one SIMD packet and a remainder
  Index num_params() const { return 0; }
  const Vectord& params() const { return theta; }
  void energy(const ConstBatchRef<double>& x, VecRef<double> e) const {
    for (Index r = 0; r < x.rows(); ++r) e[r] = -x.row(r).sum();
  }
  void energy_and_grad(const ConstBatchRef<double>& x, VecRef<double> e, BatchRef<double> g) const {
    energy(x, e);
    g.setConstant(-1);
    g.col(0).setConstant(-5);
    for (Index r = 0; r < x.rows(); ++r)
      if (x(r, 0) != 0) g(r, dim() - 1) = bad;
  }
  void accumulate_grad(const ConstBatchRef<double>&, double, VecRef<double>) const {}
};

template <class K, class M>
void check_cache_after_steps(K kernel, const M& model) {
  BinaryChains<typename M::Scalar> s;
  auto rng = make_chain_streams(3, 30);
  kernel.init(model, s, test::random_binary<typename M::Scalar>(30, model.dim(), 4), rng);
  for (int t = 0; t < 40; ++t) kernel.step(model, s, rng);
  CHECK(kernel.cache_is_current(model, s));
  VectorX<typename M::Scalar> e(30);
  MatrixX<typename M::Scalar> g(30, model.dim());
  model.energy_and_grad(s.x, e, g);
  CHECK((e - s.energy).cwiseAbs().maxCoeff() < 1e-10);  // blocks of 25 vs one product: rounding only
  if (s.has_grad()) CHECK((g - s.grad).cwiseAbs().maxCoeff() < 1e-10);
  CHECK(((s.x.array() == 0) || (s.x.array() == 1)).all());
  CHECK(s.steps == 40);
}

// 50 steps of 20 chains from all-off states of a model whose proposals with x_0 on are non-finite: some are
// rejected as such, other flips are taken, and x_0 never turns on.
template <class K, class M>
void check_first_never_turns_on(K kernel, const M& model, Index d) {
  BinaryChains<double> s;
  auto rng = make_chain_streams(2, 20);
  kernel.init(model, s, Matrixd::Zero(20, d), rng);
  Index non_finite = 0, accepted = 0;
  for (int t = 0; t < 50; ++t) {
    const BinaryStepInfo info = kernel.step(model, s, rng);
    non_finite += info.non_finite;
    accepted += info.accepted;
  }
  CHECK(non_finite > 0);
  CHECK(accepted > 0);
  CHECK(s.x.col(0).cwiseAbs().maxCoeff() == 0);
}

}  // namespace

TEST_CASE("binary kernels: the cached E and ∇ₓE equal a fresh evaluation after 40 steps", "[binary][kernel]") {
  const auto mlp = test::mlp_with_base<double>(9, 12, 2.0, 1.0, 1);
  check_cache_after_steps(GibbsWithGradients<Mlp>(), mlp);
  check_cache_after_steps(GibbsWithGradients<Mlp>(3), mlp);
  check_cache_after_steps(Dula<Mlp>(0.5), mlp);
  check_cache_after_steps(Dmala<Mlp>(0.5), mlp);
  check_cache_after_steps(RandomScanGibbs<Mlp>(), mlp);
  check_cache_after_steps(RandomWalkMetropolis<Mlp>(7), mlp);
}

TEST_CASE("binary kernels: start states must be 0 or 1, and the kernel must be started", "[binary][kernel]") {
  const auto mlp = test::mlp_with_base<double>(4, 3, 1.0, 1.0, 1);
  GibbsWithGradients<Mlp> gwg;
  BinaryChains<double> s;
  auto rng = make_chain_streams(1, 2);
  Matrixd x0 = Matrixd::Zero(2, 4);
  x0(1, 2) = 0.5;
  CHECK_ERROR(gwg.init(mlp, s, x0, rng), Catch::Contains("chain 1: start state entry 2 is 0.5"));
  CHECK_ERROR(gwg.init(mlp, s, Matrixd::Zero(2, 3), rng), Catch::Contains("3 columns"));
  BinaryChains<double> fresh;
  CHECK_ERROR(gwg.step(mlp, fresh, rng), Catch::Contains("call init first"));
  CHECK_ERROR(Dmala<Mlp>(0.0), Catch::Contains("step size = 0"));
  CHECK_ERROR(GibbsWithGradients<Mlp>(0), Catch::Contains("flips = 0"));
}

TEST_CASE("binary kernels: a NaN energy at a proposal is a rejection, never a move", "[binary][kernel]") {
  const NanWhereFirstIsOn model;
  auto run = [&](auto kernel) { check_first_never_turns_on(kernel, model, 4); };
  run(GibbsWithGradients<NanWhereFirstIsOn>());
  run(Dmala<NanWhereFirstIsOn>(0.5));
  run(Dula<NanWhereFirstIsOn>(0.5));
  run(RandomScanGibbs<NanWhereFirstIsOn>());
  run(RandomWalkMetropolis<NanWhereFirstIsOn>());
}

TEST_CASE("binary kernels: a ±∞ or NaN gradient entry at a proposal is a rejection, never a move", "[binary][kernel]") {
  for (const double bad : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()}) {
    BadGradWhereFirstIsOn model;
    model.bad = bad;
    auto run = [&](auto kernel) { check_first_never_turns_on(kernel, model, 40); };
    run(GibbsWithGradients<BadGradWhereFirstIsOn>());
    run(Dmala<BadGradWhereFirstIsOn>(0.5));
    run(Dula<BadGradWhereFirstIsOn>(0.5));
  }
}

TEST_CASE("DMALA in float: the acceptance probability is the double-precision formula on d = 400",
          "[binary][kernel]") {
  // log q sums Σ log(1 + e^{−|z|}) as logs of float products over 256 sites; the test recomputes every term in
  // double from the states before and after the step (for chains that moved with an acceptance below 1).
  const Index L = 20, W = 20, d = L * W, n = 60;
  const double alpha = 0.35;
  Vectord h(d);
  for (Index i = 0; i < d; ++i) h[i] = 0.05 * double(i % 7) - 0.15;
  const IsingModel<float> mf(L, W, 0.3, h.cast<float>());
  const IsingModel<double> md(L, W, double(float(0.3)), h.cast<float>().cast<double>());
  Dmala<IsingModel<float>> kernel(alpha);
  BinaryChains<float> s;
  auto rng = make_chain_streams(7, n);
  kernel.init(mf, s, test::random_binary<float>(n, d, 8), rng);
  auto log_q = [&](const Matrixd& from, const Matrixd& g, const Matrixd& to, Index r) {
    double sum = 0;
    for (Index i = 0; i < d; ++i) {
      const double z = (2 * from(r, i) - 1) * g(r, i) / 2 - 1 / (2 * alpha);
      const double t = to(r, i) != from(r, i) ? z : -z;
      sum += std::min(t, 0.0) - std::log1p(std::exp(-std::abs(t)));
    }
    return sum;
  };
  Index checked = 0;
  for (int step = 0; step < 30; ++step) {
    const Matrixd x = s.x.cast<double>();
    kernel.step(mf, s, rng);
    const Matrixd xp = s.x.cast<double>();
    Vectord e(n), ep(n);
    Matrixd g(n, d), gp(n, d);
    md.energy_and_grad(x, e, g);
    md.energy_and_grad(xp, ep, gp);
    for (Index r = 0; r < n; ++r) {
      if (!s.accepted[std::size_t(r)] || s.acceptance[r] >= 1) continue;
      const double log_alpha = e[r] - ep[r] + log_q(xp, gp, x, r) - log_q(x, g, xp, r);
      CHECK(std::log(s.acceptance[r]) == Approx(log_alpha).margin(2e-4));
      ++checked;
    }
  }
  CHECK(checked >= 20);
}

TEST_CASE("binary kernels: a NaN energy at a start state is an error naming the chain", "[binary][kernel]") {
  const NanWhereFirstIsOn model;
  GibbsWithGradients<NanWhereFirstIsOn> gwg;
  BinaryChains<double> s;
  auto rng = make_chain_streams(2, 3);
  Matrixd x0 = Matrixd::Zero(3, 4);
  x0(2, 0) = 1;
  CHECK_ERROR(gwg.init(model, s, x0, rng), Catch::Contains("chain 2, at its start state: the energy is nan"));
}

TEST_CASE("binary kernels run under the chain policies (PCD with GWG on an RBM free energy)", "[binary][kernel]") {
  const auto f = test::rbm_free_energy<float>(10, 6, 1.0, 0.5, 2);
  PersistentChains<GibbsWithGradients<Rbm>> pcd(GibbsWithGradients<Rbm>(), 8, 3, 5);
  const Matrixf batch = test::random_binary<float>(4, 10, 6);
  pcd.advance(f, batch);
  Vectorf grad = Vectorf::Zero(f.num_params());
  pcd.accumulate_model_term(f, 1.0f, grad);
  CHECK(grad.allFinite());
  CHECK(pcd.state().steps == 3);
}

TEST_CASE("PCD with Gibbs-with-Gradients through the Trainer: an MLP energy with base term learns an RBM's data",
          "[binary][train]") {
  // Data: 400 exact draws from an 8-unit RBM with strong weights (correlated units, which a factorized base
  // term cannot explain), by inverting its enumerated distribution.
  const auto truth = test::rbm_free_energy<double>(8, 6, 1.5, 0.5, 51);
  const Vectord p = exact_binary_distribution(truth);
  Rng draw = make_stream(52, StreamPurpose::user, 0);
  Matrixd data(400, 8);
  for (Index r = 0; r < data.rows(); ++r) {
    double u = uniform01d(draw), acc = 0;
    Index s = 0;
    while (s + 1 < p.size() && (acc += p[s]) <= u) ++s;
    data.row(r) = test::bits<double>(std::uint64_t(s), 8);
  }
  MlpEnergyd net(8, {16}, Activation::swish);
  Rng init = make_stream(53, StreamPurpose::init, 0);
  net.init_normal(init, 0.5);
  Mlp model(std::move(net), base_logits_from_data<double>(data));
  const auto log_likelihood = [&](const auto& m) {
    Vectord e(data.rows());
    m.energy(data, e);
    return -e.mean() - exact_log_z(m);
  };
  PersistentChains<GibbsWithGradients<Mlp>> chains(GibbsWithGradients<Mlp>(), 100, 5, 54);
  TrainOptions opt;
  opt.batch_size = 50;
  opt.epochs = 20;
  opt.learning_rate = 0.03;
  opt.optimizer = Optimizer::adam;
  Trainer trainer(model, chains, opt);
  const double before = log_likelihood(model), best = log_likelihood(truth);
  trainer.fit(data);
  const double after = log_likelihood(model);
  INFO("mean log-likelihood of the data: base term only " << before << ", trained " << after << ", the true RBM "
                                                          << best);
  // The trained energy closes at least half the gap between the base term alone and the true model.
  CHECK(after - before > 0.5 * (best - before));
}

TEST_CASE("ReplayBuffer around DMALA with fresh states from the base distribution", "[binary][kernel]") {
  const auto model = test::mlp_with_base<double>(12, 8, 2.0, 2.0, 61);
  ReplayBuffer<Dmala<Mlp>> buffer(Dmala<Mlp>(0.4), 20, 200, 3, 62, base_distribution_initializer(model.base_logits()),
                                  0.1);
  const Matrixd unused(1, 12);
  for (int u = 0; u < 5; ++u) buffer.advance(model, unused);
  CHECK(((buffer.buffer().array() == 0) || (buffer.buffer().array() == 1)).all());
  CHECK(buffer.fresh_starts() > 0);
  // The fresh states follow the base marginals σ(a_i): over the 200 initial buffer rows (before any chain
  // wrote back), column means are within 4 binomial standard errors of them.
  ReplayBuffer<Dmala<Mlp>> fresh(Dmala<Mlp>(0.4), 1, 4000, 1, 63, base_distribution_initializer(model.base_logits()));
  fresh.advance(model, unused);
  for (Index i = 0; i < 12; ++i) {
    const double p = 1 / (1 + std::exp(-model.base_logits()[i]));
    const double mean = fresh.buffer().col(i).mean();
    INFO("coordinate " << i << ": mean " << mean << ", base " << p);
    CHECK(std::abs(mean - p) < 4 * std::sqrt(p * (1 - p) / 4000) + 1.0 / 4000);
  }
}
