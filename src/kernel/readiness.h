// How topo tells that a started program is ready, read from the kernel
// without entering the node: a TCP port listening or a UDP port bound in the
// program's network namespace (/proc/PID/net/{tcp,tcp6,udp,udp6}), a path
// existing as the program sees its file system (/proc/PID/root, resolved
// inside that root), and a line of its log containing a text. Each probe is
// one cheap read, meant to be repeated every few milliseconds by one loop for
// all programs. The parsers are pure functions, for unit tests. Nothing here
// prints or exits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace topo {

// Whether a /proc/net/{tcp,tcp6,udp,udp6} table has a socket whose local port
// is `port`; with `listening`, only one in state LISTEN (0A).
bool ProcNetHasPort(const std::string& table, int port, bool listening);

// The probes, for the process `pid` (false when it cannot be read).
bool TcpListening(pid_t pid, int port);
bool UdpBound(pid_t pid, int port);
// `path` (absolute) exists in the process's root, symlinks resolved inside it.
bool PathExistsInRoot(pid_t pid, const std::string& path);

// Follows a log file as it grows, line by line, looking for `text`.
class LogWatcher {
 public:
  LogWatcher() = default;
  LogWatcher(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}
  // Reads what was appended since the last call; true once a complete line
  // (or the pending tail) has contained the text.
  bool Seen();

 private:
  std::string path_, text_, partial_;
  uint64_t offset_ = 0;
  bool seen_ = false;
};

// The last `lines` lines of a file (at most the last 64 KiB of it), "" when it
// cannot be read. Each line of the result ends with '\n'.
std::string TailOfFile(const std::string& path, size_t lines);
// The last `lines` lines of `text`.
std::string LastLines(const std::string& text, size_t lines);

}  // namespace topo
