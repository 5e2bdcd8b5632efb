#include "ebm/data/binarize.hpp"

#include "ebm/core/checks.hpp"
#include "ebm/core/error.hpp"
#include "ebm/core/parallel.hpp"
#include "ebm/core/random.hpp"

namespace ebm {

Binarize parse_binarize(const std::string& s) {
  if (s == "stochastic") return Binarize::stochastic;
  if (s == "threshold") return Binarize::threshold;
  fail("--binarize '", s, "' is unknown; use stochastic or threshold");
}

const char* to_string(Binarize b) { return b == Binarize::stochastic ? "stochastic" : "threshold"; }

void binarize(const ConstBatchRef<float>& x, Binarize mode, std::uint64_t seed, std::uint64_t round,
              BatchRef<float> out) {
  ensure(out.rows() == x.rows() && out.cols() == x.cols(), "binarize: output is ", out.rows(), " x ", out.cols(),
         ", input ", x.rows(), " x ", x.cols());
  constexpr Index block = 1024;
  for_each_block(BlockPlan(x.rows(), block), [&](Index b, Index r0, Index n) {
    Rng rng = make_stream(seed, StreamPurpose::binarize, (round << 32) | std::uint64_t(b));
    for (Index r = r0; r < r0 + n; ++r)
      for (Index k = 0; k < x.cols(); ++k) {
        const float p = x(r, k);
        if (!(p >= 0.0f && p <= 1.0f)) fail("binarize: intensity (", r, ", ", k, ") is ", p, "; must lie in [0, 1]");
        out(r, k) = mode == Binarize::threshold ? float(p > 0.5f) : bernoulli(rng, p);
      }
  });
}

}  // namespace ebm
