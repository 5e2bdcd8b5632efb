// Train a Bernoulli RBM on data drawn exactly from a known small RBM, then report exact log-likelihoods.
// Small enough (12 visible, 8 hidden units) that log Z is computed by enumeration, so the numbers printed
// are real log-likelihoods, not estimates: the trained model should approach the true model's values.
//
//   ./build/examples/train_small_rbm [--pcd]
#include <cstdio>
#include <cstring>

#include "ebm/ebm.hpp"

int main(int argc, char** argv) {
  using namespace ebm;
  const bool pcd = argc > 1 && std::strcmp(argv[1], "--pcd") == 0;
  try {
    // A "true" model with strong weights, and train/test sets drawn exactly from it.
    BernoulliRBMd truth(12, 8);
    Rng rng = make_stream(42, StreamPurpose::init, 0);
    truth.init_normal(rng, 1.0);
    const Matrixd train = exact_sample_visible(truth, 2000, 1);
    const Matrixd test = exact_sample_visible(truth, 2000, 2);

    // The model to learn: small random weights, visible biases from the data's marginals.
    BernoulliRBMd model(12, 8);
    model.init_normal(rng, 0.01);
    model.init_visible_bias(train);

    TrainOptions opt;
    opt.batch_size = 20;
    opt.epochs = 60;
    opt.learning_rate = 0.05;
    opt.schedule = {LearningRateSchedule::Kind::linear, 0.1};
    opt.momentum = {0.5, 0.9, 5};
    opt.seed = 7;

    auto report = [&](const EpochReport& r) {
      if (r.epoch % 10 == 0)
        std::printf("epoch %3d  train %.4f  test %.4f nats\n", r.epoch, exact_log_likelihood(model, train),
                    exact_log_likelihood(model, test));
      return true;
    };
    std::printf("%s, true model: train %.4f  test %.4f nats\n", pcd ? "PCD-1" : "CD-1",
                exact_log_likelihood(truth, train), exact_log_likelihood(truth, test));
    std::printf("initial model:      train %.4f  test %.4f nats\n", exact_log_likelihood(model, train),
                exact_log_likelihood(model, test));
    if (pcd) {
      PersistentChains<BlockGibbs<BernoulliRBMd>> chains({}, 100, 1, opt.seed);
      Trainer trainer(model, chains, opt);
      trainer.fit(train, report);
    } else {
      ContrastiveDivergence<BlockGibbs<BernoulliRBMd>> chains({}, 1, opt.seed);
      Trainer trainer(model, chains, opt);
      trainer.fit(train, report);
    }
  } catch (const ebm::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
