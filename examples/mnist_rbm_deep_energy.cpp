// A deep energy on MNIST over a trained RBM (issue 12, section 4): a product of experts
//
//   log p̃(x) = −net(x) − F(x),     F the free energy of a fixed Bernoulli RBM (e.g. scripts/main-job's PCD-5 model),
//
// (models/rbm_base_energy.hpp). The net's last layer starts at zero, so training starts exactly at the RBM and
// learns what it misses. Maximum likelihood with persistent chains moved by Metropolis–Hastings with the RBM's
// block Gibbs sweep as proposal (samplers/rbm_proposal.hpp: it mixes like block Gibbs while the net is a
// correction; gradient-informed samplers on the whole energy mix ~100× slower per evaluation on this RBM), Adam,
// Du & Mordatch's E² penalty on the net's energies. Then the test log-likelihood by AIS in two legs
// (estimate/ais_rbm_base.hpp): the RBM's AIS, then on to the full energy from the same runs, so the base RBM's
// own log-likelihood comes out of the same runs beside it (a paired comparison).
//
// Data conventions are the RBM's (README, "MNIST"): a fresh stochastic binarization of the training images every
// epoch, the fixed stochastic test binarization for evaluation, the AIS base rates from the training intensities.
//
//   build/examples/mnist_rbm_deep_energy --rbm rbm.ebm --epochs 20 --out out/rbm-deep   (see scripts/rbm-deep-energy-job)
//   build/examples/mnist_rbm_deep_energy --rbm rbm.ebm --load out/rbm-deep/theta.npy --epochs 0 --ais-betas 300000
//
// Every option is `--name value`; --help lists them with their defaults.
#include <tbb/global_control.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "ebm/data/binarize.hpp"
#include "ebm/ebm.hpp"
#include "example_options.hpp"
#include "ebm/estimate/ais_binary.hpp"
#include "ebm/estimate/ais_rbm_base.hpp"
#include "ebm/io/idx.hpp"
#include "ebm/io/model_codecs.hpp"
#include "ebm/io/npy.hpp"
#include "ebm/io/png.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/models/rbm_base_energy.hpp"
#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/rbm_proposal.hpp"
#include "ebm/samplers/step_size_adaptation.hpp"

