// topo without root, tested as an unprivileged user: this binary runs as root
// (label `rootless`), picks uids no account and no process uses, and runs
// topo and the integration suite as them through `setpriv --reuid --regid
// --clear-groups` (no /etc/passwd entry needed). Every test then checks that
// the host kept none of it: no namespace, state or /etc/netns entry and no
// link with the test's prefix, and no process of those uids (any found is
// killed by its pid, and the test fails).
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <pwd.h>

#include <gtest/gtest.h>

#include "testutil.h"

namespace topo::testing {
namespace {

std::set<std::string> Entries(const std::string& dir) {
  std::set<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) out.insert(e->d_name);
    closedir(d);
  }
  return out;
}

// Pids of processes whose real uid is `uid`.
std::vector<pid_t> ProcessesOf(uid_t uid) {
  std::vector<pid_t> out;
  for (const std::string& name : Entries("/proc")) {
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in("/proc/" + name + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Uid:", 0) != 0) continue;
      std::istringstream f(line.substr(4));
      unsigned long real = 0;
      if (f >> real && real == uid) out.push_back(static_cast<pid_t>(std::stol(name)));
      break;
    }
  }
  return out;
}

// A uid with no account and no process, different from `other`.
uid_t UnusedUid(uid_t other) {
  for (uid_t uid = 61000 + static_cast<uid_t>(getpid() % 2000);; ++uid) {
    if (uid != other && getpwuid(uid) == nullptr && ProcessesOf(uid).empty()) return uid;
  }
}

// Whether `uid` can run `path` (the build tree must be readable by it).
bool CanExecute(uid_t uid, const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) _exit(2);
    _exit(access(path.c_str(), X_OK) == 0 ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class RootlessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      if (InCi()) FAIL() << "the rootless tests start as root (to become other users) in CI";
      GTEST_SKIP() << "the rootless tests start as root, to run topo as unused uids";
    }
    user_a_ = UnusedUid(0);
    user_b_ = UnusedUid(user_a_);
    prefix_ = UniquePrefix();
    for (const char* path : {TOPO_BINARY, TOPO_INTEGRATION_BINARY}) {
      ASSERT_TRUE(CanExecute(user_a_, path)) << path << " cannot be run by uid " << user_a_
                                             << ": the build tree must be readable by other users";
    }
  }

  void TearDown() override {
    if (user_a_ == 0) return;
    for (uid_t uid : {user_a_, user_b_}) {
      // A process `down` ended whose parent had gone is a zombie until pid 1
      // reaps it: give that a moment before calling anything left behind.
      NoProcessesWithin(uid, std::chrono::seconds(2));
      std::vector<pid_t> left = ProcessesOf(uid);
      for (pid_t pid : left) kill(pid, SIGKILL);
      EXPECT_TRUE(left.empty()) << left.size() << " processes of uid " << uid << " were left";
      RemoveUserDir("/tmp/topo-" + std::to_string(uid));
    }
    // Nothing of the test's (its prefix) reached the host.
    for (const char* dir : {"/run/netns", "/run/topo/labs", "/etc/netns", "/sys/class/net"}) {
      for (const std::string& e : Entries(dir)) {
        EXPECT_EQ(e.find(prefix_), std::string::npos) << dir << "/" << e << " is on the host";
      }
    }
  }

  static void RemoveUserDir(const std::string& dir) {
    for (const std::string& e : Entries(dir)) {
      if (e != "." && e != "..") unlink((dir + "/" + e).c_str());
    }
    rmdir(dir.c_str());
  }

  // Runs argv as `uid` (setpriv; a clean environment, no XDG_RUNTIME_DIR) from
  // the source tree, so topologies/... resolve.
  ProcessResult RunAs(uid_t uid, const std::vector<std::string>& argv,
                      const std::vector<std::string>& env = {}) const {
    std::vector<std::string> cmd = {
        "setpriv",
        "--reuid=" + std::to_string(uid),
        "--regid=" + std::to_string(uid),
        "--clear-groups",
        "env",
        "-i",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/nonexistent",
        "LANG=C",
        "CI=true"};
    cmd.insert(cmd.end(), env.begin(), env.end());
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    std::string cwd = SourcePath("");
    char old[4096];
    if (!getcwd(old, sizeof(old))) old[0] = 0;
    EXPECT_EQ(chdir(cwd.c_str()), 0);
    ProcessResult r = RunProcess(cmd);
    if (old[0]) {
      EXPECT_EQ(chdir(old), 0);
    }
    // The inner suite's output is printed when a test here fails; its
    // "[  SKIPPED ]" lines must not make CTest take that failure for a skip
    // (gtest_discover_tests' SKIP_REGULAR_EXPRESSION).
    for (size_t at = r.output.find("[  SKIPPED ]"); at != std::string::npos;
         at = r.output.find("[  SKIPPED ]", at)) {
      r.output.replace(at, 12, "[  skipped ]");
    }
    return r;
  }

  ProcessResult Topo(uid_t uid, std::vector<std::string> args,
                     const std::vector<std::string>& env = {}) const {
    args.insert(args.begin(), TOPO_BINARY);
    return RunAs(uid, args, env);
  }

  std::string HolderFile(uid_t uid) const {
    return "/tmp/topo-" + std::to_string(uid) + "/holder.pid";
  }

  // Waits until `uid` has no process left (the holder is killed asynchronously).
  static bool NoProcessesWithin(uid_t uid, std::chrono::seconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!ProcessesOf(uid).empty()) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  uid_t user_a_ = 0, user_b_ = 0;
  std::string prefix_;
  const std::string seed_ = "topologies/server-router-client.yaml";
};

