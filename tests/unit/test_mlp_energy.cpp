// MLP energy: ∇ₓE and ∂E/∂θ (for both signs of the weight, and with one weight per row) against central
// finite differences; workspace and plain paths agree bitwise; energy() equals
// energy_and_grad()'s energies; parameter layout, names and checks.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/ebm.hpp"
#include "ebm/models/mlp_energy.hpp"

using namespace ebm;

namespace {

MlpEnergyd make_mlp(Activation act, std::uint64_t seed) {
  MlpEnergyd mlp(3, {5, 4}, act);
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  mlp.init_normal(rng, 1.5);
  // Non-zero biases, so every bias path is exercised.
  mlp.modify_params([&](Vectord& t) {
    for (Index k = mlp.num_weights(); k < t.size(); ++k) t[k] = 0.3 * standard_normal<double>(rng);
  });
  return mlp;
}

Matrixd points(Index n, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  Matrixd x(n, 3);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = 1.5 * standard_normal<double>(rng);
  return x;
}

// The loss whose θ-gradient accumulate_weighted_grad(x, w, ·) adds: Σ_r w_r E(x_r).
double loss(const MlpEnergyd& m, const Matrixd& x, const Vectord& w) {
  Vectord e(x.rows());
  m.energy(x, e);
  return w.dot(e);
}

}  // namespace

// Central differences with h = 1e-5 in double: truncation error h²/6 · |f'''| ≈ 1e-10 · O(1) for these
// O(1) weights and inputs, roundoff ε|f|/h ≈ 1e-16 · 10 / 1e-5 = 1e-10; the tolerance 1e-6 (relative to
// max(1, |g|)) leaves four orders of margin and is still far below any real backprop error (O(|g|)).
TEST_CASE("MLP energy: grad_x E and dE/dtheta match central finite differences", "[mlp][energy]") {
  constexpr double h = 1e-5, tol = 1e-6;
  for (const Activation act : {Activation::softplus, Activation::swish}) {
    {
      INFO((act == Activation::swish ? "swish" : "softplus"));
      const MlpEnergyd mlp = make_mlp(act, 7);
      const Matrixd x = points(6, 8);
      Vectord e(6);
      Matrixd g(6, 3);
      mlp.energy_and_grad(x, e, g);
      Vectord e2(6);
      mlp.energy(x, e2);
      CHECK(e == e2);
      for (Index r = 0; r < 6; ++r)
        for (Index i = 0; i < 3; ++i) {
          Matrixd xp = x.row(r), xm = x.row(r);
          xp(0, i) += h;
          xm(0, i) -= h;
          Vectord ep(1), em(1);
          mlp.energy(xp, ep);
          mlp.energy(xm, em);
          const double fd = (ep[0] - em[0]) / (2 * h);
          INFO("row " << r << ", coordinate " << i);
          CHECK(std::abs(g(r, i) - fd) < tol * std::max(1.0, std::abs(fd)));
        }
      Vectord per_row(6);
      per_row << 0.7, -0.4, 1.3, 0.0, -2.1, 0.5;
      // accumulate_grad with w = 0.7 and −0.4, and accumulate_weighted_grad with a weight per row.
      for (const int which : {0, 1, 2}) {
        const Vectord w = which == 2 ? per_row : Vectord::Constant(6, which == 0 ? 0.7 : -0.4);
        Vectord grad = Vectord::Zero(mlp.num_params());
        if (which == 2)
          mlp.accumulate_weighted_grad(x, w, grad);
        else
          mlp.accumulate_grad(x, w[0], grad);
        for (Index k = 0; k < mlp.num_params(); ++k) {
          MlpEnergyd mp = mlp, mm = mlp;
          mp.modify_params([&](Vectord& t) { t[k] += h; });
          mm.modify_params([&](Vectord& t) { t[k] -= h; });
          const double fd = (loss(mp, x, w) - loss(mm, x, w)) / (2 * h);
          INFO("weights " << which << ", parameter " << mlp.param_name(k));
          CHECK(std::abs(grad[k] - fd) < tol * std::max(1.0, std::abs(fd)));
        }
      }
    }
  }
}

