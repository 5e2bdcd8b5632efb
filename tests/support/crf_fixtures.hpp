#pragma once
// Tiny grid CRFs for tests: 3 × 3 sites and 3 labels (19,683 labellings, enumerable), with random θ, and
// random input images.
#include <vector>

#include "ebm/crf/conv_unary.hpp"
#include "ebm/crf/exact_crf.hpp"
#include "ebm/crf/grid_crf.hpp"

namespace ebm::test {

using LinearCrf = GridCrf<LinearUnary<double>>;
using MlpCrf = GridCrf<MlpUnary<double>>;
using ConvCrf = GridCrf<ConvUnary<double>>;

template <class Crf>
void randomize(Crf& crf, double scale, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  VectorX<double> t(crf.num_params());
  for (Index k = 0; k < t.size(); ++k) t[k] = scale * standard_normal<double>(rng);
  crf.set_params(t);
}

// 3 × 3 grid, 3 labels, unaries linear in the 3 × 3 patch around each pixel.
inline LinearCrf tiny_linear_crf(Pairwise pairwise, std::uint64_t seed, double scale = 0.6) {
  LinearCrf crf(3, 3, PatchFeatures{1, 1, 0}, LinearUnary<double>(9, 3), pairwise);
  randomize(crf, scale, seed);
  return crf;
}

// 3 × 3 grid, 3 labels, unaries from a 4-unit MLP of the pixel and the 3 × 3 cells of the 2×-pooled image.
inline MlpCrf tiny_mlp_crf(Pairwise pairwise, std::uint64_t seed, double scale = 0.6) {
  MlpCrf crf(3, 3, PatchFeatures{0, 2, 1}, MlpUnary<double>(10, 4, 3), pairwise);
  randomize(crf, scale, seed);
  return crf;
}

// 3 × 3 grid, 3 labels, convolutional unaries on the pixel: 3 × 3 layers of 3 and 2 channels (dilations 1 and
// 2, swish: smooth, so central differences have no kinks to straddle), then 1 × 1 to the labels.
inline ConvCrf tiny_conv_crf(Pairwise pairwise, std::uint64_t seed, double scale = 0.6) {
  ConvCrf crf(3, 3, PatchFeatures{0, 1, 0}, ConvUnary<double>(3, 3, 1, {3, 2}, {1, 2}, 3, ConvActivation::swish),
              pairwise);
  randomize(crf, scale, seed);
  return crf;
}

inline MatrixX<double> random_images(Index n, Index pixels, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::user, 1);
  MatrixX<double> x(n, pixels);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = standard_normal<double>(rng);
  return x;
}

// Exact marginals p(y_s = l | x) (sites × L) from the enumerated p(y | x).
inline MatrixX<double> exact_marginals(const ExactConditional& ex, Index sites, int labels) {
  MatrixX<double> m = MatrixX<double>::Zero(sites, labels);
  std::vector<Label> y(static_cast<std::size_t>(sites));
  for (std::size_t k = 0; k < ex.prob.size(); ++k) {
    decode_labels(Index(k), labels, std::span(y));
    for (Index s = 0; s < sites; ++s) m(s, y[std::size_t(s)]) += ex.prob[k];
  }
  return m;
}

// One exact draw from p(y | x) by inverse CDF over the enumerated labellings.
inline void exact_draw(const ExactConditional& ex, int labels, Rng& rng, std::span<Label> y) {
  double u = uniform01d(rng), acc = 0;
  std::size_t k = 0;
  for (; k + 1 < ex.prob.size(); ++k)
    if ((acc += ex.prob[k]) > u) break;
  decode_labels(Index(k), labels, y);
}

// Images with labellings drawn exactly from p(y | x) of a known model, and the exact −log p(y_r | x_r) of
// every example under any model: the data and the score of the training tests.
struct Labelled {
  MatrixX<double> x;
  LabelMatrix y;
  ConditionalData<double> data() const { return {x, y}; }
};

template <class Crf>
Labelled exact_sample(const Crf& truth, Index n, std::uint64_t seed) {
  Labelled d{random_images(n, truth.input_dim(), seed), LabelMatrix(n, truth.num_sites())};
  Rng rng = make_stream(seed, StreamPurpose::user, 3);
  auto ctx = truth.make_context();
  for (Index r = 0; r < n; ++r) {
    truth.condition(d.x.row(r).transpose(), ctx);
    exact_draw(exact_conditional(truth, ctx), truth.num_labels(), rng, label_row(d.y, r));
  }
  return d;
}

template <class Crf>
std::vector<double> exact_nlls(const Crf& crf, const Labelled& d) {
  std::vector<double> out;
  auto ctx = crf.make_context();
  for (Index r = 0; r < d.x.rows(); ++r) {
    crf.condition(d.x.row(r).transpose(), ctx);
    out.push_back(crf.energy(ctx, label_row(ConstLabelRef(d.y), r)) + exact_conditional(crf, ctx).log_z);
  }
  return out;
}

}  // namespace ebm::test
