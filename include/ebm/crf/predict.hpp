#pragma once
// Prediction with a conditional model p(y | x): a single labelling for each input, or per-site marginals.
//   unary_argmin   y_s = argmin_l U(s, l): the unaries alone, an independent classifier per site (models
//                  whose context holds a `unary` matrix, e.g. GridCrf)
//   icm            iterated conditional modes (Besag 1986): visit the sites in colour order and move each to
//                  the label of least local energy given its neighbours; E(y) never increases, and it stops
//                  at the first sweep that changes nothing (a local minimum), starting from the unary argmin
//   annealed_map   single-site Gibbs sampling of exp(−β E) with β rising geometrically from β₀ to β₁, the
//                  lowest-energy labelling seen kept, then ICM from it: an approximation of the MAP labelling
//   max_marginal   the marginals p(y_s = l | x) by Gibbs sampling, y_s = argmax_l (maximum posterior
//                  marginal, MPM: minimizes the expected number of wrong sites rather than P(y ≠ y*))
//   mean_field     the fully factorized q(y) = Π_s q_s(y_s) closest to p(y | x) in KL(q ‖ p), by the
//                  fixed-point updates q_s(l) ∝ exp(−U(s, l) − Σ_t Σ_b P_st(l, b) q_t(b)) from q = softmax(−U),
//                  y_s = argmax_l q_s(l): deterministic, no sampling (models with expected_local_energies,
//                  e.g. GridCrf). By default the sites of one colour are updated together from the other
//                  colour's q (block coordinate descent of the mean-field free energy: it never rises, so no
//                  damping is needed); mf_parallel updates every site from the previous iteration's q at once
//                  (the dense-CRF schedule), which can oscillate on strong couplings unless damped:
//                  q ← (1 − λ) q_new + λ q_old with λ = mf_damping. It stops when no q_s(l) moved more than
//                  mf_tolerance, or after mf_iterations.
// Marginals are Rao-Blackwellized: at every visit of site s the sampler adds the conditional probabilities
// p(y_s = l | y_−s, x) it is about to draw from, instead of the indicator of the label it draws. The
// expectation is the same (E[p(y_s = l | y_−s)] = p(y_s = l)) and the variance is lower.
// Annealing and marginal sampling step the samplers' kernel (SiteGibbs::sweep, samplers/site_gibbs.hpp), the
// sweep training and tempering use: prediction holds one context per task instead of one per chain, so it steps
// each example's chain with the kernel's single-chain sweep rather than with step().
//
// Batches run in parallel over fixed blocks of examples, and example r draws only from
// make_stream(seed, StreamPurpose::chain, r): results are identical for any number of threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ebm/core/conditional_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/site_gibbs.hpp"

namespace ebm {

enum class PredictMethod { unary_argmin, icm, annealed_map, max_marginal, mean_field };

inline PredictMethod parse_predict_method(const std::string& s) {
  if (s == "unary") return PredictMethod::unary_argmin;
  if (s == "icm") return PredictMethod::icm;
  if (s == "map") return PredictMethod::annealed_map;
  if (s == "mpm") return PredictMethod::max_marginal;
  if (s == "mf") return PredictMethod::mean_field;
  fail("prediction method '", s, "' is unknown; use unary, icm, map, mpm or mf");
}
inline const char* to_string(PredictMethod m) {
  switch (m) {
    case PredictMethod::unary_argmin: return "unary";
    case PredictMethod::icm: return "icm";
    case PredictMethod::annealed_map: return "map";
    case PredictMethod::max_marginal: return "mpm";
    case PredictMethod::mean_field: return "mf";
  }
  return "?";
}

struct PredictOptions {
  PredictMethod method = PredictMethod::max_marginal;
  int icm_sweeps = 100;       // at most this many ICM sweeps (it usually stops after a few)
  int anneal_sweeps = 50;     // annealed_map: Gibbs sweeps from β₀ to β₁
  double beta0 = 0.2, beta1 = 10.0;
  int burn_in = 10;           // max_marginal: sweeps discarded
  int sweeps = 40;            // max_marginal: sweeps averaged
  SiteScan scan = SiteScan::checkerboard;
  int mf_iterations = 50;     // mean_field: at most this many updates of every site
  double mf_tolerance = 1e-4; // mean_field: stop when no q_s(l) changed by more
  bool mf_parallel = false;   // mean_field: all sites at once (else colour by colour)
  double mf_damping = 0.0;    // mean_field, parallel: weight of the old q in each update
  std::uint64_t seed = 1;
  Index block_rows = 1;       // examples per parallel task

