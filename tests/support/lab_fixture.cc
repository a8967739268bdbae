#include "support/lab_fixture.h"

#include <dirent.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "kernel/processes.h"

namespace topo::testing {
namespace {

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.insert(name);
  }
  closedir(d);
  return names;
}

std::vector<pid_t> Pids() {
  std::vector<pid_t> pids;
  for (const std::string& name : Entries("/proc")) {
    if (name.find_first_not_of("0123456789") == std::string::npos) {
      pids.push_back(static_cast<pid_t>(std::atol(name.c_str())));
    }
  }
  return pids;
}

// The parent of `pid` from /proc/PID/stat, or 0.
pid_t ParentOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos || close + 4 >= stat.size()) return 0;
  return static_cast<pid_t>(std::atol(stat.c_str() + close + 4));  // ") S PPID"
}

std::string CommandOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string comm;
  std::getline(in, comm);
  return comm;
}

// True when `pid` descends from this process, or was orphaned to init (as a
// daemon that a test's `topo exec` started is).
bool OursOrOrphan(pid_t pid, const std::map<pid_t, pid_t>& parents) {
  const pid_t self = getpid();
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    auto it = parents.find(pid);
    if (it == parents.end()) return false;
    if (it->second == self || it->second == 1) return true;
    pid = it->second;
  }
  return false;
}

// Whether `pid` is this test's: a descendant of this process, or one that
// carries this test's environment (a holder or daemon topo started for it,
// orphaned to init). Other tests run at the same time on a shared machine, and
// their processes are neither reported nor killed.
bool ThisTests(pid_t pid, const std::vector<std::string>& env) {
  const pid_t self = getpid();
  pid_t p = pid;
  for (int depth = 0; depth < 64 && p > 1; ++depth) {
    p = ParentOf(p);
    if (p == self) return true;
  }
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string entry;
  while (std::getline(in, entry, '\0')) {
    for (const std::string& e : env) {
      if (entry == e) return true;
    }
  }
  return false;
}

}  // namespace

bool NetnsIdentity(const std::string& path, NetnsId* id) {
  NsIdentity ns;
  if (!NamespaceIdentity(path, &ns).ok()) return false;
  *id = {ns.dev, ns.ino};
  return true;
}

std::vector<pid_t> ProcessesIn(const std::set<NetnsId>& ids) {
  if (ids.empty()) return {};
  std::vector<NsIdentity> wanted;
  for (const auto& [dev, ino] : ids) wanted.push_back({dev, ino});
  return ProcessesInNamespaces(wanted);  // as `down` finds them
}

LeakSnapshot LeakSnapshot::Take() {
  LeakSnapshot s;
  s.namespaces = Entries("/run/netns");
  s.etc_netns = Entries("/etc/netns");
  // Asked of the kernel (netlink), not of /sys: in a rootless sandbox /sys
  // shows the host's interfaces, not the sandbox's.
  if (struct if_nameindex* links = if_nameindex()) {
    for (struct if_nameindex* l = links; l->if_index != 0; ++l) s.root_links.insert(l->if_name);
    if_freenameindex(links);
  }
  std::set<NetnsId> named;
  for (const std::string& ns : s.namespaces) {
    NetnsId id;
    if (NetnsIdentity("/run/netns/" + ns, &id)) named.insert(id);
  }
  NetnsId own;
  if (NetnsIdentity("/proc/self/ns/net", &own)) named.insert(own);
  if (NetnsIdentity("/proc/1/ns/net", &own)) named.insert(own);
  std::map<pid_t, pid_t> parents;
  std::vector<std::pair<pid_t, NetnsId>> held;
  for (pid_t pid : Pids()) {
    NetnsId id;
    if (!NetnsIdentity("/proc/" + std::to_string(pid) + "/ns/net", &id)) continue;
    parents[pid] = ParentOf(pid);
    if (!named.count(id)) held.push_back({pid, id});
  }
  for (const auto& [pid, id] : held) {
    if (OursOrOrphan(pid, parents)) s.unnamed.insert(id);
  }
  return s;
}

void LabFixture::SetUp() {
  TOPO_REQUIRE_ROOT();
  prefix_ = UniquePrefix();
  prefixes_ = {prefix_};
  dir_ = std::make_unique<TempDir>("topo-it");
  ASSERT_TRUE(dir_->ok());
  state_dir_ = dir_->path();
  env_ = StateEnv(state_dir_);
  before_ = LeakSnapshot::Take();
}

void LabFixture::CleanUp() {
  for (const std::string& lab : labs_) Topo({"down", lab});
}

ProcessResult LabFixture::Topo(std::vector<std::string> args) {
  args.insert(args.begin(), TopoBinary());
  return RunProcess(args, env_);
}

ProcessResult LabFixture::TopoWithInput(std::vector<std::string> args, const std::string& input) {
  args.insert(args.begin(), TopoBinary());
  return RunProcessWithInput(args, env_, input);
}

bool LabFixture::Ours(const std::string& name) const {
  for (const std::string& p : prefixes_) {
    if (!p.empty() && name.rfind(p, 0) == 0) return true;
  }
  return false;
}

std::set<NetnsId> LabFixture::OwnNamespaces() const {
  std::set<NetnsId> ids;
  for (const std::string& ns : Entries("/run/netns")) {
    NetnsId id;
    if (Ours(ns) && !before_.namespaces.count(ns) && NetnsIdentity("/run/netns/" + ns, &id)) {
      ids.insert(id);
    }
  }
  return ids;
}

void LabFixture::TearDown() {
  if (!dir_) return;  // SetUp skipped or failed before anything existed
  std::set<NetnsId> lab_namespaces = OwnNamespaces();
  CleanUp();
  // Processes in the lab's namespaces, and namespaces kept alive without a name.
  LeakSnapshot after = LeakSnapshot::Take();
  for (pid_t pid : ProcessesIn(lab_namespaces)) {
    ADD_FAILURE() << "process " << pid << " (" << CommandOf(pid)
                  << ") left in a namespace of the lab";
    kill(pid, SIGKILL);
  }
  std::set<NetnsId> unnamed;
  for (const NetnsId& id : after.unnamed) {
    if (!before_.unnamed.count(id) && !lab_namespaces.count(id)) unnamed.insert(id);
  }
  for (pid_t pid : ProcessesIn(unnamed)) {
    if (!ThisTests(pid, env_)) continue;
    ADD_FAILURE() << "process " << pid << " (" << CommandOf(pid)
                  << ") keeps a network namespace alive without a name";
    kill(pid, SIGKILL);
  }
  for (const std::string& ns : after.namespaces) {
    if (Ours(ns) && !before_.namespaces.count(ns)) {
      ADD_FAILURE() << "namespace " << ns << " left behind";
      RunProcess({"ip", "netns", "del", ns});
    }
  }
  for (const std::string& entry : after.etc_netns) {
    if (Ours(entry) && !before_.etc_netns.count(entry)) {
      ADD_FAILURE() << "/etc/netns/" << entry << " left behind";
      std::error_code ec;
      std::filesystem::remove_all("/etc/netns/" + entry, ec);
    }
  }
  const std::string stem = UniquePrefixStem();
  for (const std::string& link : after.root_links) {
    if (link.rfind(stem, 0) == 0 && !before_.root_links.count(link)) {
      ADD_FAILURE() << "interface " << link << " left behind in the root namespace";
      RunProcess({"ip", "link", "del", "dev", link});
    }
  }
  dir_.reset();
}

}  // namespace topo::testing
