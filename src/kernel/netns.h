// Named network namespaces, compatible with `ip netns`: a namespace NAME is
// kept alive by a bind mount of its nsfs file onto <dir>/NAME (/run/netns by
// default), so `ip netns list` and `ip -n NAME` see what topo creates and
// the other way round.
//
// This module creates and removes such names, opens them, moves the calling
// thread into one for a scope, and runs a program inside one. setns() and
// unshare() act on the calling thread only, so everything here affects the
// calling thread and nothing else; objects are not shared between threads.
// Nothing here prints or exits. Errors carry the system's text ("File exists"),
// prefixed with what failed only where the text alone would not say it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "model/status.h"

namespace topo {

inline constexpr char kDefaultNetnsDir[] = "/run/netns";

// An owned file descriptor, closed on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Writes all of `data` to `fd`, carrying on after EINTR and short writes;
// errors read "write WHAT: <system text>".
Status WriteAll(int fd, const std::string& data, const std::string& what);

// Makes `dir` exist (mode 0755) and be a shared mount, exactly as iproute2
// does, so namespace mounts propagate between mount namespaces. Done once per
// directory per process; later calls return OK at once.
Status EnsureNetnsDir(const std::string& dir = kDefaultNetnsDir);

// Whether <dir>/NAME exists and holds a mounted network namespace.
bool NetnsExists(const std::string& name, const std::string& dir = kDefaultNetnsDir);

// The identity of the namespace bound at <dir>/NAME, "DEV:INO" of its nsfs
// file, read with one open(O_PATH | O_NOFOLLOW) and fstat: a symlink there is
// never followed. NotFound when there is nothing, or an unmounted plain file
// (the leftover of a creation or removal cut short); InvalidArgument when what
// is there is something else (a symlink, a directory).
Status NetnsIdentity(const std::string& name, std::string* id,
                     const std::string& dir = kDefaultNetnsDir);

// Creates the namespace NAME: the empty file <dir>/NAME, a new namespace made
// by unshare() in the calling thread, bind-mounted onto the file, and the
// thread returned to the namespace it was in. While the thread is inside the
// new namespace, `while_inside` (if given) runs: it can open sockets that then
// belong to the new namespace. `fd_out` (if given) receives an fd of it.
// Fails with AlreadyExists "namespace 'NAME' already exists" when the file
// exists; on any failure everything done is undone.
Status CreateNetns(const std::string& name, const std::string& dir = kDefaultNetnsDir,
                   const std::function<Status()>& while_inside = nullptr,
                   UniqueFd* fd_out = nullptr);

// Unmounts (lazily) and unlinks <dir>/NAME; the kernel frees the namespace once
// nothing else holds it. A symlink at <dir>/NAME is neither followed nor
// removed (InvalidArgument). NotFound "namespace 'NAME' does not exist" when there
// is no such file, so removal can be repeated.
Status DeleteNetns(const std::string& name, const std::string& dir = kDefaultNetnsDir);

// Opens <dir>/NAME (O_RDONLY|O_NOFOLLOW|O_CLOEXEC). NotFound when it does not
// exist or is not a mounted namespace; InvalidArgument for a symlink.
Status OpenNetns(const std::string& name, UniqueFd* out, const std::string& dir = kDefaultNetnsDir);

// Moves the calling thread into a network namespace until Leave() or the
// guard's destruction, then back to `home_fd` (or, when none is given, to the
// namespace the thread was in at Enter()).
class NetnsGuard {
 public:
  NetnsGuard() = default;
  ~NetnsGuard() { Leave(); }
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;

  Status Enter(int ns_fd, int home_fd = -1);
  // Returns to the home namespace; OK if not inside. Failing here leaves the
  // thread in the wrong namespace: callers should stop using the thread.
  Status Leave();
  bool inside() const { return inside_; }

 private:
  UniqueFd own_home_;
  int home_fd_ = -1;
  bool inside_ = false;
};

// The identity of the calling thread's network namespace, for records shared
// by topo processes: "cookie:N" (SO_NETNS_COOKIE, never reused while the
// machine runs), or "inode:DEV:INO" of /proc/thread-self/ns/net on a kernel
// without cookies (before 5.14).
Status CurrentNetnsId(std::string* id);

// Runs the program argv[0] (an absolute path: no PATH search, no shell) with
// `argv` inside the namespace `ns_fd` (-1: the caller's namespace), writes
// `stdin_data` to its standard input and collects its standard output and
// standard error, interleaved, into *output. The child gets the default signal
// dispositions and an empty signal mask, and is killed (SIGKILL) if the
// thread that started it dies first. It runs the program only once the
// calling thread's ChildRecorder (children.h), if any, has recorded its pid
// and start time, and the recorder is told when it has been waited for: a
// child that finishes a kernel call after topo died is found by whoever
// removes the lab. Returns the exit status (0-255), 128+N if a signal N
// killed it, or -1 if it could not be started (then *output says why).
int RunInNamespace(int ns_fd, const std::vector<std::string>& argv, std::string_view stdin_data,
                   std::string* output);

}  // namespace topo
