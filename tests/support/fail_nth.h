// FailNth is "make the Nth mutating call fail", written once for the test
// backends (RecordingBackend, FaultInjectionBackend): each mutating call asks
// Next(), and the call numbered `n` (0-based, counted from construction or
// from the last Set) gets Failure() instead of doing its work.
#pragma once

#include <string>
#include <utility>

#include "model/status.h"

namespace topo {

class FailNth {
 public:
  explicit FailNth(int n = -1, std::string error = "injected failure")
      : fail_at_(n), error_(std::move(error)) {}

  // Fail call number `n` (-1: none) with `error`; the count goes on.
  void Set(int n, std::string error) {
    fail_at_ = n;
    error_ = std::move(error);
  }
  // Counts one mutating call; true when it is the one to fail.
  bool Next() { return calls_++ == fail_at_; }
  Status Failure() const { return Status::IOError(error_); }
  // Mutating calls counted so far.
  int calls() const { return calls_; }

 private:
  int fail_at_;
  std::string error_;
  int calls_ = 0;
};

}  // namespace topo
