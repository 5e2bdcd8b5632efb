#pragma once
// --kernel: the transition kernel, spelled the same for `ebm train`, `sample` and `eval`:
//   gibbs        block Gibbs (an RBM's h | v, v | h; --model rbm only)
//   gwg, gwg:K   Gibbs-with-Gradients, one flip or K flips per proposal (Grathwohl et al. 2021)
//   dula, dmala  discrete Langevin, unadjusted or with the Metropolis test (Zhang et al. 2022), --step-size α
//   site-gibbs   random-scan single-site Gibbs        metropolis   single-flip random-walk Metropolis
//   systematic-gibbs  one sweep of single-site Gibbs over all d sites per step
//   hb, hb:K, hb:K:M  Hamming ball: blocks of K sites (3), every state within M flips of the block (1)
//   pas, pas:R   path auxiliary sampler (Sun et al. 2022), path length uniform on 1..R (3)
// The binary kernels work on any energy over {0,1}^d (here the MLP energy, also inside AIS's tempered target).
#include <string>
#include <utility>

#include "ebm/core/error.hpp"
#include "ebm/samplers/discrete_langevin.hpp"
#include "ebm/samplers/gibbs_with_gradients.hpp"
#include "ebm/samplers/hamming_ball.hpp"
#include "ebm/samplers/path_auxiliary.hpp"
#include "ebm/samplers/single_flip_kernels.hpp"
#include "ebm/samplers/systematic_gibbs.hpp"

namespace ebm::cli {

struct KernelChoice {
  enum class Kind { block_gibbs, gwg, dula, dmala, site_gibbs, metropolis, systematic_gibbs, hamming_ball, path_auxiliary };
  Kind kind = Kind::block_gibbs;
  int flips = 1;   // gwg:K
  int block = 3;   // hb:K
  int radius = 1;  // hb:K:M
  int path = 3;    // pas:R
  std::string spelled;
  // DULA and DMALA have a step size (and adapt it).
  bool langevin() const { return kind == Kind::dula || kind == Kind::dmala; }
};

// The kernels of an energy over binary x, and all of them (block Gibbs first).
inline constexpr const char* binary_kernel_names =
    "gwg, gwg:K, dula, dmala, site-gibbs, systematic-gibbs, metropolis, hb, hb:K, hb:K:M, pas or pas:R";
inline constexpr const char* kernel_names =
    "gibbs, gwg, gwg:K, dula, dmala, site-gibbs, systematic-gibbs, metropolis, hb, hb:K, hb:K:M, pas or pas:R";

// The kernel named by `spec`; `option` names the option in the message of an unknown name.
KernelChoice parse_kernel(const std::string& spec, const std::string& option = "--kernel");

// Calls f(kernel) with the binary kernel over model type M that `k` names (any but block Gibbs);
// step_size: DULA's and DMALA's α.
template <class M, class F>
decltype(auto) with_binary_kernel(const KernelChoice& k, double step_size, F&& f) {
  using Kind = KernelChoice::Kind;
  switch (k.kind) {
    case Kind::gwg: return f(GibbsWithGradients<M>(k.flips));
    case Kind::dula: return f(Dula<M>(step_size));
    case Kind::dmala: return f(Dmala<M>(step_size));
    case Kind::site_gibbs: return f(RandomScanGibbs<M>());
    case Kind::metropolis: return f(RandomWalkMetropolis<M>());
    case Kind::systematic_gibbs: return f(SystematicScanGibbs<M>());
    case Kind::hamming_ball: return f(HammingBall<M>(k.block, k.radius));
    case Kind::path_auxiliary: return f(PathAuxiliary<M>(k.path, PathLength::uniform));
    case Kind::block_gibbs: break;
  }
  fail("--kernel ", k.spelled, " (block Gibbs) samples an RBM's two layers; an energy over binary x takes ",
       binary_kernel_names);
}

}  // namespace ebm::cli
