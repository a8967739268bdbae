#include "kernel/processes.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kernel/netns.h"

namespace topo {
namespace {

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

int PidfdSignal(int pidfd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

bool Before(const NsIdentity& a, const NsIdentity& b) {
  return a.dev != b.dev ? a.dev < b.dev : a.ino < b.ino;
}

// Whether `pid`'s network namespace is one of `sorted` (sorted by Before):
// a binary search, so a scan of P processes against N namespaces is
// O(P log N), not O(P N).
bool InNamespaces(pid_t pid, const std::vector<NsIdentity>& sorted) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", static_cast<int>(pid));
  NsIdentity id;
  if (!NamespaceIdentity(path, &id).ok()) return false;  // gone, or a zombie
  return std::binary_search(sorted.begin(), sorted.end(), id, Before);
}

// The /proc scan, against identities sorted by Before.
std::vector<pid_t> ScanProcesses(const std::vector<NsIdentity>& sorted) {
  std::vector<pid_t> out;
  if (sorted.empty()) return out;
  DIR* dir = opendir("/proc");
  if (!dir) return out;
  const pid_t self = getpid();
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid == self) continue;
    if (InNamespaces(static_cast<pid_t>(pid), sorted)) out.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return out;
}

// A process being ended: its pid and a pidfd that becomes readable when it exits.
struct Target {
  pid_t pid;
  UniqueFd fd;
  bool exited = false;
};

// Waits until every target has exited or `timeout` has passed.
void WaitForExit(std::vector<Target>& targets, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Target*> waiting;
    for (Target& t : targets) {
      if (t.exited) continue;
      fds.push_back({t.fd.get(), POLLIN, 0});
      waiting.push_back(&t);
    }
    if (fds.empty()) return;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    int n = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) return;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) waiting[i]->exited = true;
    }
  }
}

}  // namespace

Status NamespaceIdentity(const std::string& path, NsIdentity* out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Status::FromErrno(path, errno);
  out->dev = st.st_dev;
  out->ino = st.st_ino;
  return Status::OK();
}

std::vector<pid_t> ProcessesInNamespaces(const std::vector<NsIdentity>& ids) {
  std::vector<NsIdentity> sorted = ids;
  std::sort(sorted.begin(), sorted.end(), Before);
  return ScanProcesses(sorted);
}

Status EndProcessesInNamespaces(const std::vector<std::string>& names, const std::string& netns_dir,
                                size_t* ended, const EndProcessesOptions& options) {
  if (ended) *ended = 0;
  std::vector<NsIdentity> ids;
  for (const std::string& name : names) {
    if (name.empty() || name.find('/') != std::string::npos) continue;
    // lstat: a symlink planted in the namespace directory is not followed to
    // whatever namespace it names (a mount point is crossed, as it should be).
    struct stat st;
    if (lstat((netns_dir + "/" + name).c_str(), &st) == 0 && !S_ISLNK(st.st_mode)) {
      ids.push_back({st.st_dev, st.st_ino});
    }
  }
  std::sort(ids.begin(), ids.end(), Before);
  // Each round ends what one scan found; a later scan finds what they forked
  // meanwhile. A round that finds nothing ends the work (the usual, fast case).
  constexpr int kMaxRounds = 8;
  for (int round = 0; round < kMaxRounds; ++round) {
    std::vector<pid_t> pids = ScanProcesses(ids);
    if (pids.empty()) return Status::OK();
    std::vector<Target> targets;
    for (pid_t pid : pids) {
      UniqueFd fd(PidfdOpen(pid));
      if (!fd.valid()) {
        if (errno == ESRCH) continue;
        return Status::FromErrno("pidfd_open " + std::to_string(pid), errno);
      }
      // The pidfd names the process that has the pid now: check it is (still)
      // the one the scan found, not a recycled pid.
      if (!InNamespaces(pid, ids)) continue;
      if (PidfdSignal(fd.get(), SIGTERM) != 0 && errno != ESRCH) {
        return Status::FromErrno("signal process " + std::to_string(pid), errno);
      }
      targets.push_back({pid, std::move(fd)});
    }
    WaitForExit(targets, options.grace);
    bool killed = false;
    for (Target& t : targets) {
      if (t.exited) continue;
      PidfdSignal(t.fd.get(), SIGKILL);
      killed = true;
    }
    if (killed) WaitForExit(targets, options.kill_wait);
    for (const Target& t : targets) {
      if (!t.exited) {
        return Status::Busy("process " + std::to_string(t.pid) +
                            " in the lab's namespaces did not exit after SIGKILL");
      }
    }
    if (ended) *ended += targets.size();
  }
  return Status::Busy("processes in the lab's namespaces keep starting new ones");
}

}  // namespace topo
