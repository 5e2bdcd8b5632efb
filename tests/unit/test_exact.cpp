// Exact enumeration (estimate/exact.hpp) against brute force and against its own identities: log Z by
// enumerating both layers, ∂ log Z/∂θ by central differences, the log-likelihood formula, the normalization
// of p(v), and exact sampling against p(v).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <utility>

#include "ebm/estimate/exact.hpp"
#include "support/rbm_fixtures.hpp"

using namespace ebm;
using test::bits;

namespace {

// log Σ_v e^{−F(v)} with F from the model's own free_energy, over all 2^nv states in chunks: independent of
// the enumeration code in src/exact_rbm.cpp, and cheap enough for models too large for brute_log_z.
template <class S>
double log_z_by_free_energy(const BernoulliRBM<S>& rbm) {
  const Index nv = rbm.num_visible(), total = Index{1} << nv, chunk = 4096;
  double mx = -INFINITY, sum = 0;
  MatrixX<S> v(chunk, nv);
  VectorX<S> f(chunk);
  for (Index s0 = 0; s0 < total; s0 += chunk) {
    const Index rows = std::min(chunk, total - s0);
    for (Index r = 0; r < rows; ++r) v.row(r) = bits<S>(std::uint64_t(s0 + r), nv);
    rbm.free_energy(v.topRows(rows), f.head(rows));
    for (Index r = 0; r < rows; ++r) {
      const double l = -double(f[r]);
      if (l > mx) {
        sum = sum * std::exp(mx - l) + 1;
        mx = l;
      } else {
        sum += std::exp(l - mx);
      }
    }
  }
  return mx + std::log(sum);
}

// The same RBM with the layers swapped (W → Wᵀ, b ↔ c): its log Z is the same number, enumerated over the
// other layer.
BernoulliRBMd transposed(const BernoulliRBMd& rbm) {
  const Index nv = rbm.num_visible(), nh = rbm.num_hidden();
  BernoulliRBMd t(nh, nv);
  Vectord theta(t.num_params());
  Eigen::Map<Matrixd>(theta.data(), nh, nv) = rbm.W().transpose();
  theta.segment(nh * nv, nh) = rbm.c();
  theta.segment(nh * nv + nh, nv) = rbm.b();
  t.set_params(theta);
  return t;
}

}  // namespace

TEST_CASE("exact log Z equals brute-force enumeration of both layers", "[exact]") {
  // Relative accuracy of a sum of ≤ 2^12 positive terms in double: far below 1e-12.
  SECTION("nv <= nh: the visible layer is enumerated") {
    for (const auto& [nv, nh, sigma] : {std::tuple{5, 7, 1.0}, std::tuple{6, 6, 2.0}, std::tuple{4, 8, 4.0}}) {
      const auto rbm = test::random_rbm<double>(nv, nh, sigma, 1.0, 100 + std::uint64_t(nv));
      INFO("nv " << nv << ", nh " << nh << ", sigma " << sigma);
      CHECK(exact_log_z(rbm) == Approx(test::brute_log_z(rbm)).epsilon(1e-12));
    }
  }
  SECTION("nh < nv: the hidden layer is enumerated") {
    for (const auto& [nv, nh, sigma] : {std::tuple{7, 4, 1.0}, std::tuple{8, 3, 2.0}, std::tuple{6, 5, 4.0}}) {
      const auto rbm = test::random_rbm<double>(nv, nh, sigma, 1.0, 200 + std::uint64_t(nv));
      INFO("nv " << nv << ", nh " << nh << ", sigma " << sigma);
      CHECK(exact_log_z(rbm) == Approx(test::brute_log_z(rbm)).epsilon(1e-12));
    }
  }
  SECTION("a float model is enumerated in double") {
    const auto rbm = test::random_rbm<float>(6, 4, 1.5, 1.0, 300);
    CHECK(exact_log_z(rbm) == Approx(test::brute_log_z(rbm)).epsilon(1e-12));
  }
}

TEST_CASE("exact log Z over many chunks and parts: both layers, and against the free energy", "[exact]") {
  // 2^18 states: more than parts × chunk (64 × 2048), so every part sums several chunks. Summing n positive
  // terms in any order errs by at most (n − 1)·u relatively, u = 2^-53: 2.9e-11 in log Z, for each side.
  const auto rbm = test::random_rbm<double>(18, 20, 0.5, 0.5, 400);
  const double by_visible = exact_log_z(rbm);            // nv ≤ nh: enumerates v
  const double by_hidden = exact_log_z(transposed(rbm));  // the same model seen from h: enumerates its 18 units
  const double reference = log_z_by_free_energy(rbm);
  const double tolerance = 2 * double((Index{1} << 18) - 1) * 0x1p-53;
  CHECK(by_visible == Approx(reference).margin(tolerance).epsilon(0));
  CHECK(by_hidden == Approx(reference).margin(tolerance).epsilon(0));
}

