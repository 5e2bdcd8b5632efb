#include "cli/kernel_choice.hpp"

#include <climits>
#include <cstdlib>
#include <vector>

namespace ebm::cli {

KernelChoice parse_kernel(const std::string& spec, const std::string& option) {
  using Kind = KernelChoice::Kind;
  KernelChoice k;
  k.spelled = spec;
  const std::size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  if (name == "gibbs") k.kind = Kind::block_gibbs;
  else if (name == "gwg") k.kind = Kind::gwg;
  else if (name == "dula") k.kind = Kind::dula;
  else if (name == "dmala") k.kind = Kind::dmala;
  else if (name == "site-gibbs") k.kind = Kind::site_gibbs;
  else if (name == "metropolis") k.kind = Kind::metropolis;
  else if (name == "systematic-gibbs") k.kind = Kind::systematic_gibbs;
  else if (name == "hb") k.kind = Kind::hamming_ball;
  else if (name == "pas") k.kind = Kind::path_auxiliary;
  else fail(option, " '", spec, "' is unknown; use ", kernel_names);
  // The numbers after the name: gwg:K, hb:K, hb:K:M, pas:R.
  std::vector<int> numbers;
  for (std::size_t at = colon; at != std::string::npos;) {
    const std::size_t next = spec.find(':', at + 1);
    const std::string n = spec.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    char* end = nullptr;
    const long v = n.empty() ? 0 : std::strtol(n.c_str(), &end, 10);
    ensure(!n.empty() && *end == 0 && v >= 1 && v <= 1 << 20, option, " '", spec, "': '", n,
           "' is not an integer in [1, ", 1 << 20, "] (gwg:K, hb:K:M, pas:R)");
    numbers.push_back(int(v));
    at = next;
  }
  const std::size_t most = name == "hb" ? 2 : (name == "gwg" || name == "pas") ? 1 : 0;
  ensure(numbers.size() <= most, option, " '", spec,
         "': only gwg:K (K flips per proposal), hb:K:M (block K, radius M) and pas:R (path length 1..R) take numbers");
  if (name == "gwg" && !numbers.empty()) k.flips = numbers[0];
  if (name == "hb") {
    if (numbers.size() > 0) k.block = numbers[0];
    if (numbers.size() > 1) k.radius = numbers[1];
  }
  if (name == "pas" && !numbers.empty()) k.path = numbers[0];
  return k;
}

}  // namespace ebm::cli
