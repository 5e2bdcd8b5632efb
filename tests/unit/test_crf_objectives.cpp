// Pseudo-likelihood and piecewise objectives of grid CRFs against their definitions, computed here by brute
// force on tiny 3 × 3 models with 3 labels: the objective from the model's full energy() or by normalizing
// every piece by enumeration, the gradient by central differences of the objective, and both against the
// exact conditional likelihood where they must agree with it (no pairwise coupling); the same bits for any
// number of threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "ebm/crf/exact_crf.hpp"
#include "ebm/crf/piecewise.hpp"
#include "ebm/crf/pseudo_likelihood.hpp"
#include "ebm/train/objective_trainer.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/crf_fixtures.hpp"

using namespace ebm;

namespace {

constexpr Index examples = 3;

LabelMatrix random_label_rows(Index n, Index sites, int labels, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 7);
  LabelMatrix y(n, sites);
  for (Index k = 0; k < y.size(); ++k) y.data()[k] = Label(rng() % unsigned(labels));
  return y;
}

struct Labelled {
  MatrixX<double> x;
  LabelMatrix y;
  ConditionalData<double> data() const { return {x, y}; }
};

template <class Crf>
Labelled labelled_data(const Crf& crf, std::uint64_t seed) {
  return {test::random_images(examples, crf.input_dim(), seed),
          random_label_rows(examples, crf.num_sites(), crf.num_labels(), seed + 100)};
}

std::vector<Label> row_of(const LabelMatrix& y, Index r) {
  return {y.data() + r * y.cols(), y.data() + (r + 1) * y.cols()};
}

// Σ_s −log p(y_s | y_−s, x) with p(y_s = l | …) ∝ exp(−E(y with y_s = l)): L full energies per site.
template <class Crf>
double brute_pseudo_likelihood(const Crf& crf, const Labelled& d) {
  auto ctx = crf.make_context();
  double total = 0;
  for (Index r = 0; r < examples; ++r) {
    crf.condition(d.x.row(r).transpose(), ctx);
    auto y = row_of(d.y, r);
    for (Index s = 0; s < crf.num_sites(); ++s) {
      const Label keep = y[std::size_t(s)];
      double z = 0;
      for (int l = 0; l < crf.num_labels(); ++l) {
        y[std::size_t(s)] = Label(l);
        z += std::exp(-crf.energy(ctx, y));
      }
      y[std::size_t(s)] = keep;
      total += crf.energy(ctx, y) + std::log(z);
    }
  }
  return total / examples;
}

// Unary pieces: a softmax of −U(s, ·) at every site, counted c(y_s) times (once when c is empty); pairwise pieces:
// each edge's P_st normalized over its own L² pairs (P_st = P for potts and full; contrast adds c_st·[a ≠ b]).
template <class Crf>
double brute_piecewise(const Crf& crf, const Labelled& d, bool pairs, const std::vector<double>& c = {}) {
  const int L = crf.num_labels();
  auto ctx = crf.make_context();
  const auto p_st = [&](Index s, int dir, int a, int b) {
    const double coupling = crf.pairwise() == Pairwise::contrast && a != b ? crf.edge_coupling(ctx, s, dir) : 0.0;
    return crf.pair(a, b) + coupling;
  };
  double total = 0;
  for (Index r = 0; r < examples; ++r) {
    crf.condition(d.x.row(r).transpose(), ctx);
    const auto y = row_of(d.y, r);
    for (Index s = 0; s < crf.num_sites(); ++s) {
      double z = 0;
      for (int l = 0; l < L; ++l) z += std::exp(-ctx.unary(s, l));
      const double weight = c.empty() ? 1.0 : c[std::size_t(y[std::size_t(s)])];
      total += -weight * std::log(std::exp(-ctx.unary(s, y[std::size_t(s)])) / z);
      if (!pairs) continue;
      for (int dir = 0; dir < 2; ++dir) {
        const Index t = dir == 0 ? crf.grid().right(s) : crf.grid().down(s);
        if (t < 0) continue;
        double zp = 0;
        for (int a = 0; a < L; ++a)
          for (int b = 0; b < L; ++b) zp += std::exp(-p_st(s, dir, a, b));
        total += -std::log(std::exp(-p_st(s, dir, y[std::size_t(s)], y[std::size_t(t)])) / zp);
      }
    }
  }
  return total / examples;
}

