#pragma once
// Bernoulli–Bernoulli restricted Boltzmann machine.
//
//   E(v, h) = −bᵀv − cᵀh − vᵀWh,                 v ∈ {0,1}^nv, h ∈ {0,1}^nh
//   F(v)    = −log Σ_h e^{−E(v,h)} = −bᵀv − Σ_j softplus(c_j + (vᵀW)_j)      (free energy)
//   p(h_j = 1 | v) = σ(c_j + (vᵀW)_j),   p(v_i = 1 | h) = σ(b_i + (Wh)_i)
//   ∂F/∂W = −v E[h|v]ᵀ,  ∂F/∂b = −v,  ∂F/∂c = −E[h|v]        (the statistics both gradient phases use)
//
// θ is one flat vector [W (nv × nh, row-major), b (nv), c (nh)], so optimizers, checkpoints and gradient
// checks treat every model alike; W(), b(), c() are named views into it. Parameters change only through
// set_params / modify_params, which validate them (a NaN parameter is an error naming the entry) and
// refresh the cached Wᵀ used by the sparse p(v|h) path.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/rbm_params.hpp"
#include "ebm/core/detail/scan.hpp"
#include "ebm/models/dense_kernels.hpp"
#include "ebm/models/detail/transpose.hpp"
#include "ebm/models/gemm_workspace.hpp"
#include "ebm/models/subset_sums.hpp"

namespace ebm {

template <class S>
inline S softplus(S x) {
  return std::max(x, S(0)) + std::log1p(std::exp(-std::abs(x)));
}

template <class S>
class BernoulliRBM : public RbmParams<S> {
public:
  using Scalar = S;
  using Base = RbmParams<S>;
  using typename Base::ConstParamMatrix;
  using typename Base::ParamMatrix;
  using Base::b;
  using Base::b_of;
  using Base::c;
  using Base::c_of;
  using Base::param_name;
  using Base::W;
  using Base::W_of;

  // Scratch for one block of rows; created once per block so a Gibbs step allocates nothing.
  // How a block's product runs (choose_path): gather-sum over sparse rows, subset sums over 0/1 rows of
  // middle density, GEMM otherwise.
  enum class ProductPath { gather, subsets, gemm };
  struct Workspace {
    detail::RowPattern pattern;
    detail::GemmWorkspace<S> gemm;            // packing buffers of the dense path, for both products
    detail::SubsetSumWorkspace<S> subsets;    // masks and one tile's table of the subset-sum path
    ProductPath path = ProductPath::gather;   // visible_mean_blocks: the path this block's h took
    Index dense_block = 0;                    // visible_mean_blocks: the k-th GEMM block, in workspace k
    Index subset_block = 0;                   // visible_mean_blocks: the k-th subset-sum block, in workspace k
    Workspace() = default;
    Workspace(Index rows, Index nv, Index nh) {
      pattern.reserve(rows, std::max(nv, nh));
      gemm.reserve(rows, nh, nv);  // v·W
      gemm.reserve(rows, nv, nh);  // h·Wᵀ
      subsets.reserve(rows, std::max(nv, nh));
    }
  };

  BernoulliRBM() = default;
  BernoulliRBM(Index num_visible, Index num_hidden) : Base("BernoulliRBM", num_visible, num_hidden) {
    wt_.setZero(nh_, nv_);
  }

  // ---- shapes and parameters -------------------------------------------------------------------------

  void set_params(const ConstVecRef<S>& theta) {
    // Before assigning, so a rejected vector leaves the model as it was (the naming loop only when needed).
    if (theta.size() != theta_.size() || detail::any_nonfinite(theta.data(), theta.size())) this->check_params(theta);
    theta_ = theta;
    refresh();
  }
  // f(VectorX<S>& theta) edits the parameters in place; they are validated afterwards.
  template <class F>
  void modify_params(F&& f) {
    f(theta_);
    refresh();
  }

