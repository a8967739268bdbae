// SIGKILL rounds for a lab attached to the host (a node of kind root), with
// every verb that changes state: `up`, `test` and `run` killed after each
// of their actions, `down` (and the teardown ending `test` and `run`) after
// each inverse it performs, `set-link` once its change is journaled. After
// each kill, `topo down` must succeed and leave the host exactly as it was:
// links, addresses, routes, forwarding sysctls, and every table of iptables
// and ip6tables (the lab's SNAT, forward and firewall rules gone, the host's
// own rule kept, the tables the lab made removed). The host is a
// test-only namespace standing in for it (standin_fixture.h), the kill points
// are exact (cli/test_hooks.h: the process stops itself there and is killed).
// And a program topo runs itself that outlives a killed `up` (item 8 of
// issue #16): `down` ends it before it removes anything.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "kernel/program_process.h"
#include "standin_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::TopoBinary;

// A root node with an address, a route, a forwarding sysctl, a SNAT rule, a
// port forward (PREROUTING and OUTPUT rules) and a firewall rule (in both
// families); one namespace behind it, with a check.
constexpr char kLab[] = R"(name: rootfault
nodes:
  h:
    kind: root
    interfaces:
      e0: [10.77.0.1/24]
    routes:
      - {to: 10.78.0.0/24, via: 10.77.0.2}
    sysctls:
      net.ipv4.ip_forward: 1
    snat:
      - {source: 10.77.0.0/24, out: u0}
    forward:
      - {proto: tcp, port: 8080, to: "10.78.0.1:80", in: e0}
    firewall:
      rules:
        - {chain: forward, in: e0, proto: tcp, port: 22, action: drop}
  n1:
    interfaces:
      e1: [10.77.0.2/24]
      lo: [10.78.0.1/24]
    routes:
      - {to: default, via: 10.77.0.1}
links:
  - [h:e0, n1:e1]
checks:
  - {name: h-to-n1, from: h, to: 10.78.0.1}
)";

class StandInFaultsTest : public testing::StandInFixture {
 protected:
  void SetUp() override {
    StandInFixture::SetUp();
    if (IsSkipped() || HasFailure()) return;
    // An uplink for the SNAT rule, forwarding off everywhere but on u1.
    ASSERT_EQ(InHost({"ip", "link", "add", "u0", "type", "veth", "peer", "name", "u1"}).status, 0);
    ASSERT_EQ(InHost({"sysctl", "-q", "-w", "net.ipv4.ip_forward=0"}).status, 0);
    ASSERT_EQ(InHost({"sysctl", "-q", "-w", "net.ipv4.conf.u1.forwarding=1"}).status, 0);
    // A rule of the host's own in its IPv4 filter table, which the lab adds
    // to: it stays, and so does the table (the nat table and IPv6's filter
    // table are the lab's, and go).
    ASSERT_EQ(InHost({"iptables", "-A", "FORWARD", "-i", "u1", "-j", "ACCEPT"}).status, 0);
    file_ = Write("rootfault.yaml", kLab);
    lab_ = prefix_ + "rootfault";
    labs_.push_back(lab_);
    before_ = HostSnapshot();
  }

  // The stand-in host as iproute2, iptables-save and ip6tables-save (every
  // table) and /proc/sys show it.
  std::string HostSnapshot() {
    std::string s;
    for (std::vector<std::string> argv :
         std::vector<std::vector<std::string>>{{"ip", "-d", "link", "show"},
                                               {"ip", "addr", "show"},
                                               {"ip", "route", "show", "table", "all"},
                                               {"ip", "-6", "route", "show", "table", "all"},
                                               {"iptables-save"},
                                               {"ip6tables-save"}}) {
      std::string out = InHost(argv).output;
      std::string kept;
      size_t start = 0;
      while (start < out.size()) {
        size_t end = out.find('\n', start);
        if (end == std::string::npos) end = out.size();
        std::string line = out.substr(start, end - start);
        if (line.empty() || line[0] != '#') kept += line + "\n";  // iptables-save's time stamps
        start = end + 1;
      }
      s += "$ " + argv[0] + "\n" + kept;
    }
    for (const char* key : {"net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.forwarding",
                            "net.ipv4.conf.u0.forwarding", "net.ipv4.conf.u1.forwarding"}) {
      s += std::string(key) + "=" + Sysctl(key);
    }
    return s;
  }

