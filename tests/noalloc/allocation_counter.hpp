#pragma once
// Counts heap allocations made while a NoAllocationScope is alive, by three independent hooks:
//  * the global operator new/delete are replaced (std::vector, std::string, ...);
//  * malloc, calloc, realloc and the aligned variants are interposed for the whole process (glibc), which
//    sees Eigen's aligned_malloc, oneTBB and anything else, on every thread;
//  * Eigen is built with EIGEN_RUNTIME_NO_MALLOC and an eigen_assert that throws, so an Eigen allocation in
//    the scope fails at the offending call with Eigen's own message instead of being merely counted.
// Include this before anything that includes Eigen (eigen_assert must be defined first), and keep every
// translation unit of this executable that includes Eigen on the same definitions (they share inline code).
#if defined(EIGEN_CORE_H) || defined(EIGEN_CORE_MODULE_H)
#error "allocation_counter.hpp must be included before Eigen"
#endif

#include <stdexcept>

namespace ebm::test {

// Thrown by eigen_assert in this executable; NDEBUG would otherwise compile Eigen's checks away.
struct EigenAssertion : std::logic_error {
  using std::logic_error::logic_error;
};
[[noreturn]] void eigen_assertion_failed(const char* condition, const char* file, int line);

struct AllocationCounts {
  long operator_new = 0;
  long malloc = 0;  // includes the mallocs behind operator new
};

// While alive, allocations are counted and Eigen refuses to allocate. Not reentrant.
class NoAllocationScope {
public:
  NoAllocationScope();
  ~NoAllocationScope();
  NoAllocationScope(const NoAllocationScope&) = delete;
  NoAllocationScope& operator=(const NoAllocationScope&) = delete;
  AllocationCounts counts() const;
};

// The allocations made by one call of f (already run once, so that it has sized its buffers).
template <class F>
AllocationCounts allocations_of(F&& f) {
  NoAllocationScope scope;
  f();
  return scope.counts();
}

// Whether malloc interposition is active (only with glibc); operator new and Eigen's hook always are.
bool malloc_is_interposed();

}  // namespace ebm::test

#define EIGEN_RUNTIME_NO_MALLOC
#define eigen_assert(x) ((x) ? static_cast<void>(0) : ::ebm::test::eigen_assertion_failed(#x, __FILE__, __LINE__))
