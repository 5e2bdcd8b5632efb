// The line-plot rasterizer of `ebm bench` (line_plot.hpp).
#include "cli/line_plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>

#include "ebm/core/error.hpp"
#include "ebm/io/png.hpp"

namespace ebm::cli {
namespace {

using Colour = std::array<std::uint8_t, 3>;

// Tableau's ten categorical colours: distinct for the usual number of samplers.
constexpr std::array<Colour, 10> palette = {{{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
                                             {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                             {188, 189, 34}, {23, 190, 207}}};

// A 3 × 5 glyph: five rows of three bits, written as five octal digits (4 = left pixel, 1 = right).
const char* glyph(char c) {
  if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  static const char* digits[] = {"75557", "26227", "71747", "71717", "55711",
                                 "74717", "74757", "71222", "75757", "75717"};
  static const char* letters[] = {"25755", "65656", "34443", "65556", "74647", "74644", "34553", "55755", "72227",
                                  "11152", "55655", "44447", "57755", "65555", "25552", "65644", "25563", "65655",
                                  "34216", "72222", "55557", "55552", "55775", "55255", "55222", "71247"};
  if (c >= '0' && c <= '9') return digits[c - '0'];
  if (c >= 'a' && c <= 'z') return letters[c - 'a'];
  switch (c) {
    case '.': return "00002";
    case '-': return "00700";
    case '+': return "02720";
    case ':': return "02020";
    case '/': return "11244";
    case '(': return "24442";
    case ')': return "21112";
    case '=': return "07070";
    case '_': return "00007";
    case ',': return "00024";
    case '^': return "25000";
    case '*': return "05250";
    default: return "00000";
  }
}

class Canvas {
public:
  Canvas(Index w, Index h) : w_(w), h_(h), rgb_(std::size_t(w * h * 3), 255) {}
  void set(Index x, Index y, Colour c) {
    if (x < 0 || y < 0 || x >= w_ || y >= h_) return;
    std::uint8_t* p = &rgb_[std::size_t((y * w_ + x) * 3)];
    p[0] = c[0], p[1] = c[1], p[2] = c[2];
  }
  void rect(Index x0, Index y0, Index x1, Index y1, Colour c) {
    for (Index y = y0; y <= y1; ++y)
      for (Index x = x0; x <= x1; ++x) set(x, y, c);
  }
  // Bresenham, two pixels thick.
  void line(Index x0, Index y0, Index x1, Index y1, Colour c, int thick = 2) {
    const Index dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    Index err = dx + dy;
    for (;;) {
      for (int a = 0; a < thick; ++a)
        for (int b = 0; b < thick; ++b) set(x0 + a, y0 + b, c);
      if (x0 == x1 && y0 == y1) break;
      const Index e2 = 2 * err;
      if (e2 >= dy) err += dy, x0 += sx;
      if (e2 <= dx) err += dx, y0 += sy;
    }
  }
  static constexpr Index scale = 2, advance = 4 * scale, text_height = 5 * scale;
  void text(Index x, Index y, const std::string& s, Colour c = {0, 0, 0}) {
    for (char ch : s) {
      const char* g = glyph(ch);
      for (Index row = 0; row < 5; ++row)
        for (Index col = 0; col < 3; ++col)
          if (((g[row] - '0') >> (2 - col)) & 1) rect(x + col * scale, y + row * scale, x + col * scale + scale - 1,
                                                        y + row * scale + scale - 1, c);
      x += advance;
    }
  }
  static Index text_width(const std::string& s) { return Index(s.size()) * advance; }
  void blit(const Canvas& other, Index x0) {
    for (Index y = 0; y < other.h_; ++y)
      for (Index x = 0; x < other.w_; ++x) {
        const std::uint8_t* p = &other.rgb_[std::size_t((y * other.w_ + x) * 3)];
        set(x0 + x, y, {p[0], p[1], p[2]});
      }
  }
  const std::vector<std::uint8_t>& rgb() const { return rgb_; }

private:
  Index w_, h_;
  std::vector<std::uint8_t> rgb_;
};

struct Axis {
  bool log;
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  bool shows(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double t(double v) const { return log ? std::log10(v) : v; }
  void include(double v) {
    if (!shows(v)) return;
    lo = std::min(lo, t(v));
    hi = std::max(hi, t(v));
  }
  void finish() {
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) lo -= log ? 0.5 : std::max(1.0, std::abs(lo)) * 0.05, hi += log ? 0.5 : std::max(1.0, std::abs(hi)) * 0.05;
  }
  double frac(double v) const { return (t(v) - lo) / (hi - lo); }
  // Tick positions in data units, with labels.
  std::vector<std::pair<double, std::string>> ticks() const {
    std::vector<std::pair<double, std::string>> out;
    char buf[32];
    if (log) {
      const int first = int(std::ceil(lo - 1e-9)), last = int(std::floor(hi + 1e-9));
      const int stride = std::max(1, (last - first) / 6 + 1);
      for (int k = first; k <= last; k += stride) {
        std::snprintf(buf, sizeof buf, "1e%d", k);
        out.emplace_back(std::pow(10.0, k), buf);
      }
      if (out.empty()) {  // less than a decade: the two ends
        for (double e : {lo, hi}) {
          std::snprintf(buf, sizeof buf, "%.3g", std::pow(10.0, e));
          out.emplace_back(std::pow(10.0, e), buf);
        }
      }
      return out;
    }
    const double raw = (hi - lo) / 5, mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
      std::snprintf(buf, sizeof buf, "%.4g", std::abs(v) < 1e-12 * step ? 0.0 : v);
      out.emplace_back(v, buf);
    }
    return out;
  }
};

Canvas draw_panel(const PlotPanel& p, Index w, Index h) {
  Canvas c(w, h);
  Axis ax{p.log_x}, ay{p.log_y};
  for (const auto& s : p.series)
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k)
      if (ax.shows(s.x[k]) && ay.shows(s.y[k])) ax.include(s.x[k]), ay.include(s.y[k]);
  ax.finish();
  ay.finish();
  const Index left = 90, right = w - 20, top = 40, bottom = h - 60;
  const Colour grey{200, 200, 200}, black{0, 0, 0};
  auto px = [&](double v) { return left + Index(std::lround(ax.frac(v) * double(right - left))); };
  auto py = [&](double v) { return bottom - Index(std::lround(ay.frac(v) * double(bottom - top))); };
  for (const auto& [v, label] : ax.ticks()) {
    const Index x = px(v);
    c.line(x, top, x, bottom, grey, 1);
    c.text(x - Canvas::text_width(label) / 2, bottom + 8, label);
  }
  for (const auto& [v, label] : ay.ticks()) {
    const Index y = py(v);
    c.line(left, y, right, y, grey, 1);
    c.text(left - 8 - Canvas::text_width(label), y - Canvas::text_height / 2, label);
  }
  c.line(left, top, right, top, black, 1);
  c.line(left, bottom, right, bottom, black, 1);
  c.line(left, top, left, bottom, black, 1);
  c.line(right, top, right, bottom, black, 1);
  c.text((w - Canvas::text_width(p.title)) / 2, 4, p.title);
  c.text((left + right - Canvas::text_width(p.x_label)) / 2, bottom + 30, p.x_label);
  c.text(left, top - 16, p.y_label);
  for (std::size_t k = 0; k < p.series.size(); ++k) {
    const auto& s = p.series[k];
    const Colour col = palette[k % palette.size()];
    bool have = false;
    Index x0 = 0, y0 = 0;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!ax.shows(s.x[i]) || !ay.shows(s.y[i])) {
        have = false;
        continue;
      }
      const Index x1 = px(s.x[i]), y1 = py(s.y[i]);
      if (have) c.line(x0, y0, x1, y1, col);
      x0 = x1, y0 = y1, have = true;
    }
    const Index ly = top + 8 + Index(k) * (Canvas::text_height + 6);
    Index lw = 0;
    for (const auto& t : p.series) lw = std::max(lw, Canvas::text_width(t.label));
    const Index lx = right - lw - 30;
    c.rect(lx, ly + 2, lx + 14, ly + Canvas::text_height - 3, col);
    c.text(lx + 20, ly, s.label);
  }
  return c;
}

}  // namespace

void write_line_plot(const std::string& path, const std::vector<PlotPanel>& panels, Index panel_width,
                     Index panel_height) {
  ensure(!panels.empty(), "write_line_plot: no panels for '", path, "'");
  Canvas all(panel_width * Index(panels.size()), panel_height);
  for (std::size_t k = 0; k < panels.size(); ++k)
    all.blit(draw_panel(panels[k], panel_width, panel_height), Index(k) * panel_width);
  write_png_rgb(path, all.rgb(), panel_width * Index(panels.size()), panel_height);
}

}  // namespace ebm::cli
