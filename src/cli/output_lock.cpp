#include "cli/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "ebm/core/error.hpp"
#include "ebm/io/atomic_file.hpp"

namespace ebm::cli {
namespace {

// What the signal handler removes. Fixed buffers filled before the handler is installed: a handler may only
// call async-signal-safe functions (unlink, write, signal, raise), no allocation.
constexpr std::size_t path_capacity = 4096;
char g_lock_path[path_capacity];
char g_temp_path[path_capacity];
char g_message[2 * path_capacity];
std::size_t g_message_length = 0;
struct sigaction g_previous_int, g_previous_term;
bool g_handles_int = false, g_handles_term = false;

extern "C" void remove_and_die(int sig) {
  ::unlink(g_temp_path);
  ::unlink(g_lock_path);
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, g_message, g_message_length);
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // delivered when the handler returns: the exit status still says "killed by SIGINT/SIGTERM"
}

// Installs the handler unless the signal is ignored (nohup, background jobs of a shell): that choice stays.
bool install(int sig, struct sigaction& previous) {
  if (::sigaction(sig, nullptr, &previous) != 0 || previous.sa_handler == SIG_IGN) return false;
  struct sigaction sa {};
  sa.sa_handler = remove_and_die;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  return ::sigaction(sig, &sa, nullptr) == 0;
}

std::filesystem::path folder_of(const std::string& out) {
  const std::filesystem::path parent = std::filesystem::path(out).parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

// --out must name a file (new or regular) in an existing folder this process may create files in.
void check_writable(const std::string& out, const std::string& dir) {
  struct stat st {};
  if (::stat(out.c_str(), &st) == 0) {
    ensure(!S_ISDIR(st.st_mode), "--out '", out, "' is a directory; give a file name such as '", out,
           "/model.ebm'");
    ensure(S_ISREG(st.st_mode), "--out '", out, "' exists and is not a regular file");
  }
  if (::stat(dir.c_str(), &st) != 0) {
    const int e = errno;
    fail("--out '", out, "': the folder '", dir, "' ", e == ENOENT ? "does not exist" : std::strerror(e));
  }
  ensure(S_ISDIR(st.st_mode), "--out '", out, "': '", dir, "' is not a folder");
  // access() also reports a read-only file system (EROFS); creating the lock file below is the real test.
  if (::access(dir.c_str(), W_OK) != 0) {
    const int e = errno;
    fail("cannot write --out '", out, "': the folder '", dir, "': ", std::strerror(e));
  }
}

std::string holder_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? std::size_t(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid;
}

// Opens and locks `lock`, or throws. If the holder removed the file between our open and our flock, the lock
// we got is on a file nobody else will ever open: compare it with what the path names now, and try again.
int lock_file(const std::string& out, const std::string& lock) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int e = errno;
      fail("cannot write --out '", out, "': cannot create '", lock, "': ", std::strerror(e));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int e = errno;
      const std::string pid = holder_pid(fd);
      ::close(fd);
      ensure(e != EWOULDBLOCK, "--out '", out, "' is being written by another process",
             pid.empty() ? std::string() : " (pid " + pid + ")", " holding '", lock,
             "'; wait for it to finish or choose another --out");
      fail("cannot lock '", lock, "': ", std::strerror(e));
    }
    struct stat held {}, named {};
    if (::fstat(fd, &held) == 0 && ::stat(lock.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino)
      return fd;
    ::close(fd);
  }
  fail("cannot lock '", lock, "': it keeps being replaced");
}

// Temporary files "<out>.tmp.<pid>" of processes that no longer exist: a SIGKILL during a checkpoint.
// Files of living processes are left alone (an `ebm import --out` may be writing one right now).
void remove_stale_temporaries(const std::string& out, const std::filesystem::path& dir) {
  const std::string prefix = std::filesystem::path(out).filename().string() + ".tmp.";
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.size() > prefix.size() + 9 || name.compare(0, prefix.size(), prefix))
      continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const long pid = std::stol(digits);
    if (pid <= 0 || pid == long(::getpid()) || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
    const std::filesystem::path shown = std::filesystem::path(out).parent_path() / name;  // as --out names it
    if (::unlink(it->path().c_str()) == 0)
      std::fprintf(stderr, "ebm: removed '%s', left by process %ld, which died while writing a checkpoint\n",
                   shown.c_str(), pid);
  }
}

}  // namespace

OutputLock::OutputLock(const std::string& out) : lock_path_(out + ".lock") {
  ensure(!out.empty(), "--out must name a file");
  const std::filesystem::path dir = folder_of(out);
  check_writable(out, dir.string());
  fd_ = lock_file(out, lock_path_);
  // The holder's pid, for the message of a second writer.
  if (::ftruncate(fd_, 0) == 0) {
    const std::string pid = std::to_string(::getpid()) + "\n";
    [[maybe_unused]] const ssize_t n = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
  remove_stale_temporaries(out, dir);

  const std::string temp = atomic_temp_path(out, long(::getpid()));
  if (temp.size() < path_capacity) {
    std::snprintf(g_lock_path, sizeof g_lock_path, "%s", lock_path_.c_str());
    std::snprintf(g_temp_path, sizeof g_temp_path, "%s", temp.c_str());
    const int len = std::snprintf(g_message, sizeof g_message,
                                  "\nebm: interrupted; the last checkpoint written to '%s' is complete\n", out.c_str());
    g_message_length = len > 0 ? std::min(std::size_t(len), sizeof g_message - 1) : 0;
    g_handles_int = install(SIGINT, g_previous_int);
    g_handles_term = install(SIGTERM, g_previous_term);
  }
}

OutputLock::~OutputLock() {
  if (g_handles_int) ::sigaction(SIGINT, &g_previous_int, nullptr);
  if (g_handles_term) ::sigaction(SIGTERM, &g_previous_term, nullptr);
  g_handles_int = g_handles_term = false;
  // Remove the file while still holding the lock; a process that opened it meanwhile sees it is gone.
  ::unlink(lock_path_.c_str());
  ::close(fd_);
}

}  // namespace ebm::cli
