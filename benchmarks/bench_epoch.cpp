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
//   default/…              the same for the default `ebm train` (centering, linear rate schedule, weight decay
//                          2e-4), on its own model warmed up alike: centering keeps the hidden units near 50 %
//                          active, which decides the paths of the products with h (counter h_minority: the
//                          fraction of h's entries that differ from their column's majority in a 25-row block)
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

using Chains = PersistentChains<BlockGibbs<BernoulliRBMf>>;

// A model, its chains and its trainer after the warm-up.
struct Warm {
  std::unique_ptr<BernoulliRBMf> rbm;
  std::unique_ptr<Chains> pcd;
  std::unique_ptr<Trainer<Chains>> trainer;
};

struct Setup {
  Matrixf data;  // threshold-binarized MNIST training images
  Warm same, dflt;  // compare_sklearn's same-work options, and `ebm train`'s defaults
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

// `ebm train`'s defaults (src/cli/cmd_train.cpp) for a 50-epoch run.
TrainOptions defaults() {
  TrainOptions opt = same_work();
  opt.epochs = 50;
  opt.schedule = {LearningRateSchedule::Kind::linear, 0.1};
  opt.weight_decay = 2e-4;
  opt.centering = true;
  return opt;
}

Warm warm_up(const Matrixf& data, const TrainOptions& opt) {
  Warm t;
  t.rbm = std::make_unique<BernoulliRBMf>(data.cols(), nh);
  Rng rng = make_stream(1, StreamPurpose::init, 0);
  t.rbm->init_normal(rng, 0.01f);
  t.rbm->init_visible_bias(data);
  t.pcd = std::make_unique<Chains>(BlockGibbs<BernoulliRBMf>{}, chains, 1, 1);
  t.trainer = std::make_unique<Trainer<Chains>>(*t.rbm, *t.pcd, opt);
  t.trainer->train_epoch(data.topRows(warmup * batch));  // as ebm train's first epoch (its first half)
  return t;
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
    t.same = warm_up(t.data, same_work());
    t.dflt = warm_up(t.data, defaults());
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
// Fraction of the entries of binary x that differ from their column's majority within blocks of 25 rows.
double minority(const MatrixX<S>& x) {
  double n = 0;
  for (Index r0 = 0; r0 < x.rows(); r0 += default_block_rows) {
    const Index rows = std::min(default_block_rows, x.rows() - r0);
    for (Index k = 0; k < x.cols(); ++k) {
      const double ones = double((x.col(k).segment(r0, rows).array() != S(0)).count());
      n += std::min(ones, double(rows) - ones);
    }
  }
  return n / double(x.size());
}
void set_densities(benchmark::State& state, const GibbsChains<S>& c) {
  state.counters["v_density"] = density(c.v);
  state.counters["h_density"] = density(c.h);
  state.counters["h_minority"] = minority(c.h);
}
Warm& run_of(benchmark::State& state) { return state.range(0) ? setup().dflt : setup().same; }

// The whole update as an epoch runs it: train_epoch over one minibatch of rows (its own trainer, so the
// shared model stays where the warm-up left it). Args: threads.
// Args: default options (0: same work, 1: `ebm train`'s defaults), threads.
void update(benchmark::State& state) {
  if (!ready(state)) return;
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, std::size_t(state.range(1)));
  auto& s = setup();
  const Warm& run = run_of(state);
  BernoulliRBMf rbm = *run.rbm;
  auto pcd = *run.pcd;
  // train_epoch on one minibatch is one update as an epoch runs it (the visible offset of centering is then
  // that minibatch's mean: the same arithmetic per update as the epoch's mean over 60,000 rows once per 600
  // updates). Each call counts as an epoch, so the schedule is stretched to keep the rate of the first epoch.
  TrainOptions opt = run.trainer->options();
  opt.epochs = 50 * int(updates_per_epoch);
  Trainer trainer(rbm, pcd, opt);
  if (opt.centering)  // the options path adds Centering as the first transform (train/option_transforms.hpp)
    trainer.find_transform<Centering<S>>()->hidden_offset() = run.trainer->find_transform<Centering<S>>()->hidden_offset();
  Index u = warmup;
  for (auto _ : state) {
    trainer.train_epoch(s.data.middleRows((u++ % updates_per_epoch) * batch, batch));
  }
  set_rate(state, 5);
  set_densities(state, pcd.state());
}

// The stage cases take Arg 0 for the same-work run, 1 for the default one.
void data_term(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  const Warm& run = run_of(state);
  DataTerm<BernoulliRBMf> term;
  VectorX<S> grad = VectorX<S>::Zero(run.rbm->num_params());
  Index u = warmup;
  for (auto _ : state) {
    term.accumulate(*run.rbm, s.data.middleRows((u++ % updates_per_epoch) * batch, batch), S(0.01), grad);
    benchmark::DoNotOptimize(grad.data());
  }
  set_rate(state, 2);
  state.counters["ph_mean"] = term.last_hidden_means().mean();
}

void chain_step(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  const Warm& run = run_of(state);
  auto pcd = *run.pcd;  // a copy: the shared chains stay at the warm-up's states
  for (auto _ : state) {
    pcd.kernel().step(*run.rbm, pcd.state(), std::span<Rng>(pcd.streams()));
    benchmark::ClobberMemory();
  }
  set_rate(state, 2);
  set_densities(state, pcd.state());
}

void model_term(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  const Warm& run = run_of(state);
  VectorX<S> grad = VectorX<S>::Zero(run.rbm->num_params());
  for (auto _ : state) {
    run.pcd->accumulate_model_term(*run.rbm, -S(0.01), grad);
    benchmark::DoNotOptimize(grad.data());
  }
  set_rate(state, 1);
}

void optimizer(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  const Warm& run = run_of(state);
  BernoulliRBMf rbm = *run.rbm;
  Sgd<S> sgd;
  const VectorX<S>& grad = run.trainer->last_gradient();
  // Weight decay is a gradient transform now (train/weight_decay.hpp), not part of this stage.
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
  const Warm& run = s.dflt;
  VectorX<S> grad = run.trainer->last_gradient();
  const VectorX<S> mu = s.data.colwise().mean().transpose();
  const VectorX<S> lambda = run.trainer->find_transform<Centering<S>>()->hidden_offset();
  for (auto _ : state) {
    run.rbm->center_gradient(grad, mu, lambda);
    benchmark::DoNotOptimize(grad.data());
  }
}

// Once per epoch; the summary divides it by the 600 updates of an epoch.
void validate_epoch(benchmark::State& state) {
  if (!ready(state)) return;
  const One one;
  auto& s = setup();
  for (auto _ : state) validate_data(*s.same.rbm, s.data, "training data");
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
    for (const char* which : {"default:0", "default:1"}) table(which);
  }

private:
  // Each stage's share of `update` for one set of options, and its rate against the peak.
  void table(const std::string& which) const {
    const auto up = cpu_us_.find("update/" + which + "/threads:1");
    const auto peak = gflops_.find("sgemm_peak");
    if (up == cpu_us_.end()) return;
    const bool dflt = which == "default:1";
    std::printf("\nshare of one update, %s (update/%s/threads:1, %.0f us CPU):\n",
                dflt ? "ebm train's defaults (centering)" : "same work as scikit-learn", which.c_str(), up->second);
    double sum = 0;
    for (const auto& [name, us] : cpu_us_) {
      if (name.rfind("stage/", 0) != 0) continue;
      const bool own = name.size() > which.size() && name.compare(name.size() - which.size(), which.size(), which) == 0;
      const bool shared = name == "stage/validate_epoch" || (dflt && name == "stage/centering");
      if (!own && !shared) continue;
      const double per_update = name == "stage/validate_epoch" ? us / double(updates_per_epoch) : us;
      sum += per_update;
      std::printf("  %-28s %8.1f us  %5.1f %%", name.c_str(), per_update, 100 * per_update / up->second);
      if (auto g = gflops_.find(name); g != gflops_.end() && peak != gflops_.end())
        std::printf("  %6.0f GFLOP/s dense-equivalent = %4.0f %% of the SGEMM peak (%.0f)", g->second,
                    100 * g->second / peak->second, peak->second);
      std::printf("\n");
    }
    std::printf("  %-28s %8.1f us  %5.1f %% (the rest: shuffling, batch gather, grad zeroing, scheduling)\n",
                "sum of stages", sum, 100 * sum / up->second);
  }

  std::map<std::string, double> cpu_us_, gflops_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  using benchmark::RegisterBenchmark;
  for (int dflt : {0, 1}) {
    RegisterBenchmark("update", update)->ArgNames({"default", "threads"})->Args({dflt, 1})->Unit(benchmark::kMicrosecond);
    RegisterBenchmark("update", update)
        ->ArgNames({"default", "threads"})
        ->Args({dflt, 2})
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime()
        ->MeasureProcessCPUTime();
  }
  using Case = std::pair<const char*, void (*)(benchmark::State&)>;
  for (const Case& c : {Case{"stage/data_term", data_term}, Case{"stage/chain_step", chain_step},
                        Case{"stage/model_term", model_term}, Case{"stage/optimizer", optimizer}})
    RegisterBenchmark(c.first, c.second)->ArgNames({"default"})->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
  for (const Case& c : {Case{"stage/centering", centering}, Case{"stage/validate_epoch", validate_epoch}})
    RegisterBenchmark(c.first, c.second)->Unit(benchmark::kMicrosecond);
  RegisterBenchmark("sgemm_peak", sgemm_peak)->Unit(benchmark::kMillisecond);
  ShareReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
}
