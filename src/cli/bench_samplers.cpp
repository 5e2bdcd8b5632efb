// make_sampler and the list of spellings (bench_samplers.hpp); the kernels are instantiated per target type in
// bench_samplers_*.cpp.
#include <variant>

#include "cli/bench_registry.hpp"

namespace ebm::cli {

namespace bench {
extern template std::unique_ptr<SamplerRun> make_run<IsingTarget>(const SamplerSpec&, const IsingTarget&, Index,
                                                                  std::uint64_t);
extern template std::unique_ptr<SamplerRun> make_run<BernoulliTarget>(const SamplerSpec&, const BernoulliTarget&,
                                                                      Index, std::uint64_t);
extern template std::unique_ptr<SamplerRun> make_run<RbmTarget>(const SamplerSpec&, const RbmTarget&, Index,
                                                                std::uint64_t);
extern template std::unique_ptr<SamplerRun> make_run<MlpTarget>(const SamplerSpec&, const MlpTarget&, Index,
                                                                std::uint64_t);
extern template std::unique_ptr<SamplerRun> make_run<PottsTarget>(const SamplerSpec&, const PottsTarget&, Index,
                                                                  std::uint64_t);
}  // namespace bench

std::unique_ptr<SamplerRun> make_sampler(const std::string& spec, const BenchTarget& target, Index chains,
                                         std::uint64_t seed) {
  const bench::SamplerSpec s = bench::SamplerSpec::parse(spec);
  return std::visit([&](const auto& model) { return bench::make_run(s, model, chains, seed); }, target.model);
}

std::string sampler_usage() {
  std::string names;
  bench::for_each_line([&](const auto& line) {
    names += names.empty() ? "" : ", ";
    names += line.name;
  });
  return names + ", pt:NAME[:T[:beta_min]]";
}

std::string sampler_help() {
  std::string help;
  bench::for_each_line([&](const auto& line) { help += std::string("\n  ") + line.usage; });
  return help + "\n  " + bench::pt_usage;
}

}  // namespace ebm::cli
