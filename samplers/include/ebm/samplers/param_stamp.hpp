#pragma once
// The version of what a chain state caches about its chains (E and ∇ₓE at the current positions): the model
// object and the parameters θ they were computed for. It lives in the state (LangevinChains, BinaryChains),
// not in the kernel, so one kernel may step any number of chain sets while a trainer changes θ between steps:
// each set compares its own stamp with the model at the start of a step and re-evaluates a stale cache first.
// A stamp kept in the kernel would be refreshed by the first set and let the second pass with stale E and ∇E.
//
// θ is compared bit for bit (a memcmp, ~0.1 ms for 400k parameters), which needs no cooperation from the model;
// an energy that changes in any other way (a hyper-parameter outside params()) needs an explicit refresh.
// The copy of θ is sized by reset() when the chains are prepared, so recording a new θ never allocates.
#include <cstddef>
#include <cstring>

#include "ebm/core/types.hpp"

namespace ebm {

namespace detail {
// The object whose energy a cache belongs to: the model, or for a handle such as VirtualEnergy the function
// it forwards to (handles are often temporaries).
template <class M>
const void* model_identity(const M& m) {
  if constexpr (requires { m.function(); })
    return static_cast<const void*>(&m.function());
  else
    return static_cast<const void*>(&m);
}
}  // namespace detail

template <class S>
class ParamStamp {
public:
  // Nothing cached yet; the copy of θ sized for a model with num_params parameters.
  void reset(Index num_params) {
    theta_.resize(num_params);
    source_ = nullptr;
  }

  // The cache is being rewritten: trust none of it until record() (an evaluation that throws leaves it so).
  void invalidate() { source_ = nullptr; }

  // Whether the cache was computed with this model at its current params().
  template <class M>
  bool matches(const M& model) const {
    const auto& p = model.params();
    return source_ != nullptr && source_ == detail::model_identity(model) && theta_.size() == p.size() &&
           (p.size() == 0 || std::memcmp(p.data(), theta_.data(), sizeof(S) * std::size_t(p.size())) == 0);
  }

  // The cache now belongs to this model at its current params() (no allocation once reset() sized the copy).
  template <class M>
  void record(const M& model) {
    theta_ = model.params();
    source_ = detail::model_identity(model);
  }

  Index size() const { return theta_.size(); }
  const VectorX<S>& theta() const { return theta_; }

private:
  const void* source_ = nullptr;  // model_identity of the model the cache belongs to (null: nothing cached)
  VectorX<S> theta_;              // and its params()
};

}  // namespace ebm
