#pragma once
// An H × W grid of sites with 4-neighbours, site s = i·W + j (row-major, like an image). Its two colours
// (i + j even / odd) are the checkerboard: every neighbour of a site has the other colour, so the sites of
// one colour are conditionally independent given the rest and can be resampled as one block.
#include <array>
#include <span>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

class Grid {
public:
  Grid() = default;
  Grid(Index height, Index width) : h_(height), w_(width) {
    ensure(height > 0 && width > 0, "Grid: ", height, " × ", width, " must have positive sides");
    for (Index i = 0; i < h_; ++i)
      for (Index j = 0; j < w_; ++j) colour_sites_[std::size_t((i + j) % 2)].push_back(i * w_ + j);
  }

  Index height() const { return h_; }
  Index width() const { return w_; }
  Index sites() const { return h_ * w_; }
  std::span<const Index> sites_of_colour(int c) const { return colour_sites_[std::size_t(c)]; }

  // The neighbours of s, by direction; −1 where the grid ends.
  Index left(Index s) const { return s % w_ == 0 ? -1 : s - 1; }
  Index right(Index s) const { return s % w_ == w_ - 1 ? -1 : s + 1; }
  Index up(Index s) const { return s < w_ ? -1 : s - w_; }
  Index down(Index s) const { return s + w_ >= sites() ? -1 : s + w_; }
  // Number of edges: horizontal H·(W−1) plus vertical (H−1)·W.
  Index edges() const { return h_ * (w_ - 1) + (h_ - 1) * w_; }

private:
  Index h_ = 0, w_ = 0;
  std::array<std::vector<Index>, 2> colour_sites_;
};

}  // namespace ebm