TEST_CASE("MLP energy: workspace and plain paths agree bitwise; accumulate_grad adds", "[mlp][energy]") {
  const MlpEnergyd mlp = make_mlp(Activation::swish, 3);
  const Matrixd x = points(25, 4);
  Vectord e1(25), e2(25);
  Matrixd g1(25, 3), g2(25, 3);
  mlp.energy_and_grad(x, e1, g1);
  auto ws = mlp.make_workspace(25);
  mlp.energy_and_grad(x, e2, g2, ws);
  CHECK(e1 == e2);
  CHECK(g1 == g2);
  // A smaller block through the same workspace (the partial last block of a sampler). Eigen's product may
  // take another kernel path for another row count, so only rounding-level agreement is expected here (the
  // samplers' blocks are fixed, which is what keeps their runs bitwise reproducible).
  Vectord e3(10);
  Matrixd g3(10, 3);
  mlp.energy_and_grad(x.topRows(10), e3, g3, ws);
  CHECK((e3 - e1.head(10)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((g3 - g1.topRows(10)).cwiseAbs().maxCoeff() < 1e-12);
  Vectord once = Vectord::Zero(mlp.num_params()), twice = Vectord::Zero(mlp.num_params());
  mlp.accumulate_grad(x, 1.0, once);
  mlp.accumulate_grad(x.topRows(10), 1.0, twice);
  mlp.accumulate_grad(x.bottomRows(15), 1.0, twice);
  CHECK((once - twice).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("MLP energy: layout, names, checks", "[mlp][energy]") {
  MlpEnergyd mlp(2, {3}, Activation::softplus);
  // W1 (3×2), W2 (1×3), b1 (3), b2 (1).
  CHECK(mlp.num_params() == 6 + 3 + 3 + 1);
  CHECK(mlp.num_weights() == 9);
  CHECK(mlp.param_name(0) == "W1(0, 0)");
  CHECK(mlp.param_name(5) == "W1(2, 1)");
  CHECK(mlp.param_name(6) == "W2(0, 0)");
  CHECK(mlp.param_name(9) == "b1(0)");
  CHECK(mlp.param_name(12) == "b2(0)");
  // All-zero weights and biases: E = 0 everywhere, ∇ₓE = 0.
  Vectord e(1);
  Matrixd g(1, 2), x(1, 2);
  x << 0.5, -1;
  mlp.energy_and_grad(x, e, g);
  CHECK(e[0] == 0);
  CHECK(g.isZero());
  Vectord bad = mlp.params();
  bad[4] = std::nan("");
  CHECK_THROWS_WITH(mlp.set_params(bad), Catch::Contains("W1(2, 0)"));
  CHECK(mlp.params().allFinite());
  CHECK_THROWS_WITH(MlpEnergyd(2, {}, Activation::swish), Catch::Contains("hidden"));
  // The deprecated l2_energy argument: 0 is accepted, anything else names its replacement.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  CHECK_NOTHROW(MlpEnergyd(2, {3}, Activation::swish, 0.0));
  CHECK_THROWS_WITH(MlpEnergyd(2, {3}, Activation::swish, 0.1),
                    Catch::Contains("l2_energy = 0.1") && Catch::Contains("EnergyMagnitudePenalty(0.1)"));
#pragma GCC diagnostic pop
  CHECK_THROWS_WITH(mlp.energy(Matrixd(1, 3), e), Catch::Contains("columns"));
}

TEST_CASE("MLP energy: Trainer<PersistentChains<Mala>> with Adam runs on it and lowers the data's energy",
          "[mlp][train]") {
  MlpEnergyd mlp(3, {16, 16}, Activation::softplus);
  Rng rng = make_stream(12, StreamPurpose::init, 0);
  mlp.init_normal(rng);
  const Matrixd data = points(400, 13) * 0.3;  // a narrow blob
  PersistentChains<Mala<MlpEnergyd>> chains(Mala<MlpEnergyd>(0.05), 50, 5, 14);
  chains.start(mlp, points(50, 15));  // wide noise
  TrainOptions opt;
  opt.batch_size = 50;
  opt.epochs = 10;
  opt.learning_rate = 0.01;
  Trainer trainer(mlp, chains, opt, Adam<double>());
  trainer.add_transform(EnergyMagnitudePenalty(0.1));
  const auto gap = [&] {  // mean energy of the data minus that of the chains: the contrastive loss
    Vectord ed(data.rows()), ec(50);
    mlp.energy(data, ed);
    mlp.energy(chains.state().x, ec);
    return ed.mean() - ec.mean();
  };
  const double before = gap();
  trainer.fit(data);
  CHECK(mlp.params().allFinite());
  CHECK(gap() < before);
}
