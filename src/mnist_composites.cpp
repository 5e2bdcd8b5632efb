#include "ebm/data/mnist_composites.hpp"

#include <boost/random/uniform_int_distribution.hpp>
#include <algorithm>
#include <cmath>

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/random.hpp"

namespace ebm {

void CompositeOptions::validate(Index digit_side) const {
  ensure(canvas >= digit_side, "composites: canvas = ", canvas, " is smaller than a ", digit_side, " × ", digit_side,
         " digit");
  ensure(min_digits >= 1 && max_digits >= min_digits, "composites: ", min_digits, " to ", max_digits,
         " digits per canvas; need 1 ≤ min ≤ max");
  ensure(noise_sigma >= 0 && std::isfinite(noise_sigma), "composites: noise σ = ", noise_sigma,
         " must be non-negative and finite");
  ensure(threshold >= 0 && threshold < 1, "composites: threshold = ", threshold, " must lie in [0, 1)");
  ensure(max_overlap >= 0 && max_overlap <= 1, "composites: max_overlap = ", max_overlap, " must lie in [0, 1]");
}

namespace {
struct Box {
  Index top, left;
};
// Area of the intersection of two side × side boxes.
Index overlap(const Box& a, const Box& b, Index side) {
  const Index h = std::max<Index>(0, side - std::abs(a.top - b.top));
  const Index w = std::max<Index>(0, side - std::abs(a.left - b.left));
  return h * w;
}
}  // namespace

Composites make_mnist_composites(const ConstBatchRef<float>& digits, const std::vector<int>& classes, Index n,
                                 const CompositeOptions& opt, std::uint64_t seed) {
  check_nonempty(digits.rows(), "composites: digits");
  ensure(Index(classes.size()) == digits.rows(), "composites: ", digits.rows(), " digit images but ", classes.size(),
         " classes");
  const auto side = Index(std::lround(std::sqrt(double(digits.cols()))));
  ensure(side * side == digits.cols(), "composites: digit images have ", digits.cols(), " pixels, not a square");
  opt.validate(side);
  ensure(n > 0, "composites: number of composites = ", n, " must be positive");
  for (std::size_t k = 0; k < classes.size(); ++k)
    ensure(classes[k] >= 0 && classes[k] <= 9, "composites: digit ", k, " has class ", classes[k], "; classes are 0–9");

  const Index C = opt.canvas;
  Composites out;
  out.canvas = C;
  out.x.resize(n, C * C);
  out.clean.setZero(n, C * C);
  out.y.setZero(n, C * C);
  const auto thr = float(opt.threshold);
  std::vector<Box> placed;
  for (Index i = 0; i < n; ++i) {
    Rng rng = make_stream(seed, StreamPurpose::user, std::uint64_t(i));
    const int count = boost::random::uniform_int_distribution<int>(opt.min_digits, opt.max_digits)(rng);
    boost::random::uniform_int_distribution<Index> pick_digit(0, digits.rows() - 1), pick_pos(0, C - side);
    float* canvas = out.clean.row(i).data();
    Label* labels = out.y.row(i).data();
    placed.clear();
    for (int d = 0; d < count; ++d) {
      const Index k = pick_digit(rng);
      Box b{};
      for (int attempt = 0; attempt < 50; ++attempt) {
        b = {pick_pos(rng), pick_pos(rng)};
        bool ok = true;
        for (const Box& p : placed) ok = ok && double(overlap(b, p, side)) <= opt.max_overlap * double(side * side);
        if (ok) break;
      }
      placed.push_back(b);
      const auto label = static_cast<Label>(1 + classes[std::size_t(k)]);
      for (Index r = 0; r < side; ++r)
        for (Index c = 0; c < side; ++c) {
          const float v = digits(k, r * side + c);
          const Index p = (b.top + r) * C + b.left + c;
          canvas[p] = std::max(canvas[p], v);
          if (v > thr) labels[p] = label;
        }
    }
    const auto sigma = float(opt.noise_sigma);
    for (Index p = 0; p < C * C; ++p) out.x(i, p) = canvas[p] + sigma * standard_normal<float>(rng);
  }
  return out;
}

}  // namespace ebm
