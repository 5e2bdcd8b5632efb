// A convolutional net's forward and backward with a sized workspace allocate nothing, for one image and for a
// batch (ConvBatch: a full block and a partial one), and so neither does a CRF unary built on it.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include "ebm/core/random.hpp"
#include "ebm/models/conv_batch.hpp"

using namespace ebm;

TEST_CASE("ConvNet forward and backward with a workspace allocate nothing", "[noalloc][conv]") {
  const Index h = 16, w = 12, n = 5;
  const ConvNet<float> net(1, {8, 8}, {1, 2}, 3, ConvActivation::swish);
  Rng rng = make_stream(6, StreamPurpose::init, 0);
  VectorX<float> theta(net.num_params());
  net.init(theta.data(), rng, 1.0f);
  MatrixX<float> x(n, h * w);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = standard_normal<float>(rng);
  VectorX<float> grad = VectorX<float>::Zero(net.num_params()), dx(h * w);
  ConvNet<float>::Workspace ws;
  ConvBatch<float> batch(2);
  auto loss = [](Index, const auto& u, MatrixX<float>& g) {
    g = u;
    return 0.5 * double(u.squaredNorm());
  };
  MatrixX<float> g(h * w, 3);
  auto one = [&] {
    const auto u = net.forward(theta.data(), x.row(0).data(), h, w, ws);
    g = u;
    net.backward(theta.data(), x.row(0).data(), h, w, ws, g.data(), grad.data(), dx.data());
    batch.value_and_grad(net, theta.data(), x, h, w, loss, grad);
  };
  one();  // sizes every buffer
  const test::AllocationCounts counts = test::allocations_of(one);
  CHECK(counts.operator_new == 0);
  CHECK(counts.malloc == 0);
  CHECK(grad.allFinite());
}
