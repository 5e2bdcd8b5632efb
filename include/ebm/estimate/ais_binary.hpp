#pragma once
// Annealed importance sampling (Neal 2001) of log Z for any energy over x ∈ {0,1}^d (BinaryEnergyModel: an MLP
// energy with or without base term, an RBM's free energy, …), from a factorized Bernoulli base with logits a
// (usually the training data's marginals, base_logits_from_data), along
//
//   log p̃_β(x) = −β E(x) + (1 − β) aᵀx,        0 = β_0 < β_1 < … < β_{K−1} = 1,
//   log Z_base = Σ_i softplus(a_i)                (exact: p_base(x) = Π_i σ(a_i)^{x_i} σ(−a_i)^{1−x_i})
//
// with any binary kernel as the transition T_k that leaves p̃_{β_k} invariant (Gibbs-with-Gradients by default,
// as Grathwohl et al. 2021 do for deep energies; DMALA, random-scan Gibbs, random-walk Metropolis as well). The
// kernel steps on TemperedBinaryEnergy (models/tempered_binary_energy.hpp), E_β = β E − (1 − β) aᵀx. The
// conventions are those of the RBM's AIS (ais.hpp), so the two can be compared: chain r draws x ~ p_base, then
// for k = 1 … K−1 adds
//   log p̃_k(x) − log p̃_{k−1}(x) = −(β_k − β_{k−1}) u(x),      u(x) = E(x) + aᵀx,
// to its log-weight and, unless k is the last, makes `steps_per_beta` moves with T_k. log Ẑ = log mean(w) +
// log Z_base, with the delta-method standard error sd(w)/(mean(w)√chains), the ±3σ interval and the ESS of the
// weights (summarize_ais). Unbiased in Z, so biased low in log Z when the weights degenerate.
//
// The kernel's cache across temperatures. The chains' state caches E_β and ∇ₓE_β for the adapter's params() = [β]
// (binary_chains.hpp), so a change of β alone would make the kernel re-evaluate E and ∇ₓE at every chain's
// current state: a second network pass per temperature. Instead the runs keep, per chain, u(x) in double and the
// untempered ∇ₓE(x), and re-temper the cache to the new β themselves (E_β = β u − aᵀx, ∇ₓE_β = β ∇ₓE − (1 − β) a),
// stamping it with the new params(). After each move, a chain that took its proposal (BinaryChains::accepted)
// holds a fresh E_β from the kernel, from which u = (E_β + aᵀx)/β; a chain that did not keeps its u. So u is never
// re-derived from a value this code rounded, and rounding does not compound over thousands of temperatures. (The
// recovered gradient only shapes proposals, whose probabilities the Metropolis test computes from the same
// cached values, so its rounding cannot bias the target.) The runs start the kernel at β = 1, where E_β = E
// exactly, so the first u needs no division by β_0 = 0. That shortcut is for kernels whose state is BinaryChains;
// a kernel with a state type of its own (any MarkovKernel whose state holds the positions as rows of `x`) keeps
// its cache as it likes: its stamp sees [β] change and it refreshes, and the runs evaluate u(x) with the model
// once per temperature (tests/unit/test_plugin.cpp anneals a kernel defined in that file).
//
// Determinism: chain r draws only from the stream (seed, StreamPurpose::ais, r, counter 1) (the counter keeps
// these streams apart from the RBM AIS's at the same seed); the kernel steps chains in its fixed blocks; every
// weight increment is per chain, in double. The log-weights are bit-identical for any number of threads.
//
// Cost: one kernel step per temperature and step (the weight update and re-tempering are O(d) per chain).
#include <cmath>
#include <concepts>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/estimate/ais.hpp"
#include "ebm/models/tempered_binary_energy.hpp"
#include "ebm/samplers/binary_chains.hpp"
#include "ebm/samplers/gibbs_with_gradients.hpp"
#include "ebm/samplers/kernel_concept.hpp"

