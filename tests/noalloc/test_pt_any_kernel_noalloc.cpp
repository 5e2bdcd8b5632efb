// Parallel tempering over kernels other than block Gibbs allocates nothing per round after the first: GWG,
// DMALA and random-scan Gibbs on an MLP energy with base term (widths 20 → 32 → 1; the swap energies evaluated
// at swap time with the model's workspace, the caches re-evaluated after exchanges, the θ check of the tempering),
// and MALA on a 1-D mixture. Ladders of 35 chains: a full block of 25 and a partial one.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ebm/samplers/binary_samplers.hpp"
#include "ebm/samplers/mala.hpp"
#include "ebm/samplers/parallel_tempering.hpp"
#include "support/binary_fixtures.hpp"
#include "support/mixture_energy.hpp"

using namespace ebm;

namespace {

template <class PT, class M>
void check_rounds_allocate_nothing(const char* name, PT pt, M& model, const MatrixX<typename M::Scalar>& x0) {
  INFO(name);
  pt.start(model, x0);
  pt.advance(model);  // the first round sizes whatever a kernel sizes on first use
  for (int t = 0; t < 3; ++t) {
    if constexpr (requires { model.modify_params([](auto&) {}); })
      if (t == 2) model.modify_params([](auto& th) { th *= 1.01; });  // θ moves: caches re-evaluated
    test::AllocationCounts counts;
    std::string error;
    {
      test::NoAllocationScope scope;
      try {
        pt.advance(model);
      } catch (const std::exception& e) {
        error = e.what();
      }
      counts = scope.counts();
    }
    INFO("round " << t);
    CHECK(error == "");
    CHECK(counts.operator_new == 0);
    CHECK(counts.malloc == 0);
  }
  CHECK(pt.swap_stats().accepts[0] > 0);  // exchanges happened inside the measured rounds
}

}  // namespace

TEST_CASE("PT rounds over binary kernels allocate nothing after the first", "[noalloc][pt]") {
  using Mlp = BaseTermEnergy<MlpEnergyd>;
  using T = TemperedBinaryEnergy<Mlp>;
  Mlp model = test::mlp_with_base<double>(20, 32, 1.0, 0.5, 3);
  const auto x0 = test::random_binary<double>(35, 20, 4);
  const EnergyTempering<Mlp> tempering(model.base_logits());
  const std::vector<double> betas = linear_ladder(4, 0.5);
  using Gwg = GibbsWithGradients<T>;
  using Rsg = RandomScanGibbs<T>;
  check_rounds_allocate_nothing("GWG", ParallelTempering<Gwg>(Gwg(), 35, betas, 2, 5, tempering), model, x0);
  check_rounds_allocate_nothing("DMALA", ParallelTempering<Dmala<T>>(Dmala<T>(0.3), 35, betas, 2, 5, tempering), model,
                                x0);
  check_rounds_allocate_nothing("random-scan Gibbs", ParallelTempering<Rsg>(Rsg(), 35, betas, 2, 5, tempering), model,
                                x0);
}

TEST_CASE("PT rounds over MALA allocate nothing after the first", "[noalloc][pt]") {
  test::MixtureEnergy1d model;
  using K = Mala<TemperedBinaryEnergy<test::MixtureEnergy1d>>;
  check_rounds_allocate_nothing("MALA", ParallelTempering<K>(K(0.3), 35, geometric_ladder(4, 0.1), 2, 5), model,
                                MatrixX<double>::Constant(35, 1, 0.5));
}
