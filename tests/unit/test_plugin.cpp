// The plug-in test (issue 12): the standing proof that ebm is generic. A model type and a kernel type that ebm
// does not ship are defined here, in this file only, and go through the public API as a researcher's own would:
// training under persistent chains and a replay buffer with SGD and Adam, a checkpoint in a model file of their
// own kind that resumes bit for bit, parallel tempering (as a sampler, through a checkpoint of its ladders, and as
// a training policy), log Z by exact enumeration and by the generic AIS with the new kernel as its transition,
// bit-identical results on 1 and 2 threads, and a chi-square check that the new kernel leaves the exact p(x)
// invariant.
//
//   Fvbm          a fully visible Boltzmann machine over x ∈ {0,1}^d: E(x) = −Σ_{i<j} W_ij x_i x_j − bᵀx
//                 (W symmetric with zero diagonal, stored as its upper triangle), meeting BinaryEnergyModel and
//                 BinaryFlipModel (core/concepts.hpp, core/binary_flip_model.hpp) and what the optimizers use.
//   PairGibbs<M>  two-site block Gibbs for any binary energy: every chain picks a pair i ≠ j uniformly, evaluates E
//                 at the three other settings of (x_i, x_j) and draws the pair from its exact conditional; its own
//                 state type caches E per chain with the θ it belongs to (ParamStamp), and meets MarkovKernel
//                 (samplers/kernel_concept.hpp) and ExchangeableChains (samplers/tempering_concept.hpp).
// If this file needs an edit of the library to compile or pass, the library is not generic: fix the library.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ebm/core/binary_flip_model.hpp"
#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/estimate/ais_binary.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/io/model_kind.hpp"
#include "ebm/io/tempering_checkpoint.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/tempered_binary_energy.hpp"
#include "ebm/samplers/chain_policies.hpp"
#include "ebm/samplers/chain_policy_concept.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "ebm/samplers/param_stamp.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "ebm/samplers/replay_buffer.hpp"
#include "ebm/samplers/step_info.hpp"
#include "ebm/samplers/tempering_concept.hpp"
#include "ebm/train/adam.hpp"
#include "ebm/train/sgd.hpp"
#include "ebm/train/trainer.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/error_matchers.hpp"
#include "support/goodness_of_fit.hpp"
#include "support/scratch.hpp"

namespace plugin {

using ebm::BatchRef;
using ebm::ConstBatchRef;
using ebm::ConstVecRef;
using ebm::Index;
using ebm::MatrixX;
using ebm::Rng;
using ebm::VecRef;
using ebm::VectorX;

// ---- the model ---------------------------------------------------------------------------------------------
// E(x) = −Σ_{i<j} W_ij x_i x_j − bᵀx,  ∂E/∂x_i = −b_i − Σ_{j≠i} W_ij x_j,  ∂E/∂W_ij = −x_i x_j,  ∂E/∂b_i = −x_i.
// E is multilinear, so E(x with x_i flipped) − E(x) = (1 − 2x_i) ∂E/∂x_i exactly. θ = (W_01, W_02, …, W_{d−2,d−1},
// b_0, …, b_{d−1}); everything is summed in double and rounded once.
class Fvbm {
public:
  using Scalar = float;

  explicit Fvbm(Index d) : d_(d), theta_(VectorX<float>::Zero(d * (d - 1) / 2 + d)) {
    ebm::ensure(d >= 2, "Fvbm: dimension ", d, " must be at least 2");
  }

  Index dim() const { return d_; }
  Index num_params() const { return theta_.size(); }
  const VectorX<float>& params() const { return theta_; }
  std::string param_name(Index k) const {
    return k < num_pairs() ? "W#" + std::to_string(k) : "b[" + std::to_string(k - num_pairs()) + "]";
  }
  void set_params(const ConstVecRef<float>& theta) {
    ebm::ensure(theta.size() == num_params(), "Fvbm::set_params: ", theta.size(), " values for ", num_params());
    check_finite(theta);
    theta_ = theta;
  }
  // What the optimizers call: θ changes only if f's result is finite (strong guarantee).
  template <class F>
  void modify_params(F&& f) {
    next_ = theta_;
    f(next_);
    ebm::ensure(next_.size() == num_params(), "Fvbm::modify_params: the size changed");
    check_finite(next_);
    theta_.swap(next_);
  }
  // The trainer's data check: binary rows.
  void validate_data(const ConstBatchRef<float>& x, std::string_view what) const {
    for (Index r = 0; r < x.rows(); ++r)
      for (Index i = 0; i < x.cols(); ++i)
        ebm::ensure(x(r, i) == 0.0f || x(r, i) == 1.0f, what, ": entry (", r, ", ", i, ") is ", double(x(r, i)),
                    "; an Fvbm takes 0 or 1");
  }

