#pragma once
// Random streams. Every chain owns an engine seeded from (seed, purpose, index) alone, never from a thread
// id or a shared generator, so a run is bit-identical for any number of threads and any task schedule.
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/seed_seq.hpp>
#include <cstdint>
#include <vector>

#include "ebm/core/types.hpp"

namespace ebm {

using Rng = boost::random::mt19937;

// Distinct purposes get disjoint seed sequences, so e.g. the shuffling stream never equals chain 0's.
enum class StreamPurpose : std::uint32_t { chain = 1, shuffle = 2, init = 3, binarize = 4, ais = 5, user = 6 };

inline Rng make_stream(std::uint64_t seed, StreamPurpose purpose, std::uint64_t index) {
  // seed_seq mixes all words into the 624-word state; adjacent indices give unrelated streams.
  boost::random::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                              static_cast<std::uint32_t>(purpose), static_cast<std::uint32_t>(index),
                              static_cast<std::uint32_t>(index >> 32)};
  return Rng(seq);
}

// The stream of the `counter`-th use of chain `index`, for chains that are resumed rather than kept: a
// per-example persistent chain of a conditional model is visited once an epoch, and keeping one 2.5 KiB
// engine per training example would cost more than seeding a fresh one per visit.
inline Rng make_stream(std::uint64_t seed, StreamPurpose purpose, std::uint64_t index, std::uint64_t counter) {
  boost::random::seed_seq seq{static_cast<std::uint32_t>(seed),    static_cast<std::uint32_t>(seed >> 32),
                              static_cast<std::uint32_t>(purpose), static_cast<std::uint32_t>(index),
                              static_cast<std::uint32_t>(index >> 32), static_cast<std::uint32_t>(counter),
                              static_cast<std::uint32_t>(counter >> 32), 0x9e3779b9u};
  return Rng(seq);
}

// n streams for chains [first, first + n) of a run.
inline std::vector<Rng> make_chain_streams(std::uint64_t seed, Index n, std::uint64_t first = 0) {
  std::vector<Rng> streams;
  streams.reserve(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) streams.push_back(make_stream(seed, StreamPurpose::chain, first + i));
  return streams;
}

// Uniform on [0, 1) with 24 random bits: exactly representable in float, and two cheap integer ops.
inline float uniform01f(Rng& rng) { return static_cast<float>(rng() >> 8) * 0x1p-24f; }
inline double uniform01d(Rng& rng) {
  const std::uint64_t hi = rng() >> 5, lo = rng() >> 6;  // 53 bits
  return static_cast<double>((hi << 26) | lo) * 0x1p-53;
}

// Bernoulli(p) as an integer comparison: 1 iff a 24-bit uniform integer is below p * 2^24.
template <class S>
inline S bernoulli(Rng& rng, S p) {
  return static_cast<S>(static_cast<float>(rng() >> 8) < static_cast<float>(p) * 0x1p24f);
}

template <class S>
inline S standard_normal(Rng& rng) {
  boost::random::normal_distribution<S> nd;  // stateless ziggurat: no cached second variate to serialize
  return nd(rng);
}

}  // namespace ebm
