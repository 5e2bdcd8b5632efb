#pragma once
// PNG pictures (libpng): a grey grid of image tiles, e.g. RBM filters or samples, and plain RGB pictures
// (e.g. label images in a colour palette).
#include <cstdint>
#include <string>
#include <vector>

#include "ebm/core/types.hpp"

namespace ebm {

struct TileGrid {
  Index tile_rows = 28, tile_cols = 28;  // pixels of one tile
  Index columns = 10;                    // tiles per row of the grid
  Index border = 1;                      // pixels between tiles
  Index scale = 2;                       // every pixel becomes scale × scale
  bool normalize_each = false;           // stretch every tile to [0, 1] (weights); else values are in [0, 1]
};

// One tile per row of `tiles` (each row has tile_rows·tile_cols values).
void write_png_grid(const std::string& path, const Matrixf& tiles, const TileGrid& grid);

// An RGB picture: rgb holds height rows of width pixels of 3 bytes (r, g, b).
void write_png_rgb(const std::string& path, const std::vector<std::uint8_t>& rgb, Index width, Index height);

}  // namespace ebm