  float w(Index i, Index j) const { return theta_[pair(std::min(i, j), std::max(i, j))]; }
  float b(Index i) const { return theta_[num_pairs() + i]; }

  void energy(const ConstBatchRef<float>& x, VecRef<float> e) const {
    for (Index r = 0; r < x.rows(); ++r) e[r] = float(row_energy(x.row(r).data()));
  }
  void free_energy(const ConstBatchRef<float>& x, VecRef<float> e) const { energy(x, e); }
  void energy_and_grad(const ConstBatchRef<float>& x, VecRef<float> e, BatchRef<float> g) const {
    for (Index r = 0; r < x.rows(); ++r) {
      const float* xr = x.row(r).data();
      e[r] = float(row_energy(xr));
      for (Index i = 0; i < d_; ++i) g(r, i) = float(field(xr, i));
    }
  }
  void accumulate_grad(const ConstBatchRef<float>& x, float weight, VecRef<float> grad) const {
    const double wt = weight;
    for (Index r = 0; r < x.rows(); ++r) {
      const float* xr = x.row(r).data();
      for (Index i = 0; i < d_; ++i) {
        if (xr[i] == 0) continue;
        for (Index j = i + 1; j < d_; ++j)
          if (xr[j] != 0) grad[pair(i, j)] -= float(wt);
        grad[num_pairs() + i] -= float(wt);
      }
    }
  }
  double flip_delta(std::span<const float> x, Index i) const {
    return (1 - 2 * double(x[std::size_t(i)])) * field(x.data(), i);
  }

private:
  Index num_pairs() const { return d_ * (d_ - 1) / 2; }
  Index pair(Index i, Index j) const { return i * d_ - i * (i + 1) / 2 + (j - i - 1); }  // i < j
  double row_energy(const float* x) const {
    double e = 0;
    for (Index i = 0; i < d_; ++i) {
      if (x[i] == 0) continue;
      e -= double(b(i));
      for (Index j = i + 1; j < d_; ++j)
        if (x[j] != 0) e -= double(theta_[pair(i, j)]);
    }
    return e;
  }
  double field(const float* x, Index i) const {  // ∂E/∂x_i
    double g = -double(b(i));
    for (Index j = 0; j < d_; ++j)
      if (j != i) g -= double(w(i, j)) * double(x[j]);
    return g;
  }
  static void check_finite(const ConstVecRef<float>& t) {
    for (Index k = 0; k < t.size(); ++k)
      ebm::ensure(std::isfinite(t[k]), "Fvbm: parameter ", k, " would be ", double(t[k]));
  }

  Index d_;
  VectorX<float> theta_, next_;
};

// ---- the kernel --------------------------------------------------------------------------------------------
template <class S>
struct PairChains {
  MatrixX<S> x;                       // chains × d, entries 0 or 1
  VectorX<S> energy;                  // E(x_r) for the model and θ of stamp
  ebm::ParamStamp<S> stamp;
  std::vector<std::uint8_t> moved;    // whether chain r's pair changed in its last step
  std::int64_t steps = 0;
  Index size() const { return x.rows(); }
};

// Found by argument-dependent lookup (parallel tempering's exchanges): the chain moves with its cached energy,
// and both caches are marked stale, since the rows now hold values computed for the other replica's target.
template <class S>
void exchange_chain(PairChains<S>& a, PairChains<S>& b, Index r) {
  a.x.row(r).swap(b.x.row(r));
  std::swap(a.energy[r], b.energy[r]);
  std::swap(a.moved[std::size_t(r)], b.moved[std::size_t(r)]);
  a.stamp.invalidate();
  b.stamp.invalidate();
}

struct PairStepInfo : ebm::StepInfo {
  double moved_fraction = 0;  // chains whose pair changed
};

template <ebm::BinaryEnergyModel M>
class PairGibbs {
public:
  using Model = M;
  using Scalar = typename M::Scalar;
  using State = PairChains<Scalar>;

