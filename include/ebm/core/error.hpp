#pragma once
// The one exception type of ebm. Every check that rejects user input throws ebm::Error with a message
// that names the argument and the offending value, so a bad call never becomes a crash or a silently
// wrong model.
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace ebm {

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
template <class... Parts>
std::string concat(Parts&&... parts) {
  std::ostringstream os;
  os.precision(9);
  (os << ... << std::forward<Parts>(parts));
  return os.str();
}
}  // namespace detail

// ensure(cond, "where: ", "batch_size = ", n, " must be positive") throws Error with the joined message.
template <class... Parts>
inline void ensure(bool condition, Parts&&... parts) {
  if (!condition) throw Error(detail::concat(std::forward<Parts>(parts)...));
}

template <class... Parts>
[[noreturn]] inline void fail(Parts&&... parts) {
  throw Error(detail::concat(std::forward<Parts>(parts)...));
}

}  // namespace ebm
