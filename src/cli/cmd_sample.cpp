// `ebm sample`: draw samples from a trained RBM by block Gibbs on many chains.
#include <tbb/global_control.h>

#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/data_source.hpp"
#include "cli/rbm_file.hpp"
#include "ebm/data/binarize.hpp"
#include "ebm/ebm.hpp"
#include "ebm/io/npy.hpp"
#include "ebm/io/png.hpp"

namespace ebm::cli {
namespace {
struct SampleArgs {
  std::string model, out = "samples.npy", png, init = "random", data_dir = "data/mnist";
  Index chains = 100, steps = 1000, burn_in = 0;
  std::uint64_t seed = 1;
  int threads = 0;
  bool means = true;
};
}  // namespace

void add_sample(CLI::App& app) {
  auto a = std::make_shared<SampleArgs>();
  CLI::App* c = app.add_subcommand("sample", "draw samples from a model with block Gibbs");
  c->add_option("--model", a->model, "model file")->required();
  c->add_option("--chains", a->chains, "independent chains")->capture_default_str();
  c->add_option("--steps", a->steps, "Gibbs sweeps after burn-in")->capture_default_str();
  c->add_option("--burn-in", a->burn_in, "sweeps discarded first")->capture_default_str();
  c->add_option("--init", a->init, "random | data (MNIST test images)")->capture_default_str();
  c->add_option("--data-dir", a->data_dir, "folder with the MNIST IDX files (for --init data)");
  c->add_option("--seed", a->seed, "random seed")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores)");
  c->add_option("--out", a->out, "samples as .npy (chains x visible, float32)")->capture_default_str();
  c->add_option("--png", a->png, "also write the samples as a picture grid (28x28 tiles)");
  c->callback([a] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    ensure(a->chains > 0, "--chains = ", a->chains, " must be positive");
    ensure(a->steps > 0, "--steps = ", a->steps, " must be positive");
    ensure(a->burn_in >= 0, "--burn-in = ", a->burn_in, " must be non-negative");
    ensure(a->init == "random" || a->init == "data", "--init '", a->init, "' is unknown; use random or data");
    const BernoulliRBMf rbm = rbm_of(load_model_file(a->model));
    Matrixf x0(a->chains, rbm.num_visible());
    if (a->init == "data") {
      const Matrixf t = load_data("mnist:test", a->data_dir, a->chains).intensities;
      ensure(t.cols() == rbm.num_visible(), "--init data: images have ", t.cols(), " pixels, the model ",
             rbm.num_visible(), " visible units");
      ensure(t.rows() == a->chains, "--init data: only ", t.rows(), " test images for ", a->chains, " chains");
      binarize(t, Binarize::threshold, 0, 0, x0);
    } else {
      Rng rng = make_stream(a->seed, StreamPurpose::init, 1);
      for (Index r = 0; r < x0.rows(); ++r)
        for (Index k = 0; k < x0.cols(); ++k) x0(r, k) = bernoulli(rng, 0.5f);
    }
    BlockGibbs<BernoulliRBMf> gibbs;
    GibbsChains<float> s;
    std::vector<Rng> rng = make_chain_streams(a->seed, a->chains);
    gibbs.init(rbm, s, x0, rng);
    for (Index t = 0; t < a->burn_in + a->steps; ++t) gibbs.step(rbm, s, rng);
    // Report E[v | h] of the last sweep: the usual noise-free picture of a binary sample.
    Matrixf pv(s.size(), rbm.num_visible());
    auto ws = rbm.make_workspace(s.size());
    rbm.visible_mean(s.h, pv, ws);
    write_npy(a->out, s.v.cast<double>(), NpyType::f32);
    if (!a->png.empty()) {
      const Index side = Index(std::lround(std::sqrt(double(rbm.num_visible()))));
      ensure(side * side == rbm.num_visible(), "--png: ", rbm.num_visible(), " visible units are not a square image");
      write_png_grid(a->png, pv, TileGrid{side, side, 10, 1, 2, false});
    }
    std::printf("wrote %ld samples after %ld sweeps to %s%s%s\n", long(a->chains), long(a->burn_in + a->steps),
                a->out.c_str(), a->png.empty() ? "" : " and ", a->png.c_str());
  });
}

}  // namespace ebm::cli