  explicit PairGibbs(Index block_rows = ebm::default_block_rows) : block_rows_(block_rows) {
    ebm::ensure(block_rows > 0, "PairGibbs: block_rows = ", block_rows, " must be positive");
  }
  Index block_rows() const { return block_rows_; }

  void prepare(const M& model, State& s, Index n) {
    ebm::ensure(n > 0, "PairGibbs: number of chains = ", n, " must be positive");
    ebm::ensure(model.dim() >= 2, "PairGibbs: dimension ", model.dim(), "; a pair needs two coordinates");
    s.x.resize(n, model.dim());
    s.energy.resize(n);
    s.stamp.reset(model.params().size());
    s.moved.assign(std::size_t(n), 0);
    s.steps = 0;
    plan_ = ebm::BlockPlan(n, block_rows_);
    xp_.resize(3 * n, model.dim());
    ep_.resize(3 * n);
  }

  void init(const M& model, State& s, const ConstBatchRef<Scalar>& x0, std::span<Rng> rng) {
    ebm::ensure(x0.rows() > 0 && x0.cols() == model.dim(), "PairGibbs::init: start states are ", x0.rows(), " x ",
                x0.cols(), " for a model of dimension ", model.dim());
    for (Index r = 0; r < x0.rows(); ++r)
      for (Index i = 0; i < x0.cols(); ++i)
        ebm::ensure(x0(r, i) == Scalar(0) || x0(r, i) == Scalar(1), "PairGibbs::init: start entry (", r, ", ", i,
                    ") is ", double(x0(r, i)));
    ebm::ensure(Index(rng.size()) >= x0.rows(), "PairGibbs::init: ", rng.size(), " streams for ", x0.rows(), " chains");
    if (s.size() != x0.rows() || s.x.cols() != model.dim() || plan_.rows != x0.rows() ||
        s.stamp.size() != model.params().size())
      prepare(model, s, x0.rows());
    s.x = x0;
    std::fill(s.moved.begin(), s.moved.end(), 0);
    s.steps = 0;
    refresh(model, s);
  }

  bool cache_is_current(const M& model, const State& s) const { return s.stamp.matches(model); }

  // Four draws per chain and step whatever happens (two for the pair, two for the uniform), all from rng[r];
  // proposals in a buffer sized by prepare(), so a step allocates nothing.
  PairStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    ebm::ensure(plan_.rows == s.size() && s.size() > 0 && s.x.cols() == model.dim() && xp_.cols() == model.dim(),
                "PairGibbs: chains were not prepared for this model (call init first)");
    ebm::ensure(Index(rng.size()) >= s.size(), "PairGibbs: ", rng.size(), " streams for ", s.size(), " chains");
    if (!s.stamp.matches(model)) refresh(model, s);
    const Index d = s.x.cols();
    ebm::for_each_block(plan_, [&](Index, Index r0, Index n) {
      for (Index r = r0; r < r0 + n; ++r) {
        Rng& g = rng[std::size_t(r)];
        const Index i = below(g, d);
        Index j = below(g, d - 1);
        j += j >= i;
        for (Index c = 0; c < 3; ++c) {
          auto row = xp_.row(3 * r + c);
          row = s.x.row(r);
          if (c != 1) row[i] = Scalar(1) - row[i];  // settings: flip i, flip j, flip both
          if (c != 0) row[j] = Scalar(1) - row[j];
        }
      }
      model.energy(xp_.middleRows(3 * r0, 3 * n), ep_.segment(3 * r0, 3 * n));
      for (Index r = r0; r < r0 + n; ++r) {
        const double u = ebm::uniform01d(rng[std::size_t(r)]);
        const double e[4] = {double(s.energy[r]), double(ep_[3 * r]), double(ep_[3 * r + 1]), double(ep_[3 * r + 2])};
        double lo = e[0];
        for (double v : e)
          if (std::isfinite(v)) lo = std::min(lo, v);
        double w[4], total = 0;
        for (int c = 0; c < 4; ++c) total += w[c] = std::isfinite(e[c]) ? std::exp(lo - e[c]) : 0.0;  // NaN: never
        int pick = 0;
        for (double acc = w[0]; pick < 3 && !(u * total < acc);) acc += w[++pick];
        s.moved[std::size_t(r)] = pick != 0;
        if (pick != 0) {
          s.x.row(r) = xp_.row(3 * r + pick - 1);
          s.energy[r] = ep_[3 * r + pick - 1];
        }
      }
    });
    ++s.steps;
    PairStepInfo info;  // acceptance 1: a Gibbs draw is always taken
    double moved = 0;
    for (Index r = 0; r < s.size(); ++r) moved += s.moved[std::size_t(r)];
    info.moved_fraction = moved / double(s.size());
    return info;
  }