  // ---- initialization --------------------------------------------------------------------------------
  // W ~ N(0, sigma²), biases zero (Hinton's practical guide: sigma = 0.01).
  void init_normal(Rng& rng, S sigma = S(0.01)) {
    ensure(sigma >= 0 && std::isfinite(double(sigma)), "BernoulliRBM::init_normal: sigma = ", sigma,
           " must be finite and non-negative");
    modify_params([&](VectorX<S>& t) {
      t.setZero();
      for (Index k = 0; k < nv_ * nh_; ++k) t[k] = sigma * standard_normal<S>(rng);
    });
  }
  // b_i = log(p_i / (1 − p_i)) with p_i the data mean of unit i, clipped to [eps, 1 − eps]: the model then
  // starts with the data's marginals instead of spending its first updates learning them.
  void init_visible_bias(const ConstBatchRef<S>& data, S eps = S(1e-3)) {
    check_nonempty(data.rows(), "BernoulliRBM::init_visible_bias: data");
    check_cols(data.cols(), nv_, "BernoulliRBM::init_visible_bias: data");
    const VectorX<S> mean = data.colwise().mean().transpose();
    modify_params([&](VectorX<S>& t) {
      for (Index i = 0; i < nv_; ++i) {
        const S p = std::clamp(mean[i], eps, S(1) - eps);
        t[nv_ * nh_ + i] = std::log(p / (S(1) - p));
      }
    });
  }

  Workspace make_workspace(Index rows) const { return Workspace(rows, nv_, nh_); }

