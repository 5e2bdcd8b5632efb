// `ebm export` / `ebm import`: the parameters as NumPy files. A Bernoulli RBM: W.npy (nv x nh), b.npy (nv),
// c.npy (nh). An MLP energy: meta.json, W0.npy, b0.npy, W1.npy, …, base.npy (cli/mlp_npy.hpp).
#include <filesystem>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/mlp_npy.hpp"
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
  CLI::App* c = app.add_subcommand("export", "write W.npy, b.npy, c.npy (an RBM) or meta.json, W0.npy, b0.npy, … "
                                                "(an MLP energy)");
  c->add_option("--model", e->model, "model file")->required();
  c->add_option("--npy", e->dir, "output folder")->required();
  c->add_option("--dtype", e->dtype, "float32 | float64")->capture_default_str();
  c->callback([e] {
    ensure(e->dtype == "float32" || e->dtype == "float64", "--dtype '", e->dtype, "' is unknown; use float32 or float64");
    const ModelFile file = load_model_file(e->model, "");
    const NpyType t = e->dtype == "float32" ? NpyType::f32 : NpyType::f64;
    if (file.kind == "mlp_energy") {
      const MlpFileModel m = model_of<MlpFileModel>(file);
      export_mlp_npy(m, e->dir, t);
      std::printf("wrote meta.json, W0.npy … W%zu.npy, b0.npy … b%zu.npy%s (an MLP energy of %zu layers) to %s\n",
                  m.net().sizes().size() - 2, m.net().sizes().size() - 2, m.has_base() ? ", base.npy" : "",
                  m.net().sizes().size() - 1, e->dir.c_str());
      return;
    }
    ensure(file.kind == "bernoulli_rbm", "export: model file '", e->model, "' holds a model of kind '", file.kind,
           "'; --npy writes bernoulli_rbm and mlp_energy");
    const BernoulliRBMf rbm = rbm_of(file);
    std::filesystem::create_directories(e->dir);
    write_npy(e->dir + "/W.npy", rbm.W().cast<double>(), t);
    write_npy(e->dir + "/b.npy", rbm.b().cast<double>(), t, true);
    write_npy(e->dir + "/c.npy", rbm.c().cast<double>(), t, true);
    std::printf("wrote W.npy (%ld x %ld), b.npy, c.npy to %s\n", long(rbm.num_visible()), long(rbm.num_hidden()),
                e->dir.c_str());
  });

  auto i = std::make_shared<ImportArgs>();
  CLI::App* d = app.add_subcommand("import", "build a model file from W.npy, b.npy, c.npy (an RBM) or from "
                                              "meta.json, W0.npy, b0.npy, … (an MLP energy)");
  d->add_option("--npy", i->dir, "folder with W.npy, b.npy, c.npy, or with meta.json (an MLP energy)")->required();
  d->add_option("--out", i->out, "model file to write")->required();
  d->callback([i] {
    const nlohmann::json meta = nlohmann::json::object({{"imported_from", i->dir}});
    if (std::filesystem::exists(i->dir + "/meta.json")) {
      const MlpFileModel m = import_mlp_npy(i->dir);
      save_model_file(i->out, file_of(m, meta.dump()));
      std::printf("wrote %s (an MLP energy of %zu layers%s)\n", i->out.c_str(), m.net().sizes().size() - 1,
                  m.has_base() ? ", with a base term" : "");
      return;
    }
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
    save_model_file(i->out, file_of(rbm, meta.dump()));
    std::printf("wrote %s (%ld x %ld)\n", i->out.c_str(), long(W.rows()), long(W.cols()));
  });
}

}  // namespace ebm::cli