  void accumulate_stats(const M& model, const State& s, Scalar weight, VecRef<Scalar> grad) const {
    model.accumulate_grad(s.x, weight, grad);
  }

private:
  // E at every chain's current state for the model's θ; a non-finite one is an error naming the chain.
  void refresh(const M& model, State& s) {
    s.stamp.invalidate();
    ebm::for_each_block(plan_, [&](Index, Index r0, Index n) {
      model.energy(s.x.middleRows(r0, n), s.energy.segment(r0, n));
    });
    for (Index r = 0; r < s.size(); ++r)
      ebm::ensure(std::isfinite(double(s.energy[r])), "PairGibbs: chain ", r, ": the energy at its state is ",
                  double(s.energy[r]));
    s.stamp.record(model);
  }
  // Uniform in [0, n) from one 32-bit draw (multiply-shift: off uniform by < n/2^32, symmetric in the sites).
  static Index below(Rng& g, Index n) { return Index((std::uint64_t(g()) * std::uint64_t(n)) >> 32); }

  Index block_rows_;
  ebm::BlockPlan plan_;
  MatrixX<Scalar> xp_;  // three proposals per chain, rows 3r … 3r + 2
  VectorX<Scalar> ep_;
};

}  // namespace plugin

// ---- the model's kind in the .ebm file ---------------------------------------------------------------------
template <>
struct ebm::ModelCodec<plugin::Fvbm> {
  static constexpr std::string_view kind = "test_plugin_fvbm";
  static HyperParams hyper(const plugin::Fvbm& m) {
    HyperParams h;
    h.set_integer("dim", m.dim());
    return h;
  }
  static plugin::Fvbm make(const HyperParams& h) { return plugin::Fvbm(h.integer("dim", 2, 4096)); }
};

using namespace ebm;
using plugin::Fvbm;
using plugin::PairGibbs;
using TemperedFvbm = TemperedBinaryEnergy<Fvbm>;
using Catch::Matchers::Contains;

static_assert(BinaryEnergyModel<Fvbm> && BinaryFlipModel<Fvbm>);
static_assert(MarkovKernel<PairGibbs<Fvbm>> && MarkovKernel<PairGibbs<TemperedFvbm>>);
static_assert(ExchangeableChains<plugin::PairChains<float>>);
static_assert(ChainPolicy<PersistentChains<PairGibbs<Fvbm>>> && ChainPolicy<ReplayBuffer<PairGibbs<Fvbm>>>);
static_assert(TemperingOf<EnergyTempering<Fvbm>, PairGibbs<TemperedFvbm>>);
static_assert(ChainPolicy<ParallelTempering<PairGibbs<TemperedFvbm>>>);
static_assert(BinaryAisKernel<PairGibbs<TemperedFvbm>, Fvbm>);