  // ---- conditionals (one block of rows, single-threaded) --------------------------------------------
  // ph = E[h | v] = σ(c + vW)
  void hidden_mean(const ConstBatchRef<S>& v, BatchRef<S> ph, Workspace& ws) const {
    affine(v, W().data(), nh_, c().data(), ph, ws, detail::sparse_density_threshold);
    ph.array() = ph.array().logistic();
  }
  // pv = E[v | h] = σ(b + Wh)
  void visible_mean(const ConstBatchRef<S>& h, BatchRef<S> pv, Workspace& ws) const {
    affine(h, wt_.data(), nv_, b().data(), pv, ws, detail::subset_density_threshold);
    pv.array() = pv.array().logistic();
  }
  // pv = E[v | h] for every block of rows of `plan` (ws[b] is block b's workspace), bitwise as visible_mean on
  // each block: each block's product takes the path its own h picks (choose_path). Blocks on the subset-sum
  // path (a centered RBM's chains keep h near 50 % ones, so all of them in `ebm train`'s default run) share
  // each column tile's table, built once per sweep and tile instead of once per block; blocks on the GEMM
  // share each packed panel of Wᵀ (GemmWorkspace::multiply_many). Both run in one group of tiles or blocks
  // per worker thread (any grouping gives the same bits).
  void visible_mean_blocks(const ConstBatchRef<S>& h, BatchRef<S> pv, const BlockPlan& plan,
                           std::span<Workspace> ws) const {
    for_each_block(plan, [&](Index blk, Index r0, Index n) {
      auto& w = ws[static_cast<std::size_t>(blk)];
      const ConstBatchRef<S> x = h.middleRows(r0, n);
      w.path = choose_path(x, w, detail::subset_density_threshold);
      if (w.path == ProductPath::gather) {
        detail::gather_rows<S>(x, w.pattern, wt_.data(), nv_, b().data(), pv.middleRows(r0, n));
        pv.middleRows(r0, n).array() = pv.middleRows(r0, n).array().logistic();
      }
    });
    Index dense = 0, subset = 0;
    for (Index blk = 0; blk < plan.count(); ++blk) {
      const auto path = ws[static_cast<std::size_t>(blk)].path;
      if (path == ProductPath::gemm) ws[static_cast<std::size_t>(dense++)].dense_block = blk;
      if (path == ProductPath::subsets) ws[static_cast<std::size_t>(subset++)].subset_block = blk;
    }
    const auto workers = std::min<std::size_t>(
        std::size_t(std::max(1, tbb::this_task_arena::max_concurrency())),
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
    const Index groups = std::max<Index>(1, Index(workers));
    const auto rows_of = [&](Index blk) { return pv.middleRows(plan.begin(blk), plan.size(blk)); };
    if (subset > 0) {
      using Sums = detail::SubsetSums<S>;
      const Index tiles = Sums::tiles(nv_), g = Sums::groups(nh_);
      const Index grain = (tiles + std::min(groups, plan.count()) - 1) / std::min(groups, plan.count());
      for_each_range(tiles, grain, [&](Index t0, Index count) {
        // One table per range, in the workspace of that index (sized by make_workspace; a default-constructed
        // one whose block took another path is sized here, by its own range alone).
        auto& own = ws[static_cast<std::size_t>(t0 / grain)].subsets;
        own.reserve(0, nh_);
        S* table = own.table.data();
        for (Index t = t0; t < t0 + count; ++t) {
          Sums::build(wt_.data(), nh_, nv_, t, table);
          for (Index i = 0; i < subset; ++i) {
            const Index blk = ws[static_cast<std::size_t>(i)].subset_block;
            const std::uint8_t* mask = ws[static_cast<std::size_t>(blk)].subsets.mask.data();
            auto out = rows_of(blk);
            Sums::rows(
                table, nh_, nv_, t, out.rows(), [&](Index r) { return mask + r * g; }, b().data(),
                [&](Index r) { return out.row(r).data(); });
          }
        }
      });
      for_each_range(subset, 1, [&](Index i, Index) {
        auto out = rows_of(ws[static_cast<std::size_t>(i)].subset_block);
        out.array() = out.array().logistic();
      });
    }
    const auto block = [&](Index k) { return ws[static_cast<std::size_t>(k)].dense_block; };
    for_each_range(dense, (dense + groups - 1) / groups, [&](Index k0, Index count) {
      detail::GemmWorkspace<S>::multiply_many(
          count, [&](Index i) { return ConstBatchRef<S>(h.middleRows(plan.begin(block(k0 + i)), plan.size(block(k0 + i)))); },
          [&](Index i) { return BatchRef<S>(rows_of(block(k0 + i))); },
          [&](Index i) -> detail::GemmWorkspace<S>& { return ws[static_cast<std::size_t>(block(k0 + i))].gemm; }, wt_.data(),
          nv_);
      for (Index i = 0; i < count; ++i) {
        auto out = rows_of(block(k0 + i));
        out.rowwise() += b().transpose();
        out.array() = out.array().logistic();
      }
    });
  }
  // Pre-activations without the sigmoid: out = c + vW and out = b + hWᵀ. For samplers that rescale them,
  // e.g. annealed importance sampling at inverse temperature β.
  void hidden_preactivation(const ConstBatchRef<S>& v, BatchRef<S> out, Workspace& ws) const {
    affine(v, W().data(), nh_, c().data(), out, ws, detail::sparse_density_threshold);
  }
  void visible_preactivation(const ConstBatchRef<S>& h, BatchRef<S> out, Workspace& ws) const {
    affine(h, wt_.data(), nv_, b().data(), out, ws, detail::subset_density_threshold);
  }
  // Wᵀ (nh × nv), kept in step with W: hidden unit j's weights contiguous in row j, for kernels outside the
  // model that gather over hidden units (AIS).
  const MatrixX<S>& W_transposed() const { return wt_; }
  void sample_hidden(std::span<const S> mean, Rng& rng, std::span<S> out) const { sample_bernoulli(mean, rng, out); }
  void sample_visible(std::span<const S> mean, Rng& rng, std::span<S> out) const { sample_bernoulli(mean, rng, out); }

  // ---- energies --------------------------------------------------------------------------------------
  // out(r) = F(v_r). Not a hot path: allocates a temporary.
  void free_energy(const ConstBatchRef<S>& v, VecRef<S> out) const {
    check_cols(v.cols(), nv_, "BernoulliRBM::free_energy: v");
    MatrixX<S> x = v * W();
    x.rowwise() += c().transpose();
    for (Index r = 0; r < v.rows(); ++r) {
      S f = -v.row(r).dot(b().transpose());
      for (Index j = 0; j < nh_; ++j) f -= softplus(x(r, j));
      out[r] = f;
    }
  }
  // out(r) = E(v_r, h_r). vᵀWh sums only the rows of W where v is on (binary states are sparse): parallel
  // tempering evaluates this on every replica for its swaps. Allocates nothing; safe on disjoint rows from
  // several threads.
  void energy(const ConstBatchRef<S>& v, const ConstBatchRef<S>& h, VecRef<S> out) const {
    check_cols(v.cols(), nv_, "BernoulliRBM::energy: v");
    check_cols(h.cols(), nh_, "BernoulliRBM::energy: h");
    const auto Wm = W();
    for (Index r = 0; r < v.rows(); ++r) {
      S e = -v.row(r).dot(b().transpose()) - h.row(r).dot(c().transpose());
      for (Index i = 0; i < nv_; ++i)
        if (v(r, i) != S(0)) e -= v(r, i) * Wm.row(i).dot(h.row(r));
      out[r] = e;
    }
  }

  // E(v, h) = −bᵀv − hᵀa given a = c + vW of this v (one chain): O(nv + nh), for samplers that computed a in
  // their sweep anyway (parallel tempering's swaps). Accumulated in double.
  double energy_from_preactivation(std::span<const S> v, std::span<const S> h, std::span<const S> a) const {
    const S* bb = b().data();
    double e = 0;
    for (std::size_t i = 0; i < v.size(); ++i) e -= double(bb[i]) * double(v[i]);
    for (std::size_t j = 0; j < h.size(); ++j) e -= double(h[j]) * double(a[j]);
    return e;
  }

  // ---- tempering -------------------------------------------------------------------------------------
  // `out` becomes this RBM at inverse temperature β: p_β(v, h) ∝ exp(−β E(v, h)). E is linear in θ, so that
  // is the RBM with parameters β·θ; β = 1 is this model and β = 0 the uniform distribution on {0,1}^(nv+nh).
  // The cached Wᵀ is scaled along (same bits as transposing β·W). `out` is resized on first use only, so
  // refreshing a set of tempered copies after every update allocates nothing.
  void temper(S beta, BernoulliRBM& out) const {
    ensure(beta >= 0 && beta <= 1, "BernoulliRBM::temper: inverse temperature ", beta, " must lie in [0, 1]");
    if (out.nv_ != nv_ || out.nh_ != nh_) out = BernoulliRBM(nv_, nh_);
    out.theta_.noalias() = beta * theta_;
    out.wt_.noalias() = beta * wt_;
  }

  // ---- statistics ------------------------------------------------------------------------------------
  // grad += weight · Σ_r ∂E/∂θ(v_r, E[h|v_r]) = −weight · Σ_r [v_r ph_rᵀ, v_r, ph_r].
  // The same routine gives the data term (v = minibatch) and the model term (v = chain states). Parallel
  // over rows of W: every task owns its slice of the gradient, so the result does not depend on threads.
  void accumulate_stats(const ConstBatchRef<S>& v, const ConstBatchRef<S>& ph, S weight, VecRef<S> grad) const {
    const Index R = v.rows();
    auto gW = W_of(grad);
    Index nnz = 0;
    for (Index r = 0; r < R; ++r)
      for (Index i = 0; i < nv_; ++i) nnz += v(r, i) != S(0);
    const bool sparse = double(nnz) < detail::sparse_density_threshold * double(R * nv_);
    for_each_range(nv_, 32, [&](Index i0, Index n) {
      S* g = gW.row(i0).data();
      if (sparse)
        detail::add_outer_sparse<S>(v, ph, -weight, i0, n, g);
      else
        detail::add_outer_dense<S>(v, ph, -weight, i0, n, g);
    });
    b_of(grad).noalias() -= weight * v.colwise().sum().transpose();
    c_of(grad).noalias() -= weight * ph.colwise().sum().transpose();
  }

  // Turns the plain gradient (data term − model term of ∂F/∂θ) into the centered gradient of Melchior,
  // Fischer & Wiskott (2016), "How to center deep Boltzmann machines", for offsets mu (visible, usually
  // the data mean) and lambda (hidden, usually a running mean of E[h|v] on data):
  //   g_W ← g_W − mu g_cᵀ − g_b lambdaᵀ,   g_b ← g_b − g_W lambda,   g_c ← g_c − g_Wᵀ mu
  // This is the gradient of the centered energy −(v−mu)ᵀW(h−lambda) − bᵀv − cᵀh mapped back to this
  // uncentered parametrization, so the model and its files stay a plain RBM. Centering conditions the
  // problem far better (the Hessian no longer couples W with the biases through the data mean).
  void center_gradient(VecRef<S> grad, const ConstVecRef<S>& mu, const ConstVecRef<S>& lambda) const {
    ensure(mu.size() == nv_ && lambda.size() == nh_, "BernoulliRBM::center_gradient: offsets have sizes ", mu.size(),
           " and ", lambda.size(), ", expected ", nv_, " and ", nh_);
    auto gW = W_of(grad);
    auto gb = b_of(grad);
    auto gc = c_of(grad);
    // Two passes over g_W instead of four, each parallel over fixed ranges (so the bits do not depend on the
    // thread count): rows of g_W with their g_b entries (the rank-one updates use the g_c and g_b of before,
    // and row i's g_b entry only row i), then column ranges of g_c from the updated g_W. Each range's rows
    // stay in L1/L2 between its three operations. It runs once per update on the whole W, so at two threads
    // the serial four-pass form was 5 % of the default epoch's wall time (bench_epoch stage/centering).
    for_each_range(nv_, 16, [&](Index i0, Index n) {
      auto rows = gW.middleRows(i0, n);
      rows.noalias() -= mu.segment(i0, n) * gc.transpose();
      rows.noalias() -= gb.segment(i0, n) * lambda.transpose();
      gb.segment(i0, n).noalias() -= rows * lambda;
    });
    for_each_range(nh_, 64, [&](Index j0, Index n) {
      gc.segment(j0, n).noalias() -= gW.middleCols(j0, n).transpose() * mu;
    });
  }

private:
  // Exactly bernoulli(rng, mean[k]) for k = 0, 1, …, drawn in chunks: the generator fills a buffer with the
  // same numbers in the same order, and the comparisons then vectorize. 2.8× faster (bench_rbm: sample_states).
  static void sample_bernoulli(std::span<const S> mean, Rng& rng, std::span<S> out) {
    constexpr std::size_t chunk = 256;
    std::uint32_t u[chunk];
    for (std::size_t k0 = 0; k0 < mean.size(); k0 += chunk) {
      const std::size_t n = std::min(chunk, mean.size() - k0);
      rng.generate(u, u + n);
      for (std::size_t k = 0; k < n; ++k)
        out[k0 + k] = static_cast<S>(static_cast<float>(u[k] >> 8) < static_cast<float>(mean[k0 + k]) * 0x1p24f);
    }
  }

  // The product path for the rows x: gather-sum below `subset_from`, subset sums for 0/1 rows above it (the
  // masks are left in ws.subsets), else gather-sum below detail::sparse_density_threshold and GEMM above.
  // h·Wᵀ takes subset sums from detail::subset_density_threshold (visible_mean_blocks shares their tables
  // among blocks); v·W, whose products run one block at a time, only where the GEMM would run. Depends on x
  // alone, so on no thread count.
  static ProductPath choose_path(const ConstBatchRef<S>& x, Workspace& ws, double subset_from) {
    const double density = ws.pattern.build(x, detail::sparse_density_threshold);
    if (density < subset_from) return ProductPath::gather;
    if (ws.subsets.build_masks(x)) return ProductPath::subsets;
    return density < detail::sparse_density_threshold ? ProductPath::gather : ProductPath::gemm;
  }

  // out = bias + x · M (M row-major, K × n) on the path choose_path picks.
  void affine(const ConstBatchRef<S>& x, const S* m, Index n, const S* bias, BatchRef<S> out, Workspace& ws,
              double subset_from) const {
    switch (choose_path(x, ws, subset_from)) {
      case ProductPath::gather:
        detail::gather_rows<S>(x, ws.pattern, m, n, bias, out);
        break;
      case ProductPath::subsets:
        ws.subsets.multiply(x.rows(), m, x.cols(), n, bias, out);
        break;
      case ProductPath::gemm:
        ws.gemm.multiply(x, m, n, out);
        out.rowwise() += Eigen::Map<const RowVectorX<S>>(bias, n);
        break;
    }
  }

  // After every parameter change (every training update): a vector scan for non-finite values (the
  // entry-by-entry check that names the first one runs only when the scan finds one), then Wᵀ by tiles.
  void refresh() {
    if (detail::any_nonfinite(theta_.data(), theta_.size())) this->check_params(theta_);
    if (wt_.rows() != nh_ || wt_.cols() != nv_) wt_.resize(nh_, nv_);
    detail::transpose_tiled(theta_.data(), nv_, nh_, wt_.data());
  }

  using Base::nv_;
  using Base::nh_;
  using Base::theta_;
  MatrixX<S> wt_;  // Wᵀ (nh × nv): makes the columns of W contiguous for the sparse p(v|h) path
};

using BernoulliRBMf = BernoulliRBM<float>;
using BernoulliRBMd = BernoulliRBM<double>;

}  // namespace ebm
