// Status is the result of an operation that can fail: ok, or a code, a message
// and, for system calls, the errno that caused it. Modelled on LevelDB's Status.
// Library code returns Status; only the command-line layer prints it.
#pragma once

#include <string>
#include <utility>

namespace topo {

class Status {
 public:
  enum class Code {
    kOk,
    kNotFound,
    kAlreadyExists,
    kInvalidArgument,
    kIOError,
    kInterrupted,
    kBusy
  };

  Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg, int err = 0) {
    return Status(Code::kNotFound, std::move(msg), err);
  }
  static Status AlreadyExists(std::string msg, int err = 0) {
    return Status(Code::kAlreadyExists, std::move(msg), err);
  }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg), 0);
  }
  static Status IOError(std::string msg, int err = 0) {
    return Status(Code::kIOError, std::move(msg), err);
  }
  static Status Interrupted(std::string msg) {
    return Status(Code::kInterrupted, std::move(msg), 0);
  }
  static Status Busy(std::string msg) { return Status(Code::kBusy, std::move(msg), 0); }
  // A Status for a failed system call: NotFound (ENOENT, ENODEV, ESRCH,
  // EADDRNOTAVAIL), AlreadyExists (EEXIST), Interrupted (EINTR) or IOError, with
  // the message "what: File exists", or just "File exists" when `what` is empty.
  static Status FromErrno(const std::string& what, int err);

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }
  bool IsInterrupted() const { return code_ == Code::kInterrupted; }
  Code code() const { return code_; }
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }
  // "ok", or the message (which already carries the system's text for errno failures).
  std::string ToString() const { return ok() ? "ok" : message_; }

 private:
  Status(Code code, std::string msg, int err)
      : code_(code), message_(std::move(msg)), errno_(err) {}

  Code code_ = Code::kOk;
  std::string message_;
  int errno_ = 0;
};

}  // namespace topo
