#pragma once
// One 2-D convolution layer over one image, stride 1, padding "same" (zeros outside the image):
//
//   z(p, o) = b_o + Σ_{tap k} Σ_c x(p + d·δ_k, c) · M(k·C_in + c, o),   a = f(z),
//
// for a kernel of 3 × 3 taps δ_k ∈ {−1, 0, 1}² (dilation d spreads them d pixels apart) or 1 × 1. Images are
// row-major h·w × channels (HWC: a pixel's channels are contiguous, as a CRF's rows of features and unary
// energies are), so the layer is im2col + one GEMM: col (h·w × K) · M (K × C_out), K = taps · C_in. The weights
// are stored as M, K × C_out row-major, so the forward product reads them as they lie.
// Backward, from ∂L/∂a: ∂L/∂z = ∂L/∂a ⊙ f'(z); ∂L/∂M += colᵀ · ∂L/∂z; ∂L/∂b += Σ_p ∂L/∂z(p, ·);
// ∂L/∂x = col2im(∂L/∂z · Mᵀ). Every buffer is the caller's (conv_net.hpp sizes them once); within an image the
// sums run in a fixed order, so the results do not depend on threads.
#include <algorithm>
#include <cmath>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"
#include "ebm/models/gemm_workspace.hpp"

namespace ebm {

enum class ConvActivation { identity, relu, swish };

template <class S>
class Conv2d {
public:
  Conv2d() = default;
  Conv2d(Index in_channels, Index out_channels, Index kernel, Index dilation, ConvActivation act)
      : in_(in_channels), out_(out_channels), kernel_(kernel), dilation_(dilation), act_(act) {
    ensure(in_channels > 0, "Conv2d: input channels = ", in_channels, " must be positive");
    ensure(out_channels > 0, "Conv2d: output channels = ", out_channels, " must be positive");
    ensure(kernel == 1 || kernel == 3, "Conv2d: kernel = ", kernel, " must be 1 or 3");
    ensure(dilation >= 1, "Conv2d: dilation = ", dilation, " must be at least 1");
  }

  Index in_channels() const { return in_; }
  Index out_channels() const { return out_; }
  Index kernel() const { return kernel_; }
  Index dilation() const { return dilation_; }
  ConvActivation activation() const { return act_; }
  Index taps() const { return kernel_ * kernel_; }
  Index depth() const { return taps() * in_; }  // K, the rows of M
  Index num_weights() const { return depth() * out_; }
  Index num_biases() const { return out_; }
  // Multiply-adds ×2 of the forward GEMM for an h × w image; backward costs twice that.
  double forward_flops(Index h, Index w) const { return 2.0 * double(h * w) * double(depth()) * double(out_); }
  // Pixels on each side of the centre this layer reaches.
  Index reach() const { return kernel_ == 3 ? dilation_ : 0; }
  // Whether backward needs z (otherwise f' is read off a, and z need not be stored).
  bool keeps_z() const { return act_ == ConvActivation::swish; }

  // col (h·w × K, row-major) = the taps' input vectors of every pixel, zero outside the image.
  void im2col(const S* x, Index h, Index w, S* col) const {
    const Index K = depth();
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        S* out = col + (i * w + j) * K;
        for (Index k = 0; k < taps(); ++k, out += in_) {
          const Index a = i + offset(k / kernel_), b = j + offset(k % kernel_);
          if (a >= 0 && a < h && b >= 0 && b < w)
            std::copy_n(x + (a * w + b) * in_, in_, out);
          else
            std::fill_n(out, in_, S(0));
        }
      }
  }
  // dx (h·w × C_in) = the adjoint of im2col applied to dcol: each tap's entry added back to the pixel it read.
  void col2im(const S* dcol, Index h, Index w, S* dx) const {
    const Index K = depth();
    std::fill_n(dx, h * w * in_, S(0));
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        const S* in = dcol + (i * w + j) * K;
        for (Index k = 0; k < taps(); ++k, in += in_) {
          const Index a = i + offset(k / kernel_), b = j + offset(k % kernel_);
          if (a < 0 || a >= h || b < 0 || b >= w) continue;
          S* d = dx + (a * w + b) * in_;
          for (Index c = 0; c < in_; ++c) d[c] += in[c];
        }
      }
  }

  // a (h·w × C_out) = f(im2col(x) M + 1 bᵀ); z receives the pre-activation when keeps_z(). col: h·w × K scratch
  // (unused for a 1 × 1 kernel, which multiplies x itself).
  void forward(const S* m, const S* bias, const S* x, Index h, Index w, S* col, S* z, S* a,
               detail::GemmWorkspace<S>& gemm) const {
    const Index n = h * w;
    const S* lhs = x;
    if (kernel_ == 3) {
      im2col(x, h, w, col);
      lhs = col;
    }
    S* dst = keeps_z() ? z : a;
    Eigen::Map<MatrixX<S>> D(dst, n, out_);
    D.rowwise() = Eigen::Map<const RowVectorX<S>>(bias, out_);
    gemm.template multiply_add<Eigen::RowMajor, Eigen::RowMajor>(n, out_, depth(), lhs, depth(), m, out_, dst, out_, S(1));
    Eigen::Map<MatrixX<S>> A(a, n, out_);
    if (act_ == ConvActivation::relu)
      A = A.cwiseMax(S(0));
    else if (act_ == ConvActivation::swish)
      A.array() = D.array() / (S(1) + (-D.array()).exp());
  }

  // da (h·w × C_out) = ∂L/∂a on entry, ∂L/∂z on return. grad_m (K × C_out) and grad_b (C_out) are added to; dx,
  // when not null, is set to ∂L/∂x (h·w × C_in). col and dcol are h·w × K scratch (col is recomputed from x).
  void backward(const S* m, const S* x, Index h, Index w, const S* z, const S* a, S* da, S* col, S* dcol, S* grad_m,
                S* grad_b, S* dx, detail::GemmWorkspace<S>& gemm) const {
    const Index n = h * w, K = depth();
    Eigen::Map<MatrixX<S>> G(da, n, out_);
    if (act_ == ConvActivation::relu) {
      G.array() *= (Eigen::Map<const MatrixX<S>>(a, n, out_).array() > S(0)).template cast<S>();
    } else if (act_ == ConvActivation::swish) {
      const auto Z = Eigen::Map<const MatrixX<S>>(z, n, out_).array();
      const auto s = S(1) / (S(1) + (-Z).exp());
      G.array() *= s * (S(1) + Z * (S(1) - s));
    }
    Eigen::Map<VectorX<S>>(grad_b, out_) += G.colwise().sum().transpose();
    const S* lhs = x;
    if (kernel_ == 3) {
      im2col(x, h, w, col);
      lhs = col;
    }
    // colᵀ (K × n) is col read column-major.
    gemm.template multiply_add<Eigen::ColMajor, Eigen::RowMajor>(K, out_, n, lhs, K, da, out_, grad_m, out_, S(1));
    if (!dx) return;
    // Mᵀ (C_out × K) is M read column-major.
    S* dst = kernel_ == 3 ? dcol : dx;
    std::fill_n(dst, n * K, S(0));
    gemm.template multiply_add<Eigen::RowMajor, Eigen::ColMajor>(n, K, out_, da, out_, m, out_, dst, K, S(1));
    if (kernel_ == 3) col2im(dcol, h, w, dx);
  }

private:
  Index offset(Index t) const { return kernel_ == 3 ? (t - 1) * dilation_ : 0; }

  Index in_ = 1, out_ = 1, kernel_ = 3, dilation_ = 1;
  ConvActivation act_ = ConvActivation::relu;
};

}  // namespace ebm
