#pragma once
// --kernel: the transition kernel, spelled the same for `ebm train`, `sample` and `eval`:
//   gibbs        block Gibbs (an RBM's h | v, v | h; --model rbm only)
//   gwg, gwg:K   Gibbs-with-Gradients, one flip or K flips per proposal (Grathwohl et al. 2021)
//   dula, dmala  discrete Langevin, unadjusted or with the Metropolis test (Zhang et al. 2022), --step-size α
//   site-gibbs   random-scan single-site Gibbs        metropolis   single-flip random-walk Metropolis
// The binary kernels work on any energy over {0,1}^d (here the MLP energy, also inside AIS's tempered target).
#include <string>
#include <utility>

#include "ebm/core/error.hpp"
#include "ebm/samplers/discrete_langevin.hpp"
#include "ebm/samplers/gibbs_with_gradients.hpp"
#include "ebm/samplers/single_flip_kernels.hpp"

namespace ebm::cli {

struct KernelChoice {
  enum class Kind { block_gibbs, gwg, dula, dmala, site_gibbs, metropolis };
  Kind kind = Kind::block_gibbs;
  int flips = 1;  // gwg:K
  std::string spelled;
  // DULA and DMALA have a step size (and adapt it).
  bool langevin() const { return kind == Kind::dula || kind == Kind::dmala; }
};

inline constexpr const char* kernel_names = "gibbs, gwg, gwg:K, dula, dmala, site-gibbs or metropolis";

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
    case Kind::block_gibbs: break;
  }
  fail("--kernel ", k.spelled, " (block Gibbs) samples an RBM's two layers; an energy over binary x takes gwg, gwg:K, "
       "dula, dmala, site-gibbs or metropolis");
}

}  // namespace ebm::cli
