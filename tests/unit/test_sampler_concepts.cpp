// The kernel and chain-policy contracts (samplers/kernel_concept.hpp, chain_policy_concept.hpp) hold for every
// sampler and policy ebm ships, and fail for types that miss a member. Compile-time checks only: a broken
// contract stops this file from compiling, naming the member.
#include <catch2/catch.hpp>

#include <span>

#include "ebm/ebm.hpp"
#include "ebm/samplers/chain_policy_concept.hpp"
#include "ebm/samplers/conditional_tempering.hpp"
#include "ebm/samplers/kernel_concept.hpp"
#include "ebm/samplers/langevin.hpp"
#include "ebm/samplers/per_example_chains.hpp"
#include "ebm/samplers/replay_buffer.hpp"
#include "ebm/samplers/site_gibbs.hpp"
#include "support/crf_fixtures.hpp"

using namespace ebm;

namespace {

using Gibbs = BlockGibbs<BernoulliRBMf>;
using MalaG = Mala<GaussianEnergyd>;
using UlaG = Ula<GaussianEnergyd>;
using Site = SiteGibbs<test::LinearCrf>;

// Kernels.
static_assert(MarkovKernel<Gibbs>);
static_assert(MarkovKernel<MalaG> && AdaptableKernel<MalaG>);
static_assert(MarkovKernel<UlaG> && !AdaptableKernel<UlaG>);  // no acceptance test, nothing to adapt
static_assert(MarkovKernel<Mala<VirtualEnergyd>>);
static_assert(TransitionKernel<Site> && KernelStartingFrom<Site, ConditionalBatch<double>>);
static_assert(!MarkovKernel<Site>);  // its chains start from inputs with labels, not from rows of x

// Policies, for the minibatches the trainer hands them.
static_assert(ChainPolicy<PersistentChains<Gibbs>>);
static_assert(ChainPolicy<ContrastiveDivergence<Gibbs>>);
static_assert(ChainPolicy<ParallelTempering<Gibbs>>);
static_assert(ChainPolicy<PersistentChains<MalaG>>);
static_assert(ChainPolicy<ReplayBuffer<MalaG>>);
static_assert(ChainPolicyFor<PerExampleChains<Site>, ConditionalBatch<double>>);
static_assert(ChainPolicyFor<ConditionalTempering<Site>, ConditionalBatch<double>>);
static_assert(ChainPolicyFor<ContrastiveDivergence<Site>, ConditionalBatch<double>>);
static_assert(!ChainPolicy<PerExampleChains<Site>>);

// Types that miss one member each are rejected.
struct NoStep {
  using Model = BernoulliRBMf;
  using Scalar = float;
  using State = GibbsChains<float>;
  void prepare(const Model&, State&, Index) {}
  void init(const Model&, State&, const ConstBatchRef<float>&, std::span<Rng>) {}
  void accumulate_stats(const Model&, const State&, float, VecRef<float>) const {}
};
struct StepReturnsInt : NoStep {
  int step(const Model&, State&, std::span<Rng>) { return 0; }
};
struct Complete : NoStep {
  StepInfo step(const Model&, State&, std::span<Rng>) { return {}; }
};
struct NoState {
  using Model = BernoulliRBMf;
  using Scalar = float;
};
static_assert(!TransitionKernel<NoStep>);
static_assert(!TransitionKernel<StepReturnsInt>);  // step must report a StepInfo
static_assert(MarkovKernel<Complete>);
static_assert(!KernelTypes<NoState>);

struct NoNumChains {
  using Model = BernoulliRBMf;
  using Scalar = float;
  void advance(const Model&, const ConstBatchRef<float>&) {}
  void accumulate_model_term(const Model&, float, VecRef<float>) const {}
};
static_assert(!ChainPolicy<NoNumChains>);

}  // namespace

TEST_CASE("kernel and chain-policy concepts: checked at compile time (this file compiles)", "[concepts]") {
  SUCCEED("static_asserts above");
}
