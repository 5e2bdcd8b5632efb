#pragma once
// Single-site Gibbs over categorical x ∈ {0, …, q−1}^n, for any CategoricalModel (core/categorical_model.hpp): a
// site's label is drawn from its exact conditional, p(x_i = c | x_−i) ∝ exp(−e[c]), e the model's local energies
// (O(neighbours · q) for a lattice model such as the Potts model):
//   CategoricalRandomScanGibbs      one step updates one site, chosen uniformly per chain (reversible); n steps are
//                                   a sweep's worth of work. Three 32-bit draws per chain and step (site, label).
//   CategoricalSystematicGibbs      one step is a sweep over the sites 0, 1, …, n−1 in order: each update leaves p
//                                   invariant, so their product does, though it is not reversible (Geman & Geman
//                                   1984; the "Gibbs" baseline of Grathwohl et al. 2021 and DISCS). One uniform per
//                                   site.
// E is carried along (E += e[new] − e[old], summed in double over the step), so the cache differs from a fresh E by
// rounding only. acceptance_rate reports the mean probability that an updated site changes its label; a site whose
// conditional is not a distribution (a NaN local energy) keeps its label and is counted in non_finite.
#include <span>

#include "ebm/samplers/binary_kernel.hpp"  // detail::uniform_site
#include "ebm/samplers/categorical_kernel.hpp"

namespace ebm {

template <CategoricalModel M>
class CategoricalRandomScanGibbs : public detail::CategoricalKernel<M> {
  using Base = detail::CategoricalKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = false;

  explicit CategoricalRandomScanGibbs(Index block_rows = default_block_rows)
      : Base("CategoricalRandomScanGibbs", false, block_rows) {}

  CategoricalStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const Index n = s.x.cols();
    for_each_block(this->plan_, [&](Index, Index r0, Index count) {
      for (Index r = r0; r < r0 + count; ++r) {
        Rng& g = rng[std::size_t(r)];
        const Index i = detail::uniform_site(g, n);
        double de = 0, p_move = 0, bad = 0;
        const bool moved = this->gibbs_site(model, label_row(s.x, r), r, i, g, de, p_move, bad);
        if (moved) s.energy[r] = Scalar(double(s.energy[r]) + de);
        this->record(s, r, p_move, moved, moved ? 1 : 0, bad > 0);
      }
    });
    return this->finish_step(s);
  }
};

template <CategoricalModel M>
class CategoricalSystematicGibbs : public detail::CategoricalKernel<M> {
  using Base = detail::CategoricalKernel<M>;

public:
  using typename Base::Model;
  using typename Base::Scalar;
  using typename Base::State;
  static constexpr bool metropolis_adjusted = false;

  explicit CategoricalSystematicGibbs(Index block_rows = default_block_rows)
      : Base("CategoricalSystematicGibbs", false, block_rows) {}

  CategoricalStepInfo step(const M& model, State& s, std::span<Rng> rng) {
    this->begin_step(model, s, rng);
    const Index n = s.x.cols();
    for_each_block(this->plan_, [&](Index, Index r0, Index count) {
      for (Index r = r0; r < r0 + count; ++r) {
        Rng& g = rng[std::size_t(r)];
        const std::span<Label> x = label_row(s.x, r);
        double de = 0, p_move = 0, bad = 0, changes = 0;
        for (Index i = 0; i < n; ++i) changes += this->gibbs_site(model, x, r, i, g, de, p_move, bad) ? 1 : 0;
        s.energy[r] = Scalar(double(s.energy[r]) + de);
        this->record(s, r, p_move / double(n), changes > 0, changes, bad > 0);
      }
    });
    return this->finish_step(s);
  }
};

}  // namespace ebm
