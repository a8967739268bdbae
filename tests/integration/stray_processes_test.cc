// `down` ends every process in the lab's namespaces before removing them:
// one started with `topo exec` in the background, a double-forked daemon, one
// started with `ip netns exec`, and one that ignores SIGTERM (ended by SIGKILL
// after the grace period). Afterwards no process is left in any of the lab's
// namespaces, so none of them lives on without a name. Rollback and `topo run`
// do the same. Processes are found by namespace identity, as topo does.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>

#include "front/validate.h"
#include "kernel/netlink_backend.h"
#include "kernel/processes.h"
#include "lab/lab.h"
#include "lab/observer.h"
#include "plan/compile.h"
#include "support/fault_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"
#include "topo/lab.h"

namespace topo {
namespace {

using testing::RunProcess;
using testing::TopoBinary;

const std::string kSeedFile = testing::SourcePath("topologies/server-router-client.yaml");
const std::vector<std::string> kNodes = {"server", "router", "client"};

class StrayProcessesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TOPO_REQUIRE_ROOT();
    prefix_ = testing::UniquePrefix();
    lab_ = prefix_ + "server-router-client";
    tmp_ = std::make_unique<testing::TempDir>("topo-it");
    ASSERT_TRUE(tmp_->ok());
    state_dir_ = tmp_->path();
    env_ = {"TOPO_STATE_DIR=" + state_dir_};
  }

