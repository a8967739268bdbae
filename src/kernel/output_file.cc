#include "kernel/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace topo {

namespace {

// Writes all of `content` to `fd`; false with errno set on failure.
bool WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Splits `path` and opens its directory (*dirfd); refuses a final component
// that is a symbolic link or not a regular file.
Status OpenTarget(const std::string& path, int* dirfd, std::string* name) {
  if (path.empty() || path.back() == '/') {
    return Status::InvalidArgument("'" + path + "' is not a file name");
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  *name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (*name == "." || *name == "..") {
    return Status::InvalidArgument("'" + path + "' is not a file name");
  }
  *dirfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*dirfd < 0) return Status::FromErrno("open directory '" + dir + "'", errno);
  struct stat st;
  Status s;
  if (::fstatat(*dirfd, name->c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    std::string what = S_ISLNK(st.st_mode)    ? "a symbolic link (not followed)"
                       : S_ISDIR(st.st_mode)  ? "a directory"
                       : !S_ISREG(st.st_mode) ? "not a regular file"
                                              : "";
    if (!what.empty()) s = Status::InvalidArgument("'" + path + "' is " + what + "; not written");
  } else if (errno != ENOENT) {
    s = Status::FromErrno("stat '" + path + "'", errno);
  }
  if (!s.ok()) {
    ::close(*dirfd);
    *dirfd = -1;
  }
  return s;
}

}  // namespace

Status CheckOutputFile(const std::string& path) {
  int dirfd = -1;
  std::string name;
  Status s = OpenTarget(path, &dirfd, &name);
  if (dirfd >= 0) ::close(dirfd);
  return s;
}

Status WriteOutputFile(const std::string& path, std::string_view content) {
  int dirfd = -1;
  std::string name;
  if (Status s = OpenTarget(path, &dirfd, &name); !s.ok()) return s;
  static std::atomic<unsigned> counter{0};
  const std::string tmp = "." + name.substr(0, 200) + ".topo-" + std::to_string(::getpid()) + "-" +
                          std::to_string(counter++);
  const int fd =
      ::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) {
    int err = errno;
    ::close(dirfd);
    return Status::FromErrno("create a temporary file next to '" + path + "'", err);
  }
  Status s;
  if (!WriteAll(fd, content)) s = Status::FromErrno("write '" + path + "'", errno);
  if (::close(fd) != 0 && s.ok()) s = Status::FromErrno("write '" + path + "'", errno);
  // renameat replaces the final component itself, whatever it became meanwhile.
  if (s.ok() && ::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
    s = Status::FromErrno("write '" + path + "'", errno);
  }
  if (!s.ok()) ::unlinkat(dirfd, tmp.c_str(), 0);
  ::close(dirfd);
  return s;
}

}  // namespace topo
