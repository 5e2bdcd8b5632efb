#pragma once
// Semantic segmentation data made from MNIST digits: each example is a C × C canvas (default 64 × 64) with
// 2 or 3 digits pasted at random positions, plus Gaussian noise; its label image says, for every pixel,
// background (0) or the class of the digit it belongs to (1 + digit, so 11 labels).
//
//   * positions are uniform over the canvas (a 28 × 28 digit box lies wholly inside it); boxes may overlap
//     partially: a position is redrawn (up to 50 times) while its box covers more than max_overlap of the box
//     area of any digit already placed, so digits touch and cross but rarely hide each other;
//   * canvas intensity = the maximum of the digits' intensities there (strokes add like ink), and the later
//     digit is on top: a pixel is labelled 1 + class of the last digit whose intensity there is > threshold
//     (0.5), or background if none;
//   * input x = canvas + N(0, σ²) noise per pixel (σ = 0.3 by default; not clipped);
//   * composite i draws everything (number of digits, which digits, positions, noise) from
//     make_stream(seed, StreamPurpose::user, i) alone: the same seed gives the same set, on any machine.
// Training composites are made from MNIST's training digits, held-out composites from its t10k digits.
#include <cstdint>
#include <vector>

#include "ebm/core/labels.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

struct CompositeOptions {
  Index canvas = 64;          // C: the canvas is C × C
  int min_digits = 2, max_digits = 3;
  double noise_sigma = 0.3;   // σ of the Gaussian noise added to every pixel
  double threshold = 0.5;     // a digit's pixel is labelled where its intensity exceeds this
  double max_overlap = 0.25;  // largest fraction of a digit box another box may cover

  void validate(Index digit_side) const;
};

struct Composites {
  Matrixf x;      // n × C², noisy intensities, row-major images
  Matrixf clean;  // n × C², the canvas before noise (for pictures)
  LabelMatrix y;  // n × C², 0 = background, 1 + class
  Index canvas = 0;
  static constexpr int labels = 11;
};

// n composites from `digits` (one square image per row, intensities in [0, 1]) with their classes (0–9).
Composites make_mnist_composites(const ConstBatchRef<float>& digits, const std::vector<int>& classes, Index n,
                                 const CompositeOptions& opt, std::uint64_t seed);

}  // namespace ebm
