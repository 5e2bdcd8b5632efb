// `ebm toy`: a deep energy-based model on a 2-D toy density. An MLP energy is trained by maximum likelihood
// with MALA chains drawn from a replay buffer (Du & Mordatch 2019) and Adam; its test negative log-likelihood
// is exact up to the grid (log Z by quadrature on the box), printed next to the true density's where known.
#include <tbb/global_control.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "ebm/data/toy2d.hpp"
#include "ebm/ebm.hpp"
#include "ebm/io/png.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/samplers/replay_buffer.hpp"

namespace ebm::cli {
namespace {
struct ToyArgs {
  std::string dataset = "8gaussians", hidden = "64,64", density_png, samples_png;
  Index n_train = 5000, n_test = 2000, batch = 100, chains = 100, buffer = 5000, cells = 200;
  int epochs = 100, k = 20, threads = 0;
  double lr = 3e-3, step_size = 0.02, l2_energy = 0.1, box = 4, reinit = 0.05;
  std::uint64_t seed = 1;
  bool json = false;
};

std::vector<Index> parse_sizes(const std::string& s) {
  std::vector<Index> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    try {
      out.push_back(std::stol(part));
    } catch (const std::exception&) {
      fail("--hidden '", s, "': '", part, "' is not a layer size (use e.g. 64,64)");
    }
    ensure(out.back() > 0, "--hidden '", s, "': layer size ", out.back(), " must be positive");
  }
  ensure(!out.empty(), "--hidden '", s, "' names no layer");
  return out;
}

// A picture of a density (or a histogram) on the grid: row 0 is the top of the box (largest y).
void write_grid_png(const std::string& path, const Vectord& values, Index cells) {
  Matrixf tile(1, cells * cells);
  const double top = values.maxCoeff();
  for (Index r = 0; r < cells; ++r)
    for (Index c = 0; c < cells; ++c)
      tile(0, (cells - 1 - r) * cells + c) = top > 0 ? float(values[r * cells + c] / top) : 0.0f;
  write_png_grid(path, tile, TileGrid{cells, cells, 1, 0, 2, false});
}
}  // namespace

void add_toy(CLI::App& app) {
  auto a = std::make_shared<ToyArgs>();
  CLI::App* c = app.add_subcommand("toy", "train an MLP energy on a 2-D toy density with Langevin (replay buffer)");
  c->add_option("--dataset", a->dataset, "8gaussians | rings | checkerboard | moons")->capture_default_str();
  c->add_option("--hidden", a->hidden, "hidden layer sizes of the MLP, comma-separated")->capture_default_str();
  c->add_option("--epochs", a->epochs, "epochs")->capture_default_str();
  c->add_option("--batch", a->batch, "minibatch size")->capture_default_str();
  c->add_option("--lr", a->lr, "Adam learning rate")->capture_default_str();
  c->add_option("--chains", a->chains, "chains per update")->capture_default_str();
  c->add_option("--buffer", a->buffer, "replay buffer capacity")->capture_default_str();
  c->add_option("--reinit", a->reinit, "probability a chain restarts from uniform noise")->capture_default_str();
  c->add_option("--k", a->k, "MALA steps per update")->capture_default_str();
  c->add_option("--step-size", a->step_size, "MALA step size")->capture_default_str();
  c->add_option("--l2-energy", a->l2_energy, "energy-magnitude regularizer alpha")->capture_default_str();
  c->add_option("--box", a->box, "the box [-box, box]^2: chains reflect at its walls, log Z is integrated on it")
      ->capture_default_str();
  c->add_option("--grid", a->cells, "quadrature cells per axis")->capture_default_str();
  c->add_option("--train", a->n_train, "training points")->capture_default_str();
  c->add_option("--test", a->n_test, "test points")->capture_default_str();
  c->add_option("--seed", a->seed, "random seed")->capture_default_str();
  c->add_option("--threads", a->threads, "worker threads (0 = all cores); results do not depend on it");
  c->add_option("--png-density", a->density_png, "picture of the learned density on the box");
  c->add_option("--png-samples", a->samples_png, "picture (histogram) of the replay buffer's samples");
  c->add_flag("--json", a->json, "print one JSON object");
  c->callback([a] {
    std::unique_ptr<tbb::global_control> threads;
    if (a->threads > 0)
      threads = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, a->threads);
    const Toy2d which = parse_toy2d(a->dataset);
    ensure(a->box > 0, "--box = ", a->box, " must be positive");
    ensure(a->n_test > 0, "--test = ", a->n_test, " must be positive");
    const Matrixd train = toy2d_sample(which, a->n_train, a->seed);
    const Matrixd test = toy2d_sample(which, a->n_test, a->seed + 1);
    const Grid2d grid{-a->box, a->box, a->cells};
    grid.validate();

    MlpEnergyd mlp(2, parse_sizes(a->hidden), Activation::swish);
    Rng rng = make_stream(a->seed, StreamPurpose::init, 0);
    mlp.init_normal(rng);
    ReplayBuffer<Mala<MlpEnergyd>> chains(Mala<MlpEnergyd>(a->step_size, Box{-a->box, a->box, BoxMode::reflect}),
                                          a->chains, a->buffer, a->k, a->seed,
                                          uniform_box_initializer<double>(-a->box, a->box), a->reinit);
    TrainOptions opt;
    opt.batch_size = a->batch;
    opt.epochs = a->epochs;
    opt.learning_rate = a->lr;
    opt.seed = a->seed;
    Trainer trainer(mlp, chains, opt, Adam<double>(opt.adam));
    trainer.add_transform(EnergyMagnitudePenalty(a->l2_energy));  // Du & Mordatch's α (E²)
    trainer.fit(train, [&](const EpochReport& r) {
      if (!a->json) std::printf("epoch %3d  %6.2fs\n", r.epoch, r.seconds);
      std::fflush(stdout);
      return true;
    });

    const double nll = toy2d_nll(mlp, test, grid);
    nlohmann::json out = {{"dataset", to_string(which)}, {"test_nll", nll}, {"n_test", a->n_test},
                          {"grid_cells", a->cells}, {"box", a->box}};
    if (toy2d_has_density(which)) {
      Vectord lp(test.rows());
      toy2d_log_density(which, test, lp);
      out["true_test_nll"] = -lp.mean();
    }
    if (!a->density_png.empty()) {
      const Matrixd nodes = grid.nodes();
      Vectord e(nodes.rows());
      mlp.energy(nodes, e);
      write_grid_png(a->density_png, (-(e.array() - e.minCoeff())).exp().matrix(), a->cells);
    }
    if (!a->samples_png.empty()) {
      Vectord hist = Vectord::Zero(a->cells * a->cells);
      const Matrixd& buf = chains.buffer();
      for (Index r = 0; r < buf.rows(); ++r) {
        const auto cell = [&](double x) {
          return std::clamp(Index((x - grid.lo) / grid.cell_width()), Index{0}, a->cells - 1);
        };
        hist[cell(buf(r, 1)) * a->cells + cell(buf(r, 0))] += 1;
      }
      write_grid_png(a->samples_png, hist, a->cells);
    }
    if (a->json) {
      std::printf("%s\n", out.dump().c_str());
    } else {
      std::printf("test NLL of %s: %.4f nats (exact on the %ld x %ld grid over [-%g, %g]^2)", to_string(which).c_str(),
                  nll, long(a->cells), long(a->cells), a->box, a->box);
      if (out.contains("true_test_nll")) std::printf("; true density: %.4f nats", out["true_test_nll"].get<double>());
      std::printf("\n");
    }
  });
}

}  // namespace ebm::cli
