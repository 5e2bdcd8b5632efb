// The PCD-1 epoch of benchmarks/compare_sklearn, stage by stage, on the real data: threshold-binarized MNIST,
// 784 × 500, batch 100, 100 persistent chains, lr 0.05, no momentum, no weight decay, no centering. Unlike
// bench_rbm's synthetic model (h held at 15 % ones), the states here have the densities of an RBM in its first
// epoch on MNIST, which decide the product paths and their cost.
//
// Set-up: the model is initialized as `ebm train` does and trained for `warmup` updates (half an epoch); then
//   update                 one whole update as train_epoch runs it (Trainer::train_epoch on 100 rows:
//                          data term, chain step, model term, SGD step), per update
//   stage/data_term        E[h|v] of the minibatch and its statistics             (2 products)
//   stage/chain_step       one block-Gibbs sweep of the 100 chains: v ~ p(v|h), h ~ p(h|v)   (2 products)
//   stage/model_term       the statistics of the chains                            (1 product)
//   stage/optimizer        the SGD step: velocity, finiteness scan, θ += velocity, the model's Wᵀ refresh
//   stage/centering        center_gradient (only the default `ebm train`, centering on, does this)
//   stage/validate_epoch   train_epoch's check of the 60,000 training rows (once per epoch), per update
//   sgemm_peak             Eigen SGEMM 1024³ on one core: the yardstick of the GFLOP counters
// Single thread, CPU time; `update/threads:2` is wall clock with the process CPU time beside it. At the end a
// table gives each stage's share of `update` and its dense-equivalent rate (2·rows·784·500 per product)
// against sgemm_peak. Needs data/mnist (scripts/fetch-mnist) or EBM_MNIST_DIR; skips otherwise.
//
//   build/benchmarks/bench_epoch --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ebm/ebm.hpp"
#include "ebm/io/idx.hpp"

