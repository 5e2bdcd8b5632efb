// The samplers of `ebm bench` instantiated for the potts target (one translation unit per target type, so that
// they compile in parallel; the registry is bench_registry.hpp).
#include "cli/bench_registry.hpp"

namespace ebm::cli::bench {
template std::unique_ptr<SamplerRun> make_run<PottsTarget>(const SamplerSpec&, const PottsTarget&, Index, std::uint64_t);
}  // namespace ebm::cli::bench
