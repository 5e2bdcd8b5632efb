// Exact enumeration for small Bernoulli RBMs (see include/ebm/estimate/exact.hpp).
//
// Enumerating layer A (n units) with the other layer B summed out analytically:
//   log p̃(a) = a·bias_A + Σ_k softplus(bias_B,k + (a·W_AB)_k),   E[b | a] = σ(bias_B + a·W_AB)
// The 2^n states are split into a fixed number of parts (independent of threads); each part sums its
// chunks in order and the parts are combined in order, so results are deterministic.
#include "ebm/estimate/exact.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"

namespace ebm {
namespace {

struct Layers {
  Matrixd w;         // n × m, rows indexed by the enumerated layer
  Vectord bias_a;    // enumerated layer (n)
  Vectord bias_b;    // summed-out layer (m)
  bool visible_enumerated = false;
  Index n() const { return w.rows(); }
  Index m() const { return w.cols(); }
};

template <class S>
Layers layers_of(const BernoulliRBM<S>& rbm, bool force_visible = false) {
  Layers L;
  const Matrixd W = rbm.W().template cast<double>();
  L.visible_enumerated = force_visible || rbm.num_visible() <= rbm.num_hidden();
  if (L.visible_enumerated) {
    L.w = W;
    L.bias_a = rbm.b().template cast<double>();
    L.bias_b = rbm.c().template cast<double>();
  } else {
    L.w = W.transpose();
    L.bias_a = rbm.c().template cast<double>();
    L.bias_b = rbm.b().template cast<double>();
  }
  ensure(L.n() <= max_exact_units, "exact enumeration: the smaller layer has ", L.n(), " units; at most ",
         max_exact_units, " can be enumerated (use AIS for larger models)");
  return L;
}

constexpr Index chunk_states = 2048;
constexpr Index parts = 64;

// Calls f(part, states, logp, condmean) for chunks of enumerated states; states (rows) are the binary
// digits of consecutive integers, logp the unnormalized log-probabilities, condmean E[other layer | state].
template <class F>
void enumerate(const Layers& L, F&& f) {
  const Index total = Index{1} << L.n();
  const Index per_part = (total + parts - 1) / parts;
  for_each_range(total, per_part, [&](Index first, Index count) {
    const Index part = first / per_part;
    Matrixd a(std::min(chunk_states, count), L.n());
    Matrixd x(a.rows(), L.m());
    Vectord logp(a.rows());
    for (Index s0 = first; s0 < first + count; s0 += chunk_states) {
      const Index rows = std::min(chunk_states, first + count - s0);
      for (Index r = 0; r < rows; ++r)
        for (Index k = 0; k < L.n(); ++k) a(r, k) = double(((s0 + r) >> k) & 1);
      auto A = a.topRows(rows);
      auto X = x.topRows(rows);
      X.noalias() = A * L.w;
      X.rowwise() += L.bias_b.transpose();
      for (Index r = 0; r < rows; ++r) {
        double lp = A.row(r).dot(L.bias_a.transpose());
        for (Index j = 0; j < L.m(); ++j) lp += softplus(X(r, j));
        logp[r] = lp;
      }
      X.array() = X.array().logistic();
      f(part, s0, A, logp.head(rows), X);
    }
  });
}

double log_z_of(const Layers& L) {
  std::vector<double> mx(parts, -std::numeric_limits<double>::infinity()), sum(parts, 0.0);
  // Two sweeps per part would double the work; a running log-sum-exp is exact enough in double.
  enumerate(L, [&](Index p, Index, const auto&, const auto& logp, const auto&) {
    for (Index r = 0; r < logp.size(); ++r) {
      const double l = logp[r];
      if (l > mx[std::size_t(p)]) {
        sum[std::size_t(p)] = sum[std::size_t(p)] * std::exp(mx[std::size_t(p)] - l) + 1.0;
        mx[std::size_t(p)] = l;
      } else {
        sum[std::size_t(p)] += std::exp(l - mx[std::size_t(p)]);
      }
    }
  });
  double m = -std::numeric_limits<double>::infinity();
  for (double v : mx) m = std::max(m, v);
  double s = 0;
  for (Index p = 0; p < parts; ++p)
    if (sum[std::size_t(p)] > 0) s += sum[std::size_t(p)] * std::exp(mx[std::size_t(p)] - m);
  return m + std::log(s);
}

}  // namespace

template <class S>
double exact_log_z(const BernoulliRBM<S>& rbm) {
  return log_z_of(layers_of(rbm));
}

template <class S>
double exact_log_likelihood(const BernoulliRBM<S>& rbm, const std::type_identity_t<ConstBatchRef<S>>& data) {
  check_nonempty(data.rows(), "exact_log_likelihood: data");
  check_cols(data.cols(), rbm.num_visible(), "exact_log_likelihood: data");
  check_finite(data, "exact_log_likelihood: data");
  check_binary(data, "exact_log_likelihood: data");
  const double log_z = exact_log_z(rbm);
  VectorX<S> f(data.rows());
  rbm.free_energy(data, f);
  return -f.template cast<double>().mean() - log_z;
}

template <class S>
VectorX<double> exact_model_expectation(const BernoulliRBM<S>& rbm) {
  const Layers L = layers_of(rbm);
  const double log_z = log_z_of(L);
  const Index n = L.n(), m = L.m();
  // Per part: Σ p(a) a E[b|a]ᵀ, Σ p(a) a, Σ p(a) E[b|a]
  std::vector<Matrixd> gw(parts, Matrixd::Zero(n, m));
  std::vector<Vectord> ga(parts, Vectord::Zero(n)), gb(parts, Vectord::Zero(m));
  enumerate(L, [&](Index p, Index, const auto& A, const auto& logp, const auto& X) {
    const Vectord w = (logp.array() - log_z).exp().matrix();
    const auto P = std::size_t(p);
    gw[P].noalias() += A.transpose() * (w.asDiagonal() * X);
    ga[P].noalias() += A.transpose() * w;
    gb[P].noalias() += X.transpose() * w;
  });
  for (Index p = 1; p < parts; ++p) {
    gw[0] += gw[std::size_t(p)];
    ga[0] += ga[std::size_t(p)];
    gb[0] += gb[std::size_t(p)];
  }
  // ∂E/∂W = −v hᵀ, ∂E/∂b = −v, ∂E/∂c = −h, in the layout [W (nv×nh row-major), b, c].
  const Index nv = rbm.num_visible(), nh = rbm.num_hidden();
  VectorX<double> out(rbm.num_params());
  Eigen::Map<Matrixd> oW(out.data(), nv, nh);
  if (L.visible_enumerated) {
    oW = -gw[0];
    out.segment(nv * nh, nv) = -ga[0];
    out.segment(nv * nh + nv, nh) = -gb[0];
  } else {
    oW = -gw[0].transpose();
    out.segment(nv * nh, nv) = -gb[0];
    out.segment(nv * nh + nv, nh) = -ga[0];
  }
  return out;
}

template <class S>
VectorX<double> exact_visible_distribution(const BernoulliRBM<S>& rbm) {
  ensure(rbm.num_visible() <= 24, "exact_visible_distribution: nv = ", rbm.num_visible(),
         " is too large to tabulate (at most 24)");
  const Layers L = layers_of(rbm, /*force_visible=*/true);
  const double log_z = log_z_of(L);
  VectorX<double> p(Index{1} << L.n());
  enumerate(L, [&](Index, Index s0, const auto&, const auto& logp, const auto&) {
    for (Index r = 0; r < logp.size(); ++r) p[s0 + r] = std::exp(logp[r] - log_z);
  });
  return p;
}

template <class S>
MatrixX<S> exact_sample_visible(const BernoulliRBM<S>& rbm, Index n, std::uint64_t seed) {
  ensure(n >= 0, "exact_sample_visible: n = ", n, " must be non-negative");
  const VectorX<double> p = exact_visible_distribution(rbm);
  std::vector<double> cdf(std::size_t(p.size()));
  double acc = 0;
  for (Index s = 0; s < p.size(); ++s) cdf[std::size_t(s)] = (acc += p[s]);
  Rng rng = make_stream(seed, StreamPurpose::user, 0);
  MatrixX<S> out(n, rbm.num_visible());
  for (Index r = 0; r < n; ++r) {
    const double u = uniform01d(rng) * acc;
    const auto s = Index(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    const Index state = std::min(s, p.size() - 1);
    for (Index k = 0; k < rbm.num_visible(); ++k) out(r, k) = S((state >> k) & 1);
  }
  return out;
}

template double exact_log_z(const BernoulliRBM<float>&);
template double exact_log_z(const BernoulliRBM<double>&);
template double exact_log_likelihood(const BernoulliRBM<float>&, const ConstBatchRef<float>&);
template double exact_log_likelihood(const BernoulliRBM<double>&, const ConstBatchRef<double>&);
template VectorX<double> exact_model_expectation(const BernoulliRBM<float>&);
template VectorX<double> exact_model_expectation(const BernoulliRBM<double>&);
template VectorX<double> exact_visible_distribution(const BernoulliRBM<float>&);
template VectorX<double> exact_visible_distribution(const BernoulliRBM<double>&);
template MatrixX<float> exact_sample_visible(const BernoulliRBM<float>&, Index, std::uint64_t);
template MatrixX<double> exact_sample_visible(const BernoulliRBM<double>&, Index, std::uint64_t);

}  // namespace ebm
