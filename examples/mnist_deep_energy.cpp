// A deep energy on MNIST (issue 12, section 4): an MLP energy with a factorized Bernoulli base term,
//
//   log p̃(x) = −net(x) + aᵀx,   a = logits of the training pixels' means,
//
// trained by maximum likelihood with a replay buffer (Du & Mordatch 2019; fresh states from the base
// distribution) or plain persistent chains, moved by DMALA (step size kept near a target acceptance while θ
// changes) or Gibbs-with-Gradients, Adam; then the test log-likelihood by the generic AIS (DMALA transitions,
// step size adapted at β = 1 first), and pictures of the buffer and of long chains.
//
// Data conventions are the RBM's (README, "MNIST"): a fresh stochastic binarization of the training images
// every epoch (binarize(…, seed, epoch)), the fixed stochastic test binarization for evaluation.
//
//   build/examples/mnist_deep_energy --epochs 20 --k 20 --out out/deep    (see scripts/deep-energy-job)
//   build/examples/mnist_deep_energy --load out/deep/theta.npy --epochs 0 --ais-betas 30000   (re-evaluate)
//
// Every option is `--name value`; --help lists them with their defaults.
#include <tbb/global_control.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ebm/data/binarize.hpp"
#include "ebm/ebm.hpp"
#include "example_options.hpp"
#include "ebm/estimate/ais_binary.hpp"
#include "ebm/models/base_term_energy.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/replay_buffer.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"
#include "ebm/io/idx.hpp"
#include "ebm/io/npy.hpp"
#include "ebm/io/png.hpp"

