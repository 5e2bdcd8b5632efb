#pragma once
// Exact answers for tiny conditional models, by enumerating all L^n labellings of one input x: log Z(x),
// p(y | x) for every y, and the model term E_{y~p(·|x)}[∂E/∂θ]. The ground truth of the tests (a 3 × 3 grid
// with 3 labels has 19,683 labellings). State index k ↔ labels: y_s = (k / L^s) mod L.
#include <cmath>
#include <span>
#include <vector>

#include "ebm/core/conditional_model.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/types.hpp"

namespace ebm {

inline void decode_labels(Index state, int labels, std::span<Label> y) {
  for (auto& l : y) {
    l = static_cast<Label>(state % labels);
    state /= labels;
  }
}
inline Index encode_labels(std::span<const Label> y, int labels) {
  Index k = 0;
  for (std::size_t s = y.size(); s-- > 0;) k = k * labels + y[s];
  return k;
}

struct ExactConditional {
  double log_z = 0;
  std::vector<double> prob;  // p(y | x) by state index
};

inline Index count_labellings(Index sites, int labels, Index max_states) {
  Index n = 1;
  for (Index s = 0; s < sites; ++s) {
    ensure(n <= max_states / labels, "exact enumeration: ", labels, "^", sites, " labellings exceed the limit of ",
           max_states);
    n *= labels;
  }
  return n;
}

template <ConditionalGibbsModel M>
ExactConditional exact_conditional(const M& m, const typename M::Context& ctx, Index max_states = Index(1) << 22) {
  const int L = m.num_labels();
  const Index n = count_labellings(m.num_sites(), L, max_states);
  LabelMatrix y(1, m.num_sites());  // (a std::vector<uint8_t> here trips GCC 12's -Wstringop-overflow)
  ExactConditional out;
  out.prob.resize(static_cast<std::size_t>(n));
  double emin = INFINITY;
  for (Index k = 0; k < n; ++k) {
    decode_labels(k, L, label_row(y, 0));
    const double e = m.energy(ctx, label_row(ConstLabelRef(y), 0));
    out.prob[std::size_t(k)] = -e;
    emin = std::min(emin, e);
  }
  double z = 0;
  for (double& p : out.prob) z += (p = std::exp(p + emin));
  for (double& p : out.prob) p /= z;
  out.log_z = std::log(z) - emin;
  return out;
}

// grad += w · E_{y~p(·|x)}[∂E(y, x)/∂θ], exactly.
template <ConditionalGibbsModel M>
void exact_model_term(const M& m, const typename M::Context& ctx, const ExactConditional& ex, typename M::Scalar w,
                      VecRef<typename M::Scalar> grad) {
  using S = typename M::Scalar;
  LabelMatrix y(1, m.num_sites());  // (a std::vector<uint8_t> here trips GCC 12's -Wstringop-overflow)
  VectorX<double> acc = VectorX<double>::Zero(m.num_params());
  VectorX<S> one(m.num_params());
  for (std::size_t k = 0; k < ex.prob.size(); ++k) {
    decode_labels(Index(k), m.num_labels(), label_row(y, 0));
    one.setZero();
    m.accumulate_grad(ctx, label_row(ConstLabelRef(y), 0), S(1), one);
    acc += ex.prob[k] * one.template cast<double>();
  }
  grad += (double(w) * acc).template cast<S>();
}

}  // namespace ebm
