// The Langevin kernels' cache of E and ∇ₓE is versioned in each chain state (param_stamp.hpp), not in the
// kernel: one Mala or Ula kernel stepping two chain sets while θ changes between steps must refresh both sets.
// With the version kept in the kernel (as before), the first set's refresh recorded the new θ in the kernel and
// the second set then passed the check with its stale E and ∇ₓE: a proposal drawn with the old gradient and
// an accept/reject with the old energy, sampling the wrong target without an error.
//
// The check: after θ changes, set b's step through the shared kernel (which has just refreshed set a at the
// new θ) is bitwise the step of a fresh kernel whose state was initialised at b's positions under the new θ,
// with the same random streams; and b's cache then equals a fresh evaluation at the new θ.
#include <catch2/catch.hpp>

#include <cstring>

#include "ebm/ebm.hpp"

using namespace ebm;

namespace {

GaussianEnergyd gaussian(double m0, double m1, double rho) {
  Vectord mu(3);
  mu << m0, m1, 0.5;
  Matrixd cov(3, 3);
  cov << 1, rho, 0, rho, 2, 0.3, 0, 0.3, 0.5;
  return GaussianEnergyd::from_covariance(mu, cov);
}

Matrixd starts(Index n, Index d, std::uint64_t seed) {
  Rng rng = make_stream(seed, StreamPurpose::init, 0);
  Matrixd x(n, d);
  for (Index k = 0; k < x.size(); ++k) x.data()[k] = 2 * standard_normal<double>(rng);
  return x;
}

bool bitwise(const Matrixd& a, const Matrixd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * std::size_t(a.size())) == 0;
}

template <class K>
void check_two_chain_sets(K kernel) {
  const Index n = 60, d = 3;  // 3 blocks of 25, 25 and 10 rows
  GaussianEnergyd model = gaussian(0, 0, 0.5);
  const GaussianEnergyd next = gaussian(3, -2, -0.4);  // θ after "a trainer's update"
  LangevinChains<double> a, b;
  auto rng_a = make_chain_streams(11, n), rng_b = make_chain_streams(12, n);
  kernel.init(model, a, starts(n, d, 13), rng_a);
  kernel.init(model, b, starts(n, d, 14), rng_b);
  for (int t = 0; t < 5; ++t) {
    kernel.step(model, a, rng_a);
    kernel.step(model, b, rng_b);
  }
  CHECK(kernel.cache_is_current(model, a));
  CHECK(kernel.cache_is_current(model, b));

  model.set_params(next.params());
  CHECK_FALSE(kernel.cache_is_current(model, a));
  CHECK_FALSE(kernel.cache_is_current(model, b));
  kernel.step(model, a, rng_a);  // refreshes a's cache, then moves a
  CHECK(kernel.cache_is_current(model, a));
  CHECK_FALSE(kernel.cache_is_current(model, b));  // the kernel has seen the new θ; b's cache has not

  // The reference for b's next step: a fresh kernel, b's positions evaluated under the new θ, b's streams.
  K fresh = kernel;
  LangevinChains<double> ref;
  auto rng_ref = rng_b;
  fresh.init(model, ref, b.x, rng_ref);
  kernel.step(model, b, rng_b);
  fresh.step(model, ref, rng_ref);
  CHECK(kernel.cache_is_current(model, b));
  CHECK(bitwise(b.x, ref.x));
  CHECK(bitwise(b.grad, ref.grad));
  CHECK(bitwise(Matrixd(b.energy), Matrixd(ref.energy)));
  CHECK(b.acceptance == ref.acceptance);

  // And b's cache is E and ∇ₓE at the new θ (one product over all rows here, blocks in the kernel: rounding).
  Vectord e(n);
  Matrixd g(n, d);
  model.energy_and_grad(b.x, e, g);
  CHECK((e - b.energy).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((g - b.grad).cwiseAbs().maxCoeff() < 1e-12);
}

}  // namespace

TEST_CASE("Mala: one kernel, two chain sets, θ changes: the second set refreshes its own stale cache",
          "[langevin][mala][cache]") {
  check_two_chain_sets(Mala<GaussianEnergyd>(0.3));
}

TEST_CASE("Ula: one kernel, two chain sets, θ changes: the second set refreshes its own stale cache",
          "[langevin][ula][cache]") {
  check_two_chain_sets(Ula<GaussianEnergyd>(0.1));
}

TEST_CASE("Langevin cache stamp: a state follows the model object, and init sizes the θ copy", "[langevin][cache]") {
  const GaussianEnergyd m1 = gaussian(0, 0, 0.5);
  const GaussianEnergyd m2 = m1;  // the same θ, another object: its cache is not trusted
  Mala<GaussianEnergyd> mala(0.3);
  LangevinChains<double> s;
  CHECK_FALSE(mala.cache_is_current(m1, s));  // nothing cached yet
  auto rng = make_chain_streams(21, 30);
  mala.init(m1, s, starts(30, 3, 22), rng);
  CHECK(s.stamp.size() == m1.num_params());
  CHECK(mala.cache_is_current(m1, s));
  CHECK_FALSE(mala.cache_is_current(m2, s));
  mala.step(m2, s, rng);
  CHECK(mala.cache_is_current(m2, s));
}
