#include "kernel/readiness.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

namespace topo {
namespace {

bool ReadSmallFile(const std::string& path, std::string* out) {
  out->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

bool TableHas(pid_t pid, const char* table, int port, bool listening) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/net/%s", static_cast<int>(pid), table);
  std::string text;
  return ReadSmallFile(path, &text) && ProcNetHasPort(text, port, listening);
}

}  // namespace

bool ProcNetHasPort(const std::string& table, int port, bool listening) {
  std::istringstream in(table);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    // "  0: 0100007F:1F90 00000000:0000 0A ..."
    std::istringstream f(line);
    std::string slot, local, remote, state;
    if (!(f >> slot >> local >> remote >> state)) continue;
    size_t colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    char* end = nullptr;
    long p = std::strtol(local.c_str() + colon + 1, &end, 16);
    if (*end != '\0' || p != port) continue;
    if (!listening || state == "0A") return true;
  }
  return false;
}

bool TcpListening(pid_t pid, int port) {
  return TableHas(pid, "tcp", port, true) || TableHas(pid, "tcp6", port, true);
}

bool UdpBound(pid_t pid, int port) {
  return TableHas(pid, "udp", port, false) || TableHas(pid, "udp6", port, false);
}

bool PathExistsInRoot(pid_t pid, const std::string& path) {
  char root[64];
  std::snprintf(root, sizeof root, "/proc/%d/root", static_cast<int>(pid));
  int dir = ::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return false;
  open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  size_t skip = path.find_first_not_of('/');
  const char* rel = skip == std::string::npos ? "." : path.c_str() + skip;
  long fd = ::syscall(SYS_openat2, dir, rel, &how, sizeof how);
  ::close(dir);
  if (fd < 0) return false;
  ::close(static_cast<int>(fd));
  return true;
}

bool LogWatcher::Seen() {
  if (seen_) return true;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  char buf[16384];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(offset_));
    if (n <= 0) break;
    offset_ += static_cast<uint64_t>(n);
    partial_.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = partial_.find('\n')) != std::string::npos) {
      if (std::string_view(partial_).substr(0, nl).find(text_) != std::string::npos) seen_ = true;
      partial_.erase(0, nl + 1);
    }
    if (partial_.size() > 65536) partial_.erase(0, partial_.size() - 65536);
  }
  ::close(fd);
  // A line being written without its newline yet counts too (a prompt, "ready> ").
  if (!seen_ && partial_.find(text_) != std::string::npos) seen_ = true;
  return seen_;
}

std::string LastLines(const std::string& text, size_t lines) {
  if (text.empty() || lines == 0) return "";
  size_t end = text.size();
  if (text[end - 1] == '\n') --end;
  size_t pos = end;
  size_t found = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++found == lines) break;
    --pos;
  }
  std::string out = text.substr(pos, end - pos);
  return out + "\n";
}

std::string TailOfFile(const std::string& path, size_t lines) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "";
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t start = size > 65536 ? size - 65536 : 0;
  std::string text;
  char buf[16384];
  for (off_t at = start;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
  ::close(fd);
  return LastLines(text, lines);
}

}  // namespace topo
