#pragma once
// The Langevin move shared by ULA and MALA (BlackJAX keeps it apart from the Metropolis correction, in
// diffusions.py, and so does ebm):
//
//   x' = x − ε ∇E(x) + √(2ε) ξ,     ξ ~ N(0, I)
//
// i.e. a proposal q(x' | x) = N(x'; m(x), 2ε I) with m(x) = x − ε ∇E(x), plus its log density, which MALA's
// Metropolis–Hastings ratio needs in both directions.
//
// Optional box [lo, hi] on every coordinate:
//   BoxMode::reflect  the move is folded back into the box (reflected at the walls, as often as needed). MALA
//                     uses the density of the folded proposal, Σ over every preimage y of x' of
//                     N(y; m(x), 2ε), so it samples exactly the target restricted to the box.
//   BoxMode::clip     the move is clamped onto the box (projected Langevin, for ULA). The clamped proposal puts
//                     an atom on the faces where the target has none, so its exact Metropolis–Hastings test
//                     rejects every clamped proposal: MALA with clip rejects proposals that leave the box, and
//                     also samples the restricted target exactly.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

enum class BoxMode { clip, reflect };

struct Box {
  double lo = 0;
  double hi = 1;
  BoxMode mode = BoxMode::reflect;

  void validate(std::string_view who) const {
    ensure(std::isfinite(lo) && std::isfinite(hi) && lo < hi, who, ": box [", lo, ", ", hi,
           "] must have finite bounds with lo < hi");
  }
};

inline void check_step_size(double step_size, std::string_view who) {
  ensure(step_size > 0 && std::isfinite(step_size), who, ": step size = ", step_size,
         " must be positive and finite");
}

// One step size and box, with what a move needs precomputed. Made once per step, used for every chain.
template <class S>
class LangevinMove {
public:
  LangevinMove(double step_size, const std::optional<Box>& box)
      : eps_(S(step_size)), noise_(S(std::sqrt(2 * step_size))), inv_4eps_(0.25 / step_size), box_(box) {}

  // out = m(x) + √(2ε) ξ, brought into the box if there is one; draws d standard normals from rng (always
  // d, so a chain's stream advances the same way whatever happens). Returns whether clip mode had to clamp.
  bool propose(const S* x, const S* g, Index d, Rng& rng, S* out) const {
    for (Index i = 0; i < d; ++i) out[i] = x[i] - eps_ * g[i] + noise_ * standard_normal<S>(rng);
    if (!box_) return false;
    const S lo = S(box_->lo), hi = S(box_->hi);
    bool clamped = false;
    if (box_->mode == BoxMode::clip) {
      for (Index i = 0; i < d; ++i)
        if (out[i] < lo || out[i] > hi) {
          out[i] = std::clamp(out[i], lo, hi);
          clamped = true;
        }
    } else {
      for (Index i = 0; i < d; ++i)
        if (!(out[i] >= lo && out[i] <= hi)) out[i] = fold(out[i]);
    }
    return clamped;
  }

  // log q(to | from) up to a constant that is the same for every pair of points (so it cancels in MALA's
  // ratio): −|to − m(from)|² / (4ε), or with reflect the log of the sum over the images of `to`.
  double log_density(const S* to, const S* from, const S* grad_from, Index d) const {
    double s = 0;
    if (box_ && box_->mode == BoxMode::reflect) {
      for (Index i = 0; i < d; ++i)
        s += folded_log_kernel(double(to[i]), double(from[i]) - double(eps_) * double(grad_from[i]));
    } else {
      for (Index i = 0; i < d; ++i) {
        const double r = double(to[i]) - double(from[i]) + double(eps_) * double(grad_from[i]);
        s -= r * r;
      }
      s *= inv_4eps_;
    }
    return s;
  }

private:
  // y folded into [lo, hi]: reflections at both walls, repeated (a triangle wave of period 2L).
  S fold(S y) const {
    const double lo = box_->lo, L = box_->hi - box_->lo;
    double t = std::fmod(double(y) - lo, 2 * L);
    if (t < 0) t += 2 * L;
    if (t > L) t = 2 * L - t;
    return S(std::clamp(lo + t, box_->lo, box_->hi));
  }

  // log Σ_y exp(−(y − m)² / (4ε)) over the preimages y of x under fold: x + 2kL and 2·lo − x + 2kL, k ∈ ℤ.
  // Terms more than 50 nats below the largest (relative weight < 2e-22) are left out; the terms of each
  // family fall monotonically away from the one nearest m, so the walk stops at the first such term.
  double folded_log_kernel(double x, double m) const {
    constexpr double cutoff = 50;
    const double L2 = 2 * (box_->hi - box_->lo);
    const double base[2] = {x, 2 * box_->lo - x};
    double nearest[2], top = -std::numeric_limits<double>::infinity();
    for (int f = 0; f < 2; ++f) {
      nearest[f] = base[f] + std::round((m - base[f]) / L2) * L2;
      top = std::max(top, term(nearest[f], m));
    }
    if (!std::isfinite(top)) return top;
    double sum = 0;
    for (int f = 0; f < 2; ++f) {
      const double t0 = term(nearest[f], m);
      if (t0 < top - cutoff) continue;  // its neighbours are farther still
      sum += std::exp(t0 - top);
      for (const double dir : {-1.0, 1.0})
        for (double y = nearest[f] + dir * L2;; y += dir * L2) {
          const double t = term(y, m);
          if (t < top - cutoff) break;
          sum += std::exp(t - top);
        }
    }
    return sum == 1 ? top : top + std::log(sum);
  }
  double term(double y, double m) const { return -(y - m) * (y - m) * inv_4eps_; }

  S eps_, noise_;
  double inv_4eps_;
  std::optional<Box> box_;
};

}  // namespace ebm
