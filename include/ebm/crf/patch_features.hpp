#pragma once
// Local features of a grey image for each pixel, the input of a grid CRF's unary energies:
//   * the (2r+1)² pixels around it (zero outside the image), and
//   * optionally, the (2r'+1)² cells around it in the image average-pooled by a factor f, which sees
//     (2r'+1)·f pixels across: a digit's class is not visible in a 7 × 7 patch, but it is in a 28-pixel one.
// Both are the same for every site (translation invariant), so a unary is a convolution of the image.
#include <algorithm>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

struct PatchFeatures {
  Index radius = 2;         // fine patch: (2r+1)² pixels
  Index pool = 1;           // > 1 adds the pooled patch
  Index pooled_radius = 0;  // pooled patch: (2r'+1)² cells

  void validate() const {
    ensure(radius >= 0, "patch features: radius = ", radius, " must be non-negative");
    ensure(pool >= 1, "patch features: pool = ", pool, " must be at least 1");
    ensure(pooled_radius >= 0, "patch features: pooled radius = ", pooled_radius, " must be non-negative");
  }
  Index count() const {
    const Index fine = (2 * radius + 1) * (2 * radius + 1);
    return pool > 1 ? fine + (2 * pooled_radius + 1) * (2 * pooled_radius + 1) : fine;
  }

  // phi (H·W × count()) from the image x (H·W values, row-major); pooled is scratch.
  template <class S>
  void compute(const S* x, Index h, Index w, MatrixX<S>& phi, MatrixX<S>& pooled) const {
    phi.resize(h * w, count());
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        S* out = phi.row(i * w + j).data();
        for (Index di = -radius; di <= radius; ++di)
          for (Index dj = -radius; dj <= radius; ++dj) {
            const Index a = i + di, b = j + dj;
            *out++ = (a >= 0 && a < h && b >= 0 && b < w) ? x[a * w + b] : S(0);
          }
      }
    if (pool == 1) return;
    const Index ph = (h + pool - 1) / pool, pw = (w + pool - 1) / pool;
    pooled.setZero(ph, pw);
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) pooled(i / pool, j / pool) += x[i * w + j];
    pooled /= S(pool * pool);
    const Index fine = (2 * radius + 1) * (2 * radius + 1);
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        S* out = phi.row(i * w + j).data() + fine;
        const Index ci = i / pool, cj = j / pool;
        for (Index di = -pooled_radius; di <= pooled_radius; ++di)
          for (Index dj = -pooled_radius; dj <= pooled_radius; ++dj) {
            const Index a = ci + di, b = cj + dj;
            *out++ = (a >= 0 && a < ph && b >= 0 && b < pw) ? pooled(a, b) : S(0);
          }
      }
  }
};

}  // namespace ebm