TEST_F(RootlessTest, ScopedTestAndRunPassAsAnOrdinaryUser) {
  ProcessResult r = Topo(user_a_, {"test", "--prefix", prefix_, seed_});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("9 passed, 0 failed"), std::string::npos) << r.output;
  r = Topo(user_a_, {"run", "--prefix", prefix_, seed_, "--", TOPO_BINARY, "exec", "server", "--",
                     "ping", "-c1", "-W2", "client"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5)));
}

TEST_F(RootlessTest, UpExecSetLinkTestDownAcrossCommands) {
  ProcessResult r = Topo(user_a_, {"up", "--prefix", prefix_, seed_});
  ASSERT_EQ(r.status, 0) << r.output;
  std::vector<pid_t> procs = ProcessesOf(user_a_);
  EXPECT_EQ(procs.size(), 1u) << "the holder, and nothing else";
  EXPECT_NE(ReadFile(HolderFile(user_a_)).find(std::to_string(procs.empty() ? -1 : procs[0])),
            std::string::npos);
  const std::string lab = prefix_ + "server-router-client";
  r = Topo(user_a_, {"exec", "server", "--", "ping", "-c1", "-W2", "client"});
  EXPECT_EQ(r.status, 0) << r.output;
  r = Topo(user_a_, {"status", lab});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("no drift"), std::string::npos) << r.output;
  r = Topo(user_a_, {"set-link", "client:vethC", "--lab", lab, "--rate", "100mbit"});
  EXPECT_EQ(r.status, 0) << r.output;
  r = Topo(user_a_, {"test", "--lab", lab});
  EXPECT_EQ(r.status, 0) << r.output;
  r = Topo(user_a_, {"down", lab});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5))) << "the holder outlived down";
  struct stat st;
  EXPECT_NE(stat(HolderFile(user_a_).c_str(), &st), 0);
}

// `-v` before the verb still puts `up` in the sandbox (the verb is the first
// argument that is not an option), and a parse error or --help after the
// holder was started leaves no holder behind.
TEST_F(RootlessTest, VerboseBeforeTheVerbAndHelpLeaveNoHolder) {
  ProcessResult r = Topo(user_a_, {"-v", "up", "--prefix", prefix_, seed_});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("[debug]"), std::string::npos) << r.output;
  r = Topo(user_a_, {"down", prefix_ + "server-router-client"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5))) << "the holder outlived down";
  r = Topo(user_a_, {"up", "--help"});
  EXPECT_EQ(r.status, 0) << r.output;
  r = Topo(user_a_, {"up", "--no-such-option", seed_});
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5))) << "a holder with no lab";
}

// A process left running in a rootless lab (a background one, a double-forked
// daemon) is ended by `down`, which then ends the holder: no process of the
// user is left.
TEST_F(RootlessTest, DownEndsProcessesLeftInTheLab) {
  ProcessResult r = Topo(user_a_, {"up", "--prefix", prefix_, seed_});
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string lab = prefix_ + "server-router-client";
  r = Topo(user_a_, {"exec", "--lab", lab, "server", "--", "sh", "-c",
                     "sleep 300 </dev/null >/dev/null 2>&1 &"});
  EXPECT_EQ(r.status, 0) << r.output;
  r = Topo(user_a_, {"exec", "--lab", lab, "router", "--", "sh", "-c",
                     "(setsid sleep 301 </dev/null >/dev/null 2>&1 &) &"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_GE(ProcessesOf(user_a_).size(), 3u) << "the holder and two sleeps";
  r = Topo(user_a_, {"down", lab});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5))) << "a process outlived down";
}

