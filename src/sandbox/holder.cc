// UserDir, JoinHolder and EndHolderIfIdle (sandbox.h): the holder process
// that keeps a rootless sandbox alive between commands, found through
// UserDir/holder.pid ("PID START-TIME", START-TIME from /proc/PID/stat) and
// guarded by flock(UserDir/lock): exclusive while a holder is looked up,
// started or ended, shared while a command works inside the sandbox.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "sandbox/internal.h"
#include "sandbox/sandbox.h"

namespace topo::sandbox {
namespace {

constexpr char kHolderFile[] = "holder.pid";

struct Holder {
  pid_t pid = 0;
  unsigned long long start = 0;
};

// Kept for the life of the process (opened before entering the sandbox).
int g_dir_fd = -1;
int g_lock_fd = -1;
Holder g_holder;  // the holder this process joined or started (pid 0: none)

// Field 22 of /proc/PID/stat, after the command name in parentheses; and
// field 3, the state ('Z' for a zombie, 'X' for a dead process).
bool StartTime(pid_t pid, unsigned long long* out, char* state = nullptr) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return false;
    if (i == 3 && state) *state = field.empty() ? '?' : field[0];
  }
  *out = std::strtoull(field.c_str(), nullptr, 10);
  return true;
}

bool IsHolder(const Holder& h) { return IsLiveHolder(h.pid, h.start); }

bool ReadHolder(Holder* out) {
  int fd = ::openat(g_dir_fd, kHolderFile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[64] = {};
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 0) return false;
  std::istringstream in(std::string(buf, static_cast<size_t>(n)));
  long pid = 0;
  Holder h;
  if (!(in >> pid >> h.start) || pid <= 0 || pid > INT_MAX) return false;
  h.pid = static_cast<pid_t>(pid);
  if (!IsHolder(h)) return false;
  *out = h;
  return true;
}

Status WriteHolder(const Holder& h) {
  const std::string text = std::to_string(h.pid) + " " + std::to_string(h.start) + "\n";
  const std::string tmp = std::string(kHolderFile) + ".new";
  ::unlinkat(g_dir_fd, tmp.c_str(), 0);
  int fd =
      ::openat(g_dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + tmp, errno);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::renameat(g_dir_fd, tmp.c_str(), g_dir_fd, kHolderFile) != 0) {
    return Status::FromErrno("write " + std::string(kHolderFile), errno);
  }
  return Status::OK();
}

// The holder: a child that does nothing but keep the sandbox's namespaces
// alive, in a session of its own, with no files open, until it is killed.
[[noreturn]] void BeHolder() {
  ::setsid();
  ::prctl(PR_SET_NAME, "topo-sandbox", 0, 0, 0);
  for (int sig : {SIGINT, SIGHUP, SIGPIPE, SIGQUIT}) ::signal(sig, SIG_IGN);
  (void)::chdir("/");
  int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
  ::close_range(3, ~0U, 0);
  for (;;) ::pause();
}

Status StartHolder() {
  pid_t pid = ::fork();
  if (pid < 0) return Status::FromErrno("fork the sandbox's holder", errno);
  if (pid == 0) BeHolder();
  Holder h{pid, 0};
  if (!StartTime(pid, &h.start)) {
    ::kill(pid, SIGKILL);
    return Status::IOError("cannot read the start time of the sandbox's holder");
  }
  if (Status s = WriteHolder(h); !s.ok()) {
    ::kill(pid, SIGKILL);
    return s;
  }
  g_holder = h;
  return Status::OK();
}

