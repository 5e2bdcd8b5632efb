// A convolutional net's batch value and gradient are bit-identical on 1, 2 and 8 threads (float, several
// blocks and a partial one); another θ gives another gradient (so the comparison can fail).
#include <catch2/catch.hpp>

#include "ebm/models/conv_batch.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

constexpr Index h = 12, w = 10, n = 7;

VectorX<float> gradient(std::uint64_t seed) {
  const ConvNet<float> net(1, {6, 6}, {1, 2}, 4, ConvActivation::relu);
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  VectorX<float> theta(net.num_params());
  net.init(theta.data(), rng, 1.0f);
  for (Index k = net.num_weights(); k < net.num_params(); ++k) theta[k] = 0.1f * standard_normal<float>(rng);
  MatrixX<float> x(n, h * w);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = standard_normal<float>(rng);
  // Softmax cross-entropy against label (r + p) % 4 at pixel p: the piecewise unary loss.
  auto loss = [](Index r, const auto& u, MatrixX<float>& g) {
    double v = 0;
    g = (-u.array()).exp().matrix();
    for (Index p = 0; p < u.rows(); ++p) {
      const float z = g.row(p).sum();
      const Index y = (r + p) % 4;
      v += double(u(p, y)) + std::log(double(z));
      g.row(p) /= -z;
      g(p, y) += 1.0f;
    }
    return v;
  };
  VectorX<float> grad = VectorX<float>::Zero(net.num_params() + 1);
  ConvBatch<float> batch(2);
  grad[net.num_params()] = float(batch.value_and_grad(net, theta.data(), x, h, w, loss, grad.head(net.num_params())));
  return grad;
}

}  // namespace

TEST_CASE("conv batch value and gradient are bit-identical on 1, 2 and 8 threads", "[conv][threads]") {
  const auto ref = test::with_threads(1, [] { return gradient(3); });
  for (int t : test::thread_counts) CHECK(test::bitwise_equal(test::with_threads(t, [] { return gradient(3); }), ref));
  CHECK_FALSE(test::bitwise_equal(gradient(4), ref));
}