// Mean −log p(y | x) by enumerating the 19,683 labellings.
template <class Crf>
double exact_nll(const Crf& crf, const Labelled& d) {
  auto ctx = crf.make_context();
  double total = 0;
  for (Index r = 0; r < examples; ++r) {
    crf.condition(d.x.row(r).transpose(), ctx);
    total += crf.energy(ctx, row_of(d.y, r)) + exact_conditional(crf, ctx).log_z;
  }
  return total / examples;
}

// The objective's gradient against central differences of its value (O(h²) error, relative tolerance).
template <class Crf, class Objective>
void check_gradient(Crf crf, Objective obj, const Labelled& d) {
  VectorX<double> g = VectorX<double>::Zero(crf.num_params());
  const double j0 = obj.accumulate(crf, d.data(), g);
  CHECK(j0 == Approx(obj.value(crf, d.data())).epsilon(1e-14));
  const VectorX<double> theta = crf.params();
  const double h = 1e-5;
  for (Index k = 0; k < crf.num_params(); ++k) {
    auto at = [&](double delta) {
      VectorX<double> t = theta;
      t[k] += delta;
      crf.set_params(t);
      return obj.value(crf, d.data());
    };
    const double fd = (at(h) - at(-h)) / (2 * h);
    INFO(crf.param_name(k));
    CHECK(g[k] == Approx(fd).epsilon(1e-6).margin(1e-8));
  }
}

template <class Crf>
Crf without_coupling(Crf crf) {
  crf.modify_params([&](VectorX<double>& t) { t.tail(crf.pairwise_params()).setZero(); });
  return crf;
}

}  // namespace

TEST_CASE("piecewise objective equals its pieces normalized by enumeration", "[crf][objectives]") {
  for (auto pairwise : {Pairwise::potts, Pairwise::full, Pairwise::contrast}) {
    const auto lin = test::tiny_linear_crf(pairwise, 1, 0.8);
    const auto mlp = test::tiny_mlp_crf(pairwise, 2, 0.8);
    const auto dl = labelled_data(lin, 11), dm = labelled_data(mlp, 12);
    PiecewiseObjective<LinearUnary<double>> pl_all, pl_unary(Pieces::unary_only);
    PiecewiseObjective<MlpUnary<double>> pm_all, pm_unary(Pieces::unary_only);
    CHECK(pl_all.value(lin, dl.data()) == Approx(brute_piecewise(lin, dl, true)).epsilon(1e-12));
    CHECK(pl_unary.value(lin, dl.data()) == Approx(brute_piecewise(lin, dl, false)).epsilon(1e-12));
    CHECK(pm_all.value(mlp, dm.data()) == Approx(brute_piecewise(mlp, dm, true)).epsilon(1e-12));
    CHECK(pm_unary.value(mlp, dm.data()) == Approx(brute_piecewise(mlp, dm, false)).epsilon(1e-12));
  }
}

TEST_CASE("piecewise gradient equals central differences of the objective", "[crf][objectives]") {
  const auto d = labelled_data(test::tiny_linear_crf(Pairwise::potts, 3), 21);
  check_gradient(test::tiny_linear_crf(Pairwise::potts, 3, 0.8), PiecewiseObjective<LinearUnary<double>>(), d);
  check_gradient(test::tiny_linear_crf(Pairwise::full, 4, 0.8), PiecewiseObjective<LinearUnary<double>>(), d);
  check_gradient(test::tiny_mlp_crf(Pairwise::potts, 5, 0.8), PiecewiseObjective<MlpUnary<double>>(), d);
  check_gradient(test::tiny_mlp_crf(Pairwise::full, 6, 0.8), PiecewiseObjective<MlpUnary<double>>(), d);
  check_gradient(test::tiny_mlp_crf(Pairwise::full, 7, 0.8), PiecewiseObjective<MlpUnary<double>>(Pieces::unary_only), d);
  check_gradient(test::tiny_conv_crf(Pairwise::full, 8, 0.8), PiecewiseObjective<ConvUnary<double>>(Pieces::unary_only), d);
  check_gradient(test::tiny_conv_crf(Pairwise::potts, 9, 0.8), PiecewiseObjective<ConvUnary<double>>(), d);
  // Contrast: every edge's piece has its own normalizer through c_st (the edge network's gradient).
  check_gradient(test::tiny_linear_crf(Pairwise::contrast, 10, 0.8), PiecewiseObjective<LinearUnary<double>>(), d);
  check_gradient(test::tiny_conv_crf(Pairwise::contrast, 11, 0.8), PiecewiseObjective<ConvUnary<double>>(), d);
}

