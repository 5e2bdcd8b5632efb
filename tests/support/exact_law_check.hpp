#pragma once
// The check every discrete sampler's statistical test makes against an enumerable target: its exact transition
// matrix P leaves the stationary law invariant, the law after `steps` steps from the start law is within 1e-4 of
// p in total variation (so the draws are close enough to p that the chi-square test tests the kernel, not the
// burn-in), and the final states of many chains pass Pearson's chi-square test against p. Binary states are
// counted by binary_final_counts, categorical label rows by categorical_counts; kernels whose exact law is not
// one transition matrix (parallel tempering: a chain over K-tuples of states) compute it their own way and call
// check_counts_follow for the chi-square part alone.
#include <catch2/catch.hpp>

#include <cstddef>
#include <vector>

#include "ebm/core/labels.hpp"
#include "ebm/core/types.hpp"
#include "ebm/estimate/exact_binary.hpp"
#include "ebm/estimate/exact_categorical.hpp"
#include "ebm/samplers/binary_chains.hpp"
#include "support/binary_fixtures.hpp"
#include "support/binary_transition.hpp"
#include "support/goodness_of_fit.hpp"

namespace ebm::test {

// Level of every sampler's chi-square test: a correct kernel fails one seed in a thousand; the seeds are fixed,
// so a pass is final and a fail is a finding.
inline constexpr double sampler_alpha = 0.001;

inline Vectord uniform_law(Index states) { return Vectord::Constant(states, 1.0 / double(states)); }

// Counts over the 2^d states of the final states of `chains` chains started at independent fair coins, after
// `steps` steps of `kernel`; the chains themselves into *keep when given.
template <class K, class M>
std::vector<double> binary_final_counts(K kernel, const M& model, Index chains, int steps, std::uint64_t seed,
                                        BinaryChains<typename M::Scalar>* keep = nullptr) {
  using S = typename M::Scalar;
  const Index d = model.dim();
  BinaryChains<S> s;
  auto rng = make_chain_streams(seed, chains);
  kernel.init(model, s, random_binary<S>(chains, d, seed + 1), rng);
  for (int t = 0; t < steps; ++t) kernel.step(model, s, rng);
  std::vector<double> counts(std::size_t(Index{1} << d), 0.0);
  for (Index r = 0; r < chains; ++r) counts[std::size_t(binary_state_index(s.x.row(r)))] += 1;
  if (keep) *keep = s;
  return counts;
}

// Counts over the q^n states of the label rows of x (a state at its index x_0 + q x_1 + …, exact_categorical.hpp).
inline std::vector<double> categorical_counts(const ConstLabelRef& x, int q) {
  std::size_t states = 1;
  for (Index i = 0; i < x.cols(); ++i) states *= std::size_t(q);
  std::vector<double> counts(states, 0.0);
  for (Index r = 0; r < x.rows(); ++r) counts[std::size_t(categorical_state_index(label_row(x, r), q))] += 1;
  return counts;
}

// Pearson's chi-square test of the counts of n draws against p at sampler_alpha.
inline void check_counts_follow(const Vectord& p, const std::vector<double>& counts, double n) {
  const ChiSquare c = chi_square_test(p, counts, n, sampler_alpha);
  INFO("chi-square " << c.x2 << " on " << c.df << " df, critical " << c.critical << ", p-value "
                     << chi_square_p_value(c.df, c.x2));
  CHECK(c.x2 < c.critical);
}

// stationary·P = stationary to 1e-13 (the law P was built from; usually p itself), TV(law after `steps` steps of
// P from `start`, p) < 1e-4, then draws() — the counts of `n` final states — pass the chi-square test against p.
template <class Draws>
void check_exact_law(const Vectord& p, const Vectord& stationary, const Matrixd& P, const Vectord& start, int steps,
                     double n, Draws&& draws) {
  CHECK((stationary.transpose() * P - stationary.transpose()).cwiseAbs().maxCoeff() < 1e-13);
  const double tv = total_variation(law_after(P, start, steps), p);
  INFO("TV(law after " << steps << " steps, p) = " << tv);
  REQUIRE(tv < 1e-4);
  check_counts_follow(p, draws(), n);
}

}  // namespace ebm::test
