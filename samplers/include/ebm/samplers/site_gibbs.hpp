#pragma once
// Gibbs sampling of the labels of a conditional model, y ~ p(y | x), one site at a time:
//   raster        single-site Gibbs in site order 0, 1, …, n−1;
//   checkerboard  the sites of one colour, then of the next (core/conditional_model.hpp): on a 4-neighbour
//                 grid the two colours are conditionally independent blocks, so this is two-colour block
//                 Gibbs, whatever order the sites of a colour are visited in.
// Both leave p(y | x) invariant; each chain is one task's work (a 64 × 64 grid is ~50k label energies), chains
// run in parallel over fixed blocks, and chain r draws only from rng[r], so results do not depend on the
// number of threads. An inverse temperature β ≠ 1 samples ∝ exp(−β E) (annealing towards the MAP labelling).
// Every buffer is allocated in prepare(); a step allocates nothing.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "ebm/core/conditional_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/samplers/gibbs_chains.hpp"
#include "ebm/samplers/label_chains.hpp"

namespace ebm {

enum class SiteScan { raster, checkerboard };

// Draws l with probability ∝ exp(−β e[l]) (by inverse CDF: the first l whose cumulative weight exceeds u·total);
// e may be overwritten.
template <class S>
Label sample_from_energies(std::span<S> e, S beta, Rng& rng) {
  const std::size_t n = e.size();
  // Up to 64 bytes of labels (16 floats: one AVX-512 register) in one SIMD chunk: the exponentials at once
  // and the search without branches. One scalar expf call per label, and a mispredicted branch where the
  // search stops, were most of a sweep's time.
  constexpr std::size_t chunk = 64 / sizeof(S);
  if (n <= chunk) {
    Eigen::Array<S, int(chunk), 1> c;
    c.setConstant(std::numeric_limits<S>::max());  // padding: no effect on the minimum, weight ~0
    std::copy(e.begin(), e.end(), c.data());
    const S emin = c.minCoeff();
    c = (-beta * (c - emin)).exp();
    for (std::size_t l = 1; l < n; ++l) c[Index(l)] += c[Index(l - 1)];
    const S u = S(uniform01f(rng)) * c[Index(n - 1)];
    c.tail(Index(chunk - n + 1)).setConstant(std::numeric_limits<S>::infinity());
    // The cumulative weights rise, so the first l with u < c[l] is the number of l with c[l] ≤ u.
    return static_cast<Label>((c <= u).count());
  }
  const S emin = *std::min_element(e.begin(), e.end());
  S total = 0;
  for (S& v : e) total = (v = total + std::exp(-beta * (v - emin)));
  const S u = S(uniform01f(rng)) * total;
  for (std::size_t l = 0; l + 1 < n; ++l)
    if (u < e[l]) return static_cast<Label>(l);
  return static_cast<Label>(n - 1);
}

// f(site) for every site of the model in the order `scan` visits them: 0, 1, …, n−1 (raster) or colour by
// colour (checkerboard). Gibbs sweeps and ICM (crf/predict.hpp) share it.
template <ConditionalGibbsModel M, class F>
void visit_sites(const M& model, SiteScan scan, F&& f) {
  if (scan == SiteScan::raster) {
    for (Index s = 0; s < model.num_sites(); ++s) f(s);
  } else {
    for (int c = 0; c < model.num_colours(); ++c)
      for (Index s : model.sites_of_colour(c)) f(s);
  }
}

template <ConditionalGibbsModel M>
class SiteGibbs {
public:
  using Model = M;
  using Scalar = typename M::Scalar;
  using State = LabelChains<M>;

  explicit SiteGibbs(SiteScan scan = SiteScan::checkerboard, Index block_rows = 1) : scan_(scan), block_rows_(block_rows) {
    ensure(block_rows > 0, "SiteGibbs: block_rows = ", block_rows, " must be positive");
  }

  SiteScan scan() const { return scan_; }
  double beta() const { return beta_; }
  void set_beta(double beta) {
    ensure(beta > 0 && std::isfinite(beta), "SiteGibbs: inverse temperature β = ", beta, " must be positive and finite");
    beta_ = beta;
  }

