// The categorical kernels (random-scan and systematic-scan Gibbs, categorical GWG) give bitwise identical chains,
// energies, one-hot gradients and step infos on 1, 2 and 8 threads, on a 5 × 6 Potts model with q = 4 and a field
// (float and double); another seed gives other chains. 60 chains in blocks of 25 make two full blocks and a
// partial one.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ebm/samplers/categorical_samplers.hpp"
#include "reproducibility/thread_runs.hpp"

using namespace ebm;

namespace {

template <class S>
struct Run {
  LabelMatrix x;
  MatrixX<S> grad;
  VectorX<S> energy;
  std::vector<double> acceptance, changes;
};

LabelMatrix start_labels(Index rows, Index sites, int q, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  LabelMatrix x(rows, sites);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<Label>(rng() % std::uint32_t(q));
  return x;
}

template <class K, class M>
Run<typename M::Scalar> run(K kernel, const M& model, std::uint64_t seed) {
  constexpr Index chains = 60;
  typename K::State s;
  auto rng = make_chain_streams(seed, chains);
  kernel.init(model, s, start_labels(chains, model.num_sites(), model.num_labels(), seed), rng);
  Run<typename M::Scalar> out;
  for (int t = 0; t < 15; ++t) {
    const auto info = kernel.step(model, s, rng);
    out.acceptance.push_back(info.acceptance_rate);
    out.changes.push_back(info.mean_changes);
  }
  out.x = s.x;
  out.grad = s.grad;
  out.energy = s.energy;
  return out;
}

template <class K, class M>
void check_threads(const std::string& name, const K& kernel, const M& model) {
  INFO(name);
  const auto serial = test::with_threads(1, [&] { return run(kernel, model, 7); });
  for (const int n : test::thread_counts) {
    INFO(n << " threads");
    const auto parallel = test::with_threads(n, [&] { return run(kernel, model, 7); });
    CHECK(test::bitwise_equal(serial.x, parallel.x));
    CHECK(test::bitwise_equal(serial.grad, parallel.grad));
    CHECK(test::bitwise_equal(serial.energy, parallel.energy));
    CHECK(serial.acceptance == parallel.acceptance);
    CHECK(serial.changes == parallel.changes);
  }
  const auto other = test::with_threads(2, [&] { return run(kernel, model, 8); });
  CHECK_FALSE(test::bitwise_equal(serial.x, other.x));
}

template <class S>
void check_all_kernels() {
  VectorX<S> h(120);
  for (Index k = 0; k < 120; ++k) h[k] = S(0.1 * double(k % 5) - 0.2);
  const PottsModel<S> model(5, 6, 4, 1.0, h);
  using M = PottsModel<S>;
  check_threads("random-scan Gibbs", CategoricalRandomScanGibbs<M>(), model);
  check_threads("systematic-scan Gibbs", CategoricalSystematicGibbs<M>(), model);
  check_threads("categorical GWG", CategoricalGibbsWithGradients<M>(), model);
}

}  // namespace

TEST_CASE("categorical kernels on a Potts model are bitwise identical on 1, 2 and 8 threads",
          "[reproducibility][categorical][potts]") {
  check_all_kernels<double>();
  check_all_kernels<float>();
}
