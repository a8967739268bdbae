#include "front/read_beneath.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace topo {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// Why opening a component failed, as a phrase.
std::string OpenProblem(int err, const std::string& shown) {
  if (err == ELOOP) return "'" + shown + "' is a symbolic link, which topo does not follow";
  if (err == ENOTDIR) {
    return "'" + shown + "' is not a directory (or is a symbolic link, which topo does not follow)";
  }
  return "cannot open '" + shown + "': " + std::strerror(err);
}

}  // namespace

std::string RelativePathProblem(const std::string& relative) {
  if (relative.empty()) return "it is empty";
  if (relative.front() == '/') return "it is absolute";
  for (const std::string& part : Components(relative)) {
    if (part.empty()) return "it has an empty component ('//' or a trailing '/')";
    if (part == ".") return "it has a '.' component";
    if (part == "..") return "it has a '..' component, which would leave the topology's directory";
    if (part.find('\0') != std::string::npos) return "it contains a NUL byte";
  }
  return "";
}

std::string ReadBeneath(const std::string& dir, const std::string& relative, size_t max_bytes,
                        std::string* out) {
  if (std::string problem = RelativePathProblem(relative); !problem.empty()) return problem;
  Fd at(::open(dir.empty() ? "." : dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (at.get() < 0) return "cannot open the topology's directory: " + std::string(strerror(errno));
  const std::vector<std::string> parts = Components(relative);
  std::string shown;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    shown += (shown.empty() ? "" : "/") + parts[i];
    Fd next(::openat(at.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) return OpenProblem(errno, shown);
    at = std::move(next);
  }
  shown = relative;
  Fd file(::openat(at.get(), parts.back().c_str(),
                   O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.get() < 0) return OpenProblem(errno, shown);
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) return "cannot read '" + shown + "': " + strerror(errno);
  if (!S_ISREG(st.st_mode)) return "'" + shown + "' is not a regular file";
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return "'" + shown + "' is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
           std::to_string(max_bytes);
  }
  std::string text;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(file.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "cannot read '" + shown + "': " + strerror(errno);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes) {
      return "'" + shown + "' is more than the limit of " + std::to_string(max_bytes) + " bytes";
    }
  }
  *out = std::move(text);
  return "";
}

}  // namespace topo