namespace ebm {

// The shape of the schedule when no explicit betas are given.
enum class AisScheduleShape {
  salakhutdinov_murray,  // ais_schedule(K): slow near β = 1, where a trained model's p̃_β changes fastest
  linear,                // β_k = k/(K − 1)
};

struct BinaryAisOptions {
  Index chains = ais_default_runs;
  Index num_betas = ais_default_num_betas;  // K, when `betas` is empty
  AisScheduleShape schedule = AisScheduleShape::salakhutdinov_murray;
  std::vector<double> betas;  // explicit schedule: strictly increasing from exactly 0 to exactly 1
  Index steps_per_beta = 1;   // moves with T_k per intermediate distribution
  std::uint64_t seed = 1;
};

struct BinaryAisResult : AisResult {
  double mean_acceptance = 0;  // the kernel's acceptance rate, averaged over all moves
  Index steps_per_beta = 0;
};

// β_k = k/(K − 1), the last exactly 1.
inline std::vector<double> linear_ais_schedule(Index num_betas) {
  ensure(num_betas >= 2, "linear_ais_schedule: num_betas = ", num_betas,
         "; at least 2 inverse temperatures (0 and 1) are needed");
  std::vector<double> betas(static_cast<std::size_t>(num_betas));
  for (Index k = 0; k < num_betas; ++k) betas[std::size_t(k)] = double(k) / double(num_betas - 1);
  betas.back() = 1.0;
  return betas;
}

// The schedule the options describe (validated).
inline std::vector<double> binary_ais_schedule(const BinaryAisOptions& o) {
  if (!o.betas.empty()) {
    check_ais_schedule(o.betas, "binary AIS: betas");
    return o.betas;
  }
  ensure(o.num_betas >= 2, "binary AIS: num_betas = ", o.num_betas,
         "; at least 2 inverse temperatures (0 and 1) are needed");
  return o.schedule == AisScheduleShape::linear ? linear_ais_schedule(o.num_betas) : ais_schedule(o.num_betas);
}

// log Z_base = Σ_i softplus(a_i), in double.
template <class Derived>
double bernoulli_base_log_z(const Eigen::MatrixBase<Derived>& base_logits) {
  double s = 0;
  for (Index i = 0; i < base_logits.size(); ++i) s += softplus(double(base_logits(i)));
  return s;
}

template <BinaryEnergyModel M>
using DefaultAisKernel = GibbsWithGradients<TemperedBinaryEnergy<M>>;

// A kernel the generic AIS can anneal with: a Markov kernel over the tempered energy whose state holds the
// chains' positions as rows of `x`, as every binary state does (BinaryChains, or a kernel's own state type).
template <class K, class M>
concept BinaryAisKernel = MarkovKernel<K> && std::same_as<typename K::Model, TemperedBinaryEnergy<M>> &&
                          requires(const typename K::State& s) {
                            { s.x } -> std::convertible_to<const MatrixX<typename M::Scalar>&>;
                          };

// The chains of one AIS estimate as a resumable state, moved through the schedule by advance() in as many
// pieces as the caller likes (progress reports). The model is passed to every call, as to the kernels; it must
// not change in between.
template <BinaryEnergyModel M, class K = DefaultAisKernel<M>>
  requires BinaryAisKernel<K, M>
class BinaryAisRuns {
public:
  using S = typename M::Scalar;
  using Target = TemperedBinaryEnergy<M>;
  // Whether the kernel keeps its cache in BinaryChains, which the runs re-temper themselves (see the top of this
  // file). A kernel with a state of its own refreshes its cache at every β by its own stamp, and the runs
  // evaluate u(x) = E(x) + aᵀx of every chain once per temperature instead (one more pass of E).
  static constexpr bool retempers_cache = std::same_as<typename K::State, BinaryChains<S>>;

