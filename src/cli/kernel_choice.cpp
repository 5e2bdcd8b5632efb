#include "cli/kernel_choice.hpp"

#include <climits>
#include <cstdlib>

namespace ebm::cli {

KernelChoice parse_kernel(const std::string& spec, const std::string& option) {
  using Kind = KernelChoice::Kind;
  KernelChoice k;
  k.spelled = spec;
  const std::size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  if (colon != std::string::npos) {
    ensure(name == "gwg", option, " '", spec, "': only gwg takes a number (gwg:K, K flips per proposal)");
    const std::string n = spec.substr(colon + 1);
    char* end = nullptr;
    const long flips = n.empty() ? 0 : std::strtol(n.c_str(), &end, 10);
    ensure(!n.empty() && *end == 0 && flips >= 1 && flips <= 1 << 20, option, " '", spec,
           "': K in gwg:K must be an integer in [1, ", 1 << 20, "]");
    k.flips = int(flips);
  }
  if (name == "gibbs") k.kind = Kind::block_gibbs;
  else if (name == "gwg") k.kind = Kind::gwg;
  else if (name == "dula") k.kind = Kind::dula;
  else if (name == "dmala") k.kind = Kind::dmala;
  else if (name == "site-gibbs") k.kind = Kind::site_gibbs;
  else if (name == "metropolis") k.kind = Kind::metropolis;
  else fail(option, " '", spec, "' is unknown; use ", kernel_names);
  return k;
}

}  // namespace ebm::cli
