#pragma once
// `ebm train --out FILE` owns FILE while it trains. Taken before any data is loaded, an OutputLock
//  - fails at once, with an ebm::Error naming --out, when FILE cannot be written: a directory, a missing or
//    read-only folder (otherwise the first checkpoint, an epoch later, would be the first to notice);
//  - holds an advisory lock (flock) on FILE.lock, so a second process training into the same FILE fails at
//    once instead of both overwriting each other's checkpoints;
//  - removes FILE.tmp.<pid> files of dead processes (a SIGKILL during a checkpoint leaves one behind);
//  - on SIGINT/SIGTERM removes its own half-written temporary file and the lock file, then dies of the signal:
//    FILE keeps the last complete checkpoint, since checkpoints replace it atomically.
// The lock file is removed when the lock is released; one left by a killed process is simply locked again.
#include <string>

namespace ebm::cli {

class OutputLock {
public:
  explicit OutputLock(const std::string& out);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  const std::string& lock_path() const { return lock_path_; }

private:
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace ebm::cli
