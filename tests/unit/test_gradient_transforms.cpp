// Gradient transforms and optimizer state: a list applies its transforms in order and calls their epoch hook;
// the trainer applies them between data − model term and the optimizer; WeightDecay touches the weights only
// and, before Adam, gives the numbers of the decay Adam used to add itself (double); the energy-magnitude
// penalty's gradient against central differences (with and without the model's weighted-gradient hook, and
// on E_net for a base-term energy); Sgd/Adam state() and restore() round trips and every refusal.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/samplers/mala.hpp"
#include "ebm/train/adam.hpp"
#include "ebm/train/centering.hpp"
#include "ebm/train/energy_penalty.hpp"
#include "ebm/train/weight_decay.hpp"
#include "support/error_matchers.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;
using Catch::Contains;

namespace {

// A context with only a model (what WeightDecay and the list test need).
template <class M>
struct ModelOnly {
  using Model = M;
  using Scalar = typename M::Scalar;
  using Data = ConstBatchRef<Scalar>;
  const M& model;
};

// Transforms that record their order: g ← g · factor + shift.
struct Affine {
  double factor, shift;
  template <class Ctx>
  void apply(const Ctx&, VecRef<typename Ctx::Scalar> g) {
    g = (g.array() * factor + shift).matrix();
  }
};
struct EpochCounter {
  int epochs = 0, updates = 0;
  template <class M, class D>
  void start_epoch(const M&, const D&) {
    ++epochs;
  }
  template <class Ctx>
  void apply(const Ctx&, VecRef<typename Ctx::Scalar>) {
    ++updates;
  }
};

Matrixd points(Index n, Index d, std::uint64_t seed, double scale = 1.0) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Matrixd x(n, d);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = scale * standard_normal<double>(rng);
  return x;
}

MlpEnergyd small_mlp(std::uint64_t seed) {
  MlpEnergyd mlp(3, {5, 4}, Activation::swish);
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  mlp.init_normal(rng, 1.5);
  mlp.modify_params([&](Vectord& t) {
    for (Index k = mlp.num_weights(); k < t.size(); ++k) t[k] = 0.3 * standard_normal<double>(rng);
  });
  return mlp;
}

// Stands in for a chain policy: the penalty reads state().x.
struct FakeChains {
  struct State {
    Matrixd x;
  } s;
  const State& state() const { return s; }
};

// The MLP without accumulate_weighted_grad: the penalty must fall back to one accumulate_grad per row.
struct PlainMlp {
  using Scalar = double;
  MlpEnergyd net;
  Index num_params() const { return net.num_params(); }
  const Vectord& params() const { return net.params(); }
  void energy(const ConstBatchRef<double>& x, VecRef<double> e) const { net.energy(x, e); }
  void accumulate_grad(const ConstBatchRef<double>& x, double w, VecRef<double> g) const { net.accumulate_grad(x, w, g); }
};

template <class M>
using PenaltyContext = UpdateContext<M, ConstBatchRef<double>, ConstBatchRef<double>, NoTerm, FakeChains>;

template <class M>
Vectord penalty_gradient(const M& model, const Matrixd& xp, const FakeChains& chains, double alpha) {
  Vectord g = Vectord::Zero(model.num_params());
  const NoTerm none;
  const ConstBatchRef<double> batch(xp);
  const PenaltyContext<M> ctx{model, batch, 1.0 / double(xp.rows()), none, chains, -1.0 / double(chains.s.x.rows())};
  EnergyMagnitudePenalty p(alpha);
  p.apply(ctx, g);
  return g;
}

// α (mean over x⁺ of E² + mean over x⁻ of E²), the loss whose gradient the penalty adds.
double penalty_loss(const MlpEnergyd& m, const Matrixd& xp, const Matrixd& xm, double alpha) {
  Vectord ep(xp.rows()), em(xm.rows());
  m.energy(xp, ep);
  m.energy(xm, em);
  return alpha * (ep.squaredNorm() / double(xp.rows()) + em.squaredNorm() / double(xm.rows()));
}

}  // namespace

