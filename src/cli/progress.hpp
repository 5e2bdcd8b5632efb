#pragma once
// Progress display: a bar with ETA, redrawn in place, when stderr is a terminal; nothing otherwise (the
// per-epoch lines are the plain-text progress for logs).
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace ebm::cli {

class ProgressBar {
public:
  ProgressBar() : tty_(::isatty(STDERR_FILENO) == 1) {}
  void start(const char* label, long total) {
    label_ = label;
    total_ = total;
    t0_ = std::chrono::steady_clock::now();
    last_ = t0_;
  }
  void update(long done) {
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - t0_).count();
    const double frac = total_ > 0 ? double(done) / double(total_) : 1.0;
    const double eta = frac > 0 ? secs * (1 - frac) / frac : 0;
    char bar[31];
    const int filled = int(frac * 30);
    for (int i = 0; i < 30; ++i) bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    std::fprintf(stderr, "\r%s [%s] %3d%%  ETA %3.0fs ", label_, bar, int(frac * 100), eta);
    std::fflush(stderr);
  }
  void finish() {
    if (tty_) std::fprintf(stderr, "\r%80s\r", "");
  }

private:
  bool tty_;
  const char* label_ = "";
  long total_ = 0;
  std::chrono::steady_clock::time_point t0_, last_;
};

// Runs AIS (the RBM's AisRuns or the generic BinaryAisRuns) to the end, 250 inverse temperatures at a time, with
// a bar over them.
template <class Runs, class Model>
void run_ais_with_bar(Runs& runs, const Model& model) {
  ProgressBar bar;
  bar.start("AIS", long(runs.num_betas()));
  while (!runs.done()) {
    runs.advance(model, 250);
    bar.update(long(runs.next_beta()));
  }
  bar.finish();
}

}  // namespace ebm::cli