  // Validates everything, draws every chain's x from the base and evaluates E, ∇ₓE there.
  BinaryAisRuns(const M& model, const std::type_identity_t<ConstVecRef<S>>& base_logits,
                const BinaryAisOptions& options = {}, K kernel = K())
      : target_(model, VectorX<S>(base_logits), 1.0), kernel_(std::move(kernel)) {
    const Index d = model.dim(), n = options.chains;
    ensure(n > 0, "binary AIS: chains = ", n, " must be positive");
    ensure(options.steps_per_beta >= 1, "binary AIS: steps_per_beta = ", options.steps_per_beta,
           " must be at least 1");
    steps_per_beta_ = options.steps_per_beta;
    const std::vector<double> betas = binary_ais_schedule(options);
    betas_.assign(betas.begin(), betas.end());  // rounded once: the β of the weights is the β of the moves
    for (std::size_t k = 1; k < betas_.size(); ++k)
      ensure(betas_[k] > betas_[k - 1], "binary AIS: betas[", k - 1, "] = ", betas[k - 1], " and betas[", k,
             "] = ", betas[k], " are equal in the model's precision; use fewer temperatures or double");
    const auto& theta = model.params();
    for (Index k = 0; k < theta.size(); ++k)
      ensure(std::isfinite(double(theta[k])), "binary AIS: model parameter ", k, " is ", double(theta[k]),
             "; parameters must be finite");
    a_ = target_.base_logits().template cast<double>();
    log_z_base_ = bernoulli_base_log_z(a_);

    rng_.reserve(std::size_t(n));
    for (Index r = 0; r < n; ++r) rng_.push_back(make_stream(options.seed, StreamPurpose::ais, std::uint64_t(r), 1));
    // x ~ p_base: independent coordinates with p_i = σ(a_i), compared in double.
    const Vectord p = a_.array().logistic().matrix();
    MatrixX<S> x0(n, d);
    for (Index r = 0; r < n; ++r)
      for (Index i = 0; i < d; ++i) x0(r, i) = S(uniform01d(rng_[std::size_t(r)]) < p[i]);
    kernel_.init(target_, state_, x0, rng_);  // at β = 1: the cache holds E and ∇ₓE themselves
    base_dot_.resize(n);
    u_.resize(n);
    if constexpr (retempers_cache) {
      for (Index r = 0; r < n; ++r) {
        base_dot_[r] = target_.base_dot(state_.x, r);
        u_[r] = double(state_.energy[r]) + base_dot_[r];
      }
      keep_grad_ = state_.has_grad();
      if (keep_grad_) grad_ = state_.grad;
    } else {
      plan_ = BlockPlan(n, default_block_rows);
      e_.resize(n);
      evaluate_u(model);
    }
    log_w_.setZero(n);
  }

  // The next `steps` intermediate distributions (fewer if the schedule ends sooner).
  void advance(const M& model, Index steps) {
    ensure(model.dim() == a_.size(), "BinaryAisRuns::advance: the model has dimension ", model.dim(),
           "; these runs were started for ", a_.size());
    ensure(steps >= 0, "BinaryAisRuns::advance: steps = ", steps, " must be non-negative");
    target_.rebind(model);
    const Index k1 = std::min(num_betas(), next_ + steps), last = num_betas() - 1;
    for (Index k = next_; k < k1; ++k) {
      const double beta = double(betas_[std::size_t(k)]), prev = double(betas_[std::size_t(k - 1)]);
      for (Index r = 0; r < num_chains(); ++r) log_w_[r] -= (beta - prev) * u_[r];
      if (k == last) break;  // the weight is complete; a move at β = 1 would not change it
      retemper(beta);
      for (Index t = 0; t < steps_per_beta_; ++t) {
        const auto info = kernel_.step(target_, state_, rng_);
        acceptance_sum_ += info.acceptance_rate;
        ++moves_;
        if constexpr (retempers_cache) take_fresh_values(beta);
      }
      if constexpr (!retempers_cache) evaluate_u(model);
    }
    next_ = k1;
  }
  void run_to_end(const M& model) { advance(model, num_betas() - next_); }

  Index num_chains() const { return state_.size(); }
  Index num_betas() const { return Index(betas_.size()); }
  Index next_beta() const { return next_; }  // index k of the next log p̃_k − log p̃_{k−1} to add
  bool done() const { return next_ == num_betas(); }
  const Vectord& log_weights() const { return log_w_; }
  const MatrixX<S>& states() const { return state_.x; }
  double log_z_base() const { return log_z_base_; }
  const K& kernel() const { return kernel_; }
  const typename K::State& chains() const { return state_; }  // cache at the β of the last move
  const Target& target() const { return target_; }            // the tempered energy at that β

