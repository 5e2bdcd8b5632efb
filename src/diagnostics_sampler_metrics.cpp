// The sampler-benchmark metrics (include/ebm/diagnostics/sampler_metrics.hpp).
#include "ebm/diagnostics/sampler_metrics.hpp"

#include <cmath>
#include <limits>

#include "ebm/core/error.hpp"
#include "ebm/diagnostics/ess.hpp"

namespace ebm {

namespace {
template <class A, class B>
Index hamming(const A& a, const B& b) {
  Index h = 0;
  for (Index i = 0; i < a.size(); ++i) h += a[i] != b[i];
  return h;
}

double rate(double amount, double cost) {
  return cost > 0 ? amount / cost : std::numeric_limits<double>::infinity();
}

// Mean of k over all pairs (a_i, b_j); the kernel depends on the distance only, so a table of exp(−h/d).
template <class S>
double mean_kernel(const Eigen::Ref<const MatrixX<S>>& a, const Eigen::Ref<const MatrixX<S>>& b,
                   const Eigen::VectorXd& k_of_h) {
  double sum = 0;
  for (Index i = 0; i < a.rows(); ++i) {
    double row = 0;
    for (Index j = 0; j < b.rows(); ++j) row += k_of_h[hamming(a.row(i), b.row(j))];
    sum += row;
  }
  return sum / (double(a.rows()) * double(b.rows()));
}
}  // namespace

template <class S>
void hamming_to_reference(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const VectorX<S>>& ref,
                          Eigen::Ref<Eigen::VectorXd> out) {
  ensure(ref.size() == x.cols(), "hamming_to_reference: reference state has ", ref.size(), " entries, states have ",
         x.cols());
  ensure(out.size() == x.rows(), "hamming_to_reference: ", out.size(), " outputs for ", x.rows(), " states");
  for (Index r = 0; r < x.rows(); ++r) out[r] = double(hamming(x.row(r), ref));
}

double ess_second_half(const ConstDrawsRef& draws) {
  ensure(draws.rows() >= 16, "ess_second_half: ", draws.rows(),
         " steps; need at least 16 (the second half split into two halves of 4 or more)");
  const Index kept = draws.rows() - draws.rows() / 2;
  return ess_bulk(draws.bottomRows(kept));
}

EssRates ess_rates(double ess, double wall_seconds, double cpu_seconds, double evaluations) {
  return {ess, rate(ess, wall_seconds), rate(ess, cpu_seconds), rate(ess, evaluations)};
}

template <class S>
void RunningMean::add(const Eigen::Ref<const MatrixX<S>>& x) {
  ensure(x.cols() == sum_.size(), "RunningMean::add: states have ", x.cols(), " columns, the mean ", sum_.size());
  for (Index r = 0; r < x.rows(); ++r) sum_ += x.row(r).transpose().template cast<double>();
  n_ += double(x.rows());
}

Eigen::VectorXd RunningMean::mean() const {
  ensure(n_ > 0, "RunningMean::mean: no states were added");
  return sum_ / n_;
}

double rmse(const Eigen::Ref<const Eigen::VectorXd>& estimate, const Eigen::Ref<const Eigen::VectorXd>& truth) {
  ensure(estimate.size() == truth.size() && truth.size() > 0, "rmse: estimate has ", estimate.size(),
         " entries, truth ", truth.size(), " (must be equal and positive)");
  return std::sqrt((estimate - truth).squaredNorm() / double(truth.size()));
}

template <class S>
double mean_hamming_kernel(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const MatrixX<S>>& y) {
  ensure(x.rows() > 0 && y.rows() > 0, "mmd2_hamming: ", x.rows(), " and ", y.rows(), " states; need at least one each");
  ensure(x.cols() == y.cols() && x.cols() > 0, "mmd2_hamming: states of dimension ", x.cols(), " and ", y.cols());
  const Index d = x.cols();
  Eigen::VectorXd k_of_h(d + 1);
  for (Index h = 0; h <= d; ++h) k_of_h[h] = std::exp(-double(h) / double(d));
  return mean_kernel<S>(x, y, k_of_h);
}

template <class S>
double mmd2_hamming(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const MatrixX<S>>& y, double mean_k_yy) {
  const double v = mean_hamming_kernel<S>(x, x) + mean_k_yy - 2 * mean_hamming_kernel<S>(x, y);
  return v > 0 ? v : 0.0;  // ≥ 0 in exact arithmetic; rounding of equal sets may leave −1e−17
}

template <class S>
double mmd2_hamming(const Eigen::Ref<const MatrixX<S>>& x, const Eigen::Ref<const MatrixX<S>>& y) {
  return mmd2_hamming<S>(x, y, mean_hamming_kernel<S>(y, y));
}

template void hamming_to_reference<float>(const Eigen::Ref<const Matrixf>&, const Eigen::Ref<const Vectorf>&,
                                          Eigen::Ref<Eigen::VectorXd>);
template void hamming_to_reference<double>(const Eigen::Ref<const Matrixd>&, const Eigen::Ref<const Vectord>&,
                                           Eigen::Ref<Eigen::VectorXd>);
template void RunningMean::add<float>(const Eigen::Ref<const Matrixf>&);
template void RunningMean::add<double>(const Eigen::Ref<const Matrixd>&);
template double mmd2_hamming<float>(const Eigen::Ref<const Matrixf>&, const Eigen::Ref<const Matrixf>&);
template double mmd2_hamming<double>(const Eigen::Ref<const Matrixd>&, const Eigen::Ref<const Matrixd>&);
template double mmd2_hamming<float>(const Eigen::Ref<const Matrixf>&, const Eigen::Ref<const Matrixf>&, double);
template double mmd2_hamming<double>(const Eigen::Ref<const Matrixd>&, const Eigen::Ref<const Matrixd>&, double);
template double mean_hamming_kernel<float>(const Eigen::Ref<const Matrixf>&, const Eigen::Ref<const Matrixf>&);
template double mean_hamming_kernel<double>(const Eigen::Ref<const Matrixd>&, const Eigen::Ref<const Matrixd>&);

}  // namespace ebm
