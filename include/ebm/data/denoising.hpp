#pragma once
// Binary denoising data, the small example of a grid CRF: digits binarized at 0.5 (the clean labels, 0 or 1
// per pixel), each pixel flipped independently with probability q, and the noisy image given as ±1 (−1 off,
// +1 on) so that a linear unary of the pixel is symmetric in the two labels. Example i draws its flips from
// make_stream(seed, StreamPurpose::user, i) alone.
#include <cstdint>

#include "ebm/core/error.hpp"
#include "ebm/core/labels.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

struct DenoisingData {
  Matrixf x;      // n × pixels, noisy image in {−1, +1}
  LabelMatrix y;  // n × pixels, clean binary image in {0, 1}
  static constexpr int labels = 2;
};

inline DenoisingData make_denoising(const ConstBatchRef<float>& digits, double flip, std::uint64_t seed,
                                    double threshold = 0.5) {
  ensure(digits.rows() > 0, "denoising: no digit images");
  ensure(flip >= 0 && flip < 0.5, "denoising: flip probability q = ", flip, " must lie in [0, 0.5)");
  DenoisingData d;
  d.x.resize(digits.rows(), digits.cols());
  d.y.resize(digits.rows(), digits.cols());
  for (Index i = 0; i < digits.rows(); ++i) {
    Rng rng = make_stream(seed, StreamPurpose::user, std::uint64_t(i));
    for (Index p = 0; p < digits.cols(); ++p) {
      const bool on = digits(i, p) > float(threshold);
      d.y(i, p) = on ? 1 : 0;
      const bool flipped = uniform01d(rng) < flip;
      d.x(i, p) = (on != flipped) ? 1.0f : -1.0f;
    }
  }
  return d;
}

// Fraction of pixels where the noisy input (thresholded at 0) disagrees with the clean labels.
inline double input_error_rate(const DenoisingData& d) {
  Index wrong = 0;
  for (Index i = 0; i < d.x.rows(); ++i)
    for (Index p = 0; p < d.x.cols(); ++p) wrong += (d.x(i, p) > 0) != (d.y(i, p) == 1);
  return double(wrong) / double(d.x.size());
}

}  // namespace ebm
