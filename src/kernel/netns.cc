#include "kernel/netns.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>
#include <set>

#include "kernel/children.h"
#include "kernel/exec.h"
#include "kernel/program_process.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

extern char** environ;

namespace topo {
namespace {

constexpr char kThreadNetns[] = "/proc/thread-self/ns/net";

std::string NetnsPath(const std::string& dir, const std::string& name) { return dir + "/" + name; }

Status CheckName(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.size() > NAME_MAX) {
    return Status::InvalidArgument("invalid namespace name '" + name + "'");
  }
  return Status::OK();
}

Status NoSuchNamespace(const std::string& name) {
  return Status::NotFound("namespace '" + name + "' does not exist", ENOENT);
}

// Moves fd to a number >= 3 so that it cannot collide with the standard
// descriptors a child sets up.
int AboveStdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int saved = errno;
  close(fd);
  errno = saved;
  return moved;
}

bool Pipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end->Reset(AboveStdio(fds[0]));
  write_end->Reset(AboveStdio(fds[1]));
  return read_end->valid() && write_end->valid();
}

// Blocks SIGPIPE in the calling thread for its lifetime, so that a write to
// a pipe whose reader is gone fails with EPIPE (a library caller may not
// ignore SIGPIPE); a SIGPIPE raised meanwhile is consumed, unless one was
// pending already.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      struct timespec zero = {0, 0};
      sigtimedwait(&set_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t set_, old_;
  bool was_pending_ = false;
};

// Writes one byte to a pipe whose reader may be gone: false when it was not written.
bool WriteByte(int fd, char byte) {
  SigpipeBlock block;
  ssize_t n;
  do {
    n = write(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

// Child side of RunInNamespace: reports (stage, errno) on `report` and exits.
// Only async-signal-safe calls.
[[noreturn]] void ChildFail(int report, int stage) {
  int msg[2] = {stage, errno};
  ssize_t ignored = write(report, msg, sizeof(msg));
  (void)ignored;
  _exit(127);
}

}  // namespace

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

Status CurrentNetnsId(std::string* id) {
#ifndef SO_NETNS_COOKIE
  constexpr int SO_NETNS_COOKIE = 71;
#endif
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    uint64_t cookie = 0;
    socklen_t len = sizeof(cookie);
    const bool ok = ::getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0;
    ::close(fd);
    if (ok) {
      *id = "cookie:" + std::to_string(cookie);
      return Status::OK();
    }
  }
  struct stat st;
  if (::stat("/proc/thread-self/ns/net", &st) != 0) {
    return Status::FromErrno("stat /proc/thread-self/ns/net", errno);
  }
  *id = "inode:" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return Status::OK();
}

Status WriteAll(int fd, const std::string& data, const std::string& what) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("write " + what, errno);
    off += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status EnsureNetnsDir(const std::string& dir) {
  static std::mutex mu;
  static std::set<std::string> done;
  std::lock_guard<std::mutex> lock(mu);
  if (done.count(dir)) return Status::OK();

  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Status::FromErrno("mkdir " + dir, errno);
  bool made_mount = false;
  while (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || made_mount)
      return Status::FromErrno("mount --make-shared " + dir, errno);
    // Not a mount point yet: make it one by bind-mounting it onto itself.
    if (mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      return Status::FromErrno("mount --bind " + dir + " " + dir, errno);
    }
    made_mount = true;
  }
  done.insert(dir);
  return Status::OK();
}

