// `ebm`: train, evaluate, sample and inspect energy-based models from the command line.
// Every failure is one line on stderr and a non-zero exit status, never a crash.
#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "ebm/core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ebm: train and sample energy-based models (RBMs on MNIST, exact and AIS log-likelihoods)"};
  app.require_subcommand(1);
  ebm::cli::add_train(app);
  ebm::cli::add_eval(app);
  ebm::cli::add_sample(app);
  ebm::cli::add_export_import(app);
  ebm::cli::add_filters(app);
  ebm::cli::add_toy(app);
  ebm::cli::add_crf(app);
  ebm::cli::add_bench(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::fprintf(stderr, "ebm: error: %s (see --help)\n", e.what());
    return e.get_exit_code();
  } catch (const ebm::Error& e) {
    std::fprintf(stderr, "ebm: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebm: internal error: %s\n", e.what());
    return 2;
  }
  return 0;
}
