#pragma once
// The subcommands of the `ebm` tool. Each add_* registers its options and a callback on the CLI11 app.
#include <CLI/CLI.hpp>

namespace ebm::cli {

void add_train(CLI::App& app);
void add_eval(CLI::App& app);
void add_sample(CLI::App& app);
void add_export_import(CLI::App& app);
void add_filters(CLI::App& app);
void add_toy(CLI::App& app);
void add_crf(CLI::App& app);
void add_bench(CLI::App& app);

}  // namespace ebm::cli
