// One step of the gradient-informed binary samplers on 100 chains at MNIST size (d = 784), float:
//   gwg_*    Gibbs-with-Gradients, one flip (softmax over 784 flip scores, E and ∇ₓE at the proposal, MH test)
//   dula_*   DULA, α = 0.2: every coordinate may flip (784 uniforms), E and ∇ₓE at the proposal, no test
//   dmala_*  DMALA, α = 0.2: the same plus the test with the reverse flip probabilities
// on two energies:
//   *_mlp    an MLP energy with base term, 784 → 256 → 256 → 1, swish, He-scaled normal weights
//            (E and ∇ₓE at one state: 2·(784·256 + 256·256 + 256) + 2·(256·256 + 256·784) ≈ 1.07 MFLOP)
//   *_rbm    the free energy of a 784 × 500 Bernoulli RBM, mnist_like_rbm.hpp (c + vW and σ(·)Wᵀ: 2 · 2·784·500
//            ≈ 1.57 MFLOP; vW runs as a sparse gather on binary v, so for the RBM this is dense-equivalent)
// Each kernel caches E and ∇ₓE at the current states, so a step evaluates them once, at the proposals: the FLOP
// above per chain step. Chains start at independent coins with 13 % ones (binarized-MNIST density) and take 20
// steps before timing.
//
// Counters: items_per_second = chain steps per second; GFLOP = the products above per second; peak = the SGEMM
// rate of one core measured once in this process (Eigen 1024³, best of 5, thread CPU time: bench_gemm_peak's
// one-core case; on a loaded machine it falls with everything else, so the fraction stays meaningful);
// peak_frac = GFLOP/s over peak × threads (timed as the case is: CPU time or wall time); acceptance, flips = mean acceptance probability and coordinates
// changed per proposal. threads:1 cases are timed in CPU time (what a shared machine cannot inflate); threads:2
// cases in wall time, with the process's CPU time beside it.
//
//   build/benchmarks/bench_discrete --benchmark_filter=threads:1 --benchmark_repetitions=3
//   build/benchmarks/bench_discrete --export=DIR    # the models and start states as .npy for compare_discrete
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "ebm/io/npy.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "mnist_like_rbm.hpp"
#include "sgemm_peak.hpp"

