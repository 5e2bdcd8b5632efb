// A grid CRF with the contrast pairwise (crf/edge_net.hpp) conditions, sweeps and accumulates its statistic
// without allocating once its context is sized: the edge network's features, activations and couplings live in
// the context, like the unaries'.
#include "noalloc/allocation_counter.hpp"  // first: it configures Eigen's allocation checks

#include <catch2/catch.hpp>

#include <vector>

#include "ebm/crf/grid_crf.hpp"
#include "ebm/samplers/site_gibbs.hpp"

using namespace ebm;

TEST_CASE("contrast CRF: condition, a Gibbs sweep and accumulate_grad allocate nothing", "[noalloc][crf][contrast]") {
  using Crf = GridCrf<MlpUnary<float>>;
  const Crf crf = [] {
    Crf c(12, 10, PatchFeatures{1, 1, 0}, MlpUnary<float>(9, 6, 5), Pairwise::contrast, 4);
    c.init(2, 1.0f, 0.8f);
    return c;
  }();
  Rng rng = make_stream(3, StreamPurpose::user, 0);
  VectorX<float> x(crf.input_dim());
  for (Index k = 0; k < x.size(); ++k) x[k] = standard_normal<float>(rng);
  LabelMatrix y = LabelMatrix::Zero(1, crf.num_sites());
  std::vector<float> e(5);
  VectorX<float> grad = VectorX<float>::Zero(crf.num_params());
  auto ctx = crf.make_context();
  const SiteGibbs<Crf> gibbs(SiteScan::checkerboard);
  auto one = [&] {
    crf.condition(x, ctx);
    gibbs.sweep(crf, ctx, label_row(y, 0), rng, std::span(e));
    crf.accumulate_grad(ctx, label_row(ConstLabelRef(y), 0), 1.0f, grad);
  };
  one();  // sizes every buffer
  const test::AllocationCounts counts = test::allocations_of(one);
  CHECK(counts.operator_new == 0);
  CHECK(counts.malloc == 0);
  CHECK(grad.allFinite());
}
