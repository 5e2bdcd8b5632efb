// Binary denoising with a grid CRF, the smallest end-to-end use of ebm's conditional models: synthetic
// 24 × 24 images of rectangles, every pixel flipped with probability 0.2, and a CRF whose unaries see only
// their own noisy pixel (a linear function of it) with one Potts weight for 4-neighbours. Trained by
// persistent per-example chains of checkerboard Gibbs, it predicts held-out images by the maximum posterior
// marginal; the unaries alone can only copy the noise.
#include <cstdio>

#include "ebm/crf/grid_crf.hpp"
#include "ebm/crf/metrics.hpp"
#include "ebm/crf/predict.hpp"
#include "ebm/data/denoising.hpp"
#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "ebm/train/trainer.hpp"

using namespace ebm;
using Crf = GridCrf<LinearUnary<float>>;

// n images of 1–3 filled rectangles (intensity 1 on 0).
Matrixf rectangles(Index n, Index side, std::uint64_t seed) {
  Matrixf x = Matrixf::Zero(n, side * side);
  for (Index i = 0; i < n; ++i) {
    Rng rng = make_stream(seed, StreamPurpose::user, std::uint64_t(i));
    const int count = 1 + int(rng() % 3u);
    for (int r = 0; r < count; ++r) {
      const Index top = rng() % (side - 6), left = rng() % (side - 6);
      const Index h = 4 + rng() % (side - top - 4), w = 4 + rng() % (side - left - 4);
      x.row(i).reshaped<Eigen::RowMajor>(side, side).block(top, left, std::min(h, side - top), std::min(w, side - left)).setOnes();
    }
  }
  return x;
}

int main() {
  const Index side = 24;
  const DenoisingData train = make_denoising(rectangles(400, side, 1), 0.2, 11);
  const DenoisingData test = make_denoising(rectangles(100, side, 2), 0.2, 12);

  // Unary U(s, l) = A_l · x_s + a_l from the pixel alone (patch radius 0); Potts weight starts at 0.5.
  Crf crf(side, side, PatchFeatures{0, 1, 0}, LinearUnary<float>(1, 2), Pairwise::potts);
  crf.init(/*seed=*/1, /*unary_scale=*/0.1f, /*potts_weight=*/0.5f);

  PerExampleChains<SiteGibbs<Crf>> chains(SiteGibbs<Crf>(SiteScan::checkerboard), train.x.rows(), /*k=*/5, /*seed=*/2);
  TrainOptions opt;
  opt.batch_size = 20;
  opt.epochs = 15;
  opt.learning_rate = 0.02;
  opt.optimizer = Optimizer::adam;
  Trainer trainer(crf, chains, opt);
  trainer.fit(ConditionalData<float>(train.x, train.y), [&](const EpochReport& r) {
    std::printf("epoch %2d  Potts weight %.3f\n", r.epoch, double(crf.params()[crf.pairwise_offset()]));
    return true;
  });

  PredictOptions po;
  po.method = PredictMethod::unary_argmin;
  const LabelMatrix unary = predict_labels(crf, test.x, po);
  po.method = PredictMethod::max_marginal;
  const LabelMatrix mpm = predict_labels(crf, test.x, po);
  std::printf("held-out pixel error: noisy input %.4f, the CRF's unaries alone %.4f, CRF (max marginal) %.4f\n",
              input_error_rate(test), 1 - score_labels(test.y, unary, 2).accuracy,
              1 - score_labels(test.y, mpm, 2).accuracy);
}