TEST_CASE("TransformList: transforms apply in the order added; find and the epoch hook", "[train][transform]") {
  using Ctx = ModelOnly<MlpEnergyd>;
  const MlpEnergyd mlp = small_mlp(1);
  const Ctx ctx{mlp};
  Vectord g = Vectord::LinSpaced(4, 1, 4);

  TransformList<Ctx> add_then_scale;
  add_then_scale.add(Affine{1, 1});
  Affine& scale = add_then_scale.add(Affine{2, 0});
  TransformList<Ctx> scale_then_add;
  scale_then_add.add(Affine{2, 0});
  scale_then_add.add(Affine{1, 1});
  Vectord a = g, b = g;
  add_then_scale.apply(ctx, a);
  scale_then_add.apply(ctx, b);
  CHECK(a == ((g.array() + 1) * 2).matrix());
  CHECK(b == (g.array() * 2 + 1).matrix());
  // find returns the first of the type; the reference add returned is the stored transform.
  CHECK(add_then_scale.find<Affine>()->shift == 1);
  CHECK(&scale != add_then_scale.find<Affine>());
  scale.factor = 3;
  Vectord c = g;
  add_then_scale.apply(ctx, c);
  CHECK(c == ((g.array() + 1) * 3).matrix());
  CHECK(add_then_scale.find<EpochCounter>() == nullptr);
}

TEST_CASE("Trainer: transforms run after data - model term, before the optimizer, and see every epoch",
          "[train][transform]") {
  BernoulliRBMf rbm = test::random_rbm<float>(6, 3, 0.3, 0.2, 2);
  Matrixf x(40, 6);
  Rng rng = make_stream(3, StreamPurpose::user, 0);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = bernoulli(rng, 0.4f);
  using K = BlockGibbs<BernoulliRBMf>;
  TrainOptions opt;
  opt.batch_size = 10;
  opt.epochs = 3;
  opt.learning_rate = 0.1;

  // The gradient the optimizer receives is the recorded transform of the plain one.
  BernoulliRBMf plain_model = rbm, scaled_model = rbm;
  PersistentChains<K> plain_chains(K{}, 8, 1, 4), scaled_chains(K{}, 8, 1, 4);
  Trainer plain(plain_model, plain_chains, opt);
  Trainer scaled(scaled_model, scaled_chains, opt);
  scaled.add_transform(Affine{0.5, 0});  // exact in binary: halves every entry
  EpochCounter& counter = scaled.add_transform(EpochCounter{});
  CHECK(scaled.transforms().size() == 2);
  plain.update(x.topRows(10), 0.1, 0);
  scaled.update(x.topRows(10), 0.1, 0);
  CHECK(scaled.last_gradient() == (plain.last_gradient() * 0.5f).eval());
  scaled.fit(x);
  CHECK(counter.epochs == 3);
  CHECK(counter.updates == 1 + 3 * 4);
}