namespace {

constexpr Index d = 8;
constexpr Index block = 8;  // small blocks, so 1 and 2 threads split the chains differently

void register_kind() {
  register_model_kind({"test_plugin_fvbm",
                       [](const HyperParams& h) {
                         const Index n = h.integer("dim", 2, 4096);
                         return n * (n - 1) / 2 + n;
                       },
                       [](const HyperParams& h, const std::map<std::string, Matrixf>& chains, const std::string& where) {
                         const auto it = chains.find("x");
                         if (it == chains.end()) return;
                         ensure(it->second.cols() == h.integer("dim", 2, 4096), where, ": chains.x has ",
                                it->second.cols(), " columns");
                         for (Index k = 0; k < it->second.size(); ++k)
                           ensure(it->second.data()[k] == 0.0f || it->second.data()[k] == 1.0f, where,
                                  ": chains.x is not binary");
                       }});
}

// The model the data come from: couplings N(0, 0.8²), biases N(0, 0.5²), −0.3 shift (sparse-ish states).
Fvbm truth() {
  Fvbm m(d);
  Rng rng = make_stream(2026, StreamPurpose::user, 0);
  VectorX<float> t(m.num_params());
  for (Index k = 0; k < t.size(); ++k) {
    const double z = std::sqrt(-2 * std::log(1 - uniform01d(rng))) * std::cos(6.283185307179586 * uniform01d(rng));
    t[k] = float(k < d * (d - 1) / 2 ? 0.8 * z : 0.5 * z - 0.3);
  }
  m.set_params(t);
  return m;
}

// n exact draws from p by inverse CDF over the 2^d states (x at index x_0 + 2 x_1 + …).
Matrixf exact_draws(const Vectord& p, Index n, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 1);
  Matrixf x(n, d);
  for (Index r = 0; r < n; ++r) {
    double u = uniform01d(rng), acc = 0;
    Index k = 0;
    while (k + 1 < p.size() && (acc += p[k]) <= u) ++k;
    for (Index i = 0; i < d; ++i) x(r, i) = float((k >> i) & 1);
  }
  return x;
}

const Matrixf& training_data() {
  static const Matrixf x = exact_draws(exact_binary_distribution(truth()), 400, 11);
  return x;
}

double mean_log_likelihood(const Fvbm& m, const Matrixf& x) { return energy_mean_log_likelihood(m, x, exact_log_z(m)); }

TrainOptions options(Optimizer which, int epochs) {
  TrainOptions o;
  o.batch_size = 40;  // 10 updates per epoch
  o.epochs = epochs;
  o.learning_rate = which == Optimizer::adam ? 0.05 : 0.1;
  o.optimizer = which;
  o.seed = 5;
  return o;
}

using Pcd = PersistentChains<PairGibbs<Fvbm>>;
Pcd pcd() { return Pcd(PairGibbs<Fvbm>(block), 40, 2, 17); }

// What a checkpoint of a PCD run holds, and what resuming compares.
struct Run {
  VectorX<float> theta;
  Matrixf chains;
  std::vector<Rng> streams;
  Rng shuffle;
  OptimizerState optimizer;
  std::int64_t updates = 0, kernel_steps = 0;
};

template <class Trainer>
Run snapshot(const Fvbm& m, Pcd& chains, Trainer& trainer) {
  return {m.params(), chains.state().x, chains.streams(), trainer.shuffle_stream(), trainer.optimizer_state(),
          trainer.updates_done(), chains.state().steps};
}

Run train_pcd(Optimizer which, int epochs) {
  Fvbm m(d);
  Pcd chains = pcd();
  Trainer trainer(m, chains, options(which, epochs));
  trainer.fit(training_data());
  return snapshot(m, chains, trainer);
}

bool same_optimizer(const OptimizerState& a, const OptimizerState& b) {
  if (a.kind != b.kind || a.steps != b.steps || a.vectors.size() != b.vectors.size()) return false;
  for (const auto& [name, v] : a.vectors)
    if (!b.vectors.count(name) || !test::bitwise_equal(v, b.vectors.at(name))) return false;
  return true;
}

bool same_run(const Run& a, const Run& b) {
  return test::bitwise_equal(a.theta, b.theta) && test::bitwise_equal(a.chains, b.chains) && a.streams == b.streams &&
         a.shuffle == b.shuffle && same_optimizer(a.optimizer, b.optimizer) && a.updates == b.updates &&
         a.kernel_steps == b.kernel_steps;
}

}  // namespace