bool NetnsExists(const std::string& name, const std::string& dir) {
  if (!CheckName(name).ok()) return false;
  // O_PATH | O_NOFOLLOW: a symlink is looked at, never through.
  UniqueFd fd(open(NetnsPath(dir, name).c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct statfs fs;
  if (!fd.valid() || fstatfs(fd.get(), &fs) != 0) return false;
  return static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
}

Status NetnsIdentity(const std::string& name, std::string* id, const std::string& dir) {
  if (Status s = CheckName(name); !s.ok()) return s;
  const std::string path = NetnsPath(dir, name);
  UniqueFd fd(open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return NoSuchNamespace(name);
    return Status::FromErrno("open " + path, errno);
  }
  struct stat st;
  struct statfs fs;
  if (fstat(fd.get(), &st) != 0) return Status::FromErrno("stat " + path, errno);
  if (S_ISLNK(st.st_mode)) {
    return Status::InvalidArgument(path + " is a symbolic link, which topo never follows");
  }
  if (fstatfs(fd.get(), &fs) != 0) return Status::FromErrno("statfs " + path, errno);
  if (static_cast<unsigned long>(fs.f_type) != NSFS_MAGIC) {
    // A plain file: what a creation or removal cut short leaves (DeleteNetns
    // removes it); anything else is not topo's.
    if (S_ISREG(st.st_mode)) {
      return Status::NotFound(
          "namespace '" + name + "' is not mounted (" + path + " is a plain file)", ENOENT);
    }
    return Status::InvalidArgument(path + " is not a mounted namespace");
  }
  *id = std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
        std::to_string(static_cast<unsigned long long>(st.st_ino));
  return Status::OK();
}

Status OpenNetns(const std::string& name, UniqueFd* out, const std::string& dir) {
  if (Status s = CheckName(name); !s.ok()) return s;
  std::string path = NetnsPath(dir, name);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return NoSuchNamespace(name);
    if (errno == ELOOP) {
      return Status::InvalidArgument(path + " is a symbolic link, which topo never follows");
    }
    return Status::FromErrno("open " + path, errno);
  }
  struct statfs fs;
  if (fstatfs(fd.get(), &fs) != 0) return Status::FromErrno("statfs " + path, errno);
  if (static_cast<unsigned long>(fs.f_type) != NSFS_MAGIC) {
    return Status::NotFound(
        "namespace '" + name + "' is not mounted (" + path + " is a plain file)", ENOENT);
  }
  *out = std::move(fd);
  return Status::OK();
}

Status CreateNetns(const std::string& name, const std::string& dir,
                   const std::function<Status()>& while_inside, UniqueFd* fd_out) {
  if (Status s = CheckName(name); !s.ok()) return s;
  if (Status s = EnsureNetnsDir(dir); !s.ok()) return s;
  std::string path = NetnsPath(dir, name);

  UniqueFd home(open(kThreadNetns, O_RDONLY | O_CLOEXEC));
  if (!home.valid()) return Status::FromErrno(std::string("open ") + kThreadNetns, errno);

  {
    UniqueFd file(open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!file.valid()) {
      if (errno == EEXIST) {
        return Status::AlreadyExists("namespace '" + name + "' already exists", EEXIST);
      }
      return Status::FromErrno("create " + path, errno);
    }
  }

  bool mounted = false;
  bool moved = false;
  // Undoes what was done so far and returns `failure`.
  auto undo = [&](Status failure) {
    if (moved && setns(home.get(), CLONE_NEWNET) != 0) {
      failure =
          Status::FromErrno("return to the original namespace after: " + failure.message(), errno);
    }
    if (mounted) umount2(path.c_str(), MNT_DETACH);
    unlink(path.c_str());
    return failure;
  };

  if (unshare(CLONE_NEWNET) != 0) return undo(Status::FromErrno("unshare(CLONE_NEWNET)", errno));
  moved = true;
  if (mount(kThreadNetns, path.c_str(), "none", MS_BIND, nullptr) != 0) {
    return undo(Status::FromErrno("mount --bind " + std::string(kThreadNetns) + " " + path, errno));
  }
  mounted = true;
  if (while_inside) {
    if (Status s = while_inside(); !s.ok()) return undo(s);
  }
  UniqueFd ns_fd;
  if (fd_out) {
    ns_fd.Reset(open(kThreadNetns, O_RDONLY | O_CLOEXEC));
    if (!ns_fd.valid()) return undo(Status::FromErrno(std::string("open ") + kThreadNetns, errno));
  }
  if (setns(home.get(), CLONE_NEWNET) != 0) {
    return undo(Status::FromErrno("return to the original namespace", errno));
  }
  if (fd_out) *fd_out = std::move(ns_fd);
  return Status::OK();
}

Status DeleteNetns(const std::string& name, const std::string& dir) {
  if (Status s = CheckName(name); !s.ok()) return s;
  std::string path = NetnsPath(dir, name);
  // Neither unmounted through nor removed: a symlink is not a namespace of topo's.
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    return Status::InvalidArgument(path + " is a symbolic link, which topo never follows");
  }
  if (umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
    if (errno == ENOENT) return NoSuchNamespace(name);
    // EINVAL: not a mount point (a leftover file); removing it is still right.
    if (errno != EINVAL) return Status::FromErrno("umount " + path, errno);
  }
  if (unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return NoSuchNamespace(name);
    return Status::FromErrno("unlink " + path, errno);
  }
  return Status::OK();
}

Status NetnsGuard::Enter(int ns_fd, int home_fd) {
  if (inside_) return Status::InvalidArgument("already inside a namespace");
  if (home_fd < 0) {
    own_home_.Reset(open(kThreadNetns, O_RDONLY | O_CLOEXEC));
    if (!own_home_.valid()) return Status::FromErrno(std::string("open ") + kThreadNetns, errno);
    home_fd = own_home_.get();
  }
  if (setns(ns_fd, CLONE_NEWNET) != 0) return Status::FromErrno("setns", errno);
  home_fd_ = home_fd;
  inside_ = true;
  return Status::OK();
}

Status NetnsGuard::Leave() {
  if (!inside_) return Status::OK();
  if (setns(home_fd_, CLONE_NEWNET) != 0) {
    return Status::FromErrno("return to the original namespace", errno);
  }
  inside_ = false;
  own_home_.Reset();
  return Status::OK();
}