  // Needs done().
  BinaryAisResult result() const {
    ensure(done(), "BinaryAisRuns::result: the runs are at beta index ", next_, " of ", num_betas(),
           "; call advance until done()");
    BinaryAisResult res{summarize_ais(log_w_, log_z_base_, num_betas())};
    res.mean_acceptance = moves_ > 0 ? acceptance_sum_ / double(moves_) : 0.0;
    res.steps_per_beta = steps_per_beta_;
    return res;
  }

private:
  // The cache at the new β from u and ∇ₓE, stamped with the adapter's params() so the kernel takes it as current.
  void retemper(double beta) {
    target_.set_beta(beta);
    if constexpr (retempers_cache) {  // otherwise the kernel's own stamp sees params() = [β] change
      const S b = target_.beta(), rest = S(1) - b;
      for (Index r = 0; r < num_chains(); ++r) {
        state_.energy[r] = S(double(b) * u_[r] - base_dot_[r]);
        if (keep_grad_)
          for (Index i = 0; i < a_.size(); ++i)
            state_.grad(r, i) = b * grad_(r, i) - rest * S(a_[i]);
      }
      state_.stamp.record(target_);
    }
  }
  // u = E + aᵀx of every chain from the model itself (kernels with a state of their own), in fixed blocks.
  void evaluate_u(const M& model) {
    for_each_block(plan_, [&](Index, Index r0, Index n) {
      model.energy(state_.x.middleRows(r0, n), e_.segment(r0, n));
      for (Index r = r0; r < r0 + n; ++r) {
        base_dot_[r] = target_.base_dot(state_.x, r);
        u_[r] = double(e_[r]) + base_dot_[r];
      }
    });
  }
  // u and ∇ₓE of the chains that moved to a freshly evaluated state, from E_β and ∇ₓE_β.
  void take_fresh_values(double beta) {
    const double rest = 1 - beta;
    for (Index r = 0; r < num_chains(); ++r) {
      if (!state_.accepted[std::size_t(r)]) continue;
      base_dot_[r] = target_.base_dot(state_.x, r);
      u_[r] = (double(state_.energy[r]) + base_dot_[r]) / beta;
      if (keep_grad_)
        for (Index i = 0; i < a_.size(); ++i)
          grad_(r, i) = S((double(state_.grad(r, i)) + rest * a_[i]) / beta);
    }
  }

  Target target_;
  K kernel_;
  typename K::State state_;
  std::vector<S> betas_;
  Vectord a_;
  double log_z_base_ = 0;
  std::vector<Rng> rng_;
  Vectord base_dot_;  // aᵀx per chain
  Vectord u_;         // E(x) + aᵀx per chain
  MatrixX<S> grad_;   // ∇ₓE(x) per chain (gradient kernels)
  BlockPlan plan_;    // blocks and E(x) per chain for evaluate_u (kernels with a state of their own)
  VectorX<S> e_;
  bool keep_grad_ = false;
  Vectord log_w_;
  Index next_ = 1;
  Index steps_per_beta_ = 1;
  double acceptance_sum_ = 0;
  Index moves_ = 0;
};

// Runs all of AIS and summarizes.
template <BinaryEnergyModel M, class K = DefaultAisKernel<M>>
  requires BinaryAisKernel<K, M>
BinaryAisResult ais_binary_log_z(const M& model, const std::type_identity_t<ConstVecRef<typename M::Scalar>>& base_logits,
                                 const BinaryAisOptions& options = {}, K kernel = K()) {
  BinaryAisRuns<M, K> runs(model, base_logits, options, std::move(kernel));
  runs.run_to_end(model);
  return runs.result();
}

// mean_r [−E(x_r)] − log_z, in double: the average log-likelihood of binary data under an estimated log Z.
// Rows are evaluated in fixed blocks in parallel and summed in row order.
template <BinaryEnergyModel M>
double energy_mean_log_likelihood(const M& model, const std::type_identity_t<ConstBatchRef<typename M::Scalar>>& data,
                                  double log_z) {
  using S = typename M::Scalar;
  ensure(std::isfinite(log_z), "energy_mean_log_likelihood: log_z = ", log_z, " must be finite");
  check_nonempty(data.rows(), "energy_mean_log_likelihood: data");
  check_cols(data.cols(), model.dim(), "energy_mean_log_likelihood: data");
  check_binary(data, "energy_mean_log_likelihood: data");
  VectorX<S> e(data.rows());
  for_each_range(data.rows(), 256, [&](Index first, Index count) {
    model.energy(data.middleRows(first, count), e.segment(first, count));
  });
  double sum = 0;
  for (Index r = 0; r < e.size(); ++r) {
    ensure(std::isfinite(double(e[r])), "energy_mean_log_likelihood: the energy of data row ", r, " is ",
           double(e[r]));
    sum += double(e[r]);
  }
  return -sum / double(e.size()) - log_z;
}

}  // namespace ebm