// Label weights: each unary piece counted c(y_s) times, against the pieces summed by hand; weights of 1 give the
// plain objective to rounding; the weighted gradient against central differences.
TEST_CASE("label-weighted unary pieces: value, unit weights, gradient", "[crf][objectives]") {
  const auto crf = test::tiny_conv_crf(Pairwise::potts, 13, 0.8);
  const auto d = labelled_data(crf, 14);
  const std::vector<double> c{0.3, 1.0, 2.5};
  PiecewiseObjective<ConvUnary<double>> weighted(Pieces::unary_only), ones(Pieces::unary_only),
      plain(Pieces::unary_only);
  weighted.set_label_weights(c);
  ones.set_label_weights({1.0, 1.0, 1.0});
  CHECK(weighted.value(crf, d.data()) == Approx(brute_piecewise(crf, d, false, c)).epsilon(1e-12));
  CHECK(weighted.value(crf, d.data()) != Approx(plain.value(crf, d.data())).epsilon(1e-3));
  VectorX<double> g1 = VectorX<double>::Zero(crf.num_params()), g0 = g1;
  const double j1 = ones.accumulate(crf, d.data(), g1), j0 = plain.accumulate(crf, d.data(), g0);
  CHECK(j1 == Approx(j0).epsilon(1e-14));
  // To rounding only (the weighted path may fuse its products differently under -march=native).
  CHECK((g1 - g0).cwiseAbs().maxCoeff() <= 1e-14 * g0.cwiseAbs().maxCoeff());
  check_gradient(crf, weighted, d);
  PiecewiseObjective<ConvUnary<double>> with_pairs;
  with_pairs.set_label_weights(c);
  check_gradient(test::tiny_conv_crf(Pairwise::full, 15, 0.8), with_pairs, d);
  CHECK_THROWS_WITH(weighted.set_label_weights({1.0, 0.0, 1.0}), Catch::Contains("label weight 1 = 0"));
  PiecewiseObjective<ConvUnary<double>> too_few(Pieces::unary_only);
  too_few.set_label_weights({1.0, 2.0});
  CHECK_THROWS_WITH(too_few.value(crf, d.data()), Catch::Contains("2 label weights for a model with 3 labels"));
}

TEST_CASE("piecewise objective bounds the exact conditional NLL from above", "[crf][objectives]") {
  for (std::uint64_t seed : {31, 32, 33}) {
    const auto crf = test::tiny_linear_crf(seed % 2 ? Pairwise::full : Pairwise::potts, seed, 1.0);
    const auto d = labelled_data(crf, seed);
    CHECK(PiecewiseObjective<LinearUnary<double>>().value(crf, d.data()) > exact_nll(crf, d));
  }
}

TEST_CASE("without pairwise coupling the unary pieces are the exact conditional NLL", "[crf][objectives]") {
  const auto crf = without_coupling(test::tiny_mlp_crf(Pairwise::full, 41, 1.0));
  const auto d = labelled_data(crf, 41);
  const double nll = exact_nll(crf, d);
  CHECK(PiecewiseObjective<MlpUnary<double>>(Pieces::unary_only).value(crf, d.data()) == Approx(nll).epsilon(1e-12));
  // Each of the E = 12 edge pieces is then uniform over the L² pairs: log 9 apiece.
  CHECK(PiecewiseObjective<MlpUnary<double>>().value(crf, d.data()) ==
        Approx(nll + 12 * std::log(9.0)).epsilon(1e-12));
  // The unary-only gradient leaves the pairwise table alone.
  VectorX<double> g = VectorX<double>::Zero(crf.num_params());
  PiecewiseObjective<MlpUnary<double>>(Pieces::unary_only).accumulate(crf, d.data(), g);
  CHECK(g.tail(crf.pairwise_params()).isZero(0));
}

TEST_CASE("pseudo-likelihood equals site conditionals normalized with the full energy", "[crf][objectives]") {
  for (auto pairwise : {Pairwise::potts, Pairwise::full, Pairwise::contrast}) {
    const auto lin = test::tiny_linear_crf(pairwise, 51, 0.8);
    const auto mlp = test::tiny_mlp_crf(pairwise, 52, 0.8);
    const auto dl = labelled_data(lin, 51), dm = labelled_data(mlp, 52);
    CHECK(PseudoLikelihood<LinearUnary<double>>().value(lin, dl.data()) ==
          Approx(brute_pseudo_likelihood(lin, dl)).epsilon(1e-12));
    CHECK(PseudoLikelihood<MlpUnary<double>>().value(mlp, dm.data()) ==
          Approx(brute_pseudo_likelihood(mlp, dm)).epsilon(1e-12));
  }
}

