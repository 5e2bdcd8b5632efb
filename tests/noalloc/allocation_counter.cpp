// Allocation hooks of the no-allocation test (see allocation_counter.hpp). This file includes no Eigen:
// Eigen's malloc switch is reached through a callback set by the test translation unit.
#include "noalloc/allocation_counter.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <new>
#include <string>

namespace ebm::test {
namespace {
std::atomic<bool> armed{false};
std::atomic<long> new_count{0}, malloc_count{0};

void count(std::atomic<long>& c) {
  if (armed.load(std::memory_order_relaxed)) c.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

void eigen_assertion_failed(const char* condition, const char* file, int line) {
  throw EigenAssertion(std::string("eigen_assert(") + condition + ") failed at " + file + ":" + std::to_string(line));
}

void set_eigen_malloc_allowed(bool allowed);  // defined next to the Eigen include, in the test file

NoAllocationScope::NoAllocationScope() {
  new_count = 0;
  malloc_count = 0;
  set_eigen_malloc_allowed(false);
  armed = true;
}
NoAllocationScope::~NoAllocationScope() {
  armed = false;
  set_eigen_malloc_allowed(true);
}
AllocationCounts NoAllocationScope::counts() const { return {new_count.load(), malloc_count.load()}; }

}  // namespace ebm::test

// ---- operator new/delete -------------------------------------------------------------------------------
namespace {
void* counted_new(std::size_t n) {
  ebm::test::count(ebm::test::new_count);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* counted_new(std::size_t n, std::align_val_t al) {
  ebm::test::count(ebm::test::new_count);
  const auto a = std::max(static_cast<std::size_t>(al), sizeof(void*));
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, std::align_val_t al) { return counted_new(n, al); }
void* operator new[](std::size_t n, std::align_val_t al) { return counted_new(n, al); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try { return counted_new(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try { return counted_new(n); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

// ---- malloc and friends (glibc: forward to its own allocator under the __libc_ names) --------------------
#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) noexcept {
  ebm::test::count(ebm::test::malloc_count);
  return __libc_malloc(n);
}
void* calloc(std::size_t k, std::size_t n) noexcept {
  ebm::test::count(ebm::test::malloc_count);
  return __libc_calloc(k, n);
}
void* realloc(void* p, std::size_t n) noexcept {
  ebm::test::count(ebm::test::malloc_count);
  return __libc_realloc(p, n);
}
void* memalign(std::size_t al, std::size_t n) noexcept {
  ebm::test::count(ebm::test::malloc_count);
  return __libc_memalign(al, n);
}
void* aligned_alloc(std::size_t al, std::size_t n) noexcept {
  ebm::test::count(ebm::test::malloc_count);
  return __libc_memalign(al, n);
}
int posix_memalign(void** out, std::size_t al, std::size_t n) noexcept {
  if (al % sizeof(void*) != 0 || (al & (al - 1)) != 0) return EINVAL;
  ebm::test::count(ebm::test::malloc_count);
  void* p = __libc_memalign(al, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void free(void* p) noexcept { __libc_free(p); }
}
bool ebm::test::malloc_is_interposed() { return true; }
#else
bool ebm::test::malloc_is_interposed() { return false; }
#endif
