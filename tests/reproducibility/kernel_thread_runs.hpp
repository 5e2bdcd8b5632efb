#pragma once
// The reproducibility check every discrete kernel's test runs: the chains, energies, gradients and every step's
// info after some steps of 60 chains (two full blocks of 25 and a partial one) are bitwise identical on 1, 2 and
// 8 threads, and another seed gives other chains.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "ebm/samplers/binary_chains.hpp"
#include "ebm/samplers/categorical_chains.hpp"
#include "reproducibility/thread_runs.hpp"
#include "support/binary_fixtures.hpp"

namespace ebm::test {

// A step's info as numbers, every field of it, so that a thread-dependent count fails the check too.
inline std::vector<double> info_fields(const BinaryStepInfo& i) {
  return {i.acceptance_rate, double(i.accepted), double(i.non_finite), i.mean_flips};
}
inline std::vector<double> info_fields(const CategoricalStepInfo& i) {
  return {i.acceptance_rate, double(i.accepted), double(i.non_finite), i.mean_changes};
}

template <class State>
struct KernelRun {
  decltype(State::x) x;
  decltype(State::grad) grad;
  decltype(State::energy) energy;
  std::vector<std::vector<double>> infos;
};

inline constexpr Index chains_per_run = 60;

// `steps` steps of `kernel` from start(chains_per_run, seed), chain streams from `seed`.
template <class K, class M, class Start>
KernelRun<typename K::State> run_kernel(K kernel, const M& model, const Start& start, std::uint64_t seed, int steps) {
  typename K::State s;
  auto rng = make_chain_streams(seed, chains_per_run);
  kernel.init(model, s, start(chains_per_run, seed), rng);
  KernelRun<typename K::State> out;
  for (int t = 0; t < steps; ++t) out.infos.push_back(info_fields(kernel.step(model, s, rng)));
  out.x = s.x;
  out.grad = s.grad;
  out.energy = s.energy;
  return out;
}

// The start of a binary kernel's runs: random coins seeded by the run's seed.
template <class M>
auto coin_start(const M& model) {
  return [&model](Index chains, std::uint64_t seed) {
    return random_binary<typename M::Scalar>(chains, model.dim(), seed);
  };
}

template <class K, class M, class Start>
void check_kernel_threads(const std::string& name, const K& kernel, const M& model, const Start& start, int steps) {
  INFO(name);
  const auto serial = with_threads(1, [&] { return run_kernel(kernel, model, start, 7, steps); });
  for (const int n : thread_counts) {
    INFO(n << " threads");
    const auto parallel = with_threads(n, [&] { return run_kernel(kernel, model, start, 7, steps); });
    CHECK(bitwise_equal(serial.x, parallel.x));
    CHECK(bitwise_equal(serial.grad, parallel.grad));
    CHECK(bitwise_equal(serial.energy, parallel.energy));
    CHECK(serial.infos == parallel.infos);
  }
  const auto other = with_threads(2, [&] { return run_kernel(kernel, model, start, 8, steps); });
  CHECK_FALSE(bitwise_equal(serial.x, other.x));
}

}  // namespace ebm::test