namespace {

using namespace ebm;
using namespace ebm::example;
using S = float;
using Energy = RbmBaseEnergy<MlpEnergy<S>>;
using Kernel = RbmProposalMetropolis<Energy>;

std::map<std::string, std::string> defaults() {
  return {{"data", "data/mnist"}, {"out", "out/rbm-deep"}, {"rbm", ""},          {"hidden", "256,256"},
          {"activation", "swish"}, {"k", "5"},             {"chains", "100"},    {"epochs", "20"},
          {"batch", "100"},        {"lr", "1e-4"},         {"lr-final", "0.1"},  {"l2-energy", "1e-3"},
          {"init-gain", "1"},      {"seed", "1"},          {"load", ""},         {"ais-betas", "100000"},
          {"net-betas", "10000"},  {"ais-steps", "1"},     {"ais-chains", "100"}, {"ais-seed", "1"},
          {"train-limit", "-1"},   {"threads", "0"},       {"long-steps", "1000"}, {"sampler", "rbm-mh"}};
}

// The net's last layer (weights and bias) set to zero: E_net ≡ 0, so the model starts as the RBM.
void zero_last_layer(MlpEnergy<S>& net) {
  net.modify_params([&](VectorX<S>& t) {
    const std::string last = std::to_string(net.layers());
    for (Index k = 0; k < t.size(); ++k) {
      const std::string n = net.param_name(k);
      if (n.compare(1, last.size() + 1, last + "(") == 0) t[k] = 0;
    }
  });
}

// --sampler rbm-mh (the recipe) or dmala (discrete Langevin on the whole energy, step size kept near 0.574 as
// θ moves): the second is there to measure what the RBM proposal buys.
template <class K>
K make_kernel() {
  if constexpr (std::is_same_v<K, Kernel>)
    return K();
  else
    return K(0.2);  // DMALA's first step size; tracking moves it
}

template <class K>
MatrixX<S> train(Energy& model, const Matrixf& train_images, const Options& o, const Clock& clock) {
  TrainOptions t;
  t.batch_size = o.integer("batch");
  t.epochs = int(o.integer("epochs"));
  t.learning_rate = o.num("lr");
  t.schedule = {LearningRateSchedule::Kind::linear, o.num("lr-final")};
  t.optimizer = Optimizer::adam;
  t.seed = std::uint64_t(o.integer("seed"));
  PersistentChains<K> policy(make_kernel<K>(), o.integer("chains"), int(o.integer("k")), t.seed);
  AcceptanceTracking tracking;  // DMALA's step size follows θ; the RBM-proposal kernel has none
  Trainer trainer(model, policy, t);
  if (o.num("l2-energy") > 0) trainer.add_transform(EnergyMagnitudePenalty(o.num("l2-energy")));
  MatrixX<S> data(train_images.rows(), train_images.cols());
  VectorX<S> eb(t.batch_size), ec(o.integer("chains"));
  for (int e = 0; e < t.epochs; ++e) {
    binarize(train_images, Binarize::stochastic, t.seed, std::uint64_t(e), data);
    double acc = 0, e_data = 0, e_model = 0;
    Index n = 0;
    trainer.train_epoch(data, [&](Index done, Index total) {
      acc += policy.state().acceptance.mean();
      ++n;
      tracking.track(policy.kernel(), policy.state().acceptance.mean());
      if (done % 100 == 0 || done == total) {
        model.net().energy(data.topRows(t.batch_size), eb);
        model.net().energy(policy.state().x, ec);
        e_data = double(eb.mean());
        e_model = double(ec.mean());
        std::fprintf(stderr, "\repoch %d  %ld/%ld  acc %.3f  E_net data %.3f chains %.3f  ", e + 1, done, total,
                     acc / double(n), e_data, e_model);
      }
    });
    std::fprintf(stderr, "\n");
    std::printf("epoch %d: mean acceptance %.3f, E_net data %.3f chains %.3f, %.0f s wall, %.0f s CPU\n", e + 1,
                acc / double(n), e_data, e_model, clock.wall(), clock.cpu());
    std::fflush(stdout);
    write_npy(o.str("out") + "/theta-last-epoch.npy", model.params().cast<double>(), NpyType::f32, true);
  }
  return policy.state().x;
}

int run(int argc, char** argv) {
  const Options o = parse(argc, argv, "mnist_rbm_deep_energy", defaults());
  ensure(!o.str("rbm").empty(), "--rbm FILE (a trained Bernoulli RBM, e.g. from scripts/main-job) is required");
  const Index threads = o.integer("threads");
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                            threads > 0 ? std::size_t(threads) : tbb::this_task_arena::max_concurrency());
  const Clock clock;
  const std::string out = o.str("out");
  std::filesystem::create_directories(out);
  const std::string dir = o.str("data");
  const Matrixf train_images = read_idx_images(dir + "/train-images-idx3-ubyte", o.integer("train-limit"));
  const Matrixf test_images = read_idx_images(dir + "/t10k-images-idx3-ubyte");
  Matrixf test(test_images.rows(), test_images.cols());
  binarize(test_images, Binarize::stochastic, test_binarization_seed, test_binarization_round, test);

  BernoulliRBM<S> rbm = load_model<BernoulliRBM<S>>(o.str("rbm"));
  ensure(rbm.num_visible() == train_images.cols(), o.str("rbm"), ": ", rbm.num_visible(), " visible units for ",
         train_images.cols(), "-pixel images");
  const std::string act_name = o.str("activation");
  ensure(act_name == "swish" || act_name == "softplus", "--activation '", act_name, "': swish or softplus");
  MlpEnergy<S> net(rbm.num_visible(), widths(o.str("hidden")),
                   act_name == "swish" ? Activation::swish : Activation::softplus);
  Rng rng = make_stream(std::uint64_t(o.integer("seed")), StreamPurpose::init, 0);
  net.init_normal(rng, o.num("init-gain"));
  zero_last_layer(net);
  Energy model(std::move(net), std::move(rbm));
  std::printf("RBM base (%s, %ld hidden) x MLP energy 784-%s-1 (%s), %ld trained parameters\n", o.str("rbm").c_str(),
              model.base_rbm().num_hidden(), o.str("hidden").c_str(), act_name.c_str(), model.num_params());
  if (!o.str("load").empty()) {
    const Matrixd theta = read_npy(o.str("load"));
    ensure(theta.size() == model.num_params(), o.str("load"), ": ", theta.size(), " values for ", model.num_params(),
           " parameters");
    model.set_params(theta.reshaped().cast<S>());
    std::printf("loaded %s\n", o.str("load").c_str());
  }
  if (o.integer("epochs") > 0) {
    const std::string sampler = o.str("sampler");
    ensure(sampler == "rbm-mh" || sampler == "dmala", "--sampler '", sampler, "': rbm-mh or dmala");
    const MatrixX<S> chains = sampler == "dmala" ? train<Dmala<Energy>>(model, train_images, o, clock)
                                                 : train<Kernel>(model, train_images, o, clock);
    std::printf("training: %.1f min wall, %.1f min CPU\n", clock.wall() / 60, clock.cpu() / 60);
    write_npy(out + "/theta.npy", model.params().cast<double>(), NpyType::f32, true);
    Matrixf tiles = chains.topRows(std::min<Index>(100, chains.rows())).cast<float>();
    write_png_grid(out + "/chains.png", tiles, TileGrid{});
    std::printf("wrote %s/theta.npy, %s/chains.png\n", out.c_str(), out.c_str());
  }

