#pragma once
// The registry of `ebm bench`'s samplers: ONE LINE PER SAMPLER. A line is the spelling's name, its meaning, how to
// make the kernel for a model type M from the spelling's parameters, and its cost in evaluations per chain and
// step. Adding a sampler is one kernel type (samplers/include/ebm/samplers/) plus one line in `registry` below;
// a line whose kernel does not take the model's states returns Unsupported, as block Gibbs does for everything but
// an RBM and the binary-only kernels (Hamming ball, DULA, DMALA, PAS, RWM) do for the potts target. The lines
// gibbs, sgibbs and gwg make the categorical kernel of the same name on a categorical target (binary_or_categorical):
// one spelling per algorithm, whatever the states.
//
// Evaluations (the denominator of ESS per evaluation) count what a generic energy would need, whether or not a
// kernel does it more cheaply on a model with local structure (the flip_delta of the Ising and Bernoulli
// models): one evaluation of E (with ∇ₓE for the gradient samplers, which evaluate both in one pass) at a full
// state, or one single-site conditional (over q labels on potts). So random-scan Gibbs costs 1 per step, a
// systematic sweep d (the sites), the Hamming ball |H| (the states of the ball it weighs), GWG (binary or
// categorical), DULA, DMALA and PAS 1 (E and ∇ₓE at the proposal: the current state's are cached), block Gibbs 1 (the two products of a sweep, as the free energy and its
// gradient are), parallel tempering T times its kernel's plus T swap energies (none for block Gibbs, whose
// sweeps leave them). ESS per CPU second is the rate that sees the difference.
//
// This header is included by the translation units that instantiate the kernels for one target type each
// (bench_samplers_*.cpp), so the five targets compile in parallel.
//
// States: the benchmark hands every run its start states and reads its states as float rows of labels (0/1 on the
// binary targets, 0 … q−1 on potts); a run over label rows (categorical chains) converts at start and when read,
// outside the timed step (bench_states below), so the runs below are one code path for both kinds of state.
#include <cmath>
#include <concepts>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cli/bench_samplers.hpp"
#include "ebm/core/categorical_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/random.hpp"
#include "ebm/models/tempered_binary_energy.hpp"
#include "ebm/models/tempered_categorical_model.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/block_gibbs.hpp"
#include "ebm/samplers/categorical_samplers.hpp"
#include "ebm/samplers/categorical_tempering.hpp"
#include "ebm/samplers/energy_tempering.hpp"
#include "ebm/samplers/joint_tempering.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"
#include "ebm/samplers/temperature_ladder.hpp"

namespace ebm::cli::bench {

// A spelling split at ':' — "hb:3:1" → name "hb", args {"3", "1"} — with checked reads of its parameters.
struct SamplerSpec {
  std::string text, name;
  std::vector<std::string> args;