TEST_CASE("plug-in: the new model's flip deltas and gradient agree with its energy", "[plugin]") {
  const Fvbm m = truth();
  const Matrixf x = exact_draws(exact_binary_distribution(m), 20, 3);
  VectorX<float> e(20), e1(20);
  Matrixf g(20, d);
  m.energy_and_grad(x, e, g);
  for (Index i = 0; i < d; ++i) {
    Matrixf y = x;
    y.col(i).array() = 1 - y.col(i).array();
    m.energy(y, e1);
    for (Index r = 0; r < 20; ++r) {
      const float* row = x.row(r).data();
      const double delta = m.flip_delta(std::span<const float>(row, std::size_t(d)), i);
      CHECK(std::abs(delta - (double(e1[r]) - double(e[r]))) < 1e-5);
      CHECK(std::abs(delta - (1 - 2 * double(x(r, i))) * double(g(r, i))) < 1e-5);  // E is multilinear
    }
  }
}

TEST_CASE("plug-in: the new kernel leaves the exact p(x) invariant (chi-square), and the test can reject",
          "[plugin][statistical]") {
  // 4,000 chains start at exact draws from p and take 3 steps: if the kernel leaves p invariant the final states
  // are again exact draws (independent across chains), whatever its mixing. Negative control: the same kernel run
  // on the model at β = 0.5 from the same draws must move them off p far enough for the test to reject.
  const Fvbm m = truth();
  const Vectord p = exact_binary_distribution(m);
  constexpr Index n = 4000;
  const auto final_counts = [&](const auto& target, int steps) {
    PairGibbs<std::decay_t<decltype(target)>> kernel(64);
    plugin::PairChains<float> s;
    auto rng = make_chain_streams(23, n);
    kernel.init(target, s, exact_draws(p, n, 29), rng);
    for (int t = 0; t < steps; ++t) kernel.step(target, s, rng);
    std::vector<double> counts(std::size_t(p.size()), 0.0);
    for (Index r = 0; r < n; ++r) counts[std::size_t(binary_state_index(s.x.row(r)))] += 1;
    return counts;
  };
  const test::ChiSquare ok = test::chi_square_test(p, final_counts(m, 3), double(n), 1e-3);
  INFO("chi-square " << ok.x2 << " on " << ok.df << " df, critical " << ok.critical);
  CHECK(ok.x2 < ok.critical);
  const TemperedFvbm hot(m, VectorX<float>::Zero(d), 0.5);
  const test::ChiSquare off = test::chi_square_test(p, final_counts(hot, 30), double(n), 1e-3);
  INFO("negative control: chi-square " << off.x2 << ", critical " << off.critical);
  CHECK(off.x2 > off.critical);
}

TEST_CASE("plug-in: training with PCD and a replay buffer around the new kernel, SGD and Adam", "[plugin][train]") {
  const Matrixf& x = training_data();
  const double start = mean_log_likelihood(Fvbm(d), x), best = mean_log_likelihood(truth(), x);
  // θ = 0 is uniform (−d log 2); the truth is the reference. 60 updates must close most of the gap.
  const auto check_learned = [&](const Fvbm& m, const char* what) {
    const double ll = mean_log_likelihood(m, x);
    INFO(what << ": mean log-likelihood " << ll << " (start " << start << ", truth " << best << ")");
    CHECK(ll > start + 0.6 * (best - start));
  };
  for (const Optimizer which : {Optimizer::sgd, Optimizer::adam}) {
    Fvbm m(d);
    Pcd chains = pcd();
    Trainer trainer(m, chains, options(which, 6));
    trainer.fit(x);
    CHECK(trainer.updates_done() == 60);
    CHECK(chains.state().steps == 120);
    check_learned(m, which == Optimizer::sgd ? "PCD, SGD" : "PCD, Adam");
  }
  // Replay buffer: fresh states from the data's marginals, the optimizer chosen by type.
  Fvbm m(d);
  ReplayBuffer<PairGibbs<Fvbm>> buffer(PairGibbs<Fvbm>(block), 40, 400, 2, 19,
                                       base_distribution_initializer(base_logits_from_data<float>(x)), 0.05);
  Trainer trainer(m, buffer, options(Optimizer::adam, 6), Adam<float>());
  trainer.fit(x);
  CHECK(buffer.fresh_starts() > 0);
  CHECK(buffer.fresh_starts() + buffer.buffer_starts() == 60 * 40);
  check_learned(m, "replay buffer, Adam");
}