namespace {

using namespace ebm;
using S = float;
constexpr Index nh = 500, batch = 100, chains = 100, updates_per_epoch = 600, warmup = 300;

struct Setup {
  Matrixf data;  // threshold-binarized MNIST training images
  std::unique_ptr<BernoulliRBMf> rbm;
  std::unique_ptr<PersistentChains<BlockGibbs<BernoulliRBMf>>> pcd;
  std::unique_ptr<Trainer<PersistentChains<BlockGibbs<BernoulliRBMf>>>> trainer;
  std::string error;
};

TrainOptions same_work() {
  TrainOptions opt;
  opt.batch_size = batch;
  opt.epochs = 1;
  opt.learning_rate = 0.05;
  opt.schedule = {LearningRateSchedule::Kind::constant, 1.0};
  opt.momentum = {0.0, 0.0, 0};
  opt.seed = 1;
  return opt;
}

Setup& setup() {
  static Setup s = [] {
    Setup t;
    const char* env = std::getenv("EBM_MNIST_DIR");
    const std::string dir = env ? env : "data/mnist";
    const std::string images = dir + "/train-images-idx3-ubyte";
    if (!std::filesystem::exists(images)) {
      t.error = images + " not found: run scripts/fetch-mnist or set EBM_MNIST_DIR";
      return t;
    }
    const Matrixf x = read_idx_images(images);
    t.data = (x.array() > 0.5f).cast<float>().matrix();
    t.rbm = std::make_unique<BernoulliRBMf>(t.data.cols(), nh);
    Rng rng = make_stream(1, StreamPurpose::init, 0);
    t.rbm->init_normal(rng, 0.01f);
    t.rbm->init_visible_bias(t.data);
    t.pcd = std::make_unique<PersistentChains<BlockGibbs<BernoulliRBMf>>>(BlockGibbs<BernoulliRBMf>{}, chains, 1, 1);
    t.trainer = std::make_unique<Trainer<PersistentChains<BlockGibbs<BernoulliRBMf>>>>(*t.rbm, *t.pcd, same_work());
    for (Index u = 0; u < warmup; ++u) t.trainer->update(t.data.middleRows(u * batch, batch), 0.05, 0.0);
    return t;
  }();
  return s;
}

// Stage cases run on one thread: their CPU time is the calling thread's (oneTBB would hand blocks to others).
struct One {
  tbb::global_control limit{tbb::global_control::max_allowed_parallelism, 1};
};

bool ready(benchmark::State& state) {
  if (!setup().error.empty()) {
    state.SkipWithError(setup().error.c_str());
    return false;
  }
  return true;
}

double product_flops(double products) { return products * 2.0 * double(batch) * 784.0 * double(nh); }
void set_rate(benchmark::State& state, double products) {
  if (products > 0)
    state.counters["GFLOP"] =
        benchmark::Counter(product_flops(products) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
double density(const MatrixX<S>& x) { return double((x.array() != S(0)).count()) / double(x.size()); }

// The whole update as an epoch runs it: train_epoch over one minibatch of rows (its own trainer, so the
// shared model stays where the warm-up left it). Args: threads.
void update(benchmark::State& state) {
  if (!ready(state)) return;
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(0)));
  auto& s = setup();
  BernoulliRBMf rbm = *s.rbm;
  auto pcd = *s.pcd;
  Trainer trainer(rbm, pcd, same_work());
  Index u = warmup;
  for (auto _ : state) {
    trainer.train_epoch(s.data.middleRows((u++ % updates_per_epoch) * batch, batch));
  }
  set_rate(state, 5);
  state.counters["v_density"] = density(pcd.state().v);
  state.counters["h_density"] = density(pcd.state().h);
}

void data_term(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  DataTerm<BernoulliRBMf> term;
  VectorX<S> grad = VectorX<S>::Zero(s.rbm->num_params());
  Index u = warmup;
  for (auto _ : state) {
    term.accumulate(*s.rbm, s.data.middleRows((u++ % updates_per_epoch) * batch, batch), S(0.01), grad);
    benchmark::DoNotOptimize(grad.data());
  }
  set_rate(state, 2);
}

void chain_step(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  auto pcd = *s.pcd;  // a copy: the shared chains stay at the warm-up's states
  for (auto _ : state) {
    pcd.kernel().step(*s.rbm, pcd.state(), std::span<Rng>(pcd.streams()));
    benchmark::ClobberMemory();
  }
  set_rate(state, 2);
  state.counters["v_density"] = density(pcd.state().v);
  state.counters["h_density"] = density(pcd.state().h);
}

void model_term(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  VectorX<S> grad = VectorX<S>::Zero(s.rbm->num_params());
  for (auto _ : state) {
    s.pcd->accumulate_model_term(*s.rbm, -S(0.01), grad);
    benchmark::DoNotOptimize(grad.data());
  }
  set_rate(state, 1);
}

void optimizer(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  BernoulliRBMf rbm = *s.rbm;
  Sgd<S> sgd;
  const VectorX<S>& grad = s.trainer->last_gradient();
  // Alternating signs: the parameters go back and forth instead of drifting over thousands of iterations.
  double lr = 0.05;
  for (auto _ : state) {
    sgd.step(rbm, grad, lr, 0.0);
    lr = -lr;
  }
  state.SetItemsProcessed(state.iterations() * rbm.num_params());
}

void centering(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  VectorX<S> grad = s.trainer->last_gradient();
  const VectorX<S> mu = s.data.colwise().mean().transpose();
  const VectorX<S> lambda = VectorX<S>::Constant(nh, S(0.2));
  for (auto _ : state) {
    s.rbm->center_gradient(grad, mu, lambda);
    benchmark::DoNotOptimize(grad.data());
  }
}

// Once per epoch; the summary divides it by the 600 updates of an epoch.
void validate_epoch(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  for (auto _ : state) validate_data(*s.rbm, s.data, "training data");
}

void sgemm_peak(benchmark::State& state) {
  using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>;
  const Mat a = Mat::Random(1024, 1024), b = Mat::Random(1024, 1024);
  Mat c(1024, 1024);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP"] = benchmark::Counter(2.0 * 1024 * 1024 * 1024 * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Prints the runs as usual, and at the end each stage's share of `update` and its rate against the peak.
class ShareReporter : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      if (r.error_occurred || (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median")) continue;
      const std::string name = r.run_name.function_name + (r.run_name.args.empty() ? "" : "/" + r.run_name.args);
      cpu_us_[name] = r.GetAdjustedCPUTime();
      if (auto g = r.counters.find("GFLOP"); g != r.counters.end()) gflops_[name] = g->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    const auto up = cpu_us_.find("update/threads:1");
    const auto peak = gflops_.find("sgemm_peak");
    if (up == cpu_us_.end()) return;
    std::printf("\nshare of one update (update/threads:1, %.0f us CPU):\n", up->second);
    double sum = 0;
    for (const auto& [name, us] : cpu_us_) {
      if (name.rfind("stage/", 0) != 0) continue;
      const double per_update = name == "stage/validate_epoch" ? us / double(updates_per_epoch) : us;
      if (name != "stage/centering") sum += per_update;
      std::printf("  %-22s %8.1f us  %5.1f %%", name.c_str(), per_update, 100 * per_update / up->second);
      if (auto g = gflops_.find(name); g != gflops_.end() && peak != gflops_.end())
        std::printf("  %6.0f GFLOP/s dense-equivalent = %4.0f %% of the SGEMM peak (%.0f)", g->second,
                    100 * g->second / peak->second, peak->second);
      std::printf("%s\n", name == "stage/centering" ? "  (default ebm train only; not in the sum)" : "");
    }
    std::printf("  %-22s %8.1f us  %5.1f %% (the rest: shuffling, batch gather, grad zeroing, scheduling)\n",
                "sum of stages", sum, 100 * sum / up->second);
  }

private:
  std::map<std::string, double> cpu_us_, gflops_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("update", update)->ArgNames({"threads"})->Arg(1)->Unit(benchmark::kMicrosecond);
  RegisterBenchmark("update", update)
      ->ArgNames({"threads"})
      ->Arg(2)
      ->Unit(benchmark::kMicrosecond)
      ->UseRealTime()
      ->MeasureProcessCPUTime();
  using Case = std::pair<const char*, void (*)(benchmark::State&)>;
  for (const Case& c : {Case{"stage/data_term", data_term}, Case{"stage/chain_step", chain_step},
                        Case{"stage/model_term", model_term}, Case{"stage/optimizer", optimizer},
                        Case{"stage/centering", centering}, Case{"stage/validate_epoch", validate_epoch}})
    RegisterBenchmark(c.first, c.second)->Unit(benchmark::kMicrosecond);
  RegisterBenchmark("sgemm_peak", sgemm_peak)->Unit(benchmark::kMillisecond);
  ShareReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
}