  static SamplerSpec parse(const std::string& text) {
    SamplerSpec s{text, {}, {}};
    std::size_t begin = 0;
    for (;;) {
      const std::size_t end = text.find(':', begin);
      const std::string part = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
      if (s.name.empty() && begin == 0)
        s.name = part;
      else
        s.args.push_back(part);
      if (end == std::string::npos) break;
      begin = end + 1;
    }
    return s;
  }
  void at_most(std::size_t n) const {
    ensure(args.size() <= n, "sampler '", text, "': ", args.size(), " parameters, ", name, " takes at most ", n);
  }
  double real(std::size_t k, double fallback, double lo, double hi, const char* what) const {
    if (k >= args.size()) return fallback;
    char* end = nullptr;
    const double v = std::strtod(args[k].c_str(), &end);
    ensure(!args[k].empty() && end == args[k].c_str() + args[k].size() && v >= lo && v <= hi, "sampler '", text,
           "': ", what, " '", args[k], "' must be a number in [", lo, ", ", hi, "]");
    return v;
  }
  int integer(std::size_t k, int fallback, int lo, int hi, const char* what) const {
    if (k >= args.size()) return fallback;  // before args[k]: ensure evaluates its message arguments eagerly
    const double v = real(k, fallback, lo, hi, what);
    ensure(v == std::floor(v), "sampler '", text, "': ", what, " '", args[k], "' must be an integer");
    return int(v);
  }
};

template <class M>
struct For {
  using type = M;
};
struct Unsupported {
  const char* why;
};

template <class Make, class Cost>
struct Line {
  const char* name;
  const char* usage;
  Make make;  // (For<M>, const SamplerSpec&) → kernel over M, or Unsupported
  Cost cost;  // (const kernel&, d) → evaluations per chain and step
};

template <class M>
inline constexpr bool is_rbm_target = std::same_as<M, RbmTarget> || std::same_as<M, TemperedBinaryEnergy<RbmTarget>>;

// The tempered replica of a target and its tempering for pt: (TemperedBinaryEnergy, EnergyTempering) for binary
// targets, (TemperedCategoricalModel, CategoricalTempering) for categorical ones.
template <class M>
struct TemperedOf {
  using type = TemperedBinaryEnergy<M>;
  using tempering = EnergyTempering<M>;
};
template <CategoricalModel M>
struct TemperedOf<M> {
  using type = TemperedCategoricalModel<M>;
  using tempering = CategoricalTempering<M>;
};

// The binary kernel B<M>(args…) on a binary model, the categorical kernel C<M> (no parameters) on a categorical one.
template <template <class> class B, template <class> class C, class M, class... A>
auto binary_or_categorical(const SamplerSpec& s, A... args) {
  if constexpr (CategoricalModel<M>) {
    ensure(s.args.empty(), "sampler '", s.text, "': the categorical ", s.name, " takes no parameters");
    return C<M>();
  } else {
    return B<M>(args...);
  }
}

// make(m) on a binary model (m = For<M>); Unsupported on a categorical one.
template <class F, class Make>
auto binary_only(F m, Make make) {
  if constexpr (CategoricalModel<typename F::type>)
    return Unsupported{"it moves binary states; the target's are categorical (use gibbs, sgibbs, gwg or pt: around them)"};
  else
    return make(m);
}

inline auto per_step(double n) {
  return [n](const auto&, Index) { return n; };
}

#define EBM_BENCH_MODEL(m) typename decltype(m)::type

// clang-format off
inline const auto registry = std::make_tuple(
  Line{"gibbs", "gibbs: random-scan single-site Gibbs, one uniform site per step (binary or categorical)",
       [](auto m, const SamplerSpec& s) { s.at_most(0); return binary_or_categorical<RandomScanGibbs, CategoricalRandomScanGibbs, EBM_BENCH_MODEL(m)>(s); }, per_step(1)},
  Line{"sgibbs", "sgibbs: systematic-scan Gibbs, one sweep of all d sites per step (binary or categorical)",
       [](auto m, const SamplerSpec& s) { s.at_most(0); return binary_or_categorical<SystematicScanGibbs, CategoricalSystematicGibbs, EBM_BENCH_MODEL(m)>(s); },
       [](const auto&, Index d) { return double(d); }},
  Line{"block", "block: block Gibbs on the RBM's (v, h), reporting v (rbm targets only)",
       [](auto m, const SamplerSpec& s) {
         s.at_most(0);
         if constexpr (is_rbm_target<EBM_BENCH_MODEL(m)>) return BlockGibbs<BernoulliRBMf>();
         else return Unsupported{"block Gibbs needs an rbm target (the joint chain over v and h)"};
       }, per_step(1)},
  Line{"hb", "hb[:k[:m]]: Hamming-ball sampler, blocks of k sites (default 3), radius m (default 1); binary targets",
       [](auto m, const SamplerSpec& s) {
         s.at_most(2);
         return binary_only(m, [&](auto b) {
           const int k = s.integer(0, 3, 1, 62, "block size k");
           return HammingBall<EBM_BENCH_MODEL(b)>(k, s.integer(1, 1, 1, k, "radius m"));
         });
       }, [](const auto& kernel, Index) { return double(kernel.ball()); }},
  Line{"gwg", "gwg[:k]: Gibbs-with-Gradients, k flips per proposal (default 1); categorical GWG on potts (one label change)",
       [](auto m, const SamplerSpec& s) { s.at_most(1); return binary_or_categorical<GibbsWithGradients, CategoricalGibbsWithGradients, EBM_BENCH_MODEL(m)>(s, s.integer(0, 1, 1, 1 << 20, "flips k")); },
       per_step(1)},
  Line{"dula", "dula[:alpha]: discrete unadjusted Langevin, step size alpha (default 0.1); binary targets",
       [](auto m, const SamplerSpec& s) { s.at_most(1); return binary_only(m, [&](auto b) { return Dula<EBM_BENCH_MODEL(b)>(s.real(0, 0.1, 1e-12, 1e12, "step size alpha")); }); },
       per_step(1)},
  Line{"dmala", "dmala[:alpha]: Metropolis-adjusted discrete Langevin, alpha (default 0.1) adapted during warm-up; binary targets",
       [](auto m, const SamplerSpec& s) { s.at_most(1); return binary_only(m, [&](auto b) { return Dmala<EBM_BENCH_MODEL(b)>(s.real(0, 0.1, 1e-12, 1e12, "step size alpha")); }); },
       per_step(1)},
  Line{"pas", "pas[:R]: path auxiliary sampler, path length uniform on 1..R (default 3); binary targets",
       [](auto m, const SamplerSpec& s) { s.at_most(1); return binary_only(m, [&](auto b) { return PathAuxiliary<EBM_BENCH_MODEL(b)>(s.integer(0, 3, 1, 1 << 20, "path length R"), PathLength::uniform); }); },
       per_step(1)},
  Line{"rwm", "rwm: random-walk Metropolis, one uniform site per step; binary targets",
       [](auto m, const SamplerSpec& s) { s.at_most(0); return binary_only(m, [](auto b) { return RandomWalkMetropolis<EBM_BENCH_MODEL(b)>(); }); }, per_step(1)}
);
// clang-format on
#undef EBM_BENCH_MODEL

inline constexpr const char* pt_usage =
    "pt:NAME[:T[:beta_min]]: parallel tempering around sampler NAME (its defaults), T replicas (default 4), "
    "beta linear from 1 to beta_min (default 0.5)";

template <class F>
void for_each_line(F&& f) {
  std::apply([&](const auto&... line) { (f(line), ...); }, registry);
}

// ---- the runs -------------------------------------------------------------------------------------------------

// Dual averaging of the step size while warming up (adaptable kernels), frozen at its average afterwards.
template <class K>
class Adaptation {
public:
  void start(const K& kernel) {
    if constexpr (AdaptableKernel<K>) da_.emplace(kernel.step_size());
  }
  void learn(K& kernel, double acceptance) {
    if constexpr (AdaptableKernel<K>) {
      if (!da_) return;
      const double next = std::exp(da_->learn(acceptance));
      ensure(next > 0 && std::isfinite(next), kernel.name(), ": the adapted step size is ", next, " (acceptance ",
             acceptance, "): the acceptance does not respond to the step size");
      kernel.set_step_size(next);
    }
  }
  void freeze(K& kernel) {
    if constexpr (AdaptableKernel<K>) {
      if (!da_) return;
      kernel.set_step_size(std::exp(da_->final()));
      da_.reset();
    }
  }

private:
  std::optional<DualAveraging> da_;
};

template <class K>
double step_size_of(const K& kernel) {
  if constexpr (requires { kernel.step_size(); })
    return kernel.step_size();
  else
    return std::numeric_limits<double>::quiet_NaN();
}

// ---- bench_states: the benchmark's float rows of labels ↔ a kernel's own states -------------------------------
// Whether a kernel's chains are label rows (categorical chains).
template <class State>
inline constexpr bool label_state = requires(const State& s) {
  { s.x } -> std::same_as<const LabelMatrix&>;
};
// The start states in the kernel's form: the rows themselves (binary chains), or label rows (categorical chains).
template <class State>
auto start_rows(const Matrixf& x0) {
  if constexpr (label_state<State>)
    return LabelMatrix(x0.cast<Label>());
  else
    return Eigen::Ref<const Matrixf>(x0);
}
// The states as float rows: the kernel's own matrix, or `buffer` filled from label rows.
inline const Matrixf& float_rows(const Matrixf& x, Matrixf&) { return x; }
inline const Matrixf& float_rows(const LabelMatrix& x, Matrixf& buffer) {
  buffer = x.cast<float>();
  return buffer;
}
// The target's energy at every row of x (batched for an energy over float rows, row by row for label rows).
template <class M>
void target_energies(const M& target, const Matrixf& x, Vectorf& scratch, Eigen::VectorXd& out) {
  scratch.resize(x.rows());
  target.energy(x, scratch);
  out = scratch.cast<double>();
}
template <CategoricalModel M>
void target_energies(const M& target, const LabelMatrix& x, Vectorf&, Eigen::VectorXd& out) {
  out.resize(x.rows());
  for (Index r = 0; r < x.rows(); ++r) out[r] = target.energy(label_row(ConstLabelRef(x), r));
}

// A kernel on the target itself (binary or categorical chains): the state caches E, which is the energy trace.
template <class K>
class KernelRun final : public SamplerRun {
public:
  using M = typename K::Model;
  KernelRun(K kernel, const M& model, Index chains, std::uint64_t seed)
      : model_(model), kernel_(std::move(kernel)), rng_(make_chain_streams(seed, chains)) {}
  void start(const Matrixf& x0) override {
    kernel_.init(model_, s_, start_rows<typename K::State>(x0), rng_);
    adapt_.start(kernel_);
  }
  double step() override {
    const double a = kernel_.step(model_, s_, rng_).acceptance_rate;
    adapt_.learn(kernel_, a);
    return a;
  }
  void end_warm_up() override { adapt_.freeze(kernel_); }
  const Matrixf& states() const override { return float_rows(s_.x, x_); }
  void energies(Eigen::VectorXd& out) override { out = s_.energy.template cast<double>(); }
  double step_size() const override { return step_size_of(kernel_); }

private:
  const M& model_;
  K kernel_;
  typename K::State s_;
  std::vector<Rng> rng_;
  Adaptation<K> adapt_;
  mutable Matrixf x_;  // float rows of label states
};

// Block Gibbs on the RBM's joint (v, h); the reported state is v, its energy the free energy F(v).
class BlockGibbsRun final : public SamplerRun {
public:
  BlockGibbsRun(const RbmTarget& target, Index chains, std::uint64_t seed)
      : target_(target), rng_(make_chain_streams(seed, chains)) {}
  void start(const Matrixf& x0) override { gibbs_.init(target_.rbm(), s_, x0, rng_); }
  double step() override {
    gibbs_.step(target_.rbm(), s_, rng_);
    return 1.0;
  }
  const Matrixf& states() const override { return s_.v; }
  void energies(Eigen::VectorXd& out) override {
    e_.resize(s_.size());
    target_.energy(s_.v, e_);
    out = e_.cast<double>();
  }

private:
  const RbmTarget& target_;
  BlockGibbs<BernoulliRBMf> gibbs_;
  GibbsChains<float> s_;
  std::vector<Rng> rng_;
  Vectorf e_;
};

// Parallel tempering (one sweep of every replica, then swaps, per step) around kernel K; Base is the model the
// ladder tempers (the target, or the RBM for block Gibbs), T the target whose energy is traced.
template <class K, class Base, class T>
class TemperingRun final : public SamplerRun {
public:
  TemperingRun(ParallelTempering<K> pt, const Base& base, const T& target)
      : pt_(std::move(pt)), base_(base), target_(target) {}
  void start(const Matrixf& x0) override { pt_.start(base_, start_rows<typename K::State>(x0)); }
  double step() override {
    pt_.sweep(base_);
    pt_.swap(base_);
    if constexpr (requires { pt_.state().acceptance; })
      return pt_.state().acceptance.mean();
    else
      return 1.0;
  }
  const Matrixf& states() const override { return float_rows(top(), x_); }
  void energies(Eigen::VectorXd& out) override { target_energies(target_, top(), e_, out); }
  double step_size() const override { return step_size_of(pt_.kernel(0)); }
  std::vector<double> swap_rates() const override { return pt_.swap_rates(); }

private:
  // The β = 1 chains' states in the kernel's form (v for block Gibbs).
  const auto& top() const {
    if constexpr (requires { pt_.state().x; })
      return pt_.state().x;
    else
      return pt_.state().v;
  }

