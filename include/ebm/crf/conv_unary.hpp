#pragma once
// Convolutional unary energies of a grid CRF: U (sites × L) = ConvNet(Φ; θ_u), the per-pixel output of a stack
// of 3 × 3 (dilated) convolutions and a final 1 × 1 convolution to L channels (models/conv_net.hpp), reading
// the site features Φ (sites × F, row-major: an h × w image with F channels) as the network's input. With
// patch features of radius 0 and no pooling Φ is the image itself and the network learns its own features.
// Same interface as LinearUnary and MlpUnary (crf/unary.hpp), so GridCrf<ConvUnary<S>> is a conditional model
// like the others: Gibbs, PCD, prediction, piecewise and pseudo-likelihood training work unchanged.
#include <string>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/conv_net.hpp"

namespace ebm {

template <class S>
class ConvUnary {
public:
  using Scalar = S;
  // The activations of the context's image, kept from forward for backward.
  struct Scratch {
    typename ConvNet<S>::Workspace ws;
  };

  ConvUnary() = default;
  ConvUnary(Index height, Index width, Index features, const std::vector<Index>& channels,
            const std::vector<Index>& dilations, int labels, ConvActivation act = ConvActivation::relu)
      : h_(height), w_(width), net_(features, channels, dilations, labels, act) {
    ensure(height > 0 && width > 0, "ConvUnary: image ", height, " x ", width, " must be non-empty");
    ensure(labels >= 2, "ConvUnary: labels = ", labels, " must be at least 2");
  }

  const ConvNet<S>& net() const { return net_; }
  Index features() const { return net_.in_channels(); }
  int labels() const { return int(net_.outputs()); }
  // The widest hidden layer (reported beside the MLP's hidden units).
  Index hidden() const {
    Index m = 0;
    for (const auto& l : net_.layers()) m = std::max(m, l.kernel() == 3 ? l.out_channels() : 0);
    return m;
  }
  Index num_params() const { return net_.num_params(); }
  Index num_weights() const { return net_.num_weights(); }
  std::string param_name(Index k) const { return "unary " + net_.param_name(k); }
  void init(S* theta, Rng& rng, S scale) const { net_.init(theta, rng, scale); }

  void forward(const S* theta, const MatrixX<S>& phi, MatrixX<S>& u, Scratch& sc) const {
    check_shape(phi);
    u = net_.forward(theta, phi.data(), h_, w_, sc.ws);  // same size every call: no allocation once sized
  }
  void backward(const S* theta, const MatrixX<S>& phi, Scratch& sc, const MatrixX<S>& g, S* grad) const {
    check_shape(phi);
    net_.backward(theta, phi.data(), h_, w_, sc.ws, g.data(), grad);
  }

private:
  void check_shape(const MatrixX<S>& phi) const {
    ensure(phi.rows() == h_ * w_ && phi.cols() == features(), "ConvUnary: features are ", phi.rows(), " x ",
           phi.cols(), ", the network expects ", h_ * w_, " sites (", h_, " x ", w_, ") x ", features());
  }

  Index h_ = 0, w_ = 0;
  ConvNet<S> net_;
};

}  // namespace ebm