TEST_CASE("WeightDecay: adds wd * theta to the weights only; with Adam the numbers of Adam's former decay",
          "[train][transform]") {
  using Ctx = ModelOnly<BernoulliRBMf>;
  const BernoulliRBMf rbm = test::random_rbm<float>(5, 3, 0.5, 0.5, 3);
  Vectorf g = Vectorf::LinSpaced(rbm.num_params(), -1, 1), before = g;
  WeightDecay(0.25).apply(Ctx{rbm}, g);
  const Index nw = rbm.num_weights();
  CHECK(nw == 15);
  CHECK(g.head(nw) == (before.head(nw) + 0.25f * rbm.params().head(nw)).eval());
  CHECK(g.tail(rbm.num_params() - nw) == before.tail(rbm.num_params() - nw));
  CHECK_ERROR(WeightDecay(-1), Contains("weight_decay = -1"));
  CHECK_ERROR(WeightDecay(std::numeric_limits<double>::infinity()), Contains("weight_decay = inf"));

  // Adam used to form g + wd·θ_w itself, in double; for a double model the transform gives the same bits.
  MlpEnergyd mlp = small_mlp(4), reference = mlp;
  const Vectord grad = Vectord::LinSpaced(mlp.num_params(), -0.5, 0.7);
  const double wd = 0.01, lr = 0.003;
  Adam<double> adam;
  Vectord m = Vectord::Zero(mlp.num_params()), v = m;
  for (int t = 1; t <= 3; ++t) {
    Vectord decayed = grad;
    WeightDecay(wd).apply(ModelOnly<MlpEnergyd>{mlp}, decayed);
    adam.step(mlp, decayed, lr);
    // The former Adam::step with weight decay, written out.
    Vectord theta = reference.params();
    const double c1 = 1 - std::pow(0.9, t), c2 = 1 - std::pow(0.999, t);
    for (Index k = 0; k < theta.size(); ++k) {
      const double gk = grad[k] + (k < reference.num_weights() ? wd * theta[k] : 0.0);
      m[k] = 0.9 * m[k] + (1 - 0.9) * gk;
      v[k] = 0.999 * v[k] + (1 - 0.999) * gk * gk;
      theta[k] += -lr * (m[k] / c1) / (std::sqrt(v[k] / c2) + 1e-8);
    }
    reference.set_params(theta);
  }
  CHECK(mlp.params() == reference.params());
}

// Central differences as in test_mlp_energy.cpp (h = 1e-5, tolerance 1e-6 relative to max(1, |g|)).
TEST_CASE("EnergyMagnitudePenalty: its gradient is that of alpha (mean E(x+)^2 + mean E(x-)^2)",
          "[train][transform][mlp]") {
  constexpr double h = 1e-5, tol = 1e-6, alpha = 0.3;
  const MlpEnergyd mlp = small_mlp(7);
  const Matrixd xp = points(30, 3, 8, 1.5);  // two blocks of rows: 25 + 5
  FakeChains chains{{points(7, 3, 9, 1.5)}};
  const Vectord g = penalty_gradient(mlp, xp, chains, alpha);
  for (Index k = 0; k < mlp.num_params(); ++k) {
    MlpEnergyd mp = mlp, mm = mlp;
    mp.modify_params([&](Vectord& t) { t[k] += h; });
    mm.modify_params([&](Vectord& t) { t[k] -= h; });
    const double fd = (penalty_loss(mp, xp, chains.s.x, alpha) - penalty_loss(mm, xp, chains.s.x, alpha)) / (2 * h);
    INFO("parameter " << mlp.param_name(k));
    CHECK(std::abs(g[k] - fd) < tol * std::max(1.0, std::abs(fd)));
  }
  // The per-row fallback (a model without accumulate_weighted_grad) agrees to rounding.
  const Vectord fallback = penalty_gradient(PlainMlp{mlp}, xp, chains, alpha);
  CHECK((fallback - g).cwiseAbs().maxCoeff() < 1e-12 * std::max(1.0, g.cwiseAbs().maxCoeff()));
  // α = 0 adds nothing; a negative α is refused.
  CHECK(penalty_gradient(mlp, xp, chains, 0.0).isZero());
  CHECK_ERROR(EnergyMagnitudePenalty(-0.1), Contains("alpha = -0.1"));
}

TEST_CASE("EnergyMagnitudePenalty: a base-term energy is penalized on E_net, not on E_net - a'x",
          "[train][transform][mlp]") {
  const MlpEnergyd net = small_mlp(11);
  const BaseTermEnergy<MlpEnergyd> with_base(net, Vectord::Constant(3, 2.0));
  const Matrixd xp = points(10, 3, 12);
  FakeChains chains{{points(4, 3, 13)}};
  CHECK(penalty_gradient(with_base, xp, chains, 0.2) == penalty_gradient(net, xp, chains, 0.2));
}