TEST_CASE("plug-in: a checkpoint in the model's own file kind resumes bit for bit", "[plugin][io]") {
  register_kind();
  const std::string path = test::scratch_path("plugin", "fvbm.ebm");
  // 2 of 6 epochs, then a checkpoint: θ, chains, every stream, the optimizer's state, counters. (The chains'
  // cached energies are not stored: θ moves at every update, so the next update re-evaluates them anyway.)
  const auto checkpoint = [&](Optimizer which) {
    Fvbm m(d);
    Pcd chains = pcd();
    Trainer trainer(m, chains, options(which, 6));
    trainer.train_epoch(training_data());
    trainer.train_epoch(training_data());
    TrainingState t;
    t.epoch = trainer.epochs_done();
    t.updates = trainer.updates_done();
    t.counters["kernel_steps"] = chains.state().steps;
    t.chains["x"] = chains.state().x;
    t.streams["chains"] = chains.streams();
    t.streams["shuffle"] = {trainer.shuffle_stream()};
    t.optimizer = trainer.optimizer_state();
    save_model(path, m, R"({"note": "plug-in test"})", &t);
  };
  // As a new process would: everything from the file, then the remaining 4 epochs.
  const auto resume = [&](Optimizer which, bool with_optimizer_state) {
    const ModelFile f = load_model_file(path, "test_plugin_fvbm");
    REQUIRE(f.training.has_value());
    const TrainingState& t = *f.training;
    Fvbm m = model_of<Fvbm>(f);
    Pcd chains = pcd();
    Trainer trainer(m, chains, options(which, 6));
    if (with_optimizer_state) trainer.restore_optimizer(t.optimizer);
    trainer.shuffle_stream() = t.streams.at("shuffle").front();
    trainer.set_progress(int(t.epoch), t.updates);
    chains.streams() = t.streams.at("chains");
    chains.start(m, t.chains.at("x"));
    chains.state().steps = t.counters.at("kernel_steps");
    trainer.fit(training_data());
    return snapshot(m, chains, trainer);
  };
  for (const Optimizer which : {Optimizer::sgd, Optimizer::adam}) {
    INFO((which == Optimizer::sgd ? "SGD (momentum 0.5 to 0.9)" : "Adam"));
    const Run whole = train_pcd(which, 6);
    checkpoint(which);
    CHECK(same_run(resume(which, true), whole));
    CHECK_FALSE(same_run(resume(which, false), whole));  // the comparison can fail: the optimizer's state matters
  }
  // The kind's own check of chain states runs on writing and reading.
  Fvbm m(d);
  TrainingState bad;
  bad.chains["x"] = Matrixf::Constant(2, d, 0.5f);
  CHECK_ERROR(save_model(test::scratch_path("plugin", "bad.ebm"), m, "{}", &bad), Contains("chains.x is not binary"));  // the writer checks what the reader would
}

