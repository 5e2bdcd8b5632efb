#pragma once
// A checkpoint of parallel tempering (samplers/parallel_tempering.hpp) over any kernel whose state has a
// ChainStateCodec (io/chain_state_codec.hpp): block Gibbs on an RBM, GWG/DULA/DMALA/… on a binary energy, MALA,
// a user's kernel. Everything the ladders need to continue bit for bit, in a TrainingState (model_file.hpp):
//
//   chains.<name>        every field the state's codec names, the K replicas stacked: rows k·N … k·N + N − 1
//                        hold temperature k (RBM: v, h, ph; binary and other kernels: x)
//   rng.chains           the K·N chain streams (slot (k, n) at k·N + n), then the N swap streams
//   counters pt.rounds   rounds done (their parity picks the next round's swap pairs)
//            pt.attempts.<k>, pt.accepts.<k>   swap statistics of pair (k, k + 1) since the last reset
//            pt.round_trips                    round trips since the last reset
//   state pt.directions  the states' round-trip marks (−1, 0, +1), slot (k, n) at k·N + n
//
// Not stored: the kernels' caches at the chains (re-evaluated at the current θ on the first step, see
// chain_state_codec.hpp) and the swap energies (evaluated at the restored states). A kernel's own settings,
// e.g. DMALA's step size, are the caller's (the CLI writes them into the metadata). A ladder that never started
// (no update yet) stores 0-row chains and restores only its streams and counters.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ebm/core/error.hpp"
#include "ebm/io/chain_state_codec.hpp"
#include "ebm/io/model_file.hpp"
#include "ebm/samplers/parallel_tempering.hpp"

