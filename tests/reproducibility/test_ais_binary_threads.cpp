// The generic AIS's log-weights are bitwise identical on 1, 2 and 8 threads and for any split of the schedule
// into advance() calls: GWG on an MLP energy with base term (float) and DMALA on an RBM free energy (double).
// 60 chains in the kernels' blocks of 25 make two full blocks and a partial one.
#include <catch2/catch.hpp>

#include "ebm/estimate/ais_binary.hpp"
#include "ebm/samplers/discrete_langevin.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/binary_fixtures.hpp"

using namespace ebm;

namespace {

template <class M, class K>
Vectord weights(const M& model, const VectorX<typename M::Scalar>& base, const BinaryAisOptions& opt, const K& kernel,
                Index piece = 0) {
  BinaryAisRuns<M, K> runs(model, base, opt, kernel);
  if (piece == 0) runs.run_to_end(model);
  while (!runs.done()) runs.advance(model, piece);
  return runs.log_weights();
}

template <class M, class K>
void check_threads(const M& model, const VectorX<typename M::Scalar>& base, const K& kernel) {
  BinaryAisOptions opt;
  opt.chains = 60;
  opt.num_betas = 60;
  opt.steps_per_beta = 2;
  opt.seed = 3;
  const Vectord serial = test::with_threads(1, [&] { return weights(model, base, opt, kernel); });
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    CHECK(test::bitwise_equal(serial, test::with_threads(n, [&] { return weights(model, base, opt, kernel); })));
  }
  CHECK(test::bitwise_equal(serial, test::with_threads(2, [&] { return weights(model, base, opt, kernel, 7); })));
  opt.seed = 4;
  CHECK_FALSE(test::bitwise_equal(serial, weights(model, base, opt, kernel)));
}

}  // namespace

TEST_CASE("Generic AIS log-weights are bit-identical for 1, 2 and 8 threads and any split", "[ais_binary][threads]") {
  SECTION("GWG on an MLP energy with base term (float, d = 40)") {
    const auto model = test::mlp_with_base<float>(40, 24, 2.0, 1.0, 5);
    using M = std::decay_t<decltype(model)>;
    check_threads(model, model.base_logits(), DefaultAisKernel<M>());
  }
  SECTION("DMALA on an RBM free energy (double, 50 x 10)") {
    const auto model = test::rbm_free_energy<double>(50, 10, 0.5, 0.5, 6);
    using M = std::decay_t<decltype(model)>;
    check_threads(model, Vectord(model.rbm().b()), Dmala<TemperedBinaryEnergy<M>>(0.3));
  }
}
