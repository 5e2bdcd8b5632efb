#pragma once
// What the tempering schemes whose replicas are views of the model share (EnergyTempering over real or binary
// rows, CategoricalTempering over label rows; tempering_concept.hpp): a replica is the model seen at β (rebind +
// set_beta, its params() are [β] alone), so the chains' caches cannot see θ change and sync() marks every
// replica's cache stale when θ moved since the last advance (a ParamStamp of its own); a step at β is the
// kernel's plain step on the replica.
#include <span>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"
#include "ebm/samplers/param_stamp.hpp"

namespace ebm {

template <class M, class Replica>
class ViewTempering {
public:
  void temper(const M& model, double beta, Replica& out) const {
    out.rebind(model);
    out.set_beta(beta);
  }

  // (The first call sizes the copy of θ; later ones allocate nothing.)
  template <class State>
  void sync(const M& model, std::span<State> states) {
    if (stamp_.matches(model)) return;
    for (State& s : states) s.stamp.invalidate();
    stamp_.record(model);
  }

  template <class K, class State>
  bool step(K& kernel, const M&, const Replica& replica, double, State& s, std::span<Rng> rng, VecRef<double>) {
    kernel.step(replica, s, rng);
    return false;
  }

private:
  ParamStamp<typename M::Scalar> stamp_;  // θ of the model at the last advance
};

}  // namespace ebm
