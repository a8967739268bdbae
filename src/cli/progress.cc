#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace topo::cli {

Progress::Progress(std::string what, size_t total) : what_(std::move(what)), total_(total) {
  const char* mode = std::getenv("TOPO_PROGRESS");
  const std::string m = mode ? mode : "";
  enabled_ = total_ > 0 && m != "never" && (m == "always" || total_ > kThreshold);
  tty_ = ::isatty(STDERR_FILENO) == 1;
}

void Progress::Update(size_t done) {
  if (!enabled_) return;
  if (done > total_) done = total_;
  const int percent = static_cast<int>(done * 100 / total_);
  if (!tty_) {
    const int decile = percent / 10;
    if (decile <= last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "topo: %s: %d%% (%zu/%zu actions)\n", what_.c_str(), decile * 10, done,
                 total_);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done != total_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  drawn_ = true;
  std::fprintf(stderr, "\rtopo: %s: %zu/%zu actions (%d%%)\x1b[K", what_.c_str(), done, total_,
               percent);
  std::fflush(stderr);
}

void Progress::Finish() {
  if (!drawn_) return;
  drawn_ = false;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
}

}  // namespace topo::cli
