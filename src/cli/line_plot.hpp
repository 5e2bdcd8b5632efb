#pragma once
// A small line-plot rasterizer over io/png.hpp for `ebm bench`: one or more panels, each with several series of
// (x, y) points drawn as polylines in distinct colours, log or linear axes with labelled ticks, a legend. Text
// is a built-in 3 × 5 pixel font (digits, letters shown in lower case, a little punctuation), drawn at 2×: no
// font library. Points that a log axis cannot show (≤ 0, or not finite) break the line.
#include <string>
#include <vector>

#include "ebm/core/types.hpp"

namespace ebm::cli {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
};

struct PlotPanel {
  std::string title, x_label, y_label;
  bool log_x = true, log_y = false;
  std::vector<PlotSeries> series;
};

// The panels side by side, each panel_width × panel_height pixels, into a PNG at `path`.
void write_line_plot(const std::string& path, const std::vector<PlotPanel>& panels, Index panel_width = 640,
                     Index panel_height = 440);

}  // namespace ebm::cli