  void TearDown() override {
    if (state_dir_.empty()) return;
    Topo({"down", lab_});
    for (pid_t pid : children_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    for (const std::string& node : kNodes) {
      if (std::filesystem::exists("/run/netns/" + prefix_ + node)) {
        ADD_FAILURE() << "namespace " << prefix_ + node << " left behind";
        RunProcess({"ip", "netns", "del", prefix_ + node});
      }
    }
    tmp_.reset();
  }

  testing::ProcessResult Topo(std::vector<std::string> args) {
    args.insert(args.begin(), TopoBinary());
    return RunProcess(args, env_);
  }

  // The identities of the lab's namespaces, while they have names.
  std::vector<NsIdentity> Identities() {
    std::vector<NsIdentity> ids;
    for (const std::string& node : kNodes) {
      NsIdentity id;
      EXPECT_TRUE(NamespaceIdentity("/run/netns/" + prefix_ + node, &id).ok()) << node;
      ids.push_back(id);
    }
    return ids;
  }

  // `ip netns exec NS CMD...` as a child of this test, its output discarded.
  pid_t IpNetnsExec(const std::string& node, const std::vector<std::string>& cmd) {
    std::vector<std::string> argv = {"ip", "netns", "exec", prefix_ + node};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    pid_t pid = fork();
    if (pid == 0) {
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    children_.push_back(pid);
    return pid;
  }

  // Waits until `n` processes run in the namespaces (the shells that start them return first).
  bool WaitForProcesses(const std::vector<NsIdentity>& ids, size_t n) {
    for (int i = 0; i < 200; ++i) {
      if (ProcessesInNamespaces(ids).size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // A child sleeping in the namespace NS, stdio on /dev/null; reaped by TearDown.
  pid_t SleepIn(const std::string& ns) {
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(126);
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      execlp("sleep", "sleep", "306", nullptr);
      _exit(127);
    }
    children_.push_back(pid);
    return pid;
  }

  std::unique_ptr<testing::TempDir> tmp_;
  std::string prefix_, lab_, state_dir_;
  std::vector<std::string> env_;
  std::vector<pid_t> children_;
};

TEST_F(StrayProcessesTest, DownEndsEveryProcessInTheLabsNamespaces) {
  ASSERT_EQ(Topo({"up", "--prefix", prefix_, kSeedFile}).status, 0);
  std::vector<NsIdentity> ids = Identities();
  // The example: a background process started through `topo exec`.
  auto r = Topo({"exec", "--lab", lab_, "server", "--", "sh", "-c",
                 "sleep 300 </dev/null >/dev/null 2>&1 &"});
  ASSERT_EQ(r.status, 0) << r.output;
  // A daemon that forked twice and left its session.
  r = Topo({"exec", "--lab", lab_, "router", "--", "sh", "-c",
            "(setsid sleep 301 </dev/null >/dev/null 2>&1 &) &"});
  ASSERT_EQ(r.status, 0) << r.output;
  // One that ignores SIGTERM: only SIGKILL ends it.
  r = Topo({"exec", "--lab", lab_, "client", "--", "sh", "-c",
            "trap '' TERM; sleep 302 </dev/null >/dev/null 2>&1 &"});
  ASSERT_EQ(r.status, 0) << r.output;
  // Started by hand, without topo.
  pid_t by_hand = IpNetnsExec("client", {"sleep", "303"});
  ASSERT_TRUE(WaitForProcesses(ids, 4));
  ASSERT_EQ(ProcessesInNamespaces(ids).size(), 4u);

  r = Topo({"down", lab_});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ended 4 processes started outside the lab file"), std::string::npos)
      << r.output;
  // No process holds any of the lab's namespaces: none lives on without a name.
  EXPECT_TRUE(ProcessesInNamespaces(ids).empty());
  int status = 0;
  ASSERT_EQ(waitpid(by_hand, &status, 0), by_hand);
  children_.clear();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
}

TEST_F(StrayProcessesTest, DownWithNothingStrayReportsNothing) {
  ASSERT_EQ(Topo({"up", "--prefix", prefix_, kSeedFile}).status, 0);
  auto r = Topo({"down", lab_});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find("ended"), std::string::npos) << r.output;
}

TEST_F(StrayProcessesTest, DownAfterAKilledUpEndsThemToo) {
  // `up` stopped after its first namespace exists, a process put there, then
  // `up` killed: crash recovery must end the process before removing it.
  std::vector<std::string> env = env_;
  env.push_back("TOPO_TEST_STOP_AFTER=3");
  pid_t up = fork();
  if (up == 0) {
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    dup2(null, 2);
    execl(TopoBinary().c_str(), "topo", "up", "--prefix", prefix_.c_str(), kSeedFile.c_str(),
          nullptr);
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(up, &status, WUNTRACED), up);
  ASSERT_TRUE(WIFSTOPPED(status));
  NsIdentity id;
  ASSERT_TRUE(NamespaceIdentity("/run/netns/" + prefix_ + "server", &id).ok());
  IpNetnsExec("server", {"sleep", "304"});
  bool seen = WaitForProcesses({id}, 1);
  kill(up, SIGKILL);
  waitpid(up, nullptr, 0);
  ASSERT_TRUE(seen);
  auto r = Topo({"down", lab_});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ended 1 process started outside the lab file"), std::string::npos)
      << r.output;
  EXPECT_TRUE(ProcessesInNamespaces({id}).empty());
}

TEST_F(StrayProcessesTest, RunEndsWhatItsCommandLeftInTheLab) {
  // The command starts a daemon in the lab and returns; the lab goes with it.
  auto r = Topo({"run", "--prefix", prefix_, kSeedFile, "--", "sh", "-c",
                 "ip netns exec \"$TOPO_NS_SERVER\" sh -c 'sleep 305 </dev/null >/dev/null 2>&1 "
                 "&'; stat -L -c '%d %i' /run/netns/\"$TOPO_NS_SERVER\""});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("ended 1 process started outside the lab file"), std::string::npos)
      << r.output;
  // The identity the command printed (dev and inode in decimal) holds no process now.
  std::istringstream in(r.output);
  std::string line;
  while (std::getline(in, line) && (line.empty() || !isdigit(line[0]))) {
  }
  std::istringstream numbers(line);
  NsIdentity id;
  unsigned long long dev = 0, ino = 0;
  ASSERT_TRUE(numbers >> dev >> ino) << r.output;
  id.dev = static_cast<dev_t>(dev);
  id.ino = static_cast<ino_t>(ino);
  EXPECT_TRUE(ProcessesInNamespaces({id}).empty());
}

TEST_F(StrayProcessesTest, RollbackEndsThemBeforeRemovingTheNamespaces) {
  // A process enters the first namespace as soon as it exists; a later action
  // fails, and the rollback must end the process before removing the namespace.
  Document doc;
  DiagnosticList diags;
  ValidateOptions vo;
  vo.prefix = prefix_;
  auto t = LoadAndValidate(kSeedFile, vo, &doc, &diags);
  ASSERT_TRUE(t);
  const Plan plan = Compile(*t, kSeedFile);
  NetlinkBackend real;
  FaultInjectionBackend faulty(&real, 10);
  StateStore store(state_dir_);
  std::vector<NsIdentity> ids;
  struct Hook : LabObserver {
    std::function<void(const Action&)> fn;
    void OnAction(const ActionEvent& e) override {
      if (e.step == ActionEvent::Step::kApply && e.action && e.status.ok()) fn(*e.action);
    }
  } hook;
  hook.fn = [&](const Action& a) {
    if (a.kind != ActionKind::kCreateNamespace || !ids.empty()) return;
    NsIdentity id;
    ASSERT_TRUE(NamespaceIdentity("/run/netns/" + a.ns, &id).ok());
    ids.push_back(id);
    SleepIn(a.ns);
    ASSERT_TRUE(WaitForProcesses(ids, 1));
  };
  UpOptions options;
  options.observer = &hook;
  UpResult r = Up(plan, faulty, store, options);
  ASSERT_FALSE(r.status.ok());
  ASSERT_TRUE(r.apply.rolled_back);
  EXPECT_TRUE(r.apply.rollback.ok());
  EXPECT_EQ(r.apply.rollback.ended_processes, 1u);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(ProcessesInNamespaces(ids).empty());
}

TEST_F(StrayProcessesTest, LabDownEndsThemToo) {
  setenv("TOPO_STATE_DIR", state_dir_.c_str(), 1);
  std::vector<NsIdentity> ids;
  {
    Lab lab = Lab::Load(kSeedFile);
    lab.Up(prefix_);
    NsIdentity id;
    ASSERT_TRUE(NamespaceIdentity("/run/netns/" + lab.Namespace("client"), &id).ok());
    ids.push_back(id);
    SleepIn(lab.Namespace("client"));
    ASSERT_TRUE(WaitForProcesses(ids, 1));
    lab.Down();
  }
  unsetenv("TOPO_STATE_DIR");
  EXPECT_TRUE(ProcessesInNamespaces(ids).empty());
}

}  // namespace
}  // namespace topo