  // Starts `topo ARGS` in the stand-in with `hook` ("VAR=N") set and waits
  // until it stops itself (returns its pid) or exits (returns -1).
  pid_t StartStopped(const std::vector<std::string>& args, const std::string& hook) {
    std::vector<std::string> env = env_;
    env.push_back(hook);
    std::vector<std::string> argv = {"nsenter", "--net=/run/netns/" + host_, TopoBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::StartUntilStopped(argv, env);
  }

  // SIGKILLs a stopped topo, then `topo down` must leave the host as it was.
  void KillAndRecover(pid_t pid, const std::string& where) {
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    auto down = Topo({"down", lab_});
    EXPECT_EQ(down.status, 0) << where << ": " << down.output;
    EXPECT_EQ(HostSnapshot(), before_) << where;
    ++kills_;
  }

  // Kills `topo ARGS` at each point of the hook `var` from 1 on, until it
  // runs to the end without stopping; `setup` runs before each.
  void Round(const std::vector<std::string>& args, const std::string& var,
             const std::function<void()>& setup = nullptr) {
    const int first = kills_;
    for (int n = 1;; ++n) {
      if (setup) setup();
      if (HasFatalFailure()) return;
      pid_t pid = StartStopped(args, var + "=" + std::to_string(n));
      const std::string where = args[0] + " with " + var + "=" + std::to_string(n);
      if (pid < 0) {
        // It ran to the end: clean up after it like after any other run.
        Topo({"down", lab_});
        EXPECT_EQ(HostSnapshot(), before_) << where << " (not stopped)";
        EXPECT_GT(n, 1) << where << ": never stopped";
        rounds_ += (rounds_.empty() ? "" : " + ") + std::to_string(kills_ - first) + " " + args[0];
        return;
      }
      KillAndRecover(pid, where);
    }
  }

  // `topo up`, and the lab's forward and IPv6 filter rule are in the host's tables.
  void Up() {
    auto up = Topo({"up", "--prefix", prefix_, file_});
    ASSERT_EQ(up.status, 0) << up.output;
    const std::string v4 = InHost({"iptables-save"}).output;
    EXPECT_NE(v4.find("-A OUTPUT -d 10.77.0.1/32 -p tcp -m tcp --dport 8080"), std::string::npos)
        << v4;
    const std::string v6 = InHost({"ip6tables-save"}).output;
    EXPECT_NE(v6.find("-A FORWARD -i e0 -p tcp -m tcp --dport 22"), std::string::npos) << v6;
  }

  std::string file_, lab_, before_;
  int kills_ = 0;
  std::string rounds_;  // "12 up + 12 test + ..."
};

TEST_F(StandInFaultsTest, SigkillOfEveryVerbAtEveryStepLeavesTheHostAsItWas) {
  const std::vector<std::string> up = {"up", "--prefix", prefix_, file_};
  const std::vector<std::string> test = {"test", "--prefix", prefix_, file_};
  const std::vector<std::string> run = {"run", "--prefix", prefix_, file_, "--", "true"};
  // Killed while bringing the lab up, after each action.
  Round(up, "TOPO_TEST_STOP_AFTER");
  Round(test, "TOPO_TEST_STOP_AFTER");
  Round(run, "TOPO_TEST_STOP_AFTER");
  // Killed while tearing it down, after each inverse.
  Round({"down", lab_}, "TOPO_TEST_STOP_DOWN_AFTER", [&] { Up(); });
  Round(test, "TOPO_TEST_STOP_DOWN_AFTER");
  Round(run, "TOPO_TEST_STOP_DOWN_AFTER");
  // Killed inside set-link, on the host's end and on the namespace's.
  for (const char* end : {"h:e0", "n1:e1"}) {
    Up();
    if (HasFatalFailure()) return;
    pid_t pid = StartStopped({"set-link", "--lab", lab_, end, "--rate", "10mbit"},
                             "TOPO_TEST_STOP_SET_LINK=1");
    ASSERT_GT(pid, 0) << "set-link " << end << " did not stop";
    KillAndRecover(pid, std::string("set-link ") + end);
  }
  std::cout << "[ sigkill ] " << kills_ << " kills of a host-attached lab (" << rounds_
            << " + 2 set-link), each followed by `topo down`: host as before\n";
}

// Issue #16, item 8: a program topo runs itself (the iptables-restore of the
// root node's first rule) that outlives a killed `up`, as one already
// committing when its parent died does. The stand-in (tests/support/
// orphan_wrapper.cc) clears its parent-death signal, takes its input, waits
// until `up` has died and runs iptables-restore DELAY ms later. `down` finds
// it recorded in the journal, lets it finish for a moment, kills it if it has
// not, and only then removes the lab: with 200 ms it commits while `down`
// waits and `down` removes the rule; with 3000 ms it is killed before it
// commits. Before the fix `down` returned at once, and the rule appeared on
// the host after it, with no lab record left.
TEST_F(StandInFaultsTest, DownEndsAProgramThatOutlivedAKilledUp) {
  for (int delay : {200, 3000}) {
    const std::string where = "delay " + std::to_string(delay) + " ms";
    const std::string mark = state_dir_ + "/orphan-" + std::to_string(delay);
    std::vector<std::string> env = env_;
    env.push_back(std::string("TOPO_TEST_WRAP_PROGRAMS=") + TOPO_TEST_ORPHAN);
    env.push_back("TOPO_TEST_ORPHAN_MARK=" + mark);
    env.push_back("TOPO_TEST_ORPHAN_DELAY_MS=" + std::to_string(delay));
    const pid_t up = testing::StartProcess(
        {"nsenter", "--net=/run/netns/" + host_, TopoBinary(), "up", "--prefix", prefix_, file_},
        env);
    ASSERT_GT(up, 0);
    // The stand-in has all its input once its mark is there (a bound for a hang).
    std::string text;
    for (int i = 0; i < 3000 && text.empty(); ++i) {
      text = testing::ReadFile(mark);
      if (text.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(up, SIGKILL);
    int status = 0;
    waitpid(up, &status, 0);
    ASSERT_FALSE(text.empty()) << where << ": the stand-in never ran";
    ProcessIdentity orphan{static_cast<pid_t>(std::stol(text)), 0};
    ASSERT_TRUE(ProcessStartTime(orphan.pid, &orphan.start_time).ok()) << where;

    auto down = Topo({"down", lab_});
    EXPECT_EQ(down.status, 0) << where << ": " << down.output;
    EXPECT_FALSE(ProcessAlive(orphan)) << where << ": the program outlived `down`";
    if (delay > 1000) {
      EXPECT_NE(down.output.find("1 program an earlier topo ran for it"), std::string::npos)
          << down.output;
    }
    // Whatever it would have done is done by now (a bound for a hang).
    for (int i = 0; i < 1500 && ProcessAlive(orphan); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(HostSnapshot(), before_) << where;
  }
}

}  // namespace
}  // namespace topo