namespace {

using namespace ebm;
using namespace ebm::example;
using S = float;
using Energy = BaseTermEnergy<MlpEnergy<S>>;
using Tempered = TemperedBinaryEnergy<Energy>;

// The options, all `--name value`, with their defaults (the recipe of scripts/deep-energy-job overrides some).
std::map<std::string, std::string> defaults() {
  return {{"data", "data/mnist"},  {"out", "out/deep-energy"}, {"hidden", "256,256"},  {"activation", "swish"},
          {"sampler", "dmala"},    {"flips", "1"},             {"k", "20"},            {"policy", "buffer"},
          {"chains", "100"},       {"buffer", "10000"},        {"reinit", "0.05"},     {"epochs", "10"},
          {"batch", "100"},        {"lr", "1e-4"},             {"lr-final", "1"},      {"l2-energy", "1e-3"},
          {"init-gain", "1"},      {"alpha", "0.2"},           {"target", "0.574"},    {"train-limit", "-1"},
          {"seed", "1"},           {"load", ""},               {"ais-betas", "10000"}, {"ais-chains", "100"},
          {"ais-kernel", "dmala"}, {"ais-steps", "1"},         {"ais-warmup", "300"},  {"ais-seed", "1"},
          {"long-steps", "2000"},  {"threads", "0"}};
}



template <class K>
K make_kernel(const Options& o) {
  if constexpr (requires { K(0.2); }) {
    return K(o.num("alpha"));
  } else {
    return K(int(o.integer("flips")));
  }
}

// Trains with the chosen policy around kernel K; returns samples of the chains (the buffer or the persistent
// chains) for the picture.
template <class K>
MatrixX<S> train(Energy& model, const Matrixf& train_images, const Options& o, const Clock& clock) {
  TrainOptions t;
  t.batch_size = o.integer("batch");
  t.epochs = int(o.integer("epochs"));
  t.learning_rate = o.num("lr");
  t.schedule = {LearningRateSchedule::Kind::linear, o.num("lr-final")};
  t.optimizer = Optimizer::adam;
  t.seed = std::uint64_t(o.integer("seed"));
  const int k = int(o.integer("k"));
  const Index chains = o.integer("chains");
  AcceptanceTracking tracking;  // the step size follows θ (step_size_adaptation.hpp)
  tracking.target = o.num("target");
  MatrixX<S> data(train_images.rows(), train_images.cols());

  auto run = [&](auto& policy) -> MatrixX<S> {
    Trainer trainer(model, policy, t);
    // Du & Mordatch's α·E² on data and chain energies, a gradient transform after data − model term.
    if (o.num("l2-energy") > 0) trainer.add_transform(EnergyMagnitudePenalty(o.num("l2-energy")));
    for (int e = 0; e < t.epochs; ++e) {
      binarize(train_images, Binarize::stochastic, t.seed, std::uint64_t(e), data);
      double acc = 0, e_data = 0, e_model = 0;
      Index n = 0;
      VectorX<S> eb(t.batch_size);
      trainer.train_epoch(data, [&](Index done, Index total) {
        const auto& st = policy.state();
        acc += st.acceptance.mean();
        ++n;
        tracking.track(policy.kernel(), st.acceptance.mean());
        if (done % 100 == 0 || done == total) {
          // The energy gap between data and chains (net only): a diverging gap signals instability.
          model.net().energy(data.topRows(t.batch_size), eb);
          e_data = double(eb.mean());
          VectorX<S> ec(st.size());
          model.net().energy(st.x, ec);
          e_model = double(ec.mean());
          std::fprintf(stderr, "\repoch %d  %ld/%ld  acc %.3f  step %.3g  E_net data %.3f chains %.3f  ", e + 1, done,
                       total, acc / double(n), [&] {
                         if constexpr (requires { policy.kernel().step_size(); })
                           return policy.kernel().step_size();
                         else
                           return 0.0;
                       }(),
                       e_data, e_model);
        }
      });
      std::fprintf(stderr, "\n");
      std::printf("epoch %d: mean acceptance %.3f, E_net data %.3f chains %.3f, %.0f s wall, %.0f s CPU\n", e + 1,
                  acc / double(n), e_data, e_model, clock.wall(), clock.cpu());
      std::fflush(stdout);
      // θ after every epoch (overwritten), so a long run can be evaluated while it goes on or after a stop.
      write_npy(o.str("out") + "/theta-last-epoch.npy", model.params().cast<double>(), NpyType::f32, true);
    }
    if constexpr (requires { policy.buffer(); })
      return policy.buffer();
    else
      return policy.state().x;
  };
  if (o.str("policy") == "buffer") {
    ReplayBuffer<K> policy(make_kernel<K>(o), chains, o.integer("buffer"), k, t.seed,
                           base_distribution_initializer(model.base_logits()), o.num("reinit"));
    return run(policy);
  }
  ensure(o.str("policy") == "pcd", "--policy '", o.str("policy"), "': buffer or pcd");
  PersistentChains<K> policy(make_kernel<K>(o), chains, k, t.seed);
  MatrixX<S> x0(chains, model.dim());
  Rng rng = make_stream(t.seed, StreamPurpose::init, 1);
  auto init = base_distribution_initializer(model.base_logits());
  for (Index r = 0; r < chains; ++r) init(rng, std::span<S>(x0.row(r).data(), std::size_t(model.dim())));
  policy.start(model, x0);
  return run(policy);
}

// DMALA at β = 1 from the base, its step size adapted to the target acceptance; the chains then run on
// (long-chain samples). Returns the kernel for AIS.
Dmala<Tempered> adapted_dmala(const Energy& model, const Options& o, MatrixX<S>* long_chains) {
  const Tempered target(model, model.base_logits(), 1.0);
  Dmala<Tempered> kernel(o.num("alpha"));
  const Index n = 100;
  auto rng = make_chain_streams(std::uint64_t(o.integer("ais-seed")) + 1000, n);
  MatrixX<S> x0(n, model.dim());
  auto init = base_distribution_initializer(model.base_logits());
  for (Index r = 0; r < n; ++r) init(rng[std::size_t(r)], std::span<S>(x0.row(r).data(), std::size_t(model.dim())));
  BinaryChains<S> s;
  kernel.init(target, s, x0, rng);
  StepSizeWarmup w;
  w.steps = o.integer("ais-warmup");
  w.adaptation.target = o.num("target");
  const auto rep = warm_up_step_size(kernel, target, s, rng, w);
  std::printf("DMALA at beta = 1: step size %.4f after %ld warm-up steps (last acceptance %.3f)\n", rep.step_size,
              rep.steps, rep.last_acceptance_rate);
  if (long_chains) {
    double acc = 0;
    const Index steps = o.integer("long-steps");
    for (Index t = 0; t < steps; ++t) acc += kernel.step(target, s, rng).acceptance_rate;
    std::printf("long chains: %ld more DMALA steps from the base, mean acceptance %.3f\n", steps,
                steps > 0 ? acc / double(steps) : 0.0);
    *long_chains = s.x;
  }
  return kernel;
}

template <class K>
BinaryAisResult run_ais(const Energy& model, const Options& o, K kernel) {
  BinaryAisOptions a;
  a.chains = o.integer("ais-chains");
  a.num_betas = o.integer("ais-betas");
  a.steps_per_beta = o.integer("ais-steps");
  a.seed = std::uint64_t(o.integer("ais-seed"));
  BinaryAisRuns<Energy, K> runs(model, model.base_logits(), a, std::move(kernel));
  const Index piece = std::max<Index>(1, runs.num_betas() / 20);
  while (!runs.done()) {
    runs.advance(model, piece);
    std::fprintf(stderr, "\rAIS %ld/%ld  ", runs.next_beta(), runs.num_betas());
  }
  std::fprintf(stderr, "\n");
  std::fflush(stdout);
  return runs.result();
}

int run(int argc, char** argv) {
  const Options o = parse(argc, argv, "mnist_deep_energy", defaults());
  // --threads 0: oneTBB's default (all cores). Results are the same for any number.
  const Index threads = o.integer("threads");
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            threads > 0 ? std::size_t(threads) : tbb::this_task_arena::max_concurrency());
  const Clock clock;
  const std::string out = o.str("out");
  std::filesystem::create_directories(out);
  const std::string dir = o.str("data");
  Matrixf train_images = read_idx_images(dir + "/train-images-idx3-ubyte", o.integer("train-limit"));
  const Matrixf test_images = read_idx_images(dir + "/t10k-images-idx3-ubyte");
  Matrixf test(test_images.rows(), test_images.cols());
  binarize(test_images, Binarize::stochastic, test_binarization_seed, test_binarization_round, test);

