#include "kernel/program_process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "kernel/exec.h"
#include "kernel/netns.h"

extern char** environ;

namespace topo {
namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

int PidfdSignal(int pidfd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// Whether the pidfd's process exits within timeout_ms.
bool WaitPidfd(int pidfd, int timeout_ms) {
  pollfd p = {pidfd, POLLIN, 0};
  for (;;) {
    int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// In a child: the descriptors `keep` become 3, 4, ... in order; every other
// one above 2 is closed, and 0, 1 and 2 are /dev/null: nothing of topo's (the
// store's lock, the pipes of whoever runs topo) stays open in what outlives it.
void KeepOnly(std::vector<int> keep) {
  for (int& fd : keep) fd = ::fcntl(fd, F_DUPFD, 64 + static_cast<int>(keep.size()));
  for (size_t i = 0; i < keep.size(); ++i) ::dup2(keep[i], 3 + static_cast<int>(i));
  ::syscall(SYS_close_range, 3 + keep.size(), ~0U, 0);
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    if (null > 2 + static_cast<int>(keep.size())) ::close(null);
  }
}

void WriteAllRaw(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

// In the program, before exec: user, directory, standard descriptors.
bool BecomeProgram(const ResolvedUser& user, const std::string& cwd, int log_fd, std::string* why) {
  int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) {
    *why = std::string("set up stdin and the log: ") + std::strerror(errno);
    return false;
  }
  if (user.set) {
    if (::setgroups(user.groups.size(), user.groups.data()) != 0 || ::setgid(user.gid) != 0 ||
        ::setuid(user.uid) != 0) {
      *why = "become user '" + user.name + "': " + std::strerror(errno);
      return false;
    }
  }
  if (::chdir(cwd.c_str()) != 0) {
    *why = "enter directory '" + cwd + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::string ProcessIdentity::ToString() const {
  return std::to_string(pid) + " " + std::to_string(start_time);
}

bool ProcessIdentity::Parse(const std::string& text, ProcessIdentity* out) {
  long long pid = 0;
  unsigned long long start = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lld %llu %c", &pid, &start, &extra) != 2 || pid <= 0) {
    return false;
  }
  out->pid = static_cast<pid_t>(pid);
  out->start_time = start;
  return true;
}

bool ParseStatStartTime(const std::string& stat, uint64_t* start_time, char* state) {
  // "PID (COMM) S ppid ...": the command name ends at the last ')'.
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(stat.substr(close + 1));
  std::string field;
  // Fields 3 (state) to 22 (starttime).
  for (int i = 3; i <= 22; ++i) {
    if (!(in >> field)) return false;
    if (i == 3 && state) *state = field[0];
  }
  char* end = nullptr;
  unsigned long long v = std::strtoull(field.c_str(), &end, 10);
  if (*end != '\0') return false;
  *start_time = v;
  return true;
}

Status ProcessStartTime(pid_t pid, uint64_t* start_time) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("process " + std::to_string(pid) + " is gone", errno);
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return Status::NotFound("process " + std::to_string(pid) + " is gone");
  char state = 0;
  if (!ParseStatStartTime(std::string(buf, static_cast<size_t>(n)), start_time, &state)) {
    return Status::IOError("cannot read " + std::string(path));
  }
  if (state == 'Z' || state == 'X') return Status::NotFound("process has exited");
  return Status::OK();
}

bool ProcessAlive(const ProcessIdentity& id) {
  uint64_t start = 0;
  return ProcessStartTime(id.pid, &start).ok() && start == id.start_time;
}

Status ResolveUser(const std::string& user, ResolvedUser* out) {
  *out = ResolvedUser();
  if (user.empty()) return Status::OK();
  struct passwd pw, *found = nullptr;
  std::vector<char> buf(16384);
  char* end = nullptr;
  unsigned long uid = std::strtoul(user.c_str(), &end, 10);
  const bool numeric = !user.empty() && *end == '\0';
  int rc = numeric ? ::getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &found)
                   : ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  out->set = true;
  if (rc != 0 || !found) {
    if (!numeric) return Status::InvalidArgument("no user '" + user + "' on this machine");
    // A numeric uid without a name: its own group, no others.
    out->uid = out->gid = static_cast<uid_t>(uid);
    out->name = user;
    out->home = "/";
    return Status::OK();
  }
  out->uid = pw.pw_uid;
  out->gid = pw.pw_gid;
  out->name = pw.pw_name;
  out->home = pw.pw_dir && *pw.pw_dir ? pw.pw_dir : "/";
  int n = 64;
  out->groups.resize(static_cast<size_t>(n));
  while (::getgrouplist(pw.pw_name, pw.pw_gid, out->groups.data(), &n) < 0) {
    out->groups.resize(static_cast<size_t>(n));
  }
  out->groups.resize(static_cast<size_t>(n));
  return Status::OK();
}

Status LaunchProgram(const ProgramLaunch& launch, LaunchedProgram* out) {
  if (launch.argv.empty()) return Status::InvalidArgument("no command given");
  std::vector<char*> args = CStrings(launch.argv);
  std::vector<char*> envp = CStrings(launch.env);
  UniqueFd log(::open(launch.log_path.c_str(),
                      O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640));
  if (!log.valid()) return Status::FromErrno("open " + launch.log_path, errno);
  UniqueFd status(::open(launch.status_path.c_str(),
                         O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640));
  if (!status.valid()) return Status::FromErrno("open " + launch.status_path, errno);
  int go[2], info[2];
  if (::pipe2(go, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd go_r(go[0]), go_w(go[1]);
  if (::pipe2(info, O_CLOEXEC) != 0) return Status::FromErrno("pipe", errno);
  UniqueFd info_r(info[0]), info_w(info[1]);

  pid_t a = ::fork();
  if (a < 0) return Status::FromErrno("fork", errno);
  if (a == 0) {
    // The starter: session, view, monitor. Descriptors 3 go, 4 info, 5 log, 6 status.
    ResetSignalsForExec();
    ::setsid();
    const bool base = launch.base_mnt_fd >= 0;
    if (base) {
      KeepOnly({go_r.get(), info_w.get(), log.get(), status.get(), launch.base_mnt_fd});
    } else {
      KeepOnly({go_r.get(), info_w.get(), log.get(), status.get()});
    }
    Status s = EnterNodeView(launch.view, base ? 7 : -1);
    if (base) ::close(7);
    if (!s.ok()) {
      WriteAllRaw(4, "E" + s.message());
      ::_exit(1);
    }
    pid_t m = ::fork();
    if (m < 0) {
      WriteAllRaw(4, std::string("Efork: ") + std::strerror(errno));
      ::_exit(1);
    }
    if (m > 0) ::_exit(0);
    // The monitor.
    pid_t p = ::fork();
    if (p < 0) {
      WriteAllRaw(4, std::string("Efork: ") + std::strerror(errno));
      ::_exit(1);
    }
    if (p == 0) {
      // The program: held until topo has journaled it.
      ::close(4);
      ::close(6);
      char c = 0;
      ssize_t n;
      do {
        n = ::read(3, &c, 1);
      } while (n < 0 && errno == EINTR);
      if (n != 1) ::_exit(127);  // topo went away first
      ::close(3);
      std::string why;
      if (!BecomeProgram(launch.user, launch.cwd, 5, &why)) {
        WriteAllRaw(2, "topo: cannot start '" + launch.argv[0] + "': " + why + "\n");
        ::_exit(127);
      }
      ::close(5);
      environ = envp.data();
      ::execvp(args[0], args.data());
      WriteAllRaw(2, "topo: cannot run '" + launch.argv[0] + "': " + std::strerror(errno) + "\n");
      ::_exit(127);
    }
    ::close(3);
    ::close(5);
    const std::string ids = "P" + std::to_string(p) + " " + std::to_string(::getpid());
    WriteAllRaw(4, ids);
    ::close(4);
    int st = 0;
    while (::waitpid(p, &st, 0) < 0 && errno == EINTR) {
    }
    const std::string how = WIFSIGNALED(st) ? "signal " + std::to_string(WTERMSIG(st))
                                            : "exited " + std::to_string(WEXITSTATUS(st));
    WriteAllRaw(6, how + "\n");
    ::_exit(0);
  }
  go_r.Reset();
  info_w.Reset();
  log.Reset();
  status.Reset();
  std::string reply;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(info_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  while (::waitpid(a, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (reply.empty() || reply[0] != 'P') {
    return Status::IOError(reply.size() > 1 ? reply.substr(1) : "the program's monitor failed");
  }
  LaunchedProgram lp;
  long long pid = 0, monitor = 0;
  if (std::sscanf(reply.c_str() + 1, "%lld %lld", &pid, &monitor) != 2) {
    return Status::IOError("the program's monitor said '" + reply + "'");
  }
  lp.id.pid = static_cast<pid_t>(pid);
  lp.monitor.pid = static_cast<pid_t>(monitor);
  if (Status s = ProcessStartTime(lp.id.pid, &lp.id.start_time); !s.ok()) {
    return Status::IOError("the program's process went away before it was started");
  }
  if (Status s = ProcessStartTime(lp.monitor.pid, &lp.monitor.start_time); !s.ok()) {
    lp.monitor = ProcessIdentity();
  }
  lp.go_fd = go_w.Release();
  *out = lp;
  return Status::OK();
}

Status ReleaseProgram(LaunchedProgram* program) {
  if (program->go_fd < 0) return Status::InvalidArgument("program already released");
  char c = 'g';
  ssize_t n;
  do {
    n = ::write(program->go_fd, &c, 1);
  } while (n < 0 && errno == EINTR);
  int e = errno;
  ::close(program->go_fd);
  program->go_fd = -1;
  if (n != 1) return Status::FromErrno("start the program", e);
  return Status::OK();
}

void AbandonProgram(LaunchedProgram* program) {
  if (program->go_fd >= 0) ::close(program->go_fd);
  program->go_fd = -1;
}

bool RunCheckCommand(const NodeView& view, const std::vector<std::string>& argv,
                     const std::vector<std::string>& env, const ResolvedUser& user,
                     int timeout_ms) {
  if (argv.empty()) return false;
  std::vector<char*> args = CStrings(argv);
  std::vector<char*> envp = CStrings(env);
  pid_t c = ::fork();
  if (c < 0) return false;
  if (c == 0) {
    ResetSignalsForExec();
    ::setsid();
    KeepOnly({});
    if (!EnterNodeView(view).ok()) ::_exit(126);
    int null = ::open("/dev/null", O_RDWR);
    std::string why;
    if (null < 0 || !BecomeProgram(user, "/", null, &why)) ::_exit(126);
    environ = envp.data();
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  UniqueFd pidfd(PidfdOpen(c));
  bool exited = pidfd.valid() && WaitPidfd(pidfd.get(), timeout_ms);
  if (!exited) ::kill(c, SIGKILL);
  int st = 0;
  while (::waitpid(c, &st, 0) < 0 && errno == EINTR) {
  }
  return exited && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

Status WaitForExit(const ProcessIdentity& id, int timeout_ms) {
  if (id.pid <= 0) return Status::OK();
  UniqueFd fd(PidfdOpen(id.pid));
  if (!fd.valid() || !ProcessAlive(id)) return Status::OK();
  if (WaitPidfd(fd.get(), timeout_ms)) return Status::OK();
  return Status::Busy("process " + std::to_string(id.pid) + " did not exit");
}

std::vector<Status> StopProcesses(const std::vector<ProcessIdentity>& ids,
                                  const std::vector<int>& timeouts_ms, int first_signal) {
  std::vector<Status> out(ids.size());
  std::vector<UniqueFd> fds(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].pid <= 0) continue;
    UniqueFd fd(PidfdOpen(ids[i].pid));
    // The pidfd names whoever has the pid now: only the same process is signalled.
    if (!fd.valid() || !ProcessAlive(ids[i])) continue;
    if (PidfdSignal(fd.get(), first_signal) != 0) {
      if (errno != ESRCH)
        out[i] = Status::FromErrno("signal process " + std::to_string(ids[i].pid), errno);
      continue;
    }
    fds[i] = std::move(fd);
  }
  // Waits for every process with a pidfd until its deadline; returns whether any is left.
  auto wait = [&](const std::vector<std::chrono::steady_clock::time_point>& deadlines) {
    for (;;) {
      std::vector<pollfd> polls;
      std::vector<size_t> which;
      const auto now = std::chrono::steady_clock::now();
      auto next = std::chrono::steady_clock::time_point::max();
      for (size_t i = 0; i < fds.size(); ++i) {
        if (!fds[i].valid() || deadlines[i] <= now) continue;
        polls.push_back({fds[i].get(), POLLIN, 0});
        which.push_back(i);
        next = std::min(next, deadlines[i]);
      }
      if (polls.empty()) return;
      int ms = static_cast<int>(
                   std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count()) +
               1;
      int n = ::poll(polls.data(), polls.size(), ms);
      if (n < 0 && errno != EINTR) return;
      for (size_t k = 0; k < polls.size(); ++k) {
        if (polls[k].revents) fds[which[k]].Reset();  // exited
      }
    }
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::chrono::steady_clock::time_point> deadlines(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    deadlines[i] =
        start + std::chrono::milliseconds(i < timeouts_ms.size() ? timeouts_ms[i] : 2000);
  }
  wait(deadlines);
  bool killed = false;
  for (size_t i = 0; i < fds.size(); ++i) {
    if (!fds[i].valid()) continue;
    PidfdSignal(fds[i].get(), SIGKILL);
    deadlines[i] = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    killed = true;
  }
  if (killed) wait(deadlines);
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].valid()) {
      out[i] =
          Status::Busy("process " + std::to_string(ids[i].pid) + " did not exit after SIGKILL");
    }
  }
  return out;
}

Status StopProcess(const ProcessIdentity& id, int timeout_ms) {
  if (id.pid <= 0) return Status::OK();
  UniqueFd fd(PidfdOpen(id.pid));
  if (!fd.valid()) return Status::OK();  // gone
  // The pidfd names whoever has the pid now: only the same process is signalled.
  if (!ProcessAlive(id)) return Status::OK();
  if (PidfdSignal(fd.get(), SIGTERM) != 0) {
    if (errno == ESRCH) return Status::OK();
    return Status::FromErrno("signal process " + std::to_string(id.pid), errno);
  }
  if (WaitPidfd(fd.get(), timeout_ms)) return Status::OK();
  PidfdSignal(fd.get(), SIGKILL);
  if (WaitPidfd(fd.get(), 5000)) return Status::OK();
  return Status::Busy("process " + std::to_string(id.pid) + " did not exit after SIGKILL");
}

}  // namespace topo
