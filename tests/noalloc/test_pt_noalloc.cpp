// After its first round, parallel tempering allocates nothing: not the sweep of every replica (with the cached
// energies of BlockGibbs::step_tempered), not the swaps (decisions and row exchanges), not advance() with its
// refresh of the tempered copies and its recomputed E[h | v] of the β = 1 replicas after swaps reached them.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>
#include <string>

#include "ebm/models/bernoulli_rbm.hpp"
#include "ebm/samplers/block_gibbs.hpp"
#include "ebm/samplers/parallel_tempering.hpp"

using namespace ebm;

TEST_CASE("a parallel-tempering round allocates nothing after the first (784 x 200, 40 ladders x 4)", "[noalloc]") {
  constexpr Index nv = 784, nh = 200, ladders = 40;
  // Biases −2 give ~12 % ones; a ladder this close to 1 keeps the swap rates high at this size, so exchanges
  // (and the recomputed ph after swaps reach β = 1) happen inside the measured rounds.
  BernoulliRBMf rbm(nv, nh);
  Rng rng = make_stream(21, StreamPurpose::init, 0);
  rbm.init_normal(rng, 0.01f);
  rbm.modify_params([](Vectorf& t) { t.tail(nv + nh).setConstant(-2.0f); });
  Matrixf x0(ladders, nv);
  for (Index r = 0; r < ladders; ++r)
    for (Index i = 0; i < nv; ++i) x0(r, i) = bernoulli(rng, 0.12f);

  using Kernel = BlockGibbs<BernoulliRBMf>;
  static_assert(ParallelTempering<Kernel>::cached_energy, "BlockGibbs must give PT its energies from the sweep");
  ParallelTempering<Kernel> pt(Kernel{}, ladders, linear_ladder(4, 0.97), 2, 22);
  pt.start(rbm, x0);
  pt.sweep(rbm);  // the first round sizes the kernels' pre-activation scratch
  pt.swap(rbm);

  const bool whole_advance = GENERATE(false, true);
  INFO((whole_advance ? "advance(): refresh + 2 rounds + recomputed ph" : "sweep + swap"));
  for (int t = 0; t < 4; ++t) {
    test::AllocationCounts counts;
    std::string error;
    {
      test::NoAllocationScope scope;
      try {
        if (whole_advance) {
          pt.advance(rbm);
        } else {
          pt.sweep(rbm);
          pt.swap(rbm);
        }
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
  // Swaps happened, at the top pair too, so the exchanges and the recomputed ph were exercised.
  const SwapStats st = pt.swap_stats();
  CHECK(st.accepts[0] > 0);
  CHECK(st.accepts[2] > 0);
}