  // Long chains: 100 chains from random coins, --long-steps moves of the kernel (pictures of the model itself,
  // not of the persistent chains that training dragged along).
  if (o.integer("long-steps") > 0) {
    Kernel k;
    BinaryChains<S> s;
    auto streams = make_chain_streams(std::uint64_t(o.integer("seed")) + 7, 100);
    MatrixX<S> x0(100, model.dim());
    for (Index r = 0; r < x0.rows(); ++r)
      for (Index i = 0; i < x0.cols(); ++i) x0(r, i) = S(uniform01d(streams[std::size_t(r)]) < 0.5);
    k.init(model, s, x0, streams);
    double acc = 0;
    for (Index t = 0; t < o.integer("long-steps"); ++t) acc += k.step(model, s, streams).acceptance_rate;
    Matrixf tiles = s.x.cast<float>();
    write_png_grid(out + "/long-chains.png", tiles, TileGrid{});
    std::printf("long chains: %ld moves from random coins, mean acceptance %.3f; wrote %s/long-chains.png\n",
                o.integer("long-steps"), acc / double(o.integer("long-steps")), out.c_str());
  }

  const Clock eval_clock;
  RbmBaseAisOptions a;
  a.rbm.runs = o.integer("ais-chains");
  a.rbm.num_betas = o.integer("ais-betas");
  a.rbm.seed = std::uint64_t(o.integer("ais-seed"));
  a.net_betas = o.integer("net-betas");
  a.steps_per_beta = o.integer("ais-steps");
  const VectorX<S> base = base_rate_bias(train_images);
  RbmBaseAisRuns<Energy> runs(model, base, a);
  const Index piece = std::max<Index>(1, runs.total_steps() / 50);
  while (!runs.done()) {
    runs.advance(model, piece);
    std::fprintf(stderr, "\rAIS %ld/%ld  ", runs.steps_done(), runs.total_steps());
  }
  std::fprintf(stderr, "\n");
  const RbmBaseAisResult r = runs.result();
  const double ll = energy_mean_log_likelihood(model, test, r.log_z);
  const double ll_rbm = energy_mean_log_likelihood(model.base(), test, r.rbm.log_z);
  std::printf("AIS leg 1 (RBM, %ld betas): log Z_RBM = %.3f +- %.3f, ESS %.1f; the base RBM's test log-likelihood "
              "%.3f nats\n",
              r.rbm.num_betas, r.rbm.log_z, r.rbm.log_z_stderr, r.rbm.effective_sample_size, ll_rbm);
  std::printf("AIS leg 2 (net, %ld betas, %ld moves each, acceptance %.3f): log Z = %.3f +- %.3f, ESS %.1f of %ld\n",
              r.net_betas, a.steps_per_beta, r.mean_acceptance, r.log_z, r.log_z_stderr, r.effective_sample_size,
              r.runs);
  std::printf("mean test log-likelihood (10,000 fixed-binarized t10k images): %.3f +- %.3f nats (RBM alone %.3f, "
              "gain %.3f)\n",
              ll, r.log_z_stderr, ll_rbm, ll - ll_rbm);
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
