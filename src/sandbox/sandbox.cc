// EnterNew and InUserNamespace (sandbox.h): the user, mount and network
// namespaces of a sandbox, its private directories, and what the machine's
// settings say when the kernel refuses.
#include "sandbox/sandbox.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "sandbox/internal.h"

namespace topo::sandbox {
namespace {

std::string ReadSetting(const std::string& path) {
  std::ifstream in(path);
  std::string value;
  in >> value;
  return value;
}

Status WriteProcFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) return Status::FromErrno("write " + path, err);
  return Status::OK();
}

// Puts a fresh tmpfs over `parent` that shows what was there (each entry bind
// mounted back, symlinks copied), so a directory can be added to it without
// changing the host's. Used when /run or /etc has no `netns` of its own.
Status OverlayParent(const std::string& parent) {
  int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + parent, errno);
  struct stat st;
  ::fstat(fd, &st);
  std::vector<std::pair<std::string, unsigned char>> entries;
  if (DIR* d = ::fdopendir(::dup(fd))) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") entries.emplace_back(name, e->d_type);
    }
    ::closedir(d);
  }
  char options[32];
  std::snprintf(options, sizeof(options), "mode=%o", st.st_mode & 07777);
  if (::mount("tmpfs", parent.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno("mount a tmpfs on " + parent, err);
  }
  const std::string old = "/proc/self/fd/" + std::to_string(fd) + "/";
  for (const auto& [name, type] : entries) {
    const std::string from = old + name, to = parent + "/" + name;
    if (type == DT_LNK) {
      char target[4096];
      ssize_t n = ::readlinkat(fd, name.c_str(), target, sizeof(target) - 1);
      if (n > 0) {
        target[n] = 0;
        (void)::symlink(target, to.c_str());
      }
      continue;
    }
    if (type == DT_DIR) {
      ::mkdir(to.c_str(), 0755);
    } else {
      int f = ::open(to.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (f >= 0) ::close(f);
    }
    // Best effort: an entry that cannot be shown again stays an empty placeholder.
    (void)::mount(from.c_str(), to.c_str(), nullptr, MS_BIND | MS_REC, nullptr);
  }
  ::close(fd);
  return Status::OK();
}

// Makes `dir` an empty directory of the sandbox: a tmpfs over it when the host
// has one, else a new directory (in a tmpfs over its parent when needed).
Status MakePrivateDir(const std::string& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
      return Status::FromErrno("mount a tmpfs on " + dir, errno);
    }
    return Status::OK();
  }
  if (::mkdir(dir.c_str(), 0755) == 0) return Status::OK();
  const std::string parent = dir.substr(0, dir.rfind('/'));
  if (Status s = OverlayParent(parent); !s.ok()) return s;
  if (::mkdir(dir.c_str(), 0755) != 0) return Status::FromErrno("create " + dir, errno);
  return Status::OK();
}

}  // namespace

std::string ExplainRefusal(const std::string& detail, int err, const std::string& proc_sys) {
  std::string msg = "cannot make a rootless sandbox (" + detail + ")";
  if (ReadSetting(proc_sys + "/kernel/unprivileged_userns_clone") == "0") {
    return msg +
           ": this machine forbids unprivileged user namespaces "
           "(kernel.unprivileged_userns_clone = 0); allow them with "
           "`sudo sysctl -w kernel.unprivileged_userns_clone=1`, or run topo as root";
  }
  if (ReadSetting(proc_sys + "/user/max_user_namespaces") == "0") {
    return msg +
           ": this machine allows no user namespaces (user.max_user_namespaces = 0); allow "
           "them with `sudo sysctl -w user.max_user_namespaces=15000`, or run topo as root";
  }
  if (ReadSetting(proc_sys + "/kernel/apparmor_restrict_unprivileged_userns") == "1") {
    return msg +
           ": AppArmor restricts unprivileged user namespaces "
           "(kernel.apparmor_restrict_unprivileged_userns = 1, Ubuntu 23.10 and later); "
           "install the AppArmor profile for topo in docs/ROOTLESS.md, or run topo as root";
  }
  if (err == EINVAL && detail.rfind("unshare", 0) == 0) {
    return msg + ": the process already has several threads or is in a chroot";
  }
  if (err == EPERM || err == EACCES) {
    return msg +
           ": in a container, its seccomp profile or capabilities may forbid user "
           "namespaces (docker: --security-opt seccomp=unconfined --security-opt "
           "apparmor=unconfined; podman: --security-opt seccomp=unconfined); see "
           "docs/ROOTLESS.md, or run topo as root";
  }
  if (err == ENOSPC) {
    return msg +
           ": the limit user.max_user_namespaces is reached; raise it with "
           "`sudo sysctl -w user.max_user_namespaces=15000`";
  }
  return msg;
}

bool InUserNamespace() {
  std::ifstream in("/proc/self/uid_map");
  unsigned long inside = 0, outside = 0, count = 0;
  if (!(in >> inside >> outside >> count)) return false;
  return !(inside == 0 && outside == 0 && count == 4294967295UL);
}

Status EnterNew() {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) != 0) {
    int err = errno;
    return Status::IOError(ExplainRefusal(std::string("unshare: ") + std::strerror(err), err), err);
  }
  Status s = WriteProcFile("/proc/self/setgroups", "deny");
  if (s.ok() || s.sys_errno() == ENOENT) {
    s = WriteProcFile("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
  }
  if (s.ok()) s = WriteProcFile("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
  // Nothing mounted here may reach the host.
  if (s.ok() && ::mount("", "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    s = Status::FromErrno("make / a slave mount", errno);
  }
  for (const char* dir : {"/run/netns", "/run/topo", "/etc/netns"}) {
    if (s.ok()) s = MakePrivateDir(dir);
  }
  if (!s.ok()) return Status::IOError(ExplainRefusal(s.message(), s.sys_errno()), s.sys_errno());
  return Status::OK();
}

}  // namespace topo::sandbox