  // a from the intensities' means: the expected marginals of every stochastic binarization.
  const VectorX<S> a = base_logits_from_data<S>(train_images);
  const std::string act_name = o.str("activation");
  ensure(act_name == "swish" || act_name == "softplus", "--activation '", act_name, "': swish or softplus");
  MlpEnergy<S> net(784, widths(o.str("hidden")), act_name == "swish" ? Activation::swish : Activation::softplus);
  Rng rng = make_stream(std::uint64_t(o.integer("seed")), StreamPurpose::init, 0);
  net.init_normal(rng, o.num("init-gain"));
  Energy model(std::move(net), a);
  std::printf("MLP energy 784-%s-1 (%s) with base term, %ld parameters\n", o.str("hidden").c_str(), act_name.c_str(),
              model.num_params());

  if (!o.str("load").empty()) {
    const Matrixd theta = read_npy(o.str("load"));
    ensure(theta.size() == model.num_params(), o.str("load"), ": ", theta.size(), " values for ", model.num_params(),
           " parameters");
    model.set_params(theta.reshaped().cast<S>());
    std::printf("loaded %s\n", o.str("load").c_str());
  }
  if (o.integer("epochs") > 0) {
    const std::string sampler = o.str("sampler");
    MatrixX<S> pool;
    if (sampler == "dmala")
      pool = train<Dmala<Energy>>(model, train_images, o, clock);
    else if (sampler == "gwg")
      pool = train<GibbsWithGradients<Energy>>(model, train_images, o, clock);
    else
      fail("--sampler '", sampler, "': dmala or gwg");
    const double train_wall = clock.wall(), train_cpu = clock.cpu();
    std::printf("training: %.1f min wall, %.1f min CPU\n", train_wall / 60, train_cpu / 60);
    write_npy(out + "/theta.npy", model.params().cast<double>(), NpyType::f32, true);
    std::printf("wrote %s/theta.npy\n", out.c_str());
    write_tiles(out + "/buffer.png", pool.topRows(std::min<Index>(100, pool.rows())));
  }

  const Clock eval_clock;
  MatrixX<S> long_chains;
  auto dmala = adapted_dmala(model, o, &long_chains);
  write_tiles(out + "/long-chains.png", long_chains);
  BinaryAisResult r;
  const std::string ak = o.str("ais-kernel");
  if (ak == "dmala")
    r = run_ais(model, o, dmala);
  else if (ak == "gwg")
    r = run_ais(model, o, GibbsWithGradients<Tempered>(1));
  else
    fail("--ais-kernel '", ak, "': dmala or gwg");
  const double ll = energy_mean_log_likelihood(model, test, r.log_z);
  std::printf("AIS (%s, %ld chains, %ld betas, %ld steps per beta, mean acceptance %.3f): log Z = %.3f +- %.3f, "
              "3-sigma [%.3f, %.3f], weight ESS %.1f\n",
              ak.c_str(), r.runs, r.num_betas, r.steps_per_beta, r.mean_acceptance, r.log_z, r.log_z_stderr,
              r.log_z_lower, r.log_z_upper, r.effective_sample_size);
  std::printf("mean test log-likelihood (10,000 fixed-binarized t10k images): %.3f +- %.3f nats\n", ll,
              r.log_z_stderr);
  std::printf("evaluation: %.1f min wall, %.1f min CPU\n", eval_clock.wall() / 60, eval_clock.cpu() / 60);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const ebm::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