int RunInNamespace(int ns_fd, const std::vector<std::string>& argv, std::string_view stdin_data,
                   std::string* output) {
  output->clear();
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') {
    *output = "program path must be absolute";
    return -1;
  }
  // Everything the child needs is prepared before fork().
  std::vector<std::string> full = argv;
  if (const std::string& wrapper = ProgramWrapperForTests(); !wrapper.empty()) {
    full.insert(full.begin(), wrapper);
  }
  std::vector<char*> args;
  args.reserve(full.size() + 1);
  for (const std::string& a : full) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  UniqueFd in_read, in_write, out_read, out_write, report_read, report_write, go_read, go_write;
  if (!Pipe(&in_read, &in_write) || !Pipe(&out_read, &out_write) ||
      !Pipe(&report_read, &report_write) || !Pipe(&go_read, &go_write)) {
    *output = std::string("pipe: ") + std::strerror(errno);
    return -1;
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *output = std::string("fork: ") + std::strerror(errno);
    return -1;
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    int report = report_write.get();
    ResetSignalsForExec();
    // The program dies with topo: an iptables-restore left running after a
    // SIGKILL of `up` would add its rules after `down` (issue #16). The
    // parent may have died before the prctl took effect: then end now.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ChildFail(report, 4);
    if (getppid() != parent) _exit(127);
    // Nothing runs before the parent has recorded this child (children.h):
    // a parent that died or could not record it closes the pipe unwritten.
    close(go_write.get());
    char go = 0;
    ssize_t got;
    do {
      got = read(go_read.get(), &go, 1);
    } while (got < 0 && errno == EINTR);
    if (got != 1) _exit(127);
    if (ns_fd >= 0 && setns(ns_fd, CLONE_NEWNET) != 0) ChildFail(report, 1);
    if (dup2(in_read.get(), 0) < 0 || dup2(out_write.get(), 1) < 0 ||
        dup2(out_write.get(), 2) < 0) {
      ChildFail(report, 2);
    }
    // Whatever else the process has open must not leak into the program.
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(args[0], args.data(), environ);
    ChildFail(report, 3);
  }

  go_read.Reset();
  // Recorded (with its start time) before it may run, and released.
  ProcessIdentity child{pid, 0};
  ChildRecorder* recorder = CurrentChildRecorder();
  Status recorded = ProcessStartTime(pid, &child.start_time);
  if (recorded.ok() && recorder) recorded = recorder->Started(child);
  const bool released = recorded.ok() && WriteByte(go_write.get(), 'g');
  go_write.Reset();
  if (!released) {
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    if (recorded.ok() && recorder) recorder->Reaped(child);
    *output = recorded.ok() ? "the process for " + argv[0] + " ended before it could run"
                            : "cannot record the process for " + argv[0] +
                                  " before it runs: " + recorded.message();
    return -1;
  }
  in_read.Reset();
  out_write.Reset();
  report_write.Reset();

  // The report pipe closes on a successful exec, or carries why it failed.
  int report[2] = {0, 0};
  ssize_t got;
  do {
    got = read(report_read.get(), report, sizeof(report));
  } while (got < 0 && errno == EINTR);
  bool started = got != static_cast<ssize_t>(sizeof(report));

  if (started) {
    // Feed stdin and drain the output together so neither pipe can fill up.
    fcntl(in_write.get(), F_SETFL, O_NONBLOCK);
    size_t written = 0;
    if (stdin_data.empty()) in_write.Reset();
    SigpipeBlock block;
    char buf[4096];
    while (out_read.valid()) {
      struct pollfd fds[2];
      int n = 0;
      fds[n++] = {out_read.get(), POLLIN, 0};
      if (in_write.valid()) fds[n++] = {in_write.get(), POLLOUT, 0};
      if (poll(fds, n, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (n > 1 && fds[1].revents) {
        ssize_t w = write(in_write.get(), stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += w;
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) {
          in_write.Reset();
        }
      }
      if (fds[0].revents) {
        ssize_t r = read(out_read.get(), buf, sizeof(buf));
        if (r > 0) {
          output->append(buf, r);
        } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
          out_read.Reset();
        }
      }
    }
    in_write.Reset();
  }

  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) {
      *output = std::string("waitpid: ") + std::strerror(errno);
      return -1;
    }
  }
  if (recorder) recorder->Reaped(child);
  if (!started) {
    std::string what = report[0] == 1   ? std::string("cannot enter the namespace")
                       : report[0] == 2 ? std::string("cannot set up standard input and output")
                       : report[0] == 4 ? std::string("cannot tie the program to topo's life")
                                        : "cannot execute " + argv[0];
    *output = what + ": " + std::strerror(report[1]);
    return -1;
  }
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return -1;
}

}  // namespace topo