TEST_CASE("Sgd and Adam: state() and restore() round trip; restore refuses bad states", "[train][optimizer]") {
  BernoulliRBMf rbm = test::random_rbm<float>(4, 3, 0.3, 0.2, 5);
  const Vectorf grad = Vectorf::LinSpaced(rbm.num_params(), -0.2f, 0.3f);

  Sgd<float> sgd;
  CHECK(sgd.state().vectors.at("velocity").size() == 0);
  sgd.step(rbm, grad, 0.1, 0.5);
  sgd.step(rbm, grad, 0.1, 0.5);
  const OptimizerState s = sgd.state();
  CHECK(s.kind == "sgd");
  CHECK(s.steps == 2);
  Sgd<float> sgd2;
  sgd2.restore(s);
  CHECK(sgd2.velocity() == sgd.velocity());
  CHECK(sgd2.steps() == 2);

  Adam<float> adam;
  adam.step(rbm, grad, 0.01);
  const OptimizerState a = adam.state();
  CHECK(a.kind == "adam");
  CHECK(a.steps == 1);
  Adam<float> adam2;
  adam2.restore(a);
  CHECK(adam2.first_moment() == adam.first_moment());
  CHECK(adam2.second_moment() == adam.second_moment());
  CHECK(adam2.steps() == 1);

  // Refusals, each naming what is wrong; a refused restore changes nothing.
  CHECK_ERROR(adam2.restore(s), Contains("kind = \"sgd\", but this optimizer is \"adam\""));
  CHECK_ERROR(sgd2.restore(a), Contains("kind = \"adam\", but this optimizer is \"sgd\""));
  OptimizerState bad = a;
  bad.vectors["m"][2] = std::numeric_limits<float>::quiet_NaN();
  CHECK_ERROR(adam2.restore(bad), Contains("m[2] = nan") && Contains("finite"));
  bad = a;
  bad.vectors["v"][1] = -1;
  CHECK_ERROR(adam2.restore(bad), Contains("v[1] = -1") && Contains("negative"));
  bad = a;
  bad.vectors["v"].conservativeResize(3);
  CHECK_ERROR(adam2.restore(bad), Contains("\"v\" has 3 entries, \"m\" has 19"));
  bad = a;
  bad.vectors.erase("v");
  CHECK_ERROR(adam2.restore(bad), Contains("vector \"v\" is missing"));
  bad = a;
  bad.vectors["velocity"] = Vectorf::Zero(19);
  CHECK_ERROR(adam2.restore(bad), Contains("unknown vector \"velocity\""));
  bad = a;
  bad.steps = 0;
  CHECK_ERROR(adam2.restore(bad), Contains("steps = 0 with moments of 19 entries"));
  bad = s;
  bad.steps = -4;
  CHECK_ERROR(sgd2.restore(bad), Contains("steps = -4"));
  CHECK(adam2.first_moment() == adam.first_moment());
  CHECK(sgd2.velocity() == sgd.velocity());

  // A state restored for another model: refused by the trainer before, by step() after restore.
  BernoulliRBMf other = test::random_rbm<float>(5, 3, 0.3, 0.2, 6);
  Adam<float> mismatched;
  mismatched.restore(a);
  CHECK_ERROR(mismatched.step(other, Vectorf::Zero(other.num_params()), 0.01),
              Contains("moments have 19 entries") && Contains("23 parameters"));
  using K = BlockGibbs<BernoulliRBMf>;
  PersistentChains<K> chains(K{}, 4, 1, 1);
  Trainer trainer(other, chains, TrainOptions{}, Adam<float>());
  CHECK_ERROR(trainer.restore_optimizer(a), Contains("optimizer state (adam): \"m\" has 19 entries, the model has 23"));
  Trainer selected(other, chains, TrainOptions{});  // SelectedOptimizer: SGD unless the options say Adam
  CHECK_ERROR(selected.restore_optimizer(OptimizerState{"adam", 1, {{"m", Vectorf::Zero(23)}, {"v", Vectorf::Zero(23)}}}),
              Contains("but this optimizer is \"sgd\""));
}
