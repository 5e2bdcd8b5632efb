#pragma once
// Tempering of a two-layer model by its joint energy (TemperingOf in tempering_concept.hpp): replica k is the
// model's own tempered copy, model.temper(β_k, out), whose joint distribution is ∝ exp(−β_k E(v, h)), and the
// swap energy is the joint energy E(v, h) at β = 1 (B = 0: tempering only scales). What parallel tempering of
// RBMs has always done, now one tempering among others.
//
// Kernels that leave E(v, h) at β = 1 in the state during their sweep (BlockGibbs::step_tempered computes the
// untempered pre-activation a = c + vW, samples h from σ(β a) and keeps E = −bᵀv − hᵀa per chain) spare the swaps
// a product per replica (energy_from_sweep); others get Model::energy at swap time. After a swap brings a state
// to β = 1 its ph (= E[h | v], what the model term reads) was computed at another temperature, so
// top_exchanged recomputes it; the kernel itself never reads ph.
#include <span>
#include <vector>

#include "ebm/core/concepts.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/kernel_concept.hpp"

namespace ebm {

template <MarkovKernel K>
  requires TemperableModel<typename K::Model>
class JointTempering {
public:
  using Model = typename K::Model;
  using Replica = Model;
  using Scalar = typename Model::Scalar;
  using State = typename K::State;
  static constexpr bool energy_from_sweep =
      requires(K& kk, const Model& m, State& s, std::span<Rng> r) { kk.step_tempered(m, m, 1.0, s, r); };

  Replica make_replica(const Model& model) const { return model; }
  void temper(const Model& model, double beta, Replica& out) const { model.temper(Scalar(beta), out); }

  // Blocks for the swap energies and for ph of the β = 1 replicas: the kernel's own block size, so recomputed ph
  // takes the same product paths as a sweep's.
  void prepare(const Model& model, Index n, Index block_rows) {
    plan_ = BlockPlan(n, block_rows);
    ws_.clear();
    for (Index b = 0; b < plan_.count(); ++b) ws_.push_back(model.make_workspace(plan_.size(b)));
    energy_.setZero(n);
  }

  void sync(const Model&, std::span<State>) {}  // the replicas are copies, re-tempered before every advance

  bool step(K& kernel, const Model& model, const Replica& replica, double beta, State& s, std::span<Rng> rng,
            VecRef<double> u) {
    if constexpr (energy_from_sweep) {
      kernel.step_tempered(model, replica, beta, s, rng);
      u = s.energy;
      return true;
    } else {
      kernel.step(replica, s, rng);
      return false;
    }
  }

  // u = E(v, h) of every chain from Model::energy (one product), widened to double.
  void swap_energies(const Model& model, const State& s, VecRef<double> u) {
    for_each_block(plan_, [&](Index, Index r0, Index n) {
      model.energy(s.v.middleRows(r0, n), s.h.middleRows(r0, n), energy_.segment(r0, n));
      for (Index r = r0; r < r0 + n; ++r) u[r] = double(energy_[r]);
    });
  }

  void top_exchanged(const Model& model, State& s) {
    for_each_block(plan_, [&](Index b, Index r0, Index n) {
      model.hidden_mean(s.v.middleRows(r0, n), s.ph.middleRows(r0, n), ws_[std::size_t(b)]);
    });
  }

  void accumulate_model_term(const K& kernel, const Model& model, const State& s, Scalar weight,
                             VecRef<Scalar> grad) const {
    kernel.accumulate_stats(model, s, weight, grad);
  }

private:
  BlockPlan plan_;
  std::vector<typename Model::Workspace> ws_;
  VectorX<Scalar> energy_;  // E(v, h) of one replica's rows, before widening to double
};

}  // namespace ebm
