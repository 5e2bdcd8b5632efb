#pragma once
// A stack of 3 × 3 convolutions (stride 1, "same", a dilation each, ReLU or swish) ending in a 1 × 1
// convolution to L output channels with no activation: per-pixel L-vectors, e.g. the unary energies of a
// grid CRF (crf/conv_unary.hpp). Each pixel's output sees 1 + 2·Σ dilations pixels across (receptive_field()),
// so dilations 1, 2, 4, 8 see 31: a whole MNIST digit.
//
// θ = [M₁, …, M_n, M_out (weights, layer by layer), b₁, …, b_n, b_out (biases)]: weights first, so weight decay
// (the leading num_weights() parameters) leaves the biases alone. M_l is K_l × C_l row-major (conv2d.hpp).
// forward() and backward() work on one image with everything in a Workspace (sized on first use, then no
// allocation); conv_batch.hpp runs a batch in parallel with a fixed reduction order.
#include <string>
#include <utility>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/conv2d.hpp"

namespace ebm {

template <class S>
class ConvNet {
public:
  using Scalar = S;

  // Activations of every layer (kept from forward for backward) and the scratch of one image.
  struct Workspace {
    std::vector<std::vector<S>> z, a;  // per layer, h·w × C_l (z only where the activation needs it)
    std::vector<S> col, dcol;          // h·w × K of the widest layer
    std::vector<S> da, da_next;        // ∂L/∂a of the current layer and of its input, h·w × the widest C
    detail::GemmWorkspace<S> gemm;
  };

  ConvNet() = default;
  // channels[i] and dilations[i]: the i-th 3 × 3 layer; then a 1 × 1 layer to `outputs` channels.
  ConvNet(Index in_channels, const std::vector<Index>& channels, const std::vector<Index>& dilations, Index outputs,
          ConvActivation act) {
    ensure(channels.size() == dilations.size(), "ConvNet: ", channels.size(), " layer widths but ", dilations.size(),
           " dilations (one per 3 x 3 layer)");
    ensure(act != ConvActivation::identity, "ConvNet: hidden layers need a nonlinearity (relu or swish)");
    Index in = in_channels;
    for (std::size_t i = 0; i < channels.size(); ++i) {
      layers_.emplace_back(in, channels[i], 3, dilations[i], act);
      in = channels[i];
    }
    layers_.emplace_back(in, outputs, 1, 1, ConvActivation::identity);
    for (const auto& l : layers_) {
      weight_offset_.push_back(num_weights_);
      num_weights_ += l.num_weights();
    }
    Index b = num_weights_;
    for (const auto& l : layers_) {
      bias_offset_.push_back(b);
      b += l.num_biases();
    }
    num_params_ = b;
  }

  const std::vector<Conv2d<S>>& layers() const { return layers_; }
  Index in_channels() const { return layers_.front().in_channels(); }
  Index outputs() const { return layers_.back().out_channels(); }
  Index num_weights() const { return num_weights_; }
  Index num_params() const { return num_params_; }
  Index receptive_field() const {
    Index r = 1;
    for (const auto& l : layers_) r += 2 * l.reach();
    return r;
  }
  double forward_flops(Index h, Index w) const {
    double f = 0;
    for (const auto& l : layers_) f += l.forward_flops(h, w);
    return f;
  }
  // Weight and input products: twice the forward's (the first layer's input product is skipped).
  double backward_flops(Index h, Index w) const {
    return 2 * forward_flops(h, w) - layers_.front().forward_flops(h, w);
  }
  std::string param_name(Index k) const {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const auto& l = layers_[i];
      const std::string name = "conv" + std::to_string(i + 1);
      if (k >= weight_offset_[i] && k < weight_offset_[i] + l.num_weights()) {
        const Index r = (k - weight_offset_[i]) / l.out_channels(), o = (k - weight_offset_[i]) % l.out_channels();
        return name + " W(tap " + std::to_string(r / l.in_channels()) + ", in " + std::to_string(r % l.in_channels()) +
               ", out " + std::to_string(o) + ")";
      }
      if (k >= bias_offset_[i] && k < bias_offset_[i] + l.num_biases())
        return name + " b(" + std::to_string(k - bias_offset_[i]) + ")";
    }
    return "conv parameter " + std::to_string(k) + " (out of range)";
  }