  void validate() const {
    ensure(icm_sweeps >= 0, "prediction: ICM sweeps = ", icm_sweeps, " must be non-negative");
    ensure(anneal_sweeps >= 1, "prediction: annealing sweeps = ", anneal_sweeps, " must be at least 1");
    ensure(beta0 > 0 && beta1 >= beta0 && std::isfinite(beta1), "prediction: annealing from β₀ = ", beta0,
           " to β₁ = ", beta1, " needs 0 < β₀ ≤ β₁ < ∞");
    ensure(burn_in >= 0, "prediction: burn-in = ", burn_in, " must be non-negative");
    ensure(sweeps >= 1, "prediction: sweeps = ", sweeps, " must be at least 1");
    ensure(block_rows >= 1, "prediction: block_rows = ", block_rows, " must be positive");
    ensure(mf_iterations >= 1, "prediction: mean-field iterations = ", mf_iterations, " must be at least 1");
    ensure(mf_tolerance >= 0, "prediction: mean-field tolerance = ", mf_tolerance, " must be non-negative");
    ensure(mf_damping >= 0 && mf_damping < 1, "prediction: mean-field damping = ", mf_damping, " must be in [0, 1)");
  }
};

// y_s = argmin_l U(s, l) for every site (ties to the lowest label): the prediction of the unaries alone.
template <ConditionalGibbsModel M>
  requires requires(const typename M::Context& c) { c.unary(Index{0}, Index{0}); }
void unary_argmin(const M& model, const typename M::Context& ctx, std::span<Label> y) {
  ensure(Index(y.size()) == model.num_sites(), "unary_argmin: ", y.size(), " labels for ", model.num_sites(), " sites");
  for (Index s = 0; s < model.num_sites(); ++s) {
    Index best = 0;
    ctx.unary.row(s).minCoeff(&best);
    y[std::size_t(s)] = static_cast<Label>(best);
  }
}

// One ICM sweep: every site moves to its label of least local energy if that is strictly lower than its
// current one (so E(y) never increases and a fixed point is reached). e: L values of scratch. Returns the
// number of sites that changed.
template <ConditionalGibbsModel M>
Index icm_sweep(const M& model, const typename M::Context& ctx, std::span<Label> y, std::span<typename M::Scalar> e,
                SiteScan scan = SiteScan::checkerboard) {
  Index changed = 0;
  visit_sites(model, scan, [&](Index s) {
    model.local_energies(ctx, y, s, e);
    const auto best = std::size_t(std::min_element(e.begin(), e.end()) - e.begin());
    if (e[best] < e[y[std::size_t(s)]]) {
      y[std::size_t(s)] = static_cast<Label>(best);
      ++changed;
    }
  });
  return changed;
}

// ICM from the labelling y until a sweep changes nothing or max_sweeps are done; returns the sweeps used
// (the last one changed nothing unless max_sweeps ran out).
template <ConditionalGibbsModel M>
int icm(const M& model, const typename M::Context& ctx, std::span<Label> y, int max_sweeps,
        SiteScan scan = SiteScan::checkerboard) {
  ensure(Index(y.size()) == model.num_sites(), "icm: ", y.size(), " labels for ", model.num_sites(), " sites");
  std::vector<typename M::Scalar> e(std::size_t(model.num_labels()));
  for (int t = 1; t <= max_sweeps; ++t)
    if (icm_sweep(model, ctx, y, std::span(e), scan) == 0) return t;
  return max_sweeps;
}

// β of sweep t of T in the geometric schedule β₀ → β₁.
inline double annealing_beta(int t, int sweeps, double beta0, double beta1) {
  return sweeps <= 1 ? beta1 : beta0 * std::pow(beta1 / beta0, double(t) / double(sweeps - 1));
}

// Annealed Gibbs from y (overwritten with the result): T sweeps at β rising from β₀ to β₁, the best-energy
// labelling seen (the start included), then ICM from it. Returns its energy.
template <ConditionalGibbsModel M>
double annealed_map(const M& model, const typename M::Context& ctx, std::span<Label> y, const PredictOptions& opt,
                    Rng& rng) {
  using S = typename M::Scalar;
  ensure(Index(y.size()) == model.num_sites(), "annealed_map: ", y.size(), " labels for ", model.num_sites(), " sites");
  std::vector<S> e(std::size_t(model.num_labels()));
  std::vector<Label> best(y.begin(), y.end());
  double best_e = model.energy(ctx, y);
  SiteGibbs<M> gibbs(opt.scan);
  for (int t = 0; t < opt.anneal_sweeps; ++t) {
    gibbs.set_beta(annealing_beta(t, opt.anneal_sweeps, opt.beta0, opt.beta1));
    gibbs.sweep(model, ctx, y, rng, std::span(e));
    const double en = model.energy(ctx, y);
    if (en < best_e) {
      best_e = en;
      std::copy(y.begin(), y.end(), best.begin());
    }
  }
  std::copy(best.begin(), best.end(), y.begin());
  icm(model, ctx, y, std::max(opt.icm_sweeps, 1), opt.scan);
  return model.energy(ctx, y);
}

// Rao-Blackwellized marginals by Gibbs sampling at β = 1 from y (which is left at the chain's last state):
// burn_in sweeps, then `sweeps` sweeps whose conditional probabilities are averaged. marg: sites × L.
template <ConditionalGibbsModel M>
void sample_marginals(const M& model, const typename M::Context& ctx, std::span<Label> y, const PredictOptions& opt,
                      Rng& rng, MatrixX<double>& marg) {
  using S = typename M::Scalar;
  ensure(Index(y.size()) == model.num_sites(), "sample_marginals: ", y.size(), " labels for ", model.num_sites(),
         " sites");
  const int L = model.num_labels();
  std::vector<S> e(static_cast<std::size_t>(L));
  std::vector<double> p(static_cast<std::size_t>(L));
  marg.setZero(model.num_sites(), L);
  const SiteGibbs<M> gibbs(opt.scan);  // β = 1
  for (int t = 0; t < opt.burn_in; ++t) gibbs.sweep(model, ctx, y, rng, std::span(e));
  for (int t = 0; t < opt.sweeps; ++t)
    gibbs.sweep(model, ctx, y, rng, std::span(e), [&](Index s, std::span<const S> es) {
      // p(y_s = l | y_−s, x), the distribution the sweep is about to draw from (Rao-Blackwellization)
      const S emin = *std::min_element(es.begin(), es.end());
      double z = 0;
      for (int l = 0; l < L; ++l) z += (p[std::size_t(l)] = std::exp(-double(es[std::size_t(l)] - emin)));
      for (int l = 0; l < L; ++l) marg(s, l) += p[std::size_t(l)] / z;
    });
  marg /= double(opt.sweeps);
}

// y_s = argmax_l marg(s, l) (ties to the lowest label).
inline void max_marginal_labels(const MatrixX<double>& marg, std::span<Label> y) {
  ensure(Index(y.size()) == marg.rows(), "max_marginal_labels: ", y.size(), " labels for ", marg.rows(), " sites");
  for (Index s = 0; s < marg.rows(); ++s) {
    Index best = 0;
    marg.row(s).maxCoeff(&best);
    y[std::size_t(s)] = static_cast<Label>(best);
  }
}

// A model mean-field inference can run on: it gives the expected local energies of a site when the others are
// independent with marginals q (sites × L), e[l] = E_q[e_s(l)] (GridCrf::expected_local_energies).
template <class M>
concept MeanFieldModel = ConditionalGibbsModel<M> && requires(const M& m, const typename M::Context& c,
                                                              const MatrixX<double>& q, Index s, std::span<double> e) {
  m.expected_local_energies(c, q, s, e);
};

// q_s ← softmax(−e) over the L values of e (overwritten with the result).
inline void softmax_of_negative(std::span<double> e) {
  const double emin = *std::min_element(e.begin(), e.end());
  double z = 0;
  for (double& v : e) z += (v = std::exp(-(v - emin)));
  for (double& v : e) v /= z;
}

struct MeanFieldInfo {
  int iterations = 0;     // updates of every site done
  double last_change = 0; // max |Δq_s(l)| in the last one
  bool converged = false; // last_change ≤ tolerance
};

// Mean-field marginals q (sites × L) of p(y | x) in the conditioned ctx (the schedule in the header comment).
// q starts at softmax(−U) (models with unaries) or uniform; `next` is scratch of the same size (parallel
// schedule). Deterministic: the same q for the same (θ, x).
template <MeanFieldModel M>
MeanFieldInfo mean_field(const M& model, const typename M::Context& ctx, const PredictOptions& opt, MatrixX<double>& q,
                         MatrixX<double>& next) {
  opt.validate();
  const Index n = model.num_sites();
  const int L = model.num_labels();
  q.resize(n, L);
  if constexpr (requires { ctx.unary(Index{0}, Index{0}); }) {
    for (Index s = 0; s < n; ++s) {
      for (int l = 0; l < L; ++l) q(s, l) = double(ctx.unary(s, l));
      softmax_of_negative(std::span<double>(q.row(s).data(), std::size_t(L)));
    }
  } else {
    q.setConstant(1.0 / L);
  }
  std::vector<double> e(static_cast<std::size_t>(L));
  MeanFieldInfo info;
  for (int it = 0; it < opt.mf_iterations; ++it) {
    double change = 0;
    // q_s ← the update from the current q (or, parallel, into next from the previous one), damped.
    const auto update = [&](Index s, MatrixX<double>& dst, double damping) {
      model.expected_local_energies(ctx, q, s, std::span(e));
      softmax_of_negative(std::span(e));
      for (int l = 0; l < L; ++l) {
        const double v = damping > 0 ? (1 - damping) * e[std::size_t(l)] + damping * q(s, l) : e[std::size_t(l)];
        change = std::max(change, std::abs(v - q(s, l)));
        dst(s, l) = v;
      }
    };
    if (opt.mf_parallel) {
      next.resize(n, L);
      for (Index s = 0; s < n; ++s) update(s, next, opt.mf_damping);
      q.swap(next);
    } else {
      visit_sites(model, opt.scan, [&](Index s) { update(s, q, 0.0); });
    }
    info.iterations = it + 1;
    info.last_change = change;
    if (change <= opt.mf_tolerance) {
      info.converged = true;
      break;
    }
  }
  return info;
}

namespace detail {
// Conditions example r of x in a per-block context, starts y at the unary argmin (or all 0 for models
// without unaries), and calls f(ctx, y_r, rng_r) with the example's own stream.
template <ConditionalGibbsModel M, class F>
void for_each_example(const M& model, const ConstBatchRef<typename M::Scalar>& x, LabelMatrix& y,
                      const PredictOptions& opt, F&& f) {
  opt.validate();
  ensure(x.cols() == model.input_dim(), "prediction: inputs have ", x.cols(), " values, the model takes ",
         model.input_dim());
  y.setZero(x.rows(), model.num_sites());
  const BlockPlan plan(x.rows(), opt.block_rows);
  for_each_block(plan, [&](Index, Index r0, Index n) {
    auto ctx = model.make_context();
    for (Index r = r0; r < r0 + n; ++r) {
      model.condition(x.row(r).transpose(), ctx);
      const std::span<Label> yr = label_row(y, r);
      if constexpr (requires { ctx.unary(Index{0}, Index{0}); }) unary_argmin(model, ctx, yr);
      Rng rng = make_stream(opt.seed, StreamPurpose::chain, std::uint64_t(r));
      f(r, ctx, yr, rng);
    }
  });
}
}  // namespace detail

// One labelling per row of x by opt.method.
template <ConditionalGibbsModel M>
LabelMatrix predict_labels(const M& model, const ConstBatchRef<typename M::Scalar>& x, const PredictOptions& opt) {
  LabelMatrix y;
  detail::for_each_example(model, x, y, opt, [&](Index, const auto& ctx, std::span<Label> yr, Rng& rng) {
    switch (opt.method) {
      case PredictMethod::unary_argmin:
        if constexpr (!requires { ctx.unary(Index{0}, Index{0}); }) fail("unary_argmin: the model has no unaries");
        break;
      case PredictMethod::icm: icm(model, ctx, yr, opt.icm_sweeps, opt.scan); break;
      case PredictMethod::annealed_map: annealed_map(model, ctx, yr, opt, rng); break;
      case PredictMethod::max_marginal: {
        MatrixX<double> marg;
        sample_marginals(model, ctx, yr, opt, rng, marg);
        max_marginal_labels(marg, yr);
        break;
      }
      case PredictMethod::mean_field: {
        if constexpr (MeanFieldModel<M>) {
          MatrixX<double> q, next;
          mean_field(model, ctx, opt, q, next);
          max_marginal_labels(q, yr);
        } else {
          fail("mean field: the model has no expected_local_energies");
        }
        break;
      }
    }
  });
  return y;
}

// The marginals of every row of x: row r holds p(y_s = l | x_r) at column s·L + l; sampled (Gibbs,
// Rao-Blackwellized), or the mean-field q with PredictMethod::mean_field.
template <ConditionalGibbsModel M>
MatrixX<double> predict_marginals(const M& model, const ConstBatchRef<typename M::Scalar>& x,
                                  const PredictOptions& opt) {
  LabelMatrix y;
  MatrixX<double> out(x.rows(), model.num_sites() * model.num_labels());
  detail::for_each_example(model, x, y, opt, [&](Index r, const auto& ctx, std::span<Label> yr, Rng& rng) {
    MatrixX<double> marg;
    if (opt.method == PredictMethod::mean_field) {
      if constexpr (MeanFieldModel<M>) {
        MatrixX<double> next;
        mean_field(model, ctx, opt, marg, next);
      } else {
        fail("mean field: the model has no expected_local_energies");
      }
    } else {
      sample_marginals(model, ctx, yr, opt, rng, marg);
    }
    out.row(r) = Eigen::Map<const Eigen::RowVectorXd>(marg.data(), marg.size());
  });
  return out;
}

}  // namespace ebm
