// Convolutions against their definition: a layer's output equals a direct sum over the dilated taps with zero
// padding, and backward is the derivative of forward (central differences in double: every weight, bias and
// input pixel), for dilations 1 and 2, ReLU and swish. Errors name the bad value.
#include <catch2/catch.hpp>

#include <vector>

#include "ebm/models/conv_batch.hpp"
#include "ebm/models/conv_net.hpp"
#include "support/error_matchers.hpp"

using namespace ebm;

namespace {

VectorX<double> normals(Index n, std::uint64_t seed, double scale = 1.0) {
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  VectorX<double> v(n);
  for (Index k = 0; k < n; ++k) v[k] = scale * standard_normal<double>(rng);
  return v;
}

// z(i, j, o) = b_o + Σ_{di, dj ∈ {−1,0,1}} Σ_c x(i + d·di, j + d·dj, c) M((3(di+1) + dj+1)·C_in + c, o), by loops.
MatrixX<double> direct_conv(const VectorX<double>& m, const VectorX<double>& b, const VectorX<double>& x, Index h, Index w,
                            Index in, Index out, Index d) {
  MatrixX<double> z(h * w, out);
  for (Index i = 0; i < h; ++i)
    for (Index j = 0; j < w; ++j)
      for (Index o = 0; o < out; ++o) {
        double s = b[o];
        for (Index di = -1; di <= 1; ++di)
          for (Index dj = -1; dj <= 1; ++dj) {
            const Index a = i + d * di, c2 = j + d * dj;
            if (a < 0 || a >= h || c2 < 0 || c2 >= w) continue;
            const Index tap = 3 * (di + 1) + dj + 1;
            for (Index c = 0; c < in; ++c) s += x[(a * w + c2) * in + c] * m[(tap * in + c) * out + o];
          }
        z(i * w + j, o) = s;
      }
  return z;
}

// L(θ, x) = Σ g ⊙ net(x; θ) for a fixed random g: backward's θ- and x-gradients against central differences.
void check_gradients(const ConvNet<double>& net, Index h, Index w, std::uint64_t seed) {
  VectorX<double> theta = normals(net.num_params(), seed, 0.5);
  VectorX<double> x = normals(h * w * net.in_channels(), seed + 1);
  const VectorX<double> g = normals(h * w * net.outputs(), seed + 2);
  ConvNet<double>::Workspace ws;
  const auto loss = [&] {
    const auto out = net.forward(theta.data(), x.data(), h, w, ws);
    return (out.reshaped<Eigen::RowMajor>().array() * g.array()).sum();
  };
  loss();
  VectorX<double> grad = VectorX<double>::Zero(net.num_params());
  VectorX<double> dx(x.size());
  net.backward(theta.data(), x.data(), h, w, ws, g.data(), grad.data(), dx.data());
  const double eps = 1e-6;
  for (Index k = 0; k < theta.size(); ++k) {
    const double t0 = theta[k];
    theta[k] = t0 + eps;
    const double up = loss();
    theta[k] = t0 - eps;
    const double down = loss();
    theta[k] = t0;
    INFO(net.param_name(k));
    CHECK(grad[k] == Approx((up - down) / (2 * eps)).margin(1e-6));
  }
  for (Index k = 0; k < x.size(); ++k) {
    const double x0 = x[k];
    x[k] = x0 + eps;
    const double up = loss();
    x[k] = x0 - eps;
    const double down = loss();
    x[k] = x0;
    INFO("input value " << k);
    CHECK(dx[k] == Approx((up - down) / (2 * eps)).margin(1e-6));
  }
}

}  // namespace

