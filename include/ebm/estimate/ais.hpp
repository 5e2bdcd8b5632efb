#pragma once
// Annealed importance sampling (AIS) estimate of log Z for a Bernoulli RBM, after Salakhutdinov & Murray
// (2008), "On the quantitative analysis of deep belief networks".
//
// Base-rate model A: zero weights, zero hidden biases, visible biases b_A (logits of the data's marginals),
//   log Z_A = nh·log 2 + Σ_i softplus(b_A,i)                                        (exact)
// Intermediate distributions over v, h summed out, for 0 = β_0 < β_1 < … < β_{K−1} = 1:
//   log p*_k(v) = (1−β_k) b_Aᵀv + β_k bᵀv + Σ_j softplus(β_k (c_j + (vᵀW)_j))
// Each run draws v ~ p_A, then for k = 1 … K−1 adds log p*_k(v) − log p*_{k−1}(v) to its log-weight and
// moves v by one Gibbs sweep T_k that leaves p*_k invariant:
//   h ~ σ(β_k (c + vᵀW)),   v ~ σ((1−β_k) b_A + β_k (b + Wh)).
// E[w] = Z/Z_A, so log Ẑ = log mean(w) + log Z_A. Like any AIS estimate it is unbiased in Z, hence biased
// low in log Z when the weights are too spread: a small reported standard error is necessary, not sufficient.
//
// Runs are split into fixed blocks (core/parallel.hpp), one oneTBB task per block running its whole
// schedule; run r draws only from the stream (seed, StreamPurpose::ais, r). The log-weights are therefore
// bit-identical for any number of threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/estimate/detail/mt19937_block.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm {

// Salakhutdinov & Murray's schedule: 500 inverse temperatures in [0, 0.5), 4,000 in [0.5, 0.9), 10,000 in
// [0.9, 1]; the slow end is where p*_k changes fastest for a trained RBM.
inline constexpr Index ais_default_num_betas = 14500;
inline constexpr Index ais_default_runs = 100;

struct AisOptions {
  Index runs = ais_default_runs;
  Index num_betas = ais_default_num_betas;  // used when `betas` is empty: ais_schedule(num_betas)
  std::vector<double> betas;                // explicit schedule: strictly increasing from exactly 0 to exactly 1
  std::uint64_t seed = 1;
  Index block_rows = default_block_rows;  // runs per task; part of the result's definition, like the seed
};

struct AisResult {
  double log_z = 0;         // log mean(w) + log Z_A
  double log_z_stderr = 0;  // delta method: sd(w) / (mean(w) √runs); +∞ for a single run
  // Salakhutdinov & Murray's ±3σ interval: log(mean(w) ± 3 sd(w)/√runs) + log Z_A. The lower end is −∞
  // when mean(w) − 3 sd(w)/√runs ≤ 0, i.e. when the weights cannot bound log Z from below.
  double log_z_lower = 0;
  double log_z_upper = 0;
  double log_z_base = 0;               // log Z_A
  Vectord log_weights;                 // log w of each run, in run order
  Index runs = 0;
  Index num_betas = 0;
  double effective_sample_size = 0;    // (Σ w)² / Σ w²: 1 when one run dominates, runs when all are equal
};

// The default schedule shape for any number K ≥ 2 of inverse temperatures: β is piecewise linear in the
// index k/(K−1) with knots (0, 0), (500/14499, 0.5), (4500/14499, 0.9), (1, 1). For K = 14,500 this is
// exactly 0, 0.001, …, 0.499, 0.5, 0.5001, …, 0.8999, then 10,000 evenly spaced values from 0.9 to 1.
std::vector<double> ais_schedule(Index num_betas = ais_default_num_betas);

// Throws Error unless betas has at least 2 finite entries, strictly increasing from exactly 0 to exactly 1.
void check_ais_schedule(std::span<const double> betas, std::string_view what = "AIS: betas");

// Mean, delta-method standard error, ±3σ interval and ESS of importance weights given in log space, all
// computed relative to the largest log-weight so that weights of e^±1000 neither overflow nor vanish.
AisResult summarize_ais(Vectord log_weights, double log_z_base, Index num_betas);

// b_A,i = logit(clamp(mean_r data(r, i), eps, 1 − eps)): the base rate of each visible unit.
template <class Derived>
VectorX<typename Derived::Scalar> base_rate_bias(const Eigen::MatrixBase<Derived>& data, double eps = 1e-3) {
  using S = typename Derived::Scalar;
  check_nonempty(data.rows(), "base_rate_bias: data");
  ensure(eps > 0 && eps < 0.5, "base_rate_bias: eps = ", eps, " must lie in (0, 0.5)");
  for (Index r = 0; r < data.rows(); ++r)
    for (Index i = 0; i < data.cols(); ++i) {
      const double x = double(data(r, i));
      if (!(x >= 0 && x <= 1))
        fail("base_rate_bias: data entry (", r, ", ", i, ") is ", x, "; values must lie in [0, 1]");
    }
  VectorX<S> b(data.cols());
  for (Index i = 0; i < data.cols(); ++i) {
    const double p = std::clamp(double(data.col(i).template cast<double>().mean()), eps, 1 - eps);
    b[i] = S(std::log(p / (1 - p)));
  }
  return b;
}

