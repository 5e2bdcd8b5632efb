#pragma once
// The grid CRF, inputs, start labels and training run of the conditional-model reproducibility tests: a
// 6 × 7 grid with 4 labels (42 sites, several blocks of chains and a partial minibatch), MLP unaries, full
// pairwise table (or the contrast pairwise: the table plus an edge network).
#include "ebm/crf/grid_crf.hpp"
#include "ebm/train/trainer.hpp"
#include "support/crf_fixtures.hpp"

namespace ebm::test {

using ReproCrf = GridCrf<MlpUnary<float>>;

inline ReproCrf repro_crf(float potts, Pairwise pairwise = Pairwise::full) {
  ReproCrf crf(6, 7, PatchFeatures{1, 2, 1}, MlpUnary<float>(18, 5, 4), pairwise, 4);
  crf.init(3, 1.0f, potts);
  if (pairwise == Pairwise::contrast)  // edges that differ from the start: the edge network's output weights
    crf.modify_params([&](VectorX<float>& t) { t.segment(crf.edge_offset() + 4 * 5, 4).setConstant(0.5f); });
  return crf;
}

inline MatrixX<float> repro_images(Index n) { return random_images(n, 42, 8).cast<float>(); }

inline LabelMatrix repro_labels(Index n, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 2);
  LabelMatrix y(n, 42);
  for (Index k = 0; k < y.size(); ++k) y.data()[k] = Label(rng() % 4u);
  return y;
}

// θ after 3 epochs on 50 labelled images (batch 20, weight decay) with the given chain policy.
template <class Policy>
VectorX<float> train_repro_crf(Policy chains, float potts, std::uint64_t seed, Pairwise pairwise = Pairwise::full) {
  ReproCrf crf = repro_crf(potts, pairwise);
  const auto x = repro_images(50);
  const auto y = repro_labels(50, 4);
  TrainOptions o;
  o.batch_size = 20;
  o.epochs = 3;
  o.learning_rate = 0.05;
  o.seed = seed;
  o.weight_decay = 1e-3;
  Trainer trainer(crf, chains, o);
  trainer.fit(ConditionalData<float>(x, y));
  return crf.params();
}

}  // namespace ebm::test
