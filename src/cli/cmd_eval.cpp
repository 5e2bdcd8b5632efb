// `ebm eval`: log Z (AIS, or exact for small models) and the mean test log-likelihood.
#include "cli/commands.hpp"

namespace ebm::cli {
void add_eval(CLI::App& app) { app.add_subcommand("eval", "evaluate (pending AIS)"); }
}  // namespace ebm::cli
