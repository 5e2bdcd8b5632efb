#pragma once
// The parameters of a two-layer model (RBM) as one flat vector θ = [W (nv × nh, row-major), b (nv), c (nh)],
// with named views and names of entries. Bernoulli and Gaussian-Bernoulli RBMs derive from it, so the
// layout, the views into any vector of that layout (a gradient, a momentum buffer) and the check that
// names a non-finite parameter exist once.
#include <Eigen/Core>
#include <cmath>
#include <string>

#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

template <class S>
class RbmParams {
public:
  using Scalar = S;
  using ParamMatrix = Eigen::Map<MatrixX<S>>;
  using ConstParamMatrix = Eigen::Map<const MatrixX<S>>;
  using ParamVector = Eigen::Map<VectorX<S>>;

  Index num_visible() const { return nv_; }
  Index num_hidden() const { return nh_; }
  Index dim() const { return nv_; }
  Index num_params() const { return theta_.size(); }
  // The leading num_weights() parameters are W: the ones weight decay applies to (biases are not decayed).
  Index num_weights() const { return nv_ * nh_; }
  const VectorX<S>& params() const { return theta_; }

  ConstParamMatrix W() const { return ConstParamMatrix(theta_.data(), nv_, nh_); }
  auto b() const { return theta_.segment(nv_ * nh_, nv_); }
  auto c() const { return theta_.segment(nv_ * nh_ + nv_, nh_); }
  // Views of the same layout inside any flat vector (a gradient, a momentum buffer). They are Maps over the
  // vector's memory, never expressions of the by-value Ref parameter: a segment() of `v` would keep a pointer
  // to `v` itself, which dies when the function returns (ASan: stack-use-after-scope).
  ParamMatrix W_of(VecRef<S> v) const { return ParamMatrix(v.data(), nv_, nh_); }
  ParamVector b_of(VecRef<S> v) const { return ParamVector(v.data() + nv_ * nh_, nv_); }
  ParamVector c_of(VecRef<S> v) const { return ParamVector(v.data() + nv_ * nh_ + nv_, nh_); }
  std::string param_name(Index k) const {
    if (k < nv_ * nh_) return "W(" + std::to_string(k / nh_) + ", " + std::to_string(k % nh_) + ")";
    if (k < nv_ * nh_ + nv_) return "b(" + std::to_string(k - nv_ * nh_) + ")";
    return "c(" + std::to_string(k - nv_ * nh_ - nv_) + ")";
  }

protected:
  RbmParams() = default;
  RbmParams(const char* model, Index num_visible, Index num_hidden) : model_(model), nv_(num_visible), nh_(num_hidden) {
    ensure(num_visible > 0, model, ": num_visible = ", num_visible, " must be positive");
    ensure(num_hidden > 0, model, ": num_hidden = ", num_hidden, " must be positive");
    theta_.setZero(nv_ * nh_ + nv_ + nh_);
  }

  // A candidate θ of the right length with finite entries, checked before it is assigned.
  void check_params(const ConstVecRef<S>& theta) const {
    ensure(theta.size() == theta_.size(), model_, "::set_params: got ", theta.size(), " values, expected ",
           theta_.size(), " (nv = ", nv_, ", nh = ", nh_, ")");
    for (Index k = 0; k < theta.size(); ++k)
      if (!std::isfinite(double(theta[k])))
        fail(model_, ": parameter ", param_name(k), " is ", double(theta[k]),
             " (training diverged? lower the learning rate)");
  }

  const char* model_ = "RBM";
  Index nv_ = 0, nh_ = 0;
  VectorX<S> theta_;
};

}  // namespace ebm
