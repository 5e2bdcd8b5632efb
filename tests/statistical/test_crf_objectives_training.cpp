// Training a tiny grid CRF (3 × 3 sites, 3 labels, linear unaries, Potts coupling) by pseudo-likelihood and by
// piecewise training on labellings drawn exactly from a known model, and scoring the fits by the exact
// held-out conditional NLL (enumeration of the 19,683 labellings of every held-out image):
//   * pseudo-likelihood is consistent: its fit comes within a small margin of the true model's NLL;
//   * piecewise training is biased when the coupling is strong (each edge piece is fitted to the observed
//     agreement rate on its own, on top of unaries that already explain part of it): clearly worse.
//   * pseudo-likelihood learns the edge network of a contrast CRF (couplings that depend on the image): near the
//     true NLL, and clearly better than the same fit without the network (the full table alone).
// Margins are stated per held-out example and in units of the paired standard error of the NLL difference.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "ebm/crf/exact_crf.hpp"
#include "ebm/crf/piecewise.hpp"
#include "ebm/crf/pseudo_likelihood.hpp"
#include "ebm/train/objective_trainer.hpp"
#include "support/crf_fixtures.hpp"

using namespace ebm;

namespace {

using Crf = test::LinearCrf;

using test::exact_nlls;
using test::exact_sample;
using test::Labelled;

struct Difference {
  double mean = 0, se = 0;
};
// Mean and standard error of a − b over paired examples.
Difference paired(const std::vector<double>& a, const std::vector<double>& b) {
  const auto n = double(a.size());
  double s = 0, s2 = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    s += a[i] - b[i];
    s2 += (a[i] - b[i]) * (a[i] - b[i]);
  }
  const double mean = s / n;
  return {mean, std::sqrt((s2 / n - mean * mean) / (n - 1))};
}

template <class Objective>
Crf fit(const Crf& shape, Objective objective, const Labelled& train) {
  Crf crf = shape;
  crf.set_params(VectorX<double>::Zero(crf.num_params()));
  // An edge network at 0 is a saddle (no hidden unit differs from another): start it as the init does.
  if (crf.pairwise() == Pairwise::contrast) crf.init_pairwise(7, 0.5);
  TrainOptions opt;
  opt.batch_size = 50;
  opt.epochs = 60;
  opt.learning_rate = 0.05;
  opt.schedule = {LearningRateSchedule::Kind::linear, 0.05};
  opt.optimizer = Optimizer::adam;
  opt.seed = 5;
  ObjectiveTrainer trainer(crf, objective, opt);
  trainer.fit(train.data());
  return crf;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double a : v) s += a;
  return s / double(v.size());
}

}  // namespace

TEST_CASE("pseudo-likelihood fit nears the true held-out NLL while piecewise is biased at strong coupling",
          "[crf][objectives][statistical]") {
  Crf truth = test::tiny_linear_crf(Pairwise::potts, 101, 0.6);
  truth.modify_params([&](VectorX<double>& t) { t[truth.pairwise_offset()] = 1.5; });  // strong: neighbours agree
  const Labelled train = exact_sample(truth, 500, 102), held_out = exact_sample(truth, 200, 103);

  const Crf pl = fit(truth, PseudoLikelihood<LinearUnary<double>>(), train);
  const Crf pw = fit(truth, PiecewiseObjective<LinearUnary<double>>(), train);

  const auto nll_true = exact_nlls(truth, held_out), nll_pl = exact_nlls(pl, held_out), nll_pw = exact_nlls(pw, held_out);
  const Difference d_pl = paired(nll_pl, nll_true), d_pw = paired(nll_pw, nll_true);
  const double w_pl = pl.params()[pl.pairwise_offset()], w_pw = pw.params()[pw.pairwise_offset()];
  INFO("held-out NLL per example: true " << mean(nll_true) << ", pseudo-likelihood +" << d_pl.mean << " ± "
                                         << d_pl.se << " (Potts w " << w_pl << "), piecewise +" << d_pw.mean
                                         << " ± " << d_pw.se << " (w " << w_pw << "); true w 1.5");
  // Seen at these seeds: PL +0.029 ± 0.019 (w 1.42), piecewise +4.0 ± 0.34 (w 2.06) on a true NLL of 3.44.
  // PL: within 0.1 nats per example (3 % of the NLL; its estimation error is O(parameters / examples)).
  CHECK(d_pl.mean < 0.1);
  CHECK(std::abs(w_pl - 1.5) < 0.25);
  // Piecewise: worse by more than a nat per example even 4 standard errors down, with the coupling overshot.
  CHECK(d_pw.mean - 4 * d_pw.se > 1.0);
  CHECK(w_pw > 1.8);
}

TEST_CASE("pseudo-likelihood learns a contrast CRF's edge network: near the true NLL, better than the table alone",
          "[crf][objectives][statistical][contrast]") {
  Crf truth(3, 3, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::contrast, 3);
  test::randomize(truth, 0.6, 111);
  truth.modify_params([&](VectorX<double>& t) {  // edges that differ clearly: a strong output layer
    t.segment(truth.edge_offset() + 3 * 5, 3) *= 6.0;
  });
  const Labelled train = exact_sample(truth, 500, 112), held_out = exact_sample(truth, 400, 113);
  const Crf pl = fit(truth, PseudoLikelihood<LinearUnary<double>>(), train);
  const Crf table_only = fit(Crf(3, 3, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), Pairwise::full),
                             PseudoLikelihood<LinearUnary<double>>(), train);
  const auto nll_true = exact_nlls(truth, held_out), nll_pl = exact_nlls(pl, held_out),
             nll_table = exact_nlls(table_only, held_out);
  const Difference d_pl = paired(nll_pl, nll_true), d_table = paired(nll_table, nll_pl);
  INFO("held-out NLL per example: true " << mean(nll_true) << ", contrast PL fit +" << d_pl.mean << " ± " << d_pl.se
                                         << ", full-table PL fit a further +" << d_table.mean << " ± " << d_table.se);
  // Seen at these seeds: contrast fit +0.087 ± 0.020 on a true NLL of 1.39, the table alone a further +0.16 ± 0.04.
  CHECK(d_pl.mean < 0.15);                   // 61 parameters from 500 examples: an error O(parameters / examples)
  CHECK(d_table.mean - 3 * d_table.se > 0);  // the image-dependent couplings matter, and were learned
}