TEST_CASE("central differences of exact log Z equal minus the exact model expectation, every parameter",
          "[exact][gradient]") {
  // ∂ log Z/∂θ_k = E_p[s_k] with s_k = −∂E/∂θ_k ∈ {0, 1} (v_i h_j, v_i or h_j). The central difference
  // [log Z(θ + h e_k) − log Z(θ − h e_k)] / 2h has truncation error (h²/6)·|∂³ log Z/∂θ_k³| = (h²/6)·|κ₃|, and
  // the third cumulant of a 0/1 variable, p(1−p)(1−2p), is at most 1/(6√3) in magnitude. Rounding adds
  // about δ/h, with δ ≤ 1e-14 the absolute error of log Z in double (|log Z| < 30 here, a few hundred terms).
  const double h = 1e-3;
  const double tolerance = h * h / 6 / (6 * std::sqrt(3.0)) + 1e-14 / h;
  for (const auto& [nv, nh] : {std::pair{4, 5}, std::pair{6, 3}}) {  // enumerates v, then h
    INFO("nv " << nv << ", nh " << nh);
    const auto rbm = test::random_rbm<double>(nv, nh, 1.0, 1.0, 500 + std::uint64_t(nv));
    const Vectord expectation = exact_model_expectation(rbm);
    REQUIRE(expectation.size() == rbm.num_params());
    BernoulliRBMd moved = rbm;
    for (Index k = 0; k < rbm.num_params(); ++k) {
      Vectord theta = rbm.params();
      theta[k] += h;
      moved.set_params(theta);
      const double up = exact_log_z(moved);
      theta[k] -= 2 * h;
      moved.set_params(theta);
      const double down = exact_log_z(moved);
      INFO("parameter " << rbm.param_name(k));
      CHECK((up - down) / (2 * h) == Approx(-expectation[k]).margin(tolerance).epsilon(0));
    }
  }
}

TEST_CASE("exact log-likelihood is the mean of -F minus log Z", "[exact]") {
  for (const auto& [nv, nh] : {std::pair{5, 6}, std::pair{7, 3}}) {
    const auto rbm = test::random_rbm<double>(nv, nh, 1.0, 0.5, 600 + std::uint64_t(nv));
    Matrixd data(5, nv);
    double mean_neg_f = 0;
    for (Index r = 0; r < data.rows(); ++r) {
      data.row(r) = bits<double>(std::uint64_t(3 * r + 1), nv);
      mean_neg_f -= test::brute_free_energy(rbm, data.row(r)) / double(data.rows());
    }
    CHECK(exact_log_likelihood(rbm, data) == Approx(mean_neg_f - test::brute_log_z(rbm)).epsilon(1e-12));
  }
}

TEST_CASE("exact p(v) sums to one and equals exp(-F(v) - log Z)", "[exact]") {
  for (const auto& [nv, nh] : {std::pair{5, 6}, std::pair{8, 3}}) {  // nh < nv: v is tabulated all the same
    const auto rbm = test::random_rbm<double>(nv, nh, 1.5, 1.0, 700 + std::uint64_t(nv));
    const Vectord p = exact_visible_distribution(rbm);
    REQUIRE(p.size() == Index{1} << nv);
    CHECK(p.sum() == Approx(1.0).epsilon(1e-12));
    const double log_z = test::brute_log_z(rbm);
    for (Index s = 0; s < p.size(); ++s)
      CHECK(p[s] == Approx(std::exp(-test::brute_free_energy(rbm, bits<double>(std::uint64_t(s), nv)) - log_z))
                        .epsilon(1e-10));
  }
}

TEST_CASE("exact samples have the frequencies of p(v)", "[exact][sampling]") {
  // Each state's count is Binomial(n, p_s): |freq − p_s| ≤ z·sqrt(p_s(1 − p_s)/n). z = 4.9 bounds the chance
  // of any of the 32 states failing for a correct sampler by 32 · 1e-6.
  const auto rbm = test::random_rbm<float>(5, 4, 1.5, 1.0, 800);
  const Vectord p = exact_visible_distribution(rbm);
  const Index n = 200000;
  const Matrixf x = exact_sample_visible(rbm, n, 9);
  REQUIRE(x.rows() == n);
  REQUIRE(((x.array() == 0.0f) || (x.array() == 1.0f)).all());
  Vectord freq = Vectord::Zero(p.size());
  for (Index r = 0; r < n; ++r) {
    Index s = 0;
    for (Index k = 0; k < 5; ++k) s |= Index(x(r, k) != 0.0f) << k;
    freq[s] += 1.0 / double(n);
  }
  for (Index s = 0; s < p.size(); ++s) {
    INFO("state " << s << ": p " << p[s] << ", frequency " << freq[s]);
    CHECK(std::abs(freq[s] - p[s]) <= 4.9 * std::sqrt(p[s] * (1 - p[s]) / double(n)));
  }
  // The seed alone decides the draws.
  CHECK(exact_sample_visible(rbm, 1000, 9) == x.topRows(1000));
  CHECK(exact_sample_visible(rbm, 1000, 10) != x.topRows(1000));
}