namespace ebm {

namespace detail {
inline std::int64_t pt_counter(const TrainingState& t, const std::string& name, const std::string& where) {
  const auto it = t.counters.find(name);
  ensure(it != t.counters.end(), where, ": the checkpoint holds no counter ", name, " (parallel tempering state)");
  return it->second;
}
}  // namespace detail

template <class K, class T>
  requires HasChainStateCodec<typename K::State>
void save_tempering(const ParallelTempering<K, T>& pt, TrainingState& t) {
  using State = typename K::State;
  const Index n = pt.num_chains(), temps = pt.num_temperatures();
  const bool started = pt.started();
  ChainStateCodec<State>::fields(pt.replica(0), [&](std::string_view name, const auto& m0) {
    Matrixf& out = t.chains[std::string(name)];
    if (!started) {
      out.resize(0, m0.cols());
      return;
    }
    out.resize(temps * n, m0.cols());
    for (Index k = 0; k < temps; ++k)
      ChainStateCodec<State>::fields(pt.replica(k), [&](std::string_view field, const auto& m) {
        if (field == name) out.middleRows(k * n, n) = m.template cast<float>();
      });
  });
  std::vector<Rng>& streams = t.streams["chains"] = pt.streams();
  streams.insert(streams.end(), pt.swap_streams().begin(), pt.swap_streams().end());
  t.counters["pt.rounds"] = pt.rounds();
  const SwapStats stats = pt.swap_stats();
  for (std::size_t k = 0; k < stats.attempts.size(); ++k) {
    t.counters["pt.attempts." + std::to_string(k)] = stats.attempts[k];
    t.counters["pt.accepts." + std::to_string(k)] = stats.accepts[k];
  }
  t.counters["pt.round_trips"] = stats.round_trips;
  const std::vector<signed char>& dir = pt.swap_directions();
  Vectorf& marks = t.state["pt.directions"];
  marks.resize(Index(dir.size()));
  for (std::size_t i = 0; i < dir.size(); ++i) marks[Index(i)] = float(dir[i]);
}

namespace detail {
// What restore_tempering reads besides the chains, checked.
struct TemperingRecord {
  SwapStats stats;
  std::int64_t rounds = 0;
  std::vector<signed char> directions;
  Index stored_rows = 0;  // K·N, or 0 for ladders that never started
};

template <class State>
TemperingRecord tempering_record(const TrainingState& t, Index temps, Index n, const std::string& where) {
  TemperingRecord r;
  const auto it = t.streams.find("chains");
  ensure(it != t.streams.end(), where, ": the checkpoint holds no random streams rng.chains");
  const std::size_t want = std::size_t(temps * n + n);
  ensure(it->second.size() == want, where, ": the checkpoint has ", it->second.size(),
         " random streams; parallel tempering of ", temps, " temperatures x ", n, " ladders needs ", want,
         " (one per chain, then one swap stream per ladder)");
  for (Index k = 0; k + 1 < temps; ++k) {
    const std::int64_t tried = pt_counter(t, "pt.attempts." + std::to_string(k), where),
                       taken = pt_counter(t, "pt.accepts." + std::to_string(k), where);
    ensure(taken <= tried, where, ": counters pt.accepts.", k, " = ", taken, " exceeds pt.attempts.", k, " = ", tried);
    r.stats.attempts.push_back(tried);
    r.stats.accepts.push_back(taken);
  }
  r.stats.round_trips = pt_counter(t, "pt.round_trips", where);
  r.rounds = pt_counter(t, "pt.rounds", where);
  const auto marks = t.state.find("pt.directions");
  ensure(marks != t.state.end(), where, ": the checkpoint holds no state pt.directions (round-trip marks)");
  ensure(marks->second.size() == temps * n, where, ": state pt.directions has ", marks->second.size(),
         " entries; ", temps, " temperatures x ", n, " ladders need ", temps * n);
  r.directions.resize(std::size_t(marks->second.size()));
  for (std::size_t i = 0; i < r.directions.size(); ++i) {
    const float m = marks->second[Index(i)];
    ensure(m == -1 || m == 0 || m == 1, where, ": state pt.directions entry ", i, " is ", double(m),
           "; round-trip marks are -1, 0 or 1");
    r.directions[i] = static_cast<signed char>(m);
  }
  // Started ladders hold K·N rows of every field, ladders that never ran 0 rows.
  Index stored = -1;
  const State probe{};  // the field names only
  ChainStateCodec<State>::fields(probe, [&](std::string_view name, const auto&) {
    const auto c = t.chains.find(std::string(name));
    ensure(c != t.chains.end(), where, ": the checkpoint holds no chains.", name, " (chain state)");
    if (stored < 0) stored = c->second.rows();
    ensure(c->second.rows() == stored && (stored == 0 || stored == temps * n), where, ": chains.", name, " has ",
           c->second.rows(), " rows; ", temps, " temperatures x ", n, " ladders need ", temps * n);
  });
  r.stored_rows = stored;
  return r;
}
}  // namespace detail

// Whether t holds parallel tempering of `temps` temperatures × n ladders over chains of type State (streams,
// counters, marks, row counts): what restore_tempering checks before it needs the model, for callers that
// refuse a checkpoint before loading data. An ebm::Error naming `where` and the entry otherwise.
template <class State>
  requires HasChainStateCodec<State>
void check_tempering_checkpoint(const TrainingState& t, Index temps, Index n, const std::string& where) {
  detail::tempering_record<State>(t, temps, n, where);
}

// The ladders of pt (made with the checkpoint's ladder count, temperatures and seed) back from t, for the model
// at the checkpoint's θ. Missing, mis-sized or invalid entries are ebm::Errors naming `where` and the entry, and
// are found before pt changes.
template <class K, class T>
  requires HasChainStateCodec<typename K::State>
void restore_tempering(ParallelTempering<K, T>& pt, const typename T::Model& model, const TrainingState& t,
                       const std::string& where) {
  using State = typename K::State;
  const Index n = pt.num_chains(), temps = pt.num_temperatures();
  detail::TemperingRecord r = detail::tempering_record<State>(t, temps, n, where);
  pt.restore_swap_ledger(r.stats, std::move(r.directions), where);
  if (r.stored_rows > 0)
    pt.restore_states(model, [&](Index k, State& s) {
      ChainStateCodec<State>::fields(s, [&](std::string_view name, auto& m) {
        const Matrixf& all = detail::stored_chain(t, name, temps * n, m.cols(), where);
        m = all.middleRows(k * n, n).template cast<typename std::decay_t<decltype(m)>::Scalar>();
      });
      ChainStateCodec<State>::restored(s, where);
    });
  const std::vector<Rng>& streams = t.streams.at("chains");
  const auto split = std::ptrdiff_t(pt.streams().size());
  std::copy(streams.begin(), streams.begin() + split, pt.streams().begin());
  std::copy(streams.begin() + split, streams.end(), pt.swap_streams().begin());
  pt.set_rounds(r.rounds);
}

}  // namespace ebm