Status Join(const Holder& h) {
  const std::string ns = "/proc/" + std::to_string(h.pid) + "/ns/";
  int fds[3];
  const char* names[3] = {"user", "mnt", "net"};
  const int types[3] = {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET};
  for (int i = 0; i < 3; ++i) {
    fds[i] = ::open((ns + names[i]).c_str(), O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) {
      int err = errno;
      for (int k = 0; k < i; ++k) ::close(fds[k]);
      return Status::FromErrno("open " + ns + names[i], err);
    }
  }
  Status s;
  // The descriptors are the holder's unless its pid was reused meanwhile.
  if (!IsHolder(h)) s = Status::NotFound("the sandbox's holder ended");
  char cwd[PATH_MAX];
  bool have_cwd = ::getcwd(cwd, sizeof(cwd)) != nullptr;
  for (int i = 0; i < 3 && s.ok(); ++i) {
    if (::setns(fds[i], types[i]) != 0) {
      s = Status::IOError(ExplainRefusal("join the sandbox's " + std::string(names[i]) +
                                             " namespace: " + std::strerror(errno),
                                         errno),
                          errno);
    }
  }
  for (int fd : fds) ::close(fd);
  // Entering a mount namespace moves to its root: come back to the same path.
  if (s.ok() && have_cwd) (void)::chdir(cwd);
  if (s.ok()) g_holder = h;
  return s;
}

// Refuses a directory that is a symlink, not ours or open to others.
Status CheckPrivate(const std::string& dir, bool fix_mode) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return Status::FromErrno("stat " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return Status::IOError(dir + " is not a directory");
  if (st.st_uid != ::geteuid()) {
    return Status::IOError(dir + " belongs to another user; refusing to use it");
  }
  if ((st.st_mode & 0077) != 0) {
    if (!fix_mode || ::chmod(dir.c_str(), 0700) != 0) {
      return Status::IOError(dir + " is open to other users (mode " +
                             std::to_string(st.st_mode & 0777) + "); refusing to use it");
    }
  }
  return Status::OK();
}

}  // namespace

// A zombie is not live: its namespaces are gone, and joining it would fail.
bool IsLiveHolder(pid_t pid, unsigned long long start) {
  unsigned long long now = 0;
  char state = '?';
  struct stat st;
  return pid > 0 && StartTime(pid, &now, &state) && now == start && state != 'Z' && state != 'X' &&
         ::stat(("/proc/" + std::to_string(pid)).c_str(), &st) == 0 && st.st_uid == ::geteuid();
}

bool ProcessStartTime(pid_t pid, unsigned long long* start) { return StartTime(pid, start); }

Status UserDir(std::string* out) {
  std::string base;
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg && xdg[0] == '/' && CheckPrivate(xdg, false).ok()) {
    base = std::string(xdg) + "/topo";
  } else {
    base = "/tmp/topo-" + std::to_string(::geteuid());
  }
  if (::mkdir(base.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno("create " + base, errno);
  }
  if (Status s = CheckPrivate(base, true); !s.ok()) return s;
  *out = base;
  return Status::OK();
}

Status JoinHolder(bool create) {
  std::string dir;
  if (Status s = UserDir(&dir); !s.ok()) return s;
  g_dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (g_dir_fd < 0) return Status::FromErrno("open " + dir, errno);
  g_lock_fd = ::openat(g_dir_fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (g_lock_fd < 0) return Status::FromErrno("open " + dir + "/lock", errno);
  if (::flock(g_lock_fd, LOCK_EX) != 0) return Status::FromErrno("lock " + dir + "/lock", errno);
  Holder h;
  Status s;
  if (ReadHolder(&h)) {
    s = Join(h);
  } else {
    s = EnterNew();
    if (s.ok() && create) s = StartHolder();
  }
  ::flock(g_lock_fd, LOCK_SH);
  return s;
}

void EndHolderIfIdle() {
  if (g_lock_fd < 0 || g_holder.pid == 0) return;
  // Another command inside the sandbox holds its shared lock: leave it be.
  if (::flock(g_lock_fd, LOCK_EX | LOCK_NB) != 0) return;
  Holder h;
  if (ReadHolder(&h) && h.pid == g_holder.pid && h.start == g_holder.start) {
    ::kill(h.pid, SIGKILL);
    ::unlinkat(g_dir_fd, kHolderFile, 0);
  }
  g_holder = Holder{};
  ::flock(g_lock_fd, LOCK_SH);
}

}  // namespace topo::sandbox
