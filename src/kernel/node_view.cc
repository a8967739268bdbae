#include "kernel/node_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "kernel/netns.h"

namespace topo {
namespace {

// Bind-mounts /etc/netns/NS/* over /etc/*, as iproute2 does; missing targets are skipped.
void BindEtc(const std::string& ns) {
  std::string dir = "/etc/netns/" + ns;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string src = dir + "/" + name, dst = "/etc/" + name;
    ::mount(src.c_str(), dst.c_str(), "none", MS_BIND, nullptr);
  }
  ::closedir(d);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// The missing targets, grouped by their nearest existing ancestor (shallowest first).
std::map<std::string, std::vector<const NodeMount*>> MissingByAncestor(const NodeView& view) {
  std::map<std::string, std::vector<const NodeMount*>> out;
  for (const NodeMount& m : view.mounts) {
    if (!Exists(m.target)) out[NearestExistingAncestor(m.target)].push_back(&m);
  }
  return out;
}

// The skeleton directory of an ancestor: its path in hexadecimal, so that
// every ancestor has its own whatever else is missing.
std::string SkeletonOf(const NodeView& view, const std::string& ancestor) {
  static const char kHex[] = "0123456789abcdef";
  std::string name;
  for (unsigned char c : ancestor) {
    name += kHex[c >> 4];
    name += kHex[c & 15];
  }
  return view.skeleton_dir + "/" + name;
}

// Makes `rel` (a relative path) exist under the directory fd `dir`, without
// following symlinks: directories, and for a file target an empty file last.
Status MakeSkeletonPath(int dir, const std::string& rel, bool leaf_is_dir) {
  UniqueFd cur(::fcntl(dir, F_DUPFD_CLOEXEC, 3));
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    const bool last = slash == std::string::npos;
    std::string part = rel.substr(start, last ? std::string::npos : slash - start);
    start = last ? rel.size() : slash + 1;
    if (last && !leaf_is_dir) {
      int fd = ::openat(cur.get(), part.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0) return Status::FromErrno("create skeleton file " + rel, errno);
      ::close(fd);
      return Status::OK();
    }
    if (::mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno("create skeleton directory " + rel, errno);
    }
    UniqueFd next(
        ::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return Status::FromErrno("open skeleton directory " + rel, errno);
    cur = std::move(next);
  }
  return Status::OK();
}

}  // namespace

std::string NearestExistingAncestor(const std::string& path) {
  std::string p = path;
  for (;;) {
    size_t slash = p.rfind('/');
    if (slash == std::string::npos || slash == 0) return "/";
    p.resize(slash);
    if (Exists(p)) return p;
  }
}

Status PrepareNodeView(const NodeView& view) {
  const auto missing = MissingByAncestor(view);
  if (!missing.empty() && !view.skeleton_dir.empty() &&
      ::mkdir(view.skeleton_dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno("create " + view.skeleton_dir, errno);
  }
  for (const auto& [ancestor, mounts] : missing) {
    const std::string& first = mounts.front()->target;
    if (view.skeleton_dir.empty() || ancestor == "/") {
      return Status::InvalidArgument(
          "path '" + first + "' does not exist on this machine, and topo can make it exist in " +
          "the node only under an existing directory other than / (hint: declare a private " +
          "directory that exists on the machine, or one under an existing directory)");
    }
    if (ancestor.find_first_of(",:\\") != std::string::npos) {
      return Status::InvalidArgument("path '" + first + "': its existing ancestor '" + ancestor +
                                     "' has a character overlayfs cannot take (, : or \\)");
    }
    struct stat st;
    if (::stat(ancestor.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument("path '" + first + "': '" + ancestor +
                                     "' exists on this machine and is not a directory");
    }
    const std::string skel = SkeletonOf(view, ancestor);
    if (::mkdir(skel.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno("create " + skel, errno);
    }
    UniqueFd dir(::open(skel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) return Status::FromErrno("open " + skel, errno);
    for (const NodeMount* m : mounts) {
      const std::string rel = m->target.substr(ancestor.size() + 1);
      if (Status s = MakeSkeletonPath(dir.get(), rel, m->dir); !s.ok()) return s;
    }
  }
  return Status::OK();
}

Status EnterNodeView(const NodeView& view, int base_mnt_fd) {
  UniqueFd fd;
  if (Status s = OpenNetns(view.ns, &fd, view.netns_dir); !s.ok()) return s;
  const auto missing = MissingByAncestor(view);
  if (::setns(fd.get(), CLONE_NEWNET) != 0) {
    return Status::FromErrno("enter namespace '" + view.ns + "'", errno);
  }
  fd.Reset();
  if (base_mnt_fd >= 0 && ::setns(base_mnt_fd, CLONE_NEWNS) != 0) {
    return Status::FromErrno("enter the views' base mount namespace", errno);
  }
  if (::unshare(CLONE_NEWNS) != 0) return Status::FromErrno("unshare mount namespace", errno);
  // Keep our mounts from propagating back to the host.
  if (::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) {
    return Status::FromErrno("make / a slave mount", errno);
  }
  // The sources, opened in the new mount namespace (a bind mount's source must
  // be one of its mounts) before anything is mounted over the paths to them.
  std::vector<UniqueFd> sources;
  for (const NodeMount& m : view.mounts) {
    int src = ::open(m.source.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (src < 0) return Status::FromErrno("open " + m.source, errno);
    sources.emplace_back(src);
  }
  // /sys must show this namespace's devices.
  ::umount2("/sys", MNT_DETACH);
  ::mount(view.ns.c_str(), "/sys", "sysfs", 0, nullptr);
  // Missing paths: a read-only overlay of the skeleton over the nearest existing ancestor.
  for (const auto& [ancestor, mounts] : missing) {
    if (view.skeleton_dir.empty() || ancestor == "/") {
      return Status::InvalidArgument("path '" + mounts.front()->target + "' does not exist");
    }
    const std::string options = "lowerdir=" + SkeletonOf(view, ancestor) + ":" + ancestor;
    if (::mount("overlay", ancestor.c_str(), "overlay", 0, options.c_str()) != 0) {
      if (errno == EINVAL) {  // "failed to clone lowerpath": the host's mounts are locked
        return Status::InvalidArgument(
            "make '" + mounts.front()->target + "' exist in the node: the kernel refuses an " +
            "overlay over '" + ancestor + "' (it always does in a rootless sandbox, where the " +
            "host's mounts are locked); use paths that exist on the machine, or private " +
            "directories that do");
      }
      return Status::FromErrno("make '" + mounts.front()->target + "' exist in the node", errno);
    }
  }
  BindEtc(view.ns);
  for (size_t k = 0; k < view.mounts.size(); ++k) {
    const std::string src = "/proc/self/fd/" + std::to_string(sources[k].get());
    const std::string& dst = view.mounts[k].target;
    if (::mount(src.c_str(), dst.c_str(), "none", MS_BIND, nullptr) != 0) {
      return Status::FromErrno("mount '" + dst + "' in the node", errno);
    }
  }
  if (!view.hostname.empty()) {
    if (::unshare(CLONE_NEWUTS) != 0) return Status::FromErrno("unshare UTS namespace", errno);
    if (::sethostname(view.hostname.data(), view.hostname.size()) != 0) {
      return Status::FromErrno("set host name '" + view.hostname + "'", errno);
    }
  }
  return Status::OK();
}

ViewBase::~ViewBase() {
  if (fd_ >= 0) ::close(fd_);
  if (holder_ > 0) {
    ::kill(holder_, SIGKILL);
    while (::waitpid(holder_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Status ViewBase::Start(const std::string& netns_dir) {
  if (fd_ >= 0) return Status::OK();
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(ready[0]);
    ::close(ready[1]);
    return Status::FromErrno("fork", e);
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    // Only the pipe stays open (as 3): the store's lock never reaches it.
    ::dup2(ready[1], 3);
    ::syscall(SYS_close_range, 4U, ~0U, 0);
    int null = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3 && null >= 0; ++fd) ::dup2(null, fd);
    if (null > 3) ::close(null);
    char ok = 0;
    if (::unshare(CLONE_NEWNS) == 0 && ::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) == 0) {
      ::umount2(netns_dir.c_str(), MNT_DETACH);
      ok = 1;
    }
    if (::write(3, &ok, 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  holder_ = pid;
  char ok = 0;
  ssize_t n;
  do {
    n = ::read(ready[0], &ok, 1);
  } while (n < 0 && errno == EINTR);
  ::close(ready[0]);
  if (n != 1 || !ok) return Status::IOError("could not make the views' base mount namespace");
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/mnt";
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Status::FromErrno("open " + path, errno);
  return Status::OK();
}

}  // namespace topo
