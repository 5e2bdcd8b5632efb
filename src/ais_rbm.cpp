// Annealed importance sampling for the Bernoulli RBM (see include/ebm/estimate/ais.hpp).
//
// The weight increment of step k at the current v, with x = c + vW, a = |x|, δ = β_k − β_{k−1}:
//   log p*_k(v) − log p*_{k−1}(v) = δ (b − b_A)ᵀv + Σ_j [softplus(β_k x_j) − softplus(β_{k−1} x_j)]
//                                = δ [(b − b_A)ᵀv + Σ_j max(x_j, 0)] + Σ_j log1p(σ(−β_{k−1} a_j) · expm1(−δ a_j))
// The second form never subtracts two softplus values of similar size: late in the schedule δ ≈ 1e−5, and
// in float the difference of two softplus(≈ 20) values would keep about one significant digit, an error
// that 14,500 steps add up. Each term here is accurate to a few ulps of itself; only the sum over steps
// is carried in double.
#include "ebm/estimate/ais.hpp"

#include <limits>

namespace ebm {
namespace {

// out[i] = bernoulli(rng, mean[i]) for i < n: the same words and the same comparison as ebm::bernoulli, in
// two passes: the random words first (in vector loops, see mt19937_block.hpp), then one branch-free
// comparison loop the compiler vectorizes. Written element by element, GCC turns the comparison into a branch
// that mispredicts on a good fraction of the units of a 13 %-dense state. In place (out == mean) is fine.
template <class S>
void sample_bernoulli_row(detail::Mt19937Block& rng, const S* mean, Index n, std::uint32_t* words, S* out) {
  rng.generate(words, n);
  for (Index i = 0; i < n; ++i)
    out[i] = static_cast<S>(static_cast<float>(words[i] >> 8) < static_cast<float>(mean[i]) * 0x1p24f);
}

// One row's curve term of the weight increment, Σ_j log1p(σ(−prev a_j) expm1(−δ a_j)) with a = |x| (see the
// top of this file), and the hidden means σ(β x_j) of the move that follows, at β = prev + δ.
// Both come from s = σ(−prev a) and m = expm1(−z), z = δa: with y = s m,
//   log p*-term = log1p(y),   σ(−β a) = s (1 + m) / (1 + y),   σ(β x) = σ(−β a) for x < 0, 1 − σ(−β a) else.
// Late in the schedule z ≤ δ max|x| is ~1e−4, and for z ≤ 1/16 (so |y| ≤ 1/16) degree-6 Taylor polynomials
// give expm1, log1p and 1/(1 + y) to within 4e−9 relative, below float rounding; that replaces Eigen's
// expm1 (an exp, a log and a division), log1p (a log and a division) and a second logistic by FMAs. Rows
// with larger z (a coarse schedule, huge pre-activations) and double precision take the library functions.
// mean may be null (the last step needs no move); s is scratch of n entries.
template <class S>
S curve_and_means(const S* x, Index n, S prev, S delta, S beta, S* s, S* mean) {
  using ArrayX = Eigen::Array<S, Eigen::Dynamic, 1>;
  const auto xa = Eigen::Map<const ArrayX>(x, n);
  Eigen::Map<ArrayX> sa(s, n);
  if (!(std::is_same_v<S, float> && delta * xa.abs().maxCoeff() <= S(1) / 16)) {
    const S curve = ((-prev * xa.abs()).logistic() * (-delta * xa.abs()).expm1()).log1p().sum();
    if (mean) Eigen::Map<ArrayX>(mean, n) = (beta * xa).logistic();
    return curve;
  }
  sa = (-prev * xa.abs()).logistic();
  for (Index j = 0; j < n; ++j) {  // vectorized by the compiler; s[j] becomes the log1p term
    const S z = delta * std::abs(x[j]);
    const S m = -z * (1 - z / 2 * (1 - z / 3 * (1 - z / 4 * (1 - z / 5 * (1 - z / 6)))));
    const S y = s[j] * m;
    const S log1p_y = y * (1 + y * (S(-1) / 2 + y * (S(1) / 3 + y * (S(-1) / 4 + y * (S(1) / 5 - y / 6)))));
    const S inv_1py = 1 - y * (1 - y * (1 - y * (1 - y * (1 - y * (1 - y)))));
    const S q = s[j] * (1 + m) * inv_1py;  // σ(−β |x|)
    s[j] = log1p_y;
    if (mean) mean[j] = x[j] < 0 ? q : 1 - q;
  }
  return sa.sum();
}

// out = bias + x·M for a block of binary states x (rows × K), M row-major (K × n) at m.
// Each column k of x is taken relative to its majority value ref_k in the block: x·M = ref·M + (x − ref)·M,
// so the gather visits Σ_k min(ones_k, zeros_k) entries instead of Σ_k ones_k. In AIS the hidden states
// stay near 40 % ones for most of the schedule (σ(β x) → ½ as β → 0), where neither the plain gather nor the
// GEMM is cheap; but about a quarter of the hidden units are on in most runs, and relative to the majority
// only 25–35 % of the entries remain (measured on a 784 × 500 MNIST RBM). ref·M costs one row-sum of the
// majority-one rows of M per block, a few percent of the gather. The choice of ref depends only on the
// block's contents, so results stay independent of the thread count.
template <class S, class Scratch>
void binary_affine(const ConstBatchRef<S>& x, const S* m, Index n, const S* bias, BatchRef<S> out,
                   typename BernoulliRBM<S>::Workspace& ws, Scratch& scratch) {
  const Index rows = x.rows(), cols = x.cols();
  S* ref = scratch.ref.data();
  std::fill(ref, ref + cols, S(0));
  for (Index r = 0; r < rows; ++r) {  // column counts, exact for binary x
    const S* xr = x.row(r).data();
    for (Index k = 0; k < cols; ++k) ref[k] += xr[k];
  }
  Index minority = 0, ones = 0;
  for (Index k = 0; k < cols; ++k) {
    const S count = ref[k];
    const bool on = 2 * count > S(rows);
    ref[k] = S(on);
    minority += static_cast<Index>(on ? S(rows) - count : count);
    scratch.ones[static_cast<std::size_t>(ones)] = static_cast<std::int32_t>(k);
    ones += on;
  }
  if (double(minority) >= detail::sparse_density_threshold * double(rows * cols)) {
    ws.gemm.multiply(x, m, n, out);
    out.rowwise() += Eigen::Map<const RowVectorX<S>>(bias, n);
  } else if (ones == 0) {
    ws.pattern.build(x, 1.0);
    detail::gather_rows<S>(x, ws.pattern, m, n, bias, out);
  } else {
    detail::sum_rows<S>(scratch.ones.data(), ones, m, n, bias, scratch.init.data());
    ws.pattern.build(x, static_cast<const S*>(ref), 1.0);
    detail::gather_rows_offset<S>(x, ref, ws.pattern, m, n, scratch.init.data(), out);
  }
}

}  // namespace

std::vector<double> ais_schedule(Index num_betas) {
  ensure(num_betas >= 2, "ais_schedule: num_betas = ", num_betas,
         "; at least 2 inverse temperatures (0 and 1) are needed");
  // Position on the 14,500-point default schedule, so the default is reproduced to the last bit.
  const double scale = double(ais_default_num_betas - 1) / double(num_betas - 1);
  std::vector<double> betas(static_cast<std::size_t>(num_betas));
  for (Index k = 0; k < num_betas; ++k) {
    const double p = double(k) * scale;
    double beta;
    if (p < 500)
      beta = p / 1000;
    else if (p < 4500)
      beta = 0.5 + (p - 500) / 10000;
    else
      beta = 0.9 + 0.1 * (p - 4500) / 9999;
    betas[static_cast<std::size_t>(k)] = beta;
  }
  betas.back() = 1.0;
  return betas;
}

void check_ais_schedule(std::span<const double> betas, std::string_view what) {
  ensure(betas.size() >= 2, what, ": has ", betas.size(),
         " inverse temperatures; at least 2 (0 and 1) are needed");
  ensure(betas.front() == 0.0, what, ": betas[0] = ", betas.front(), "; the schedule must start at exactly 0");
  for (std::size_t k = 1; k < betas.size(); ++k)
    if (!(betas[k] > betas[k - 1]))  // also rejects NaN
      fail(what, ": betas[", k, "] = ", betas[k], " is not greater than betas[", k - 1, "] = ", betas[k - 1],
           "; the schedule must increase strictly");
  ensure(betas.back() == 1.0, what, ": betas[", betas.size() - 1, "] = ", betas.back(),
         "; the schedule must end at exactly 1");
}

AisResult summarize_ais(Vectord log_weights, double log_z_base, Index num_betas) {
  const Index n = log_weights.size();
  ensure(n >= 1, "summarize_ais: no log-weights");
  for (Index r = 0; r < n; ++r)
    ensure(!std::isnan(log_weights[r]) && log_weights[r] != std::numeric_limits<double>::infinity(),
           "summarize_ais: log_weights[", r, "] = ", log_weights[r], "; log-weights must be below +inf");
  const double inf = std::numeric_limits<double>::infinity();
  const double top = log_weights.maxCoeff();
  ensure(top > -inf, "summarize_ais: every log-weight is -inf");
  const Vectord w = (log_weights.array() - top).exp().matrix();  // the largest weight is 1
  const double mean = w.mean();
  AisResult res;
  res.log_z_base = log_z_base;
  res.log_z = top + std::log(mean) + log_z_base;
  res.effective_sample_size = w.sum() * w.sum() / w.squaredNorm();
  if (n >= 2) {
    const double sd = std::sqrt((w.array() - mean).square().sum() / double(n - 1));
    const double sd_mean = sd / std::sqrt(double(n));
    res.log_z_stderr = sd_mean / mean;
    res.log_z_upper = top + std::log(mean + 3 * sd_mean) + log_z_base;
    res.log_z_lower = mean - 3 * sd_mean > 0 ? top + std::log(mean - 3 * sd_mean) + log_z_base : -inf;
  } else {  // one weight says nothing about its own spread
    res.log_z_stderr = inf;
    res.log_z_upper = inf;
    res.log_z_lower = -inf;
  }
  res.log_weights = std::move(log_weights);
  res.runs = n;
  res.num_betas = num_betas;
  return res;
}

template <class S>
AisRuns<S>::AisRuns(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstVecRef<S>>& base_bias,
                    const AisOptions& options)
    : nv_(rbm.num_visible()), nh_(rbm.num_hidden()) {
  ensure(nv_ > 0 && nh_ > 0, "AIS: the model has ", nv_, " visible and ", nh_, " hidden units");
  ensure(options.runs > 0, "AIS: runs = ", options.runs, " must be positive");
  ensure(options.block_rows > 0, "AIS: block_rows = ", options.block_rows, " must be positive");
  std::vector<double> betas;
  if (options.betas.empty()) {
    ensure(options.num_betas >= 2, "AIS: num_betas = ", options.num_betas,
           "; at least 2 inverse temperatures (0 and 1) are needed");
    betas = ais_schedule(options.num_betas);
  } else {
    check_ais_schedule(options.betas, "AIS: betas");
    betas = options.betas;
  }
  // A model whose parameter update threw (BernoulliRBM::modify_params validates after editing) still holds
  // the bad values; AIS on it would return NaN with a straight face.
  const auto& theta = rbm.params();
  for (Index k = 0; k < theta.size(); ++k)
    if (!std::isfinite(double(theta[k])))
      fail("AIS: model parameter ", rbm.param_name(k), " is ", double(theta[k]), "; parameters must be finite");
  ensure(base_bias.size() == nv_, "AIS: base_bias has ", base_bias.size(), " entries; the model has ", nv_,
         " visible units");
  check_finite(base_bias, "AIS: base_bias");

  betas_.assign(betas.begin(), betas.end());  // rounded once: the β of the weights is the β of the moves
  base_bias_ = base_bias;
  bias_gap_ = (rbm.b() - base_bias_).transpose();
  log_z_base_ = base_rate_log_z(base_bias_, nh_);

  const Index runs = options.runs;
  plan_ = BlockPlan(runs, options.block_rows);
  for (Index b = 0; b < plan_.count(); ++b) {
    ws_.push_back(rbm.make_workspace(plan_.size(b)));
    const Index wide = std::max(nv_, nh_);
    scratch_.push_back({VectorX<S>(wide), VectorX<S>(wide), std::vector<std::int32_t>(std::size_t(wide)),
                        VectorX<S>(nh_), VectorX<S>(nh_)});
  }
  words_.resize(plan_.count(), std::max(nv_, nh_));
  rng_.reserve(static_cast<std::size_t>(runs));
  for (Index r = 0; r < runs; ++r)
    rng_.emplace_back(make_stream(options.seed, StreamPurpose::ais, std::uint64_t(r)));
  v_.resize(runs, nv_);
  h_.resize(runs, nh_);
  x_.resize(runs, nh_);
  log_w_.setZero(runs);

  // v ~ p_A: the base-rate model's visible units are independent with p = σ(b_A).
  const VectorX<S> p = base_bias_.array().logistic().matrix();
  for_each_block(plan_, [&](Index b, Index r0, Index n) {
    for (Index r = r0; r < r0 + n; ++r)
      sample_bernoulli_row(rng_[static_cast<std::size_t>(r)], p.data(), nv_, words_.row(b).data(), v_.row(r).data());
  });
}

template <class S>
void AisRuns<S>::check_model(const BernoulliRBM<S>& rbm, std::string_view what) const {
  ensure(rbm.num_visible() == nv_ && rbm.num_hidden() == nh_, what, ": the model is ", rbm.num_visible(), " × ",
         rbm.num_hidden(), "; these runs were started for ", nv_, " × ", nh_);
}

template <class S>
void AisRuns<S>::advance(const BernoulliRBM<S>& rbm, Index steps) {
  check_model(rbm, "AisRuns::advance");
  ensure(steps >= 0, "AisRuns::advance: steps = ", steps, " must be non-negative");
  const Index k0 = next_, k1 = std::min(num_betas(), next_ + steps), last = num_betas() - 1;
  if (k0 == k1) return;
  for_each_block(plan_, [&](Index b, Index r0, Index n) {
    auto& ws = ws_[static_cast<std::size_t>(b)];
    auto& scratch = scratch_[static_cast<std::size_t>(b)];
    const S* w = rbm.W().data();
    const S* wt = rbm.W_transposed().data();
    std::uint32_t* words = words_.row(b).data();
    auto v = v_.middleRows(r0, n);
    auto h = h_.middleRows(r0, n);
    auto x = x_.middleRows(r0, n);
    for (Index k = k0; k < k1; ++k) {
      const S beta = betas_[static_cast<std::size_t>(k)], prev = betas_[static_cast<std::size_t>(k - 1)];
      const S delta = beta - prev;  // exact (Sterbenz) whenever prev ≥ beta / 2, as in any fine schedule
      binary_affine<S>(v, w, nh_, rbm.c().data(), x, ws, scratch);  // x = c + vW
      // The weight increment, then T_k: h ~ σ(β x), v ~ σ((1 − β) b_A + β (b + Wh)). The last step needs no
      // move: its weight is complete, and a move at β = 1 would not change it.
      for (Index r = 0; r < n; ++r) {
        const S* xr = x.row(r).data();
        const S slope = v.row(r).dot(bias_gap_) + x.row(r).array().max(S(0)).sum();
        S* mean = k == last ? nullptr : scratch.mean.data();
        const S curve = curve_and_means(xr, nh_, prev, delta, beta, scratch.s.data(), mean);
        log_w_[r0 + r] += double(delta) * double(slope) + double(curve);
        if (mean) sample_bernoulli_row(rng_[static_cast<std::size_t>(r0 + r)], mean, nh_, words, h.row(r).data());
      }
      if (k == last) break;
      binary_affine<S>(h, wt, nv_, rbm.b().data(), v, ws, scratch);  // b + hWᵀ; v's old value is no longer needed
      for (Index r = 0; r < n; ++r) {
        v.row(r).array() = (beta * v.row(r).array() + (S(1) - beta) * base_bias_.transpose().array()).logistic();
        sample_bernoulli_row(rng_[static_cast<std::size_t>(r0 + r)], v.row(r).data(), nv_, words, v.row(r).data());
      }
    }
  });
  next_ = k1;
}

template <class S>
AisResult AisRuns<S>::result() const {
  ensure(done(), "AisRuns::result: the runs are at beta index ", next_, " of ", num_betas(),
         "; call advance until done()");
  return summarize_ais(log_w_, log_z_base_, num_betas());
}

template <class S>
AisResult ais_log_z(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstVecRef<S>>& base_bias,
                    const AisOptions& options) {
  AisRuns<S> runs(rbm, base_bias, options);
  runs.run_to_end(rbm);
  return runs.result();
}

template <class S>
AisResult ais_log_z_from_data(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstBatchRef<S>>& data,
                              const AisOptions& options) {
  check_cols(data.cols(), rbm.num_visible(), "ais_log_z_from_data: data");
  const VectorX<S> base_bias = base_rate_bias(data);
  return ais_log_z(rbm, base_bias, options);
}

template <class S>
double mean_log_likelihood(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstBatchRef<S>>& data,
                           double log_z) {
  ensure(std::isfinite(log_z), "mean_log_likelihood: log_z = ", log_z, " must be finite");
  check_nonempty(data.rows(), "mean_log_likelihood: data");
  check_cols(data.cols(), rbm.num_visible(), "mean_log_likelihood: data");
  check_binary(data, "mean_log_likelihood: data");
  VectorX<S> f(data.rows());
  rbm.free_energy(data, f);
  return -f.template cast<double>().mean() - log_z;
}

template class AisRuns<float>;
template class AisRuns<double>;
template AisResult ais_log_z(const BernoulliRBM<float>&, const ConstVecRef<float>&, const AisOptions&);
template AisResult ais_log_z(const BernoulliRBM<double>&, const ConstVecRef<double>&, const AisOptions&);
template AisResult ais_log_z_from_data(const BernoulliRBM<float>&, const ConstBatchRef<float>&, const AisOptions&);
template AisResult ais_log_z_from_data(const BernoulliRBM<double>&, const ConstBatchRef<double>&,
                                       const AisOptions&);
template double mean_log_likelihood(const BernoulliRBM<float>&, const ConstBatchRef<float>&, double);
template double mean_log_likelihood(const BernoulliRBM<double>&, const ConstBatchRef<double>&, double);

}  // namespace ebm