namespace {

using namespace ebm;
using S = float;

constexpr Index dim = 784, chains = 100, warm_up = 20;
constexpr double alpha = 0.2;  // DULA and DMALA step size

MatrixX<S> coin_rows(Index rows, double p, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  MatrixX<S> x(rows, dim);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = bernoulli(rng, S(p));
  return x;
}
const MatrixX<S>& start_states() {
  static const MatrixX<S> x0 = coin_rows(chains, 0.13, 5);
  return x0;
}

using Mlp = BaseTermEnergy<MlpEnergy<S>>;
Mlp make_mlp() {
  MlpEnergy<S> net(dim, {256, 256}, Activation::swish);
  Rng rng = make_stream(1, StreamPurpose::init, 0);
  net.init_normal(rng);
  return Mlp(std::move(net), base_logits_from_data<S>(coin_rows(1000, 0.13, 2)));
}
constexpr double mlp_flops = 2.0 * (784.0 * 256 + 256 * 256 + 256) + 2.0 * (256.0 * 256 + 256 * 784);

using Rbm = RbmFreeEnergy<S>;
Rbm make_rbm() { return Rbm(bench::mnist_like_rbm()); }
constexpr double rbm_flops = 2.0 * 2 * 784 * 500;

using bench::sgemm_peak;
using bench::thread_cpu_seconds;

template <class K, class M>
void run(benchmark::State& state, K kernel, const M& model, double flops) {
  const double peak = sgemm_peak();
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  BinaryChains<S> s;
  auto rng = make_chain_streams(7, chains);
  kernel.init(model, s, start_states(), rng);
  for (int t = 0; t < warm_up; ++t) kernel.step(model, s, rng);
  double acceptance = 0, flipped = 0;
  const bool cpu = state.range(0) == 1;  // as the harness times the case: thread CPU or wall time
  const auto now = [cpu] {
    return cpu ? thread_cpu_seconds()
               : std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
  const double t0 = now();
  for (auto _ : state) {
    const auto info = kernel.step(model, s, rng);
    acceptance += info.acceptance_rate;
    flipped += info.mean_flips;
    benchmark::DoNotOptimize(s.x.data());
  }
  const double seconds = now() - t0;
  state.SetItemsProcessed(state.iterations() * chains);
  const double gflop = flops * double(chains) * 1e-9;
  state.counters["GFLOP"] = benchmark::Counter(gflop, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_frac"] = gflop * double(state.iterations()) / seconds / (peak * double(state.range(0)));
  state.counters["peak"] = peak;
  state.counters["acceptance"] = acceptance / double(state.iterations());
  state.counters["flips"] = flipped / double(state.iterations());
}

void gwg_mlp(benchmark::State& st) { run(st, GibbsWithGradients<Mlp>(1), make_mlp(), mlp_flops); }
void dula_mlp(benchmark::State& st) { run(st, Dula<Mlp>(alpha), make_mlp(), mlp_flops); }
void dmala_mlp(benchmark::State& st) { run(st, Dmala<Mlp>(alpha), make_mlp(), mlp_flops); }
void gwg_rbm(benchmark::State& st) { run(st, GibbsWithGradients<Rbm>(1), make_rbm(), rbm_flops); }
void dula_rbm(benchmark::State& st) { run(st, Dula<Rbm>(alpha), make_rbm(), rbm_flops); }
void dmala_rbm(benchmark::State& st) { run(st, Dmala<Rbm>(alpha), make_rbm(), rbm_flops); }

// The models, the start states and E, ∇ₓE there, as .npy in dir, for the numpy peer (peers/numpy_discrete.py):
//   mlp_W{1,2,3}.npy (in × out: h_l = act(h_{l−1} W_l + b_l)), mlp_b{1,2,3}.npy, mlp_base.npy (a),
//   rbm_W.npy (784 × 500), rbm_b.npy, rbm_c.npy, x0.npy (100 × 784), {mlp,rbm}_e0.npy, {mlp,rbm}_g0.npy.
void export_models(const std::string& dir) {
  const auto put = [&](const std::string& name, const Matrixd& m, bool vector = false) {
    write_npy(dir + "/" + name + ".npy", m, NpyType::f32, vector);
  };
  const auto at_start = [&](const auto& model, const std::string& name) {
    VectorX<S> e(chains);
    MatrixX<S> g(chains, dim);
    model.energy_and_grad(start_states(), e, g);
    put(name + "_e0", e.template cast<double>(), true);
    put(name + "_g0", g.template cast<double>());
  };
  const Mlp mlp = make_mlp();
  const auto& sizes = mlp.net().sizes();
  const VectorX<S>& theta = mlp.params();
  Index w = 0, b = mlp.net().num_weights();
  for (std::size_t l = 1; l < sizes.size(); ++l) {
    const Index in = sizes[l - 1], out = sizes[l];
    const Eigen::Map<const MatrixX<S>> wl(theta.data() + w, out, in);  // θ stores W_l as out × in, row-major
    put("mlp_W" + std::to_string(l), wl.transpose().cast<double>());
    put("mlp_b" + std::to_string(l), theta.segment(b, out).cast<double>(), true);
    w += in * out;
    b += out;
  }
  put("mlp_base", mlp.base_logits().cast<double>(), true);
  at_start(mlp, "mlp");
  const Rbm rbm = make_rbm();
  put("rbm_W", rbm.rbm().W().cast<double>());
  put("rbm_b", rbm.rbm().b().cast<double>(), true);
  put("rbm_c", rbm.rbm().c().cast<double>(), true);
  at_start(rbm, "rbm");
  put("x0", start_states().cast<double>());
  std::printf("wrote the models, x0 and E, grad at x0 to %s (chains %lld, warm-up %lld, alpha %g)\n", dir.c_str(),
              static_cast<long long>(chains), static_cast<long long>(warm_up), alpha);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (const std::string_view a = argv[i]; a.rfind("--export=", 0) == 0) {
      try {
        export_models(std::string(a.substr(9)));
        return 0;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
      }
    }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  using Case = std::pair<const char*, void (*)(benchmark::State&)>;
  for (const Case& c : {Case{"gwg_mlp", gwg_mlp}, Case{"dula_mlp", dula_mlp}, Case{"dmala_mlp", dmala_mlp},
                        Case{"gwg_rbm", gwg_rbm}, Case{"dula_rbm", dula_rbm}, Case{"dmala_rbm", dmala_rbm}}) {
    benchmark::RegisterBenchmark(c.first, c.second)->ArgNames({"threads"})->Arg(1)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(c.first, c.second)
        ->ArgNames({"threads"})
        ->Arg(2)
        ->UseRealTime()
        ->MeasureProcessCPUTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
