// `ebm filters`: the weights of the first hidden units as square image tiles.
#include <cmath>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rbm_file.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/png.hpp"

namespace ebm::cli {
namespace {
struct FilterArgs {
  std::string model, png;
  Index count = 100;
};
}  // namespace

void add_filters(CLI::App& app) {
  auto a = std::make_shared<FilterArgs>();
  CLI::App* c = app.add_subcommand("filters", "picture of the first hidden units' weights");
  c->add_option("--model", a->model, "model file")->required();
  c->add_option("--png", a->png, "output picture")->required();
  c->add_option("--count", a->count, "number of hidden units shown")->capture_default_str();
  c->callback([a] {
    const BernoulliRBMf rbm = rbm_of(load_model_file(a->model));
    ensure(a->count > 0, "--count = ", a->count, " must be positive");
    const Index side = Index(std::lround(std::sqrt(double(rbm.num_visible()))));
    ensure(side * side == rbm.num_visible(), "filters: ", rbm.num_visible(), " visible units are not a square image");
    const Index n = std::min(a->count, rbm.num_hidden());
    const Matrixf tiles = rbm.W().leftCols(n).transpose();
    write_png_grid(a->png, tiles, TileGrid{side, side, 10, 1, 2, true});
    std::printf("wrote %ld filters to %s\n", long(n), a->png.c_str());
  });
}

}  // namespace ebm::cli