  // He-normal hidden weights (N(0, 2/K)), the output layer's N(0, scale²/K), zero biases.
  void init(S* theta, Rng& rng, S output_scale) const {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const auto& l = layers_[i];
      const bool last = i + 1 == layers_.size();
      const S sd = (last ? output_scale : S(std::sqrt(2.0))) / std::sqrt(S(l.depth()));
      for (Index k = 0; k < l.num_weights(); ++k) theta[weight_offset_[i] + k] = sd * standard_normal<S>(rng);
    }
    for (Index k = num_weights_; k < num_params_; ++k) theta[k] = 0;
  }

  // Sizes ws for h × w images (allocates only when it grows).
  void reserve(Index h, Index w, Workspace& ws) const {
    const Index n = h * w;
    Index widest_k = 0, widest_c = in_channels();
    ws.z.resize(layers_.size());
    ws.a.resize(layers_.size());
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const auto& l = layers_[i];
      grow(ws.a[i], n * l.out_channels());
      if (l.keeps_z()) grow(ws.z[i], n * l.out_channels());
      widest_k = std::max(widest_k, l.kernel() == 3 ? l.depth() : 0);
      widest_c = std::max(widest_c, l.out_channels());
    }
    grow(ws.col, n * widest_k);
    grow(ws.dcol, n * widest_k);
    grow(ws.da, n * widest_c);
    grow(ws.da_next, n * widest_c);
  }

  // The output (h·w × outputs(), row-major) of the image x (h·w × in_channels(), row-major), in ws.
  Eigen::Map<const MatrixX<S>> forward(const S* theta, const S* x, Index h, Index w, Workspace& ws) const {
    reserve(h, w, ws);
    const S* in = x;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      layers_[i].forward(theta + weight_offset_[i], theta + bias_offset_[i], in, h, w, ws.col.data(), ws.z[i].data(),
                         ws.a[i].data(), ws.gemm);
      in = ws.a[i].data();
    }
    return output(h, w, ws);
  }
  Eigen::Map<const MatrixX<S>> output(Index h, Index w, const Workspace& ws) const {
    return {ws.a.back().data(), h * w, outputs()};
  }

  // grad += ∂/∂θ Σ_{p,l} g(p, l) out(p, l) for the image forward() last saw in ws; g is h·w × outputs()
  // row-major. dx, when not null, is set to ∂/∂x of the same sum (h·w × in_channels()).
  void backward(const S* theta, const S* x, Index h, Index w, Workspace& ws, const S* g, S* grad, S* dx = nullptr) const {
    const Index n = h * w;
    std::copy_n(g, n * outputs(), ws.da.data());
    for (std::size_t i = layers_.size(); i-- > 0;) {
      const auto& l = layers_[i];
      const S* in = i == 0 ? x : ws.a[i - 1].data();
      S* d_in = i == 0 ? dx : ws.da_next.data();
      l.backward(theta + weight_offset_[i], in, h, w, ws.z[i].data(), ws.a[i].data(), ws.da.data(), ws.col.data(),
                 ws.dcol.data(), grad + weight_offset_[i], grad + bias_offset_[i], d_in, ws.gemm);
      std::swap(ws.da, ws.da_next);  // swaps the buffers, not their contents
    }
  }

private:
  static void grow(std::vector<S>& v, Index n) {
    if (Index(v.size()) < n) v.resize(std::size_t(n));
  }

  std::vector<Conv2d<S>> layers_;
  std::vector<Index> weight_offset_, bias_offset_;
  Index num_weights_ = 0, num_params_ = 0;
};

}  // namespace ebm
