#pragma once
// The process's CPU time (user + system, every thread), which the commands report beside wall time: on a shared
// machine it is the figure the load does not swing.
#include <ctime>

namespace ebm::cli {

inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace ebm::cli