TEST_CASE("pseudo-likelihood gradient equals central differences of the objective", "[crf][objectives]") {
  const auto d = labelled_data(test::tiny_linear_crf(Pairwise::potts, 61), 61);
  check_gradient(test::tiny_linear_crf(Pairwise::potts, 61, 0.8), PseudoLikelihood<LinearUnary<double>>(), d);
  check_gradient(test::tiny_linear_crf(Pairwise::full, 62, 0.8), PseudoLikelihood<LinearUnary<double>>(), d);
  check_gradient(test::tiny_mlp_crf(Pairwise::potts, 63, 0.8), PseudoLikelihood<MlpUnary<double>>(), d);
  check_gradient(test::tiny_mlp_crf(Pairwise::full, 64, 0.8), PseudoLikelihood<MlpUnary<double>>(), d);
  check_gradient(test::tiny_linear_crf(Pairwise::contrast, 65, 0.8), PseudoLikelihood<LinearUnary<double>>(), d);
  check_gradient(test::tiny_conv_crf(Pairwise::contrast, 66, 0.8), PseudoLikelihood<ConvUnary<double>>(), d);
}

TEST_CASE("without pairwise coupling pseudo-likelihood is the exact conditional NLL", "[crf][objectives]") {
  for (auto pairwise : {Pairwise::potts, Pairwise::full}) {
    const auto crf = without_coupling(test::tiny_linear_crf(pairwise, 71, 1.0));
    const auto d = labelled_data(crf, 71);
    CHECK(PseudoLikelihood<LinearUnary<double>>().value(crf, d.data()) == Approx(exact_nll(crf, d)).epsilon(1e-12));
  }
}

TEST_CASE("objectives reject data that do not fit the model", "[crf][objectives]") {
  const auto crf = test::tiny_linear_crf(Pairwise::potts, 81);
  auto d = labelled_data(crf, 81);
  d.y(1, 4) = 3;
  VectorX<double> g = VectorX<double>::Zero(crf.num_params());
  CHECK_THROWS_WITH(PseudoLikelihood<LinearUnary<double>>().accumulate(crf, d.data(), g),
                    Catch::Contains("label (1, 4) is 3"));
  CHECK_THROWS_WITH(PiecewiseObjective<LinearUnary<double>>().value(crf, d.data()), Catch::Contains("label (1, 4) is 3"));
  VectorX<double> short_grad(2);
  d.y(1, 4) = 0;
  CHECK_THROWS_WITH(PseudoLikelihood<LinearUnary<double>>().accumulate(crf, d.data(), short_grad),
                    Catch::Contains("gradient has 2 entries"));
}

TEST_CASE("objectives, their gradients and objective training are the same bits on 1, 2 and 8 threads",
          "[crf][objectives]") {
  auto crf = test::tiny_mlp_crf(Pairwise::full, 91, 0.8);
  const Labelled d{test::random_images(12, crf.input_dim(), 91), random_label_rows(12, crf.num_sites(), 3, 92)};
  struct Run {
    VectorX<double> g_pl, g_pw, theta;
    double j_pl = 0, j_pw = 0;
  };
  const auto run = [&] {
    Run r;
    r.g_pl = r.g_pw = VectorX<double>::Zero(crf.num_params());
    r.j_pl = PseudoLikelihood<MlpUnary<double>>().accumulate(crf, d.data(), r.g_pl);
    r.j_pw = PiecewiseObjective<MlpUnary<double>>().accumulate(crf, d.data(), r.g_pw);
    auto fitted = crf;
    TrainOptions opt;
    opt.batch_size = 4;
    opt.epochs = 2;
    PseudoLikelihood<MlpUnary<double>> pl;
    ObjectiveTrainer trainer(fitted, pl, opt);
    trainer.fit(d.data());
    r.theta = fitted.params();
    return r;
  };
  const Run one = test::with_threads(1, run);
  for (int n : test::thread_counts) {
    const Run other = test::with_threads(n, run);
    INFO(n << " threads");
    CHECK(std::memcmp(&one.j_pl, &other.j_pl, sizeof(double)) == 0);
    CHECK(std::memcmp(&one.j_pw, &other.j_pw, sizeof(double)) == 0);
    CHECK(test::bitwise_equal(one.g_pl, other.g_pl));
    CHECK(test::bitwise_equal(one.g_pw, other.g_pw));
    CHECK(test::bitwise_equal(one.theta, other.theta));
  }
  CHECK_FALSE(test::bitwise_equal(one.theta, crf.params()));  // training moved θ
}
