// Progress of long operations (up and down of big labs) for the command line.
// On a terminal: one line on stderr, rewritten in place and cleared at the
// end. Otherwise (CI logs): a plain line at every 10%. Only for plans of more
// than 200 actions; TOPO_PROGRESS=never turns it off, =always on for any size.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace topo::cli {

class Progress {
 public:
  static constexpr size_t kThreshold = 200;  // actions

  // `what` names the operation: "up 'lab'".
  Progress(std::string what, size_t total);
  ~Progress() { Finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(size_t done);
  // Clears the terminal line (idempotent).
  void Finish();
  bool enabled() const { return enabled_; }

 private:
  std::string what_;
  size_t total_;
  bool enabled_ = false, tty_ = false, drawn_ = false;
  int last_decile_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace topo::cli
