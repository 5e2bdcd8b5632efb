// Trains a tiny RBM for a few CD-1 updates through the installed ebm and prints its exact log Z, then steps a tiny
// deep energy over binary x with Gibbs-with-Gradients and enumerates its log Z: proof that
// the installed headers, library and CMake package work together for a downstream project. It is compiled
// without -march=native (the exported target carries no ISA flag) against a library compiled with it, and frees
// a matrix the library allocated (exact_sample_visible): Eigen's alignment must agree across that boundary.
#include <cmath>
#include <cstdio>

#include <ebm/ebm.hpp>

int main() {
  try {
    ebm::BernoulliRBMd truth(6, 4);
    ebm::Rng rng = ebm::make_stream(1, ebm::StreamPurpose::init, 0);
    truth.init_normal(rng, 1.0);
    const ebm::Matrixd data = ebm::exact_sample_visible(truth, 200, 2);

    ebm::BernoulliRBMd model(6, 4);
    model.init_normal(rng, 0.01);
    ebm::TrainOptions opt;
    opt.batch_size = 20;
    opt.epochs = 2;
    opt.learning_rate = 0.05;
    ebm::ContrastiveDivergence<ebm::BlockGibbs<ebm::BernoulliRBMd>> cd({}, 1, opt.seed);
    ebm::Trainer trainer(model, cd, opt);
    trainer.fit(data);

    const double log_z = ebm::exact_log_z(model);
    std::printf("updates %lld, exact log Z %.6f\n", static_cast<long long>(trainer.updates_done()), log_z);

    // The binary-energy side of the umbrella header: a deep energy with base term, a few Gibbs-with-Gradients
    // steps and its exact log Z by enumeration.
    using Deep = ebm::BaseTermEnergy<ebm::MlpEnergyd>;
    ebm::MlpEnergyd net(6, {8}, ebm::Activation::swish);
    net.init_normal(rng);
    const Deep deep(std::move(net), ebm::base_logits_from_data<double>(data));
    ebm::GibbsWithGradients<Deep> gwg(1);
    ebm::BinaryChains<double> chains;
    auto streams = ebm::make_chain_streams(3, 10);
    gwg.init(deep, chains, data.topRows(10), streams);
    double acceptance = 0;
    for (int t = 0; t < 5; ++t) acceptance += gwg.step(deep, chains, streams).acceptance_rate / 5;
    const double deep_log_z = ebm::exact_log_z(deep);
    std::printf("deep energy: GWG acceptance %.3f, exact log Z %.6f\n", acceptance, deep_log_z);
    return trainer.updates_done() == 20 && std::isfinite(log_z) && std::isfinite(deep_log_z) && acceptance > 0 ? 0 : 1;
  } catch (const ebm::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
