#pragma once
// Exact quantities of any energy over x ∈ {0,1}^d with small d (BinaryEnergyModel: an MLP energy with or
// without base term, an RBM's free energy, …), by enumerating all 2^d states, in double:
//   exact_log_z(model)                 log Z = log Σ_x e^{−E(x)}              (d ≤ max_exact_binary_dim)
//   exact_binary_distribution(model)   p(x) for every x, at index x_0 + 2 x_1 + 4 x_2 + …   (d ≤ 24)
//   exact_binary_mean(model)           E_p[x], coordinate by coordinate                      (d ≤ max_exact_binary_dim)
// The 2^d states are split into a fixed number of parts (independent of the number of threads), one oneTBB task
// each; a part evaluates its states in chunks with the model's batched energy and keeps a running log-sum-exp;
// the parts are combined in order. So results are deterministic, and the work is parallel. A NaN energy is an
// error naming the state; E = +∞ is a state of probability 0.
// Cost: 2^d energy evaluations (d = 20 and a small MLP: about a second on one core).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

inline constexpr Index max_exact_binary_dim = 30;

namespace detail {

constexpr Index exact_binary_chunk = 4096;
constexpr Index exact_binary_parts = 64;

// A running log Σ exp(·): max and the sum scaled by it.
struct LogSumExp {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;
  void add(double m, double s) {  // adds s · e^m
    if (s == 0) return;
    if (m > max) {
      sum = sum * std::exp(max - m) + s;
      max = m;
    } else {
      sum += s * std::exp(m - max);
    }
  }
  double value() const { return sum == 0 ? -std::numeric_limits<double>::infinity() : max + std::log(sum); }
};

// Calls f(part, first_state, log_weights) for chunks of consecutive states, log_weights = −E of each, in
// parallel over a fixed split into parts; within a part, chunks come in order.
template <ContinuousEnergyModel M, class F>
void enumerate_binary(const M& model, const char* who, F&& f) {
  using S = typename M::Scalar;
  const Index d = model.dim();
  ensure(d >= 1 && d <= max_exact_binary_dim, who, ": the energy has dimension ", d, "; at most ", max_exact_binary_dim,
         " binary units can be enumerated");
  const Index total = Index{1} << d;
  const Index per_part = (total + exact_binary_parts - 1) / exact_binary_parts;
  for_each_range(total, per_part, [&](Index first, Index count) {
    const Index part = first / per_part;
    MatrixX<S> x(std::min(exact_binary_chunk, count), d);
    VectorX<S> e(x.rows());
    Vectord lw(x.rows());
    for (Index s0 = first; s0 < first + count; s0 += exact_binary_chunk) {
      const Index rows = std::min(exact_binary_chunk, first + count - s0);
      for (Index r = 0; r < rows; ++r)
        for (Index i = 0; i < d; ++i) x(r, i) = S(((s0 + r) >> i) & 1);
      model.energy(x.topRows(rows), e.head(rows));
      for (Index r = 0; r < rows; ++r) {
        ensure(!std::isnan(double(e[r])), who, ": the energy of state ", s0 + r, " (x_i = bit i) is NaN");
        lw[r] = -double(e[r]);
      }
      f(part, s0, lw.head(rows));
    }
  });
}

}  // namespace detail

// log Z = log Σ_{x ∈ {0,1}^d} e^{−E(x)}.
template <BinaryEnergyModel M>
double exact_log_z(const M& model) {
  std::vector<detail::LogSumExp> parts(std::size_t(detail::exact_binary_parts));
  detail::enumerate_binary(model, "exact_log_z", [&](Index part, Index, const auto& lw) {
    const double m = lw.maxCoeff();
    if (!std::isfinite(m)) {
      ensure(m < 0, "exact_log_z: an energy is −infinity: Z is infinite");
      return;
    }
    parts[std::size_t(part)].add(m, (lw.array() - m).exp().sum());
  });
  detail::LogSumExp all;
  for (const auto& p : parts) all.add(p.max, p.sum);
  return all.value();
}

// p(x) for every x ∈ {0,1}^d, indexed by x_0 + 2 x_1 + … (needs d ≤ 24: 2^24 doubles are 128 MiB).
template <BinaryEnergyModel M>
Vectord exact_binary_distribution(const M& model) {
  ensure(model.dim() <= 24, "exact_binary_distribution: dimension ", model.dim(), " > 24 (the table would have 2^",
         model.dim(), " entries)");
  Vectord lw(Index{1} << model.dim());
  detail::enumerate_binary(model, "exact_binary_distribution",
                           [&](Index, Index first, const auto& w) { lw.segment(first, w.size()) = w; });
  const double m = lw.maxCoeff();
  ensure(std::isfinite(m), "exact_binary_distribution: the largest log-weight is ", m);
  const double log_z = m + std::log((lw.array() - m).exp().sum());
  return (lw.array() - log_z).exp().matrix();
}

// E_p[x] for every coordinate, by enumeration (d ≤ max_exact_binary_dim; no 2^d table, so d = 25, a 5 × 5 Ising
// model, is fine: 2^25 energies). Each part keeps Σ e^{lw − m} x and Σ e^{lw − m} with its own running max m,
// rescaled when m grows; the parts are combined in order, so the result does not depend on the thread count.
template <BinaryEnergyModel M>
Vectord exact_binary_mean(const M& model) {
  const Index d = model.dim();
  struct Part {
    double max = -std::numeric_limits<double>::infinity(), z = 0;
    Vectord sx;
  };
  std::vector<Part> parts(std::size_t(detail::exact_binary_parts));
  for (auto& p : parts) p.sx = Vectord::Zero(d);
  detail::enumerate_binary(model, "exact_binary_mean", [&](Index part, Index first, const auto& lw) {
    Part& p = parts[std::size_t(part)];
    const double m = lw.maxCoeff();
    if (!std::isfinite(m)) {
      ensure(m < 0, "exact_binary_mean: an energy is −infinity: Z is infinite");
      return;
    }
    if (m > p.max) {
      const double scale = std::isfinite(p.max) ? std::exp(p.max - m) : 0.0;
      p.z *= scale;
      p.sx *= scale;
      p.max = m;
    }
    for (Index r = 0; r < lw.size(); ++r) {
      const double w = std::exp(lw[r] - p.max);
      if (w == 0) continue;
      p.z += w;
      const Index state = first + r;
      for (Index i = 0; i < d; ++i)
        if ((state >> i) & 1) p.sx[i] += w;
    }
  });
  double max = -std::numeric_limits<double>::infinity();
  for (const auto& p : parts) max = std::max(max, p.max);
  ensure(std::isfinite(max), "exact_binary_mean: every state has probability 0");
  double z = 0;
  Vectord sx = Vectord::Zero(d);
  for (const auto& p : parts) {
    if (!std::isfinite(p.max)) continue;
    const double scale = std::exp(p.max - max);
    z += p.z * scale;
    sx += p.sx * scale;
  }
  return sx / z;
}

// The index of a binary row in exact_binary_distribution's order.
template <class Row>
Index binary_state_index(const Row& x) {
  Index k = 0;
  for (Index i = 0; i < x.size(); ++i)
    if (x[i] != 0) k |= Index{1} << i;
  return k;
}

}  // namespace ebm
