#pragma once
// The continuation of a boost::random::mt19937 stream (ebm::Rng), produced a block of words at a time.
//
// Rng's operator() tempers one word per call and branches to regenerate its 624-word state every 624 calls;
// called in a loop for a row of Bernoulli draws it is a scalar loop of ~1 ns per word, which made random
// numbers 15 % of AIS. Here the state regeneration (the "twist") and the tempering are plain loops over
// arrays that the compiler vectorizes. The words are exactly those Rng would return, in the same order:
// the stream definition (make_stream) is unchanged, only how its words are computed.
#include <algorithm>
#include <array>
#include <cstdint>
#include <sstream>

#include "ebm/core/random.hpp"
#include "ebm/core/types.hpp"

namespace ebm::detail {

class Mt19937Block {
public:
  Mt19937Block() = default;
  // Continues `engine`'s sequence from where it stands: the first word generated is engine's next output.
  explicit Mt19937Block(const Rng& engine) {
    // Boost's text form is the 624 words preceding the next output (rewound if the engine is mid-block);
    // reading them back with an exhausted index is how Boost itself restores an engine.
    std::stringstream text;
    text << engine;
    for (auto& w : x_) text >> w;
    i_ = n;
  }

  // out[0 .. count) = the next count words.
  void generate(std::uint32_t* out, Index count) {
    while (count > 0) {
      if (i_ == n) {
        twist();
        i_ = 0;
      }
      const Index take = std::min(count, n - i_);
      const std::uint32_t* x = x_.data() + i_;
      for (Index k = 0; k < take; ++k) out[k] = temper(x[k]);
      i_ += take;
      out += take;
      count -= take;
    }
  }

private:
  static constexpr Index n = 624, m = 397;
  static constexpr std::uint32_t upper = 0x80000000u, lower = 0x7fffffffu, a = 0x9908b0dfu;

  static std::uint32_t temper(std::uint32_t z) {
    z ^= z >> 11;
    z ^= (z << 7) & 0x9d2c5680u;
    z ^= (z << 15) & 0xefc60000u;
    return z ^ (z >> 18);
  }
  static std::uint32_t next(std::uint32_t lo_src, std::uint32_t hi_src, std::uint32_t far) {
    const std::uint32_t y = (lo_src & upper) | (hi_src & lower);
    return far ^ (y >> 1) ^ ((0u - (hi_src & 1u)) & a);
  }
  // The standard in-place recurrence. Word j reads j + 1 (not yet rewritten) and j + m (old for j < n − m,
  // rewritten 227 words earlier after that): no dependence shorter than a vector, so both loops vectorize.
  void twist() {
    std::uint32_t* x = x_.data();
    for (Index j = 0; j < n - m; ++j) x[j] = next(x[j], x[j + 1], x[j + m]);
    for (Index j = n - m; j < n - 1; ++j) x[j] = next(x[j], x[j + 1], x[j + m - n]);
    x[n - 1] = next(x[n - 1], x[0], x[m - 1]);
  }

  alignas(64) std::array<std::uint32_t, n> x_{};
  Index i_ = n;
};

}  // namespace ebm::detail
