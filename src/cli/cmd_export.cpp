// `ebm export` / `ebm import`: the parameters as NumPy files W.npy (nv x nh), b.npy (nv), c.npy (nh).
#include <filesystem>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rbm_file.hpp"
#include "ebm/core/error.hpp"
#include "ebm/io/npy.hpp"

namespace ebm::cli {
namespace {
struct ExportArgs {
  std::string model, dir, dtype = "float32";
};
struct ImportArgs {
  std::string dir, out;
};
}  // namespace

void add_export_import(CLI::App& app) {
  auto e = std::make_shared<ExportArgs>();
  CLI::App* c = app.add_subcommand("export", "write W.npy, b.npy, c.npy");
  c->add_option("--model", e->model, "model file")->required();
  c->add_option("--npy", e->dir, "output folder")->required();
  c->add_option("--dtype", e->dtype, "float32 | float64")->capture_default_str();
  c->callback([e] {
    ensure(e->dtype == "float32" || e->dtype == "float64", "--dtype '", e->dtype, "' is unknown; use float32 or float64");
    const BernoulliRBMf rbm = rbm_of(load_model_file(e->model));
    std::filesystem::create_directories(e->dir);
    const NpyType t = e->dtype == "float32" ? NpyType::f32 : NpyType::f64;
    write_npy(e->dir + "/W.npy", rbm.W().cast<double>(), t);
    write_npy(e->dir + "/b.npy", rbm.b().cast<double>(), t, true);
    write_npy(e->dir + "/c.npy", rbm.c().cast<double>(), t, true);
    std::printf("wrote W.npy (%ld x %ld), b.npy, c.npy to %s\n", long(rbm.num_visible()), long(rbm.num_hidden()),
                e->dir.c_str());
  });

  auto i = std::make_shared<ImportArgs>();
  CLI::App* d = app.add_subcommand("import", "build a model file from W.npy, b.npy, c.npy");
  d->add_option("--npy", i->dir, "folder with W.npy, b.npy, c.npy")->required();
  d->add_option("--out", i->out, "model file to write")->required();
  d->callback([i] {
    const Matrixd W = read_npy(i->dir + "/W.npy");
    const Matrixd b = read_npy(i->dir + "/b.npy");
    const Matrixd c = read_npy(i->dir + "/c.npy");
    ensure(b.cols() == 1 && b.rows() == W.rows(), "import: b.npy has shape ", b.rows(), " x ", b.cols(),
           ", expected a vector of ", W.rows(), " (rows of W.npy)");
    ensure(c.cols() == 1 && c.rows() == W.cols(), "import: c.npy has shape ", c.rows(), " x ", c.cols(),
           ", expected a vector of ", W.cols(), " (columns of W.npy)");
    BernoulliRBMf rbm(W.rows(), W.cols());
    Vectorf theta(rbm.num_params());
    Eigen::Map<Matrixf>(theta.data(), W.rows(), W.cols()) = W.cast<float>();
    theta.segment(W.size(), W.rows()) = b.cast<float>();
    theta.tail(W.cols()) = c.cast<float>();
    rbm.set_params(theta);
    save_model_file(i->out, file_of(rbm, nlohmann::json::object({{"imported_from", i->dir}}).dump()));
    std::printf("wrote %s (%ld x %ld)\n", i->out.c_str(), long(W.rows()), long(W.cols()));
  });
}

}  // namespace ebm::cli
