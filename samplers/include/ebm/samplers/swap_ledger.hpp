#pragma once
// What both parallel-tempering policies (parallel_tempering.hpp for any tempered kernel,
// conditional_tempering.hpp for conditional models) share about swaps: the Metropolis ratio, the accept rule, the per-pair statistics and
// round-trip tracking. The policies differ in their states and energies, not in these.
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

// log of the Metropolis ratio for swapping the states of two replicas at inverse temperatures beta_i, beta_j
// whose joint energies (at β = 1) are e_i, e_j; the swap is accepted with probability min(1, exp(·)).
inline double swap_log_ratio(double beta_i, double beta_j, double e_i, double e_j) {
  return (beta_i - beta_j) * (e_i - e_j);
}

// Swap statistics since the last reset. Pair k is (β_k, β_{k+1}). A round trip is a state that went from β_0
// down to β_{K−1} and back to β_0 (counted on its return), the usual measure of how well a ladder mixes.
struct SwapStats {
  std::vector<std::int64_t> attempts, accepts;
  std::int64_t round_trips = 0;

  // Acceptance rate of each neighbour pair (0 where nothing was proposed yet).
  std::vector<double> rates() const {
    std::vector<double> r(attempts.size(), 0.0);
    for (std::size_t k = 0; k < r.size(); ++k)
      if (attempts[k] > 0) r[k] = double(accepts[k]) / double(attempts[k]);
    return r;
  }
};

// Swap streams are chain streams far beyond any chain index, so they never coincide with a chain's stream.
inline constexpr std::uint64_t swap_stream_offset = std::uint64_t(1) << 48;

// Swap decisions and statistics of K temperatures × N chains. Round trips: a state is marked +1 on reaching
// β_0 and −1 on reaching β_{K−1} after that; −1 → +1 is one round trip. The marks travel with the states.
class SwapLedger {
public:
  void reset(Index temperatures, Index chains) {
    k_ = temperatures;
    n_ = chains;
    direction_.assign(std::size_t(k_ * n_), 0);
    reset_stats();
  }
  // Statistics restart; the states' marks are kept.
  void reset_stats() {
    attempts_.assign(std::size_t(k_ - 1), 0);
    accepts_.assign(std::size_t(k_ - 1), 0);
    round_trips_ = 0;
  }

  // Counts a proposed swap of pair (k, k + 1) and says whether it is accepted: with probability min(1, e^log_r)
  // for a uniform u; a NaN log ratio is rejected (both comparisons are false).
  bool decide(Index k, double log_r, double u) {
    ++attempts_[std::size_t(k)];
    if (!(log_r >= 0 || u < std::exp(log_r))) return false;
    ++accepts_[std::size_t(k)];
    return true;
  }
  // The states of chain c at temperatures k and k + 1 were exchanged.
  void exchanged(Index k, Index c) {
    std::swap(direction_[std::size_t(k * n_ + c)], direction_[std::size_t((k + 1) * n_ + c)]);
  }
  // After a round of chain c's swaps.
  void track_round_trips(Index c) {
    signed char& top = direction_[std::size_t(c)];
    if (top == -1) ++round_trips_;
    top = 1;
    signed char& bottom = direction_[std::size_t((k_ - 1) * n_ + c)];
    if (bottom == 1) bottom = -1;
  }

  SwapStats stats() const { return {attempts_, accepts_, round_trips_}; }
  // The states' round-trip marks (+1 last at β_0, −1 last at β_{K−1}, 0 neither yet), slot (k, c) at k·N + c.
  const std::vector<signed char>& directions() const { return direction_; }

  // A checkpoint's statistics and marks (after reset() sized the ledger); an ebm::Error naming `where` if they
  // do not fit K temperatures × N chains.
  void restore(const SwapStats& s, std::vector<signed char> directions, const std::string& where) {
    ensure(s.attempts.size() == std::size_t(k_ - 1) && s.accepts.size() == std::size_t(k_ - 1), where, ": ",
           s.attempts.size(), " swap attempt and ", s.accepts.size(), " accept counts for ", k_ - 1,
           " neighbour pairs");
    for (std::size_t k = 0; k < s.attempts.size(); ++k)
      ensure(s.attempts[k] >= 0 && s.accepts[k] >= 0 && s.accepts[k] <= s.attempts[k], where, ": pair ", k, ": ",
             s.accepts[k], " accepted of ", s.attempts[k], " proposed swaps");
    ensure(s.round_trips >= 0, where, ": ", s.round_trips, " round trips must be non-negative");
    ensure(directions.size() == direction_.size(), where, ": ", directions.size(), " round-trip marks for ", k_,
           " temperatures x ", n_, " chains");
    for (std::size_t i = 0; i < directions.size(); ++i)
      ensure(directions[i] >= -1 && directions[i] <= 1, where, ": round-trip mark ", i, " is ", int(directions[i]),
             "; marks are -1, 0 or 1");
    attempts_ = s.attempts;
    accepts_ = s.accepts;
    round_trips_ = s.round_trips;
    direction_ = std::move(directions);
  }

private:
  Index k_ = 1, n_ = 0;
  std::vector<signed char> direction_;  // per (temperature, chain)
  std::vector<std::int64_t> attempts_, accepts_;
  std::int64_t round_trips_ = 0;
};

}  // namespace ebm