TEST_F(RootlessTest, SigkillOfTheHolderLeavesNothing) {
  ProcessResult r = Topo(user_a_, {"up", "--prefix", prefix_, seed_});
  ASSERT_EQ(r.status, 0) << r.output;
  std::vector<pid_t> procs = ProcessesOf(user_a_);
  ASSERT_EQ(procs.size(), 1u);
  kill(procs[0], SIGKILL);
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5)));
  // The sandbox went with it: a new command finds no lab, and leaves nothing running.
  r = Topo(user_a_, {"status"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find(prefix_), std::string::npos) << r.output;
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5)));
}

TEST_F(RootlessTest, TwoUsersSideBySideNeverSeeEachOther) {
  // The same lab, same names, twice: each user's sandbox has its own.
  ProcessResult r = Topo(user_a_, {"up", "--prefix", prefix_, seed_});
  ASSERT_EQ(r.status, 0) << r.output;
  r = Topo(user_b_, {"up", "--prefix", prefix_, seed_});
  ASSERT_EQ(r.status, 0) << r.output;
  for (uid_t uid : {user_a_, user_b_}) {
    r = Topo(uid, {"exec", "client", "--", "ping", "-c1", "-W2", "server"});
    EXPECT_EQ(r.status, 0) << r.output;
  }
  // A holder file of A's own that names B's holder does not lead A into B's sandbox.
  const std::string xdg = "/tmp/" + prefix_ + "xdg";
  const std::string dir = xdg + "/topo";
  ASSERT_EQ(mkdir(xdg.c_str(), 0700), 0);
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  std::ofstream(dir + "/holder.pid") << ReadFile(HolderFile(user_b_));
  for (const std::string& p : {xdg, dir, dir + "/holder.pid"}) {
    ASSERT_EQ(chown(p.c_str(), user_a_, user_a_), 0);
  }
  r = Topo(user_a_, {"status"}, {"XDG_RUNTIME_DIR=" + xdg});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find(prefix_), std::string::npos) << "A reached B's lab: " << r.output;
  RemoveUserDir(dir);
  rmdir(xdg.c_str());
  for (uid_t uid : {user_a_, user_b_}) {
    r = Topo(uid, {"down"});
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_TRUE(NoProcessesWithin(uid, std::chrono::seconds(5)));
  }
}

TEST_F(RootlessTest, RefusesKindRootBeforeAnythingHappens) {
  ProcessResult r = Topo(user_a_, {"up", "--prefix", prefix_, "topologies/host-attached.yaml"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("is of kind root"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing was changed"), std::string::npos) << r.output;
  EXPECT_TRUE(NoProcessesWithin(user_a_, std::chrono::seconds(5))) << "a holder without a lab";
}

// The integration suite, again, as an ordinary user: each test process
// enters a sandbox of its own (TOPO_TEST_ROOTLESS=1), so the tests run
// unchanged as its root. Left out: labs attached to the host (kind root,
// refused without root, also in a namespace standing in for the host), the
// tests that hand the kernel's root objects, and the Ansible playbook's
// (ansible-playbook needs a home directory of its own, which the unused uid
// has not; the playbook runs as root, and topo's part in it, --machine, is
// in MachinesTest here too).
TEST_F(RootlessTest, IntegrationSuiteAsAnOrdinaryUser) {
  ProcessResult r = RunAs(
      user_a_,
      {TOPO_INTEGRATION_BINARY,
       "--gtest_filter=-HostAttachedTest.*:L2RootTest.*:StandInRootTest.*:StandInFaultsTest.*:"
       "FirewallRootTest.*:MachinesAnsibleTest.*"},
      {"TOPO_TEST_ROOTLESS=1"});
  EXPECT_EQ(r.status, 0) << r.output;
  // The only skips allowed are for what the kernel lacks or refuses, each
  // said on the line after "Skipped": no sch_netem, no VLANs (as as root), an
  // operation the kernel does not support, and an overlay over the host's
  // locked mounts (rootless only).
  const std::vector<std::string> kernel_skips = {
      "this kernel has no sch_netem", "the kernel lacks CONFIG_", "Operation not supported",
      "the kernel refuses an overlay", "is not set"};
  const std::string skipped = ": Skipped\n";
  for (size_t at = r.output.find(skipped); at != std::string::npos;
       at = r.output.find(skipped, at + 1)) {
    const size_t from = at + skipped.size();
    const std::string why = r.output.substr(from, r.output.find('\n', from) - from);
    bool kernel = false;
    for (const std::string& k : kernel_skips) kernel = kernel || why.find(k) != std::string::npos;
    EXPECT_TRUE(kernel) << "a skip that is not the kernel's: " << why;
  }
}

// The GoogleTest fixture, without root and without help: it enters a sandbox itself.
TEST_F(RootlessTest, LabTestFixtureRunsRootless) {
  ProcessResult r = RunAs(user_a_, {TOPO_INTEGRATION_BINARY, "--gtest_filter=SeedFixtureTest.*"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("[  PASSED  ] 3 tests"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace topo::testing