TEST_CASE("a 3x3 convolution equals the direct sum over its dilated taps, zero padded", "[conv]") {
  const Index h = 6, w = 7, in = 2, out = 3;
  for (Index d : {1, 2, 3}) {
    const Conv2d<double> layer(in, out, 3, d, ConvActivation::identity);
    const VectorX<double> m = normals(layer.num_weights(), 10 + std::uint64_t(d));
    const VectorX<double> b = normals(out, 20 + std::uint64_t(d));
    const VectorX<double> x = normals(h * w * in, 30 + std::uint64_t(d));
    std::vector<double> col(std::size_t(h * w * layer.depth()));
    MatrixX<double> a(h * w, out);
    detail::GemmWorkspace<double> gemm;
    layer.forward(m.data(), b.data(), x.data(), h, w, col.data(), nullptr, a.data(), gemm);
    INFO("dilation " << d);
    CHECK((a - direct_conv(m, b, x, h, w, in, out, d)).cwiseAbs().maxCoeff() < 1e-12);
  }
}

TEST_CASE("conv net backward is the derivative of forward (central differences)", "[conv]") {
  // ReLU's kinks: with these seeds no pre-activation lies within eps of 0, so the differences are smooth.
  SECTION("dilations 1, 2 with swish") { check_gradients(ConvNet<double>(2, {3, 4}, {1, 2}, 3, ConvActivation::swish), 5, 6, 1); }
  SECTION("dilations 2, 1 with relu") { check_gradients(ConvNet<double>(1, {4, 3}, {2, 1}, 2, ConvActivation::relu), 6, 5, 2); }
}

TEST_CASE("conv batch: value and gradient are the sums of the images' own", "[conv]") {
  const ConvNet<double> net(1, {3}, {2}, 2, ConvActivation::swish);
  const Index h = 5, w = 4, n = 3;
  const VectorX<double> theta = normals(net.num_params(), 3, 0.5);
  const MatrixX<double> x = normals(n * h * w, 4).reshaped<Eigen::RowMajor>(n, h * w);
  // loss_r = ½ Σ out², so g = out.
  auto loss = [](Index, const auto& out, MatrixX<double>& g) {
    g = out;
    return 0.5 * out.squaredNorm();
  };
  VectorX<double> grad = VectorX<double>::Zero(net.num_params());
  ConvBatch<double> batch(2);
  const double v = batch.value_and_grad(net, theta.data(), x, h, w, loss, grad);
  double v_ref = 0;
  VectorX<double> g_ref = VectorX<double>::Zero(net.num_params());
  ConvNet<double>::Workspace ws;
  for (Index r = 0; r < n; ++r) {
    const MatrixX<double> out = net.forward(theta.data(), x.row(r).data(), h, w, ws);
    v_ref += 0.5 * out.squaredNorm();
    net.backward(theta.data(), x.row(r).data(), h, w, ws, out.data(), g_ref.data());
  }
  CHECK(v == Approx(v_ref).epsilon(1e-12));
  CHECK((grad - g_ref).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("conv net: receptive field and errors", "[conv][errors]") {
  CHECK(ConvNet<float>(1, {8, 8, 8, 8}, {1, 2, 4, 8}, 11, ConvActivation::relu).receptive_field() == 31);
  CHECK_THROWS_WITH(ConvNet<float>(1, {8, 8}, {1}, 11, ConvActivation::relu),
                    Catch::Contains("2 layer widths but 1 dilations"));
  CHECK_THROWS_WITH(Conv2d<float>(1, 4, 3, 0, ConvActivation::relu), Catch::Contains("dilation = 0"));
  CHECK_THROWS_WITH(Conv2d<float>(1, 4, 5, 1, ConvActivation::relu), Catch::Contains("kernel = 5"));
  ConvBatch<float> batch;
  const ConvNet<float> net(1, {2}, {1}, 2, ConvActivation::relu);
  VectorX<float> theta = VectorX<float>::Zero(net.num_params()), grad = theta;
  const MatrixX<float> images = MatrixX<float>::Zero(2, 12);
  auto loss = [](Index, const auto&, MatrixX<float>&) { return 0.0; };
  CHECK_THROWS_WITH(batch.value_and_grad(net, theta.data(), images, 3, 5, loss, grad),
                    Catch::Contains("images have 12 values, expected 3 x 5 x 1"));
}
