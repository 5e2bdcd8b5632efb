// End to end on a toy density: an MLP energy trained on 8 Gaussians with replay-buffer chains, MALA and Adam,
// its test NLL computed exactly (quadrature on the box [−4, 4]²).
//
// Two checks, neither tuned to the run:
//  * a lower bound that any correctly normalized model obeys: NLL_model − NLL_true is the test mean of
//    log p(x)/q(x), whose expectation is KL(p‖q) ≥ 0 (p puts less than 1e-80 of its mass outside the box, 10σ
//    from every centre); so NLL_model > NLL_true − 4 SE, SE = sd(log p − log q)/√n. A wrong log Z (cell
//    area, grid offset) would break it;
//  * it learned the modes: its NLL is below that of the best single Gaussian (the moment-matched one,
//    normalized on the same box), 3.54 nats, far above the true 1.70. Measured: 1.95 nats after
//    the 20 epochs (50 updates each) run here.
#include <catch2/catch.hpp>

#include <cmath>

#include "ebm/data/toy2d.hpp"
#include "ebm/ebm.hpp"
#include "ebm/models/mlp_energy.hpp"
#include "ebm/samplers/replay_buffer.hpp"

using namespace ebm;

TEST_CASE("MLP energy on 8 Gaussians: exact test NLL between the truth and the best single Gaussian", "[toy2d][mlp]") {
  const Matrixd train = toy2d_sample(Toy2d::eight_gaussians, 5000, 1);
  const Matrixd test = toy2d_sample(Toy2d::eight_gaussians, 2000, 2);
  const Grid2d grid{-4, 4, 200};

  MlpEnergyd mlp(2, {64, 64}, Activation::swish);
  Rng rng = make_stream(3, StreamPurpose::init, 0);
  mlp.init_normal(rng);
  ReplayBuffer<Mala<MlpEnergyd>> chains(Mala<MlpEnergyd>(0.02, Box{-4, 4, BoxMode::reflect}), 100, 5000, 20, 4,
                                        uniform_box_initializer<double>(-4, 4));
  TrainOptions opt;
  opt.batch_size = 100;
  opt.epochs = 20;
  opt.learning_rate = 3e-3;
  opt.seed = 5;
  Trainer trainer(mlp, chains, opt, Adam<double>());
  trainer.add_transform(EnergyMagnitudePenalty(0.1));
  trainer.fit(train);

  Vectord log_p(test.rows()), e(test.rows());
  toy2d_log_density(Toy2d::eight_gaussians, test, log_p);
  mlp.energy(test, e);
  const double log_z = log_partition_on_grid(mlp, grid);
  const Eigen::ArrayXd log_ratio = log_p.array() + e.array() + log_z;  // log p − log q per test point
  const double nll_model = e.mean() + log_z, nll_true = -log_p.mean();
  const double se = std::sqrt((log_ratio - log_ratio.mean()).square().sum() / double(test.rows() - 1) /
                              double(test.rows()));

  const Vectord mean = train.colwise().mean().transpose();
  const Matrixd centered = train.rowwise() - mean.transpose();
  const GaussianEnergyd gaussian =
      GaussianEnergyd::from_covariance(mean, centered.transpose() * centered / double(train.rows()));
  const double nll_gaussian = toy2d_nll(gaussian, test, grid);

  INFO("NLL: model " << nll_model << ", true " << nll_true << " (SE of the difference " << se
                     << "), single Gaussian " << nll_gaussian);
  CHECK(nll_model > nll_true - 4 * se);
  CHECK(nll_model < nll_gaussian);
  // The stated margin to the truth: 0.5 nats. What is left after 1,000 Adam updates of a 64-64 MLP is mostly
  // the modes' width (the energy's smoothness at this size and training length) and the α·E² regularizer
  // flattening the density; 0.5 nats is a fifth of the single Gaussian's gap (1.84 nats) and twice what was
  // measured (0.25), so a model that learned the modes passes and one that blurs them does not.
  CHECK(nll_model < nll_true + 0.5);
}
