#include "lab/node_runtime.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <thread>

#include "kernel/netns.h"
#include "kernel/readiness.h"

namespace topo {
namespace {

constexpr char kPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Opens (creating, mode 0755, when `create`) the directory `rel` (relative,
// no "." or ".." parts) under the directory fd `base`, following no symlink.
Status OpenDirBeneath(int base, const std::string& rel, bool create, UniqueFd* out) {
  UniqueFd cur(::fcntl(base, F_DUPFD_CLOEXEC, 3));
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    std::string part = rel.substr(start, slash == std::string::npos ? slash : slash - start);
    start = slash == std::string::npos ? rel.size() : slash + 1;
    if (part.empty()) continue;
    if (part == "." || part == "..") return Status::InvalidArgument("unsafe path '" + rel + "'");
    if (create && ::mkdirat(cur.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno("create directory " + rel, errno);
    }
    UniqueFd next(
        ::openat(cur.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) return Status::FromErrno("open directory " + rel, errno);
    cur = std::move(next);
  }
  *out = std::move(cur);
  return Status::OK();
}

Status OpenPath(const std::string& path, UniqueFd* out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return Status::FromErrno("open " + path, errno);
  *out = std::move(fd);
  return Status::OK();
}

bool SafeName(const std::string& name) {
  return !name.empty() && name[0] != '.' && name.find('/') == std::string::npos &&
         name.size() <= 200;
}

// Whether `path` is `dir` or under it.
bool Under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// The user that owns a node's private directories: that of its first program
// that names one ("" for none: root's).
std::string DirOwner(const Plan& plan, const std::string& node) {
  for (const Action& a : plan.actions) {
    if (a.kind == ActionKind::kStartProgram && a.node == node && !a.program().user.empty()) {
      return a.program().user;
    }
  }
  return "";
}

std::string ReadExitFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "";
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string s = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

void ReadProgramExit(const std::string& path, std::string* how) { *how = ReadExitFile(path); }

std::string NodeStateDir(const std::string& lab_dir, const std::string& node) {
  return lab_dir + "/nodes/" + node;
}

std::string ProgramLogPath(const std::string& lab_dir, const std::string& node,
                           const std::string& program) {
  return NodeStateDir(lab_dir, node) + "/logs/" + program + ".log";
}

std::string ProgramExitPath(const std::string& lab_dir, const std::string& node,
                            const std::string& program) {
  return NodeStateDir(lab_dir, node) + "/logs/" + program + ".exit";
}

NodeView MakeNodeView(const Plan& plan, const std::string& lab_dir, const std::string& node,
                      const std::string& ns, const std::string& netns_dir) {
  NodeView v;
  v.ns = ns;
  v.netns_dir = netns_dir;
  v.hostname = node;
  const std::string fs = NodeStateDir(lab_dir, node) + "/fs";
  v.skeleton_dir = NodeStateDir(lab_dir, node) + "/skel";
  std::vector<std::string> dirs;
  for (const Action& a : plan.actions) {
    if (a.kind == ActionKind::kMakeNodeDir && a.node == node) {
      dirs.push_back(a.key());
      v.mounts.push_back({fs + a.key(), a.key(), true});
    }
  }
  for (const Action& a : plan.actions) {
    if (a.kind != ActionKind::kWriteNodeFile || a.node != node) continue;
    bool inside = false;
    for (const std::string& d : dirs) inside = inside || Under(a.key(), d);
    if (!inside) v.mounts.push_back({fs + a.key(), a.key(), false});
  }
  return v;
}

std::vector<std::string> ProgramEnvironment(const Plan& plan, const Action& a,
                                            const ResolvedUser& user) {
  std::vector<std::string> env = {kPath};
  std::string home = user.home;
  if (!user.set) {
    ResolvedUser self;
    home = ResolveUser(std::to_string(::getuid()), &self).ok() ? self.home : "/";
  }
  env.push_back("HOME=" + (home.empty() ? std::string("/") : home));
  if (user.set) {
    env.push_back("USER=" + user.name);
    env.push_back("LOGNAME=" + user.name);
  }
  env.push_back("TOPO_LAB=" + plan.lab);
  env.push_back("TOPO_NODE=" + a.node);
  env.push_back("TOPO_NS=" + a.ns);
  for (const auto& [name, value] : a.program().env) {
    const std::string prefix = name + "=";
    bool replaced = false;
    for (std::string& e : env) {
      if (e.compare(0, prefix.size(), prefix) == 0) {
        e = prefix + value;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(prefix + value);
  }
  return env;
}

struct LocalNodeRuntime::Running {
  LaunchedProgram launched;
  ResolvedUser user;
  std::string log, exit;
  LogWatcher watcher;
  std::chrono::steady_clock::time_point next_command{};
};

LocalNodeRuntime::LocalNodeRuntime(const Plan& plan, std::string lab_dir, std::string netns_dir)
    : plan_(plan), lab_dir_(std::move(lab_dir)), netns_dir_(std::move(netns_dir)) {}

LocalNodeRuntime::~LocalNodeRuntime() {
  for (auto& [index, r] : running_) topo::AbandonProgram(&r->launched);
}

Status LocalNodeRuntime::EnsureNodeDirs(const std::string& node) {
  if (!SafeName(node)) return Status::InvalidArgument("unsafe node name '" + node + "'");
  UniqueFd lab, dir;
  if (Status s = OpenPath(lab_dir_, &lab); !s.ok()) return s;
  return OpenDirBeneath(lab.get(), "nodes/" + node, true, &dir);
}

const NodeView& LocalNodeRuntime::ViewOf(const Action& a) {
  auto it = views_.find(a.node);
  if (it == views_.end()) {
    it = views_.emplace(a.node, MakeNodeView(plan_, lab_dir_, a.node, a.ns, netns_dir_)).first;
  }
  return it->second;
}

Status LocalNodeRuntime::MakeNodeDir(const Action& a) {
  if (a.key().size() < 2 || a.key()[0] != '/')
    return Status::InvalidArgument("bad path '" + a.key() + "'");
  if (Status s = EnsureNodeDirs(a.node); !s.ok()) return s;
  UniqueFd node, dir;
  if (Status s = OpenPath(NodeStateDir(lab_dir_, a.node), &node); !s.ok()) return s;
  if (Status s = OpenDirBeneath(node.get(), "fs" + a.key(), true, &dir); !s.ok()) return s;
  ResolvedUser owner;
  if (Status s = ResolveUser(DirOwner(plan_, a.node), &owner); !s.ok()) return s;
  if (owner.set && ::fchown(dir.get(), owner.uid, owner.gid) != 0) {
    return Status::FromErrno("give " + a.key() + " to user '" + owner.name + "'", errno);
  }
  return PrepareNodeView(ViewOf(a));
}

Status LocalNodeRuntime::WriteNodeFile(const Action& a) {
  if (a.key().size() < 2 || a.key()[0] != '/')
    return Status::InvalidArgument("bad path '" + a.key() + "'");
  if (Status s = EnsureNodeDirs(a.node); !s.ok()) return s;
  UniqueFd node, dir;
  if (Status s = OpenPath(NodeStateDir(lab_dir_, a.node), &node); !s.ok()) return s;
  const size_t slash = a.key().rfind('/');
  const std::string parent = "fs" + a.key().substr(0, slash);
  const std::string name = a.key().substr(slash + 1);
  if (Status s = OpenDirBeneath(node.get(), parent, true, &dir); !s.ok()) return s;
  UniqueFd f(::openat(dir.get(), name.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!f.valid()) return Status::FromErrno("create " + a.key(), errno);
  if (Status s = WriteAll(f.get(), a.value(), a.key()); !s.ok()) return s;
  if (::fchmod(f.get(), static_cast<mode_t>(a.mode() & 07777)) != 0) {
    return Status::FromErrno("set the mode of " + a.key(), errno);
  }
  return PrepareNodeView(ViewOf(a));
}

Status LocalNodeRuntime::SpawnProgram(size_t index, const Action& a, std::string* note) {
  if (!SafeName(a.program().name)) {
    return Status::InvalidArgument("unsafe program name '" + a.program().name + "'");
  }
  if (Status s = EnsureNodeDirs(a.node); !s.ok()) return s;
  UniqueFd node, logs;
  if (Status s = OpenPath(NodeStateDir(lab_dir_, a.node), &node); !s.ok()) return s;
  if (Status s = OpenDirBeneath(node.get(), "logs", true, &logs); !s.ok()) return s;
  auto r = std::make_unique<Running>();
  if (Status s = ResolveUser(a.program().user, &r->user); !s.ok()) return s;
  r->log = ProgramLogPath(lab_dir_, a.node, a.program().name);
  r->exit = ProgramExitPath(lab_dir_, a.node, a.program().name);
  ProgramLaunch launch;
  launch.view = ViewOf(a);
  launch.argv = a.program().argv;
  launch.env = ProgramEnvironment(plan_, a, r->user);
  launch.cwd = a.program().cwd.empty() ? "/" : a.program().cwd;
  launch.user = r->user;
  launch.log_path = r->log;
  launch.status_path = r->exit;
  if (Status s = base_.Start(netns_dir_); !s.ok()) return s;
  launch.base_mnt_fd = base_.fd();
  if (Status s = LaunchProgram(launch, &r->launched); !s.ok()) return s;
  if (a.program().ready.kind == Readiness::Kind::kLogLine) {
    r->watcher = LogWatcher(r->log, a.program().ready.text);
  }
  *note = r->launched.id.ToString() + " " + r->launched.monitor.ToString();
  running_[index] = std::move(r);
  return Status::OK();
}

Status LocalNodeRuntime::ReleaseProgram(size_t index) {
  auto it = running_.find(index);
  if (it == running_.end()) return Status::NotFound("program not spawned");
  return topo::ReleaseProgram(&it->second->launched);
}

void LocalNodeRuntime::AbandonProgram(size_t index) {
  auto it = running_.find(index);
  if (it != running_.end()) topo::AbandonProgram(&it->second->launched);
}

NodeRuntime::Progress LocalNodeRuntime::CheckProgram(size_t index, const Action& a,
                                                     std::string* why) {
  auto it = running_.find(index);
  if (it == running_.end()) {
    *why = "was never started";
    return Progress::kExited;
  }
  Running& r = *it->second;
  const Readiness& ready = a.program().ready;
  const pid_t pid = r.launched.id.pid;
  bool ok = false;
  switch (ready.kind) {
    case Readiness::Kind::kNone:
      ok = true;
      break;
    case Readiness::Kind::kTcp:
      ok = TcpListening(pid, ready.port);
      break;
    case Readiness::Kind::kUdp:
      ok = UdpBound(pid, ready.port);
      break;
    case Readiness::Kind::kFile:
      ok = PathExistsInRoot(pid, ready.path);
      break;
    case Readiness::Kind::kLogLine:
      ok = r.watcher.Seen();
      break;
    case Readiness::Kind::kCommand: {
      const auto now = std::chrono::steady_clock::now();
      if (now < r.next_command) break;
      ok = RunCheckCommand(ViewOf(a), ready.command, ProgramEnvironment(plan_, a, r.user), r.user,
                           2000);
      r.next_command = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
      break;
    }
  }
  // Still the same process? (A program that is ready and then exits still was ready.)
  if (!ok && !ProcessAlive(r.launched.id)) {
    // Its monitor writes how it ended once it has reaped it: give it a moment.
    std::string how = ReadExitFile(r.exit);
    for (int i = 0; i < 100 && how.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      how = ReadExitFile(r.exit);
    }
    if (how.rfind("exited ", 0) == 0) {
      *why = "exited with status " + how.substr(7);
    } else if (how.rfind("signal ", 0) == 0) {
      *why = "was killed by signal " + how.substr(7);
    } else {
      *why = "exited";
    }
    return Progress::kExited;
  }
  return ok ? Progress::kReady : Progress::kWaiting;
}

std::string LocalNodeRuntime::ProgramLogTail(const Action& a, size_t lines) {
  return TailOfFile(ProgramLogPath(lab_dir_, a.node, a.program().name), lines);
}

std::vector<Status> StopPrograms(const std::vector<std::string>& notes,
                                 const std::vector<int>& stop_timeouts_ms) {
  std::vector<ProcessIdentity> programs(notes.size()), monitors(notes.size());
  for (size_t i = 0; i < notes.size(); ++i) {
    long long pid = 0, mpid = 0;
    unsigned long long start = 0, mstart = 0;
    int n = std::sscanf(notes[i].c_str(), "%lld %llu %lld %llu", &pid, &start, &mpid, &mstart);
    if (n >= 2 && pid > 0) programs[i] = {static_cast<pid_t>(pid), start};
    if (n == 4 && mpid > 0) monitors[i] = {static_cast<pid_t>(mpid), mstart};
  }
  std::vector<Status> out = StopProcesses(programs, stop_timeouts_ms);
  // Their monitors exit once they have written how the programs ended.
  StopProcesses(monitors, std::vector<int>(notes.size(), 2000), /*first_signal=*/0);
  return out;
}

bool ProgramFromNote(const std::string& note, ProcessIdentity* program) {
  long long pid = 0;
  unsigned long long start = 0;
  if (std::sscanf(note.c_str(), "%lld %llu", &pid, &start) != 2 || pid <= 0) return false;
  *program = {static_cast<pid_t>(pid), start};
  return true;
}

Status StopProgram(const std::string& note, int stop_timeout_ms) {
  if (note.empty()) return Status::OK();
  long long pid = 0, mpid = 0;
  unsigned long long start = 0, mstart = 0;
  int n = std::sscanf(note.c_str(), "%lld %llu %lld %llu", &pid, &start, &mpid, &mstart);
  if (n < 2 || pid <= 0) return Status::InvalidArgument("bad program identity '" + note + "'");
  ProcessIdentity program{static_cast<pid_t>(pid), start};
  if (Status s = StopProcess(program, stop_timeout_ms); !s.ok()) return s;
  if (n == 4 && mpid > 0) {
    // Its monitor exits once it has written how the program ended.
    WaitForExit({static_cast<pid_t>(mpid), mstart}, 2000);
  }
  return Status::OK();
}

}  // namespace topo
