// Smoke test: CD-1 training on a tiny RBM moves the exact log-likelihood up.
#include <catch2/catch.hpp>

#include "ebm/ebm.hpp"

using namespace ebm;

TEST_CASE("CD-1 raises the exact training log-likelihood (reproducibility placeholder)", "[train][smoke]") {
  BernoulliRBMd truth(8, 4);
  Rng rng = make_stream(3, StreamPurpose::init, 0);
  truth.init_normal(rng, 1.5);
  const Matrixd train = exact_sample_visible(truth, 500, 1);
  BernoulliRBMd model(8, 4);
  model.init_normal(rng, 0.01);
  const double before = exact_log_likelihood(model, train);
  TrainOptions opt;
  opt.batch_size = 10;
  opt.epochs = 10;
  opt.learning_rate = 0.05;
  ContrastiveDivergence<BlockGibbs<BernoulliRBMd>> cd(BlockGibbs<BernoulliRBMd>{}, 1, 5);
  Trainer trainer(model, cd, opt);
  trainer.fit(train);
  CHECK(exact_log_likelihood(model, train) > before + 0.1);
}