  void prepare(const M& model, State& s, Index n) {
    ensure(n > 0, "SiteGibbs: number of chains = ", n, " must be positive");
    s.y.resize(n, model.num_sites());
    if (Index(s.context.size()) != n) s.context.assign(std::size_t(n), model.make_context());
    plan_ = BlockPlan(n, block_rows_);
    energies_.assign(std::size_t(plan_.count() * model.num_labels()), Scalar(0));
    partial_.resize(plan_.count(), model.num_params());
  }

  // Chain r samples p(y | x.row(r)) and starts at y0.row(r).
  void init(const M& model, State& s, const ConstBatchRef<Scalar>& x, const ConstLabelRef& y0, std::span<Rng> rng) {
    ensure(x.rows() == y0.rows(), "SiteGibbs::init: ", x.rows(), " inputs but ", y0.rows(), " start labellings");
    ensure(x.cols() == model.input_dim(), "SiteGibbs::init: inputs have ", x.cols(), " values, the model takes ",
           model.input_dim());
    check_labels(y0, model.num_sites(), model.num_labels(), "SiteGibbs::init: start labels");
    check_streams(rng, x.rows());
    if (s.size() != x.rows() || plan_.rows != x.rows() || partial_.cols() != model.num_params()) prepare(model, s, x.rows());
    s.y = y0;
    for_each_block(plan_, [&](Index, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) model.condition(x.row(r).transpose(), s.context[std::size_t(r)]);
    });
  }
  // CD for conditional models: chains restart at the minibatch's own labels.
  void init(const M& model, State& s, const ConditionalBatch<Scalar>& batch, std::span<Rng> rng) {
    init(model, s, batch.x, batch.y, rng);
  }

  // One sweep over all sites of every chain.
  StepInfo step(const M& model, State& s, std::span<Rng> rng) {
    check_streams(rng, s.size());
    ensure(plan_.rows == s.size(), "SiteGibbs::step: chains were not prepared (call init first)");
    const int L = model.num_labels();
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      const std::span<Scalar> e(energies_.data() + b * L, std::size_t(L));
      for (Index r = r0; r < r0 + n; ++r)
        sweep(model, s.context[std::size_t(r)], label_row(s.y, r), rng[std::size_t(r)], e);
    });
    return {};
  }

  // One sweep of a single chain (labels y, conditioned in ctx) at the kernel's scan and β, with e as scratch
  // (L values): at every site, e ← the local energies, visit(site, e) before the draw (prediction averages the
  // conditional probabilities there, crf/predict.hpp), then y_site ~ ∝ exp(−β e). step() is this for every
  // chain; callers that hold their own contexts (one per task, not one per chain) step their chains with it.
  template <class Visit>
  void sweep(const M& model, const typename M::Context& ctx, std::span<Label> y, Rng& rng, std::span<Scalar> e,
             Visit&& visit) const {
    const auto beta = Scalar(beta_);
    visit_sites(model, scan_, [&](Index site) {
      model.local_energies(ctx, y, site, e);
      visit(site, std::span<const Scalar>(e));
      y[std::size_t(site)] = sample_from_energies(e, beta, rng);
    });
  }
  void sweep(const M& model, const typename M::Context& ctx, std::span<Label> y, Rng& rng, std::span<Scalar> e) const {
    sweep(model, ctx, y, rng, e, [](Index, std::span<const Scalar>) {});
  }

  // grad += weight · Σ_chains ∂E(y_r, x_r)/∂θ, block by block into separate rows, then summed in block order
  // (the same bits for any number of threads).
  void accumulate_stats(const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    ensure(plan_.rows == s.size(), "SiteGibbs::accumulate_stats: chains were not prepared");
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      Eigen::Map<VectorX<Scalar>> out(partial_.row(b).data(), partial_.cols());
      out.setZero();
      for (Index r = r0; r < r0 + n; ++r)
        model.accumulate_grad(s.context[std::size_t(r)], label_row(ConstLabelRef(s.y), r), weight, out);
    });
    for (Index b = 0; b < plan_.count(); ++b) grad += partial_.row(b).transpose();
  }

private:
  static void check_streams(std::span<Rng> rng, Index n) {
    ensure(static_cast<Index>(rng.size()) >= n, "SiteGibbs: ", rng.size(), " random streams for ", n, " chains");
  }

  SiteScan scan_;
  Index block_rows_;
  double beta_ = 1.0;
  BlockPlan plan_;
  std::vector<Scalar> energies_;      // L per block
  mutable MatrixX<Scalar> partial_;   // one gradient row per block
};

}  // namespace ebm