  ParallelTempering<K> pt_;
  const Base& base_;
  const T& target_;
  Vectorf e_;
  mutable Matrixf x_;  // float rows of label states
};

[[noreturn]] inline void unknown_sampler(const SamplerSpec& spec) {
  fail("sampler '", spec.text, "': unknown name '", spec.name, "'; valid: ", sampler_usage());
}

// The run of `spec` on model M (an alternative of TargetModel).
template <class M>
std::unique_ptr<SamplerRun> make_run(const SamplerSpec& spec, const M& model, Index chains, std::uint64_t seed) {
  std::unique_ptr<SamplerRun> run;
  const bool tempered = spec.name == "pt";
  SamplerSpec inner = spec;
  double cost = 0;
  int replicas = 1;
  if (tempered) {
    ensure(!spec.args.empty() && !spec.args[0].empty(), "sampler '", spec.text, "': write ", pt_usage);
    ensure(spec.args.size() <= 3, "sampler '", spec.text, "': write ", pt_usage);
    replicas = spec.integer(1, 4, 1, 1 << 10, "replicas T");
    inner = SamplerSpec{spec.args[0], spec.args[0], {}};
    ensure(inner.name != "pt", "sampler '", spec.text, "': parallel tempering around parallel tempering");
  }
  const std::vector<double> ladder = tempered ? linear_ladder(replicas, spec.real(2, 0.5, 0, 0.999999, "beta_min"))
                                              : std::vector<double>{};
  for_each_line([&](const auto& line) {
    if (run || inner.name != line.name) return;
    if (!tempered) {
      auto kernel = line.make(For<M>{}, inner);
      using K = decltype(kernel);
      if constexpr (std::same_as<K, Unsupported>) {
        fail("sampler '", spec.text, "': ", kernel.why);
      } else {
        cost = line.cost(kernel, state_dim(model));
        if constexpr (std::same_as<typename K::Model, M>)
          run = std::make_unique<KernelRun<K>>(std::move(kernel), model, chains, seed);
        else if constexpr (std::same_as<K, BlockGibbs<BernoulliRBMf>> && std::same_as<M, RbmTarget>)
          run = std::make_unique<BlockGibbsRun>(model, chains, seed);
      }
    } else {
      auto kernel = line.make(For<typename TemperedOf<M>::type>{}, inner);
      using K = decltype(kernel);
      if constexpr (std::same_as<K, Unsupported>) {
        fail("sampler '", spec.text, "': ", kernel.why);
      } else if constexpr (std::same_as<typename K::Model, typename TemperedOf<M>::type>) {
        cost = replicas * (line.cost(kernel, state_dim(model)) + 1);  // + the swap energy of each replica
        ParallelTempering<K> pt(std::move(kernel), chains, ladder, 1, seed, typename TemperedOf<M>::tempering{});
        run = std::make_unique<TemperingRun<K, M, M>>(std::move(pt), model, model);
      } else if constexpr (std::same_as<K, BlockGibbs<BernoulliRBMf>> && std::same_as<M, RbmTarget>) {
        cost = replicas * line.cost(kernel, state_dim(model));  // the sweeps leave the swap energies
        ParallelTempering<K> pt(std::move(kernel), chains, ladder, 1, seed);
        run = std::make_unique<TemperingRun<K, BernoulliRBMf, M>>(std::move(pt), model.rbm(), model);
      }
    }
    if (!run) fail("sampler '", spec.text, "': ", line.name, " does not apply to this target");
    run->description = tempered ? std::string(pt_usage) : std::string(line.usage);
  });
  if (!run) unknown_sampler(inner.name == spec.name ? spec : inner);
  run->spec = spec.text;
  run->evaluations_per_step = cost;
  return run;
}

}  // namespace ebm::cli::bench
