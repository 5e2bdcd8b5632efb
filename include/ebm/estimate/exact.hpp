#pragma once
// Exact quantities of a small Bernoulli RBM by enumerating its smaller layer (at most max_exact_units
// units, i.e. 2^n states), in double precision, in parallel over a fixed split of the states:
//   log Z = log Σ_v e^{−F(v)}  (or the same sum over h),
//   the mean log-likelihood of a data set, mean_r [−F(v_r)] − log Z,
//   the model expectation E_p[∂E/∂θ] in the flat parameter layout of BernoulliRBM (what a Gibbs model term
//   estimates, and what finite differences of log Z must equal: ∂ log Z/∂θ = −E_p[∂E/∂θ]).
// Use them to report real log-likelihoods for small models and to test samplers and AIS.
#include <cstdint>
#include <type_traits>

#include "ebm/core/types.hpp"
#include "ebm/models/bernoulli_rbm.hpp"

namespace ebm {

inline constexpr Index max_exact_units = 30;

template <class S>
double exact_log_z(const BernoulliRBM<S>& rbm);

template <class S>
double exact_log_likelihood(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstBatchRef<S>>& data);

template <class S>
VectorX<double> exact_model_expectation(const BernoulliRBM<S>& rbm);

// p(v) for every visible configuration, indexed by the binary number v_0 + 2 v_1 + … (needs nv ≤ 24);
// for goodness-of-fit tests of samplers.
template <class S>
VectorX<double> exact_visible_distribution(const BernoulliRBM<S>& rbm);

// n independent exact draws of v from p(v) (needs nv ≤ 24), by inverting the tabulated distribution;
// for generating data sets from a known model.
template <class S>
MatrixX<S> exact_sample_visible(const BernoulliRBM<S>& rbm, Index n, std::uint64_t seed);

extern template double exact_log_z(const BernoulliRBM<float>&);
extern template double exact_log_z(const BernoulliRBM<double>&);
extern template double exact_log_likelihood(const BernoulliRBM<float>&, const ConstBatchRef<float>&);
extern template double exact_log_likelihood(const BernoulliRBM<double>&, const ConstBatchRef<double>&);
extern template VectorX<double> exact_model_expectation(const BernoulliRBM<float>&);
extern template VectorX<double> exact_model_expectation(const BernoulliRBM<double>&);
extern template VectorX<double> exact_visible_distribution(const BernoulliRBM<float>&);
extern template VectorX<double> exact_visible_distribution(const BernoulliRBM<double>&);
extern template MatrixX<float> exact_sample_visible(const BernoulliRBM<float>&, Index, std::uint64_t);
extern template MatrixX<double> exact_sample_visible(const BernoulliRBM<double>&, Index, std::uint64_t);

}  // namespace ebm