// log Z_A = nh·log 2 + Σ_i softplus(b_A,i), in double.
template <class Derived>
double base_rate_log_z(const Eigen::MatrixBase<Derived>& base_bias, Index num_hidden) {
  double s = double(num_hidden) * std::log(2.0);
  for (Index i = 0; i < base_bias.size(); ++i) s += softplus(double(base_bias(i)));
  return s;
}

// The runs of one AIS estimate as a resumable state: every run's v, random stream and log-weight, moved
// through the schedule by advance() in as many pieces as the caller likes (progress reports, timing one
// temperature). The model is passed to every call, as to the other kernels; it must not change in between.
template <class S>
class AisRuns {
public:
  // Validates everything, then draws every run's v from the base-rate model.
  AisRuns(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstVecRef<S>>& base_bias,
          const AisOptions& options = {});

  // The next `steps` intermediate distributions (fewer if the schedule ends sooner).
  void advance(const BernoulliRBM<S>& rbm, Index steps);
  void run_to_end(const BernoulliRBM<S>& rbm) { advance(rbm, num_betas() - next_); }

  Index num_runs() const { return v_.rows(); }
  Index num_betas() const { return Index(betas_.size()); }
  Index next_beta() const { return next_; }  // index k of the next log p*_k − log p*_{k−1} to add
  bool done() const { return next_ == num_betas(); }
  const Vectord& log_weights() const { return log_w_; }
  const MatrixX<S>& visible() const { return v_; }
  const MatrixX<S>& hidden() const { return h_; }  // the h of the last move
  double log_z_base() const { return log_z_base_; }
  // Needs done().
  AisResult result() const;

private:
  void check_model(const BernoulliRBM<S>& rbm, std::string_view what) const;

  std::vector<S> betas_;  // in the model's precision, so weights and transitions use the same β
  VectorX<S> base_bias_;
  RowVectorX<S> bias_gap_;  // (b − b_A)ᵀ: the slope of log p*_k(v) in β along v
  double log_z_base_ = 0;
  Index nv_ = 0, nh_ = 0;
  BlockPlan plan_;
  std::vector<detail::Mt19937Block> rng_;  // run r continues make_stream(seed, ais, r), a row of words at a time
  std::vector<typename BernoulliRBM<S>::Workspace> ws_;  // one per block
  // Per block. For a product of a binary state x with a weight matrix: ref is the majority value of each
  // column of x in the block, ones lists the columns where it is 1, init = bias + ref·M (see ais_rbm.cpp).
  // s and mean: a row's intermediate terms and hidden means.
  struct Scratch {
    VectorX<S> ref, init;
    std::vector<std::int32_t> ones;
    VectorX<S> s, mean;
  };
  std::vector<Scratch> scratch_;
  Eigen::Matrix<std::uint32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> words_;  // a row per block
  MatrixX<S> v_, h_, x_;  // x = c + vW of the current v; h also holds σ(β x) before it is sampled
  Vectord log_w_;
  Index next_ = 1;
};

// Runs all of AIS and summarizes. The base-rate biases are given, or estimated from (binary) data.
template <class S>
AisResult ais_log_z(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstVecRef<S>>& base_bias,
                    const AisOptions& options = {});
template <class S>
AisResult ais_log_z_from_data(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstBatchRef<S>>& data,
                              const AisOptions& options = {});

// mean_r [−F(v_r)] − log_z, in double: the average log-likelihood of data under an estimated log Z.
template <class S>
double mean_log_likelihood(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstBatchRef<S>>& data,
                           double log_z);

extern template class AisRuns<float>;
extern template class AisRuns<double>;
extern template AisResult ais_log_z(const BernoulliRBM<float>&, const ConstVecRef<float>&, const AisOptions&);
extern template AisResult ais_log_z(const BernoulliRBM<double>&, const ConstVecRef<double>&, const AisOptions&);
extern template AisResult ais_log_z_from_data(const BernoulliRBM<float>&, const ConstBatchRef<float>&,
                                              const AisOptions&);
extern template AisResult ais_log_z_from_data(const BernoulliRBM<double>&, const ConstBatchRef<double>&,
                                              const AisOptions&);
extern template double mean_log_likelihood(const BernoulliRBM<float>&, const ConstBatchRef<float>&, double);
extern template double mean_log_likelihood(const BernoulliRBM<double>&, const ConstBatchRef<double>&, double);

}  // namespace ebm