TEST_CASE("plug-in: parallel tempering with the new kernel samples p, and trains as a policy", "[plugin][pt]") {
  const Fvbm m = truth();
  const Vectord p = exact_binary_distribution(m);
  constexpr Index ladders = 1000;
  using Pt = ParallelTempering<PairGibbs<TemperedFvbm>>;
  Pt pt(PairGibbs<TemperedFvbm>(64), ladders, linear_ladder(4, 0.25), 1, 31);
  Rng init = make_stream(37, StreamPurpose::user, 0);
  Matrixf x0(ladders, d);
  for (Index k = 0; k < x0.size(); ++k) x0.data()[k] = float(uniform01d(init) < 0.5);
  pt.start(m, x0);
  for (int t = 0; t < 150; ++t) pt.advance(m);
  for (double rate : pt.swap_rates()) CHECK(rate > 0.2);
  std::vector<double> counts(std::size_t(p.size()), 0.0);
  for (Index r = 0; r < ladders; ++r) counts[std::size_t(binary_state_index(pt.state().x.row(r)))] += 1;
  const test::ChiSquare c = test::chi_square_test(p, counts, double(ladders), 1e-3);
  INFO("chi-square of the beta = 1 replicas " << c.x2 << " on " << c.df << " df, critical " << c.critical);
  CHECK(c.x2 < c.critical);

  // The ladders through a checkpoint: the new state's positions x go through the default chain codec
  // (io/chain_state_codec.hpp), its cache is invalidated and re-evaluated; 20 more rounds match bit for bit.
  TrainingState t;
  save_tempering(pt, t);
  Pt resumed(PairGibbs<TemperedFvbm>(64), ladders, linear_ladder(4, 0.25), 1, 31);
  restore_tempering(resumed, m, t, "plug-in checkpoint");
  for (int r = 0; r < 20; ++r) {
    pt.advance(m);
    resumed.advance(m);
  }
  for (Index k = 0; k < 4; ++k) CHECK(test::bitwise_equal(pt.replica(k).x, resumed.replica(k).x));
  CHECK(pt.swap_stats().accepts == resumed.swap_stats().accepts);

  // PT-PCD: the tempering's chains are the trainer's model term.
  Fvbm learner(d);
  Pt chains(PairGibbs<TemperedFvbm>(block), 40, linear_ladder(3, 0.5), 2, 41);
  Trainer trainer(learner, chains, options(Optimizer::adam, 6));
  trainer.fit(training_data());
  const double start = mean_log_likelihood(Fvbm(d), training_data()),
               best = mean_log_likelihood(truth(), training_data()), ll = mean_log_likelihood(learner, training_data());
  INFO("PT-PCD mean log-likelihood " << ll << " (start " << start << ", truth " << best << ")");
  CHECK(ll > start + 0.6 * (best - start));
}

TEST_CASE("plug-in: log Z by enumeration and by AIS with the new kernel as the transition", "[plugin][ais]") {
  Fvbm m(d);
  {
    Pcd chains = pcd();
    Trainer trainer(m, chains, options(Optimizer::adam, 6));
    trainer.fit(training_data());
  }
  const double exact = exact_log_z(m);
  BinaryAisOptions o;
  o.chains = 200;
  o.num_betas = 1000;
  o.seed = 43;
  const VectorX<float> a = base_logits_from_data<float>(training_data());
  const BinaryAisResult r = ais_binary_log_z(m, a, o, PairGibbs<TemperedFvbm>(block));
  INFO("AIS " << r.log_z << " +- " << r.log_z_stderr << " (ESS " << r.effective_sample_size << "), exact " << exact);
  // The delta-method standard error is an estimate and log Ẑ is biased low by about stderr²/2, so a 4σ band
  // (two-sided false-alarm rate 6·10⁻⁵ if the error were exact) plus 0.01 nats for those second-order terms at
  // these sizes; the seed is fixed, so the outcome is the same on every run.
  CHECK(std::abs(r.log_z - exact) <= 4 * r.log_z_stderr + 0.01);
  CHECK(r.effective_sample_size > 0.5 * double(o.chains));  // d = 8 and 1,000 temperatures: the weights must not degenerate
}

TEST_CASE("plug-in: training, tempering and AIS are bit-identical on 1 and 2 threads", "[plugin][reproducibility]") {
  const auto run = [] {
    Fvbm m(d);
    Pcd chains = pcd();
    Trainer trainer(m, chains, options(Optimizer::sgd, 2));
    trainer.fit(training_data());
    ParallelTempering<PairGibbs<TemperedFvbm>> pt(PairGibbs<TemperedFvbm>(block), 40, linear_ladder(3, 0.4), 3, 47);
    pt.start(m, training_data().topRows(40));
    pt.advance(m);
    BinaryAisOptions o;
    o.chains = 40;
    o.num_betas = 100;
    BinaryAisRuns<Fvbm, PairGibbs<TemperedFvbm>> runs(m, VectorX<float>::Zero(d), o, PairGibbs<TemperedFvbm>(block));
    runs.run_to_end(m);
    return std::tuple(snapshot(m, chains, trainer), Matrixf(pt.state().x), Vectord(runs.log_weights()));
  };
  const auto one = test::with_threads(1, run);
  const auto two = test::with_threads(2, run);
  CHECK(same_run(std::get<0>(one), std::get<0>(two)));
  CHECK(test::bitwise_equal(std::get<1>(one), std::get<1>(two)));
  CHECK(test::bitwise_equal(std::get<2>(one), std::get<2>(two)));
}
