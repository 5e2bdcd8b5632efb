#include "ebm/io/png.hpp"

#include <png.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/io/atomic_file.hpp"

namespace ebm {
namespace {
void append_bytes(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
}
void no_flush(png_structp) {}
// Encodes rows of `channels` bytes per pixel and writes the file atomically.
void encode_png(const std::string& path, const std::uint8_t* img, Index W, Index H, int color_type, Index channels) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  ensure(png != nullptr, "write png '", path, "': libpng init failed");
  png_infop info = png_create_info_struct(png);
  std::string bytes;
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fail("write png '", path, "': libpng failed to encode the picture");
  }
  png_set_write_fn(png, &bytes, append_bytes, no_flush);
  png_set_IHDR(png, info, png_uint_32(W), png_uint_32(H), 8, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (Index y = 0; y < H; ++y) png_write_row(png, const_cast<png_bytep>(img + y * W * channels));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  write_file_atomically(path, bytes);
}
}  // namespace

void write_png_grid(const std::string& path, const Matrixf& tiles, const TileGrid& g) {
  ensure(g.tile_rows > 0 && g.tile_cols > 0 && g.columns > 0 && g.scale > 0 && g.border >= 0,
         "write_png_grid '", path, "': invalid grid geometry");
  ensure(tiles.cols() == g.tile_rows * g.tile_cols, "write_png_grid '", path, "': tiles have ", tiles.cols(),
         " values, a ", g.tile_rows, " x ", g.tile_cols, " tile needs ", g.tile_rows * g.tile_cols);
  ensure(tiles.rows() > 0, "write_png_grid '", path, "': no tiles");
  const Index n = tiles.rows(), cols = std::min(g.columns, n), rows = (n + cols - 1) / cols;
  const Index W = (cols * (g.tile_cols + g.border) + g.border) * g.scale;
  const Index H = (rows * (g.tile_rows + g.border) + g.border) * g.scale;
  std::vector<std::uint8_t> img(std::size_t(W * H), 255);
  for (Index t = 0; t < n; ++t) {
    float lo = 0, hi = 1;
    if (g.normalize_each) {
      lo = tiles.row(t).minCoeff();
      hi = tiles.row(t).maxCoeff();
      if (hi <= lo) hi = lo + 1;
    }
    const Index oy = ((t / cols) * (g.tile_rows + g.border) + g.border) * g.scale;
    const Index ox = ((t % cols) * (g.tile_cols + g.border) + g.border) * g.scale;
    for (Index y = 0; y < g.tile_rows; ++y)
      for (Index x = 0; x < g.tile_cols; ++x) {
        const float v = std::clamp((tiles(t, y * g.tile_cols + x) - lo) / (hi - lo), 0.0f, 1.0f);
        const auto px = std::uint8_t(v * 255.0f + 0.5f);
        for (Index dy = 0; dy < g.scale; ++dy)
          for (Index dx = 0; dx < g.scale; ++dx)
            img[std::size_t((oy + y * g.scale + dy) * W + ox + x * g.scale + dx)] = px;
      }
  }
  encode_png(path, img.data(), W, H, PNG_COLOR_TYPE_GRAY, 1);
}

void write_png_rgb(const std::string& path, const std::vector<std::uint8_t>& rgb, Index width, Index height) {
  ensure(width > 0 && height > 0, "write_png_rgb '", path, "': ", width, " x ", height, " is no picture");
  ensure(Index(rgb.size()) == width * height * 3, "write_png_rgb '", path, "': ", rgb.size(), " bytes for a ", width,
         " x ", height, " RGB picture (", width * height * 3, " expected)");
  encode_png(path, rgb.data(), width, height, PNG_COLOR_TYPE_RGB, 3);
}

}  // namespace ebm
