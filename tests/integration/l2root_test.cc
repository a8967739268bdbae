// Switches and the root node against the real kernel, through the `topo`
// binary: the shipped bridge lab end to end, and a generated variant of the
// host-attached lab (seed 000) that is safe on a shared machine.
//
// Safety: the host-attached variant uses a root-side interface name and a
// private /24 unique to the test (checked to overlap nothing the host has),
// sends traffic only between its namespace and that address, never touches
// forwarding in the root namespace (its sysctl is a per-interface key of its
// own veth), and masquerades toward an interface name that does not exist.
// Every test checks that the root namespace is exactly as before.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "front/validate.h"
#include "kernel/netlink_backend.h"
#include "lab/apply.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "support/fault_backend.h"
#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;
using testing::TopoBinary;

// The root namespace as iproute2 and iptables show it (comments and counters
// dropped). Not `ip netns list`: other tests on the machine add and remove
// namespaces of their own; this test checks its own by name.
std::string RootSnapshot() {
  std::string s;
  for (auto argv :
       std::vector<std::vector<std::string>>{{"ip", "-d", "link", "show"},
                                             {"ip", "addr", "show"},
                                             {"ip", "route", "show", "table", "all"},
                                             {"ip", "-6", "route", "show", "table", "all"},
                                             {"iptables-save"},
                                             {"ip6tables-save"}}) {
    std::string out = RunProcess(argv).output;
    std::string kept;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line[0] == '#') continue;
      // iproute2's complaint when a namespace it resolves a link-netns name
      // through is being removed (by any other process): not the host's state.
      if (line.rfind("Error: Peer netns reference is invalid", 0) == 0) continue;
      kept += std::regex_replace(line, std::regex("\\[[0-9]+:[0-9]+\\]"), "[-]") + "\n";
    }
    s += "$ " + argv[0] + "\n" + kept;
  }
  return s;
}

bool NamespaceFileExists(const std::string& ns) {
  struct stat st;
  return lstat(("/run/netns/" + ns).c_str(), &st) == 0;
}

class L2RootTest : public testing::LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tag_ = prefix_.substr(0, prefix_.size() - 1);  // "t<pid>x<n>", for root-side names
  }

  testing::ProcessResult Exec(const std::string& lab, const std::string& node,
                              std::vector<std::string> cmd) {
    std::vector<std::string> args = {"exec", "--lab", lab, node, "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    return Topo(args);
  }

  void Ping(const std::string& lab, const std::string& node, const std::string& address) {
    auto r = Exec(lab, node, {"ping", "-c", "1", "-W", "2", address});
    EXPECT_EQ(r.status, 0) << node << " -> " << address << "\n" << r.output;
  }

  std::string tag_;
  std::vector<std::string> namespaces_;  // the namespaces a test's labs make
};

// ---- switches ----

TEST_F(L2RootTest, BridgeLabThreeHostsOneSwitchAndARouterToASecondSegment) {
  const std::string before = RootSnapshot();
  const std::string lab = prefix_ + "bridge";
  for (const char* n : {"lan", "ns0", "ns1", "ns2", "router", "wan", "far"}) {
    namespaces_.push_back(prefix_ + n);
  }
  labs_.push_back(lab);
  auto up = Topo({"up", "--prefix", prefix_, testing::SourcePath("topologies/bridge.yaml")});
  ASSERT_EQ(up.status, 0) << up.output;
  // The three hosts on one switch reach each other and the router.
  Ping(lab, "ns0", "10.0.1.2");
  Ping(lab, "ns0", "10.0.1.3");
  Ping(lab, "ns1", "10.0.1.3");
  Ping(lab, "ns2", "10.0.1.1");
  Ping(lab, "ns1", "10.0.1.254");
  // The router forwards to the second segment (another switch) and back.
  Ping(lab, "ns0", "10.0.2.1");
  Ping(lab, "far", "10.0.1.3");
  // The ports are enslaved to a bridge without STP.
  auto port = RunProcess({"ip", "-n", prefix_ + "lan", "-d", "link", "show", "p2"});
  EXPECT_NE(port.output.find("master br0"), std::string::npos) << port.output;
  auto bridge = RunProcess({"ip", "-n", prefix_ + "lan", "-d", "link", "show", "br0"});
  EXPECT_NE(bridge.output.find("stp_state 0"), std::string::npos) << bridge.output;
  auto status = Topo({"status", lab});
  EXPECT_EQ(status.status, 0) << status.output;
  auto down = Topo({"down", lab});
  ASSERT_EQ(down.status, 0) << down.output;
  for (const std::string& ns : namespaces_) EXPECT_FALSE(NamespaceFileExists(ns)) << ns;
  EXPECT_EQ(RootSnapshot(), before);
}

TEST_F(L2RootTest, BackendBridgeWithStpAndPortsJoiningAndLeaving) {
  const std::string ns = prefix_ + "sw";
  namespaces_.push_back(ns);
  NetlinkBackend b;
  ASSERT_TRUE(b.CreateNamespace(ns).ok());
  EXPECT_TRUE(b.CreateBridge(ns, "br0", true, false).ok());
  EXPECT_TRUE(b.CreateBridge(ns, "br0", true, false).IsAlreadyExists());
  ASSERT_TRUE(b.CreateVeth(ns, "p0", ns, "p1").ok());
  EXPECT_TRUE(b.SetMaster(ns, "p0", "br0").ok());
  EXPECT_TRUE(b.SetMaster(ns, "p1", "nosuch").IsNotFound());
  auto show = [&](const std::string& dev) {
    return RunProcess({"ip", "-n", ns, "-d", "link", "show", dev}).output;
  };
  EXPECT_NE(show("br0").find("stp_state 1"), std::string::npos) << show("br0");
  EXPECT_NE(show("p0").find("master br0"), std::string::npos) << show("p0");
  EXPECT_TRUE(b.SetMaster(ns, "p0", "").ok());
  EXPECT_EQ(show("p0").find("master br0"), std::string::npos) << show("p0");
  EXPECT_TRUE(b.DeleteBridge(ns, "br0").ok());
  EXPECT_TRUE(b.DeleteBridge(ns, "br0").IsNotFound());
  EXPECT_TRUE(b.DeleteNamespace(ns).ok());
}

// ---- the root namespace ----

class HostAttachedTest : public L2RootTest {
 protected:
  void SetUp() override {
    L2RootTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    host_if_ = tag_ + "h";
    uplink_ = tag_ + "u";
    namespaces_.push_back(prefix_ + "ns1");
    // A private /24 unique to this test that overlaps nothing the host has.
    NetlinkBackend b;
    StateStore store(state_dir_);
    const size_t seed = std::hash<std::string>{}(tag_);
    for (size_t k = 0; k < 64 && subnet_.empty(); ++k) {
      const size_t n = (seed + k * 97) % 4000;  // 10.160.0.0 - 10.175.249.0
      subnet_ = "10." + std::to_string(160 + n / 250) + "." + std::to_string(n % 250) + ".";
      if (!RootClashes(PlanFor(prefix_), b, store).empty()) subnet_.clear();
    }
    ASSERT_FALSE(subnet_.empty()) << "no free private subnet found";
    file_ = state_dir_ + "/host-attached.yaml";
    std::ofstream(file_) << Yaml();
    before_ = RootSnapshot();
  }

  std::string Yaml(const std::string& host_if = "") const {
    const std::string i = host_if.empty() ? host_if_ : host_if;
    return "name: host-attached\n"
           "nodes:\n"
           "  host:\n"
           "    kind: root\n"
           "    interfaces:\n"
           "      " +
           i + ": [" + subnet_ +
           "1/24]\n"
           "    sysctls:\n"
           "      net.ipv6.conf." +
           i +
           ".disable_ipv6: 1\n"
           "    snat:\n"
           "      - {source: " +
           subnet_ + "0/24, out: " + uplink_ +
           "}\n"
           "  ns1:\n"
           "    interfaces:\n"
           "      veth1: [" +
           subnet_ +
           "2/24]\n"
           "    routes:\n"
           "      - {to: default, via: " +
           subnet_ +
           "1}\n"
           "links:\n"
           "  - [host:" +
           i + ", ns1:veth1]\n";
  }

  Plan PlanFor(const std::string& prefix, const std::string& host_if = "") const {
    DiagnosticList diags;
    Document doc;
    std::optional<Topology> t;
    if (LoadText("host-attached.yaml", Yaml(host_if), &doc, &diags)) {
      ValidateOptions vo;
      vo.prefix = prefix;
      t = Validate(doc, vo, &diags);
    }
    EXPECT_TRUE(t) << FormatDiagnostics(diags, doc.text);
    return t ? Compile(*t) : Plan();
  }

  std::string Rule() const {
    return "-A POSTROUTING -s " + subnet_ + "0/24 -o " + uplink_ +
           " -m comment --comment \"topo:" + prefix_ + "host-attached\" -j MASQUERADE";
  }

  std::string Lab() const { return prefix_ + "host-attached"; }

  std::string host_if_, uplink_, subnet_, file_, before_;
};

TEST_F(HostAttachedTest, UpPingsTheHostAndDownLeavesTheHostExactlyAsBefore) {
  const std::string forward = RunProcess({"cat", "/proc/sys/net/ipv4/ip_forward"}).output;
  labs_.push_back(Lab());
  auto up = Topo({"up", "--prefix", prefix_, file_});
  ASSERT_EQ(up.status, 0) << up.output;
  Ping(Lab(), "ns1", subnet_ + "1");
  EXPECT_EQ(RunProcess({"cat", "/proc/sys/net/ipv6/conf/" + host_if_ + "/disable_ipv6"}).output,
            "1\n");
  EXPECT_NE(RunProcess({"iptables-save", "-t", "nat"}).output.find(Rule()), std::string::npos);
  EXPECT_EQ(RunProcess({"cat", "/proc/sys/net/ipv4/ip_forward"}).output, forward);
  auto status = Topo({"status", Lab()});
  EXPECT_EQ(status.status, 0) << status.output;
  auto down = Topo({"down", Lab()});
  ASSERT_EQ(down.status, 0) << down.output;
  EXPECT_FALSE(NamespaceFileExists(prefix_ + "ns1"));
  EXPECT_EQ(RootSnapshot(), before_);
}

// The host's side is checked like the lab's own namespaces: its interface,
// address, sysctl and SNAT rule, each undone by hand (exactly the lab's).
TEST_F(HostAttachedTest, StatusReportsDriftOnTheHostSide) {
  labs_.push_back(Lab());
  auto up = Topo({"up", "--prefix", prefix_, file_});
  ASSERT_EQ(up.status, 0) << up.output;
  ASSERT_EQ(RunProcess({"ip", "addr", "del", subnet_ + "1/24", "dev", host_if_}).status, 0);
  ASSERT_EQ(RunProcess({"sysctl", "-qw", "net.ipv6.conf." + host_if_ + ".disable_ipv6=0"}).status,
            0);
  std::vector<std::string> del = {"iptables",
                                  "-t",
                                  "nat",
                                  "-D",
                                  "POSTROUTING",
                                  "-s",
                                  subnet_ + "0/24",
                                  "-o",
                                  uplink_,
                                  "-m",
                                  "comment",
                                  "--comment",
                                  "topo:" + prefix_ + "host-attached",
                                  "-j",
                                  "MASQUERADE"};
  ASSERT_EQ(RunProcess(del).status, 0);
  auto status = Topo({"status", Lab()});
  EXPECT_EQ(status.status, 1) << status.output;
  for (const std::string& want :
       {"drift: address " + subnet_ + "1/24 on '(root):" + host_if_ + "' is gone",
        "drift: sysctl net.ipv6.conf." + host_if_ + ".disable_ipv6 in '(root)' is 0, not 1",
        "drift: snat rule " + subnet_ + "0/24 out " + uplink_ +
            " masquerade in '(root)' is gone"}) {
    EXPECT_NE(status.output.find(want), std::string::npos) << want << "\n" << status.output;
  }
  auto down = Topo({"down", Lab()});
  ASSERT_EQ(down.status, 0) << down.output;
  EXPECT_EQ(RootSnapshot(), before_);
}

TEST_F(HostAttachedTest, ExecAndSetLinkReachTheRootNode) {
  labs_.push_back(Lab());
  auto up = Topo({"up", "--prefix", prefix_, file_});
  ASSERT_EQ(up.status, 0) << up.output;
  // The root node is the host: the command runs there (the host-side end is visible).
  auto exec = Exec(Lab(), "host", {"ip", "-o", "link", "show", "dev", host_if_});
  EXPECT_EQ(exec.status, 0) << exec.output;
  EXPECT_NE(exec.output.find(host_if_ + "@"), std::string::npos) << exec.output;
  auto set = Topo({"set-link", "--lab", Lab(), "host:" + host_if_, "--rate", "10mbit"});
  EXPECT_EQ(set.status, 0) << set.output;
  EXPECT_NE(set.output.find("host:" + host_if_ + " now rate 10mbit"), std::string::npos)
      << set.output;
  auto qdisc = RunProcess({"tc", "qdisc", "show", "dev", host_if_});
  EXPECT_NE(qdisc.output.find("tbf"), std::string::npos) << qdisc.output;
  auto down = Topo({"down", Lab()});
  ASSERT_EQ(down.status, 0) << down.output;
  EXPECT_EQ(RootSnapshot(), before_);
}

TEST_F(HostAttachedTest, ShellScriptsOfThePlanLeaveTheHostExactlyAsBefore) {
  // `topo plan --format shell` and its --teardown run by hand, as topo up and down would.
  auto up = Topo({"plan", "--prefix", prefix_, "--format", "shell", file_});
  ASSERT_EQ(up.status, 0) << up.output;
  auto down = Topo({"plan", "--prefix", prefix_, "--format", "shell", "--teardown", file_});
  ASSERT_EQ(down.status, 0) << down.output;
  const std::string up_sh = state_dir_ + "/up.sh", down_sh = state_dir_ + "/down.sh";
  // The output also holds the lab's warning (stderr): the script starts at its #! line.
  std::ofstream(up_sh) << up.output.substr(up.output.find("#!"));
  std::ofstream(down_sh) << down.output.substr(down.output.find("#!"));
  const std::vector<std::string> env = {"TOPO_SHELL_STATE=" + state_dir_ + "/shell"};
  auto ran_up = RunProcess({"bash", up_sh}, env);
  EXPECT_EQ(ran_up.status, 0) << ran_up.output;
  auto ping = RunProcess(
      {"ip", "netns", "exec", prefix_ + "ns1", "ping", "-c", "1", "-W", "2", subnet_ + "1"});
  EXPECT_EQ(ping.status, 0) << ping.output;
  EXPECT_NE(RunProcess({"iptables-save", "-t", "nat"}).output.find(Rule()), std::string::npos);
  auto ran_down = RunProcess({"bash", down_sh}, env);
  EXPECT_EQ(ran_down.status, 0) << ran_down.output;
  EXPECT_FALSE(NamespaceFileExists(prefix_ + "ns1"));
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + "ns1"));
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/shell"));
  EXPECT_EQ(RootSnapshot(), before_);
  if (ran_down.status != 0) {  // leave nothing behind: the rule, by its exact text
    RunProcess({"iptables", "-t", "nat", "-D", "POSTROUTING", "-s", subnet_ + "0/24", "-o", uplink_,
                "-m", "comment", "--comment", "topo:" + Lab(), "-j", "MASQUERADE"});
    RunProcess({"rm", "-rf", "/etc/netns/" + prefix_ + "ns1"});
  }
}

TEST_F(HostAttachedTest, UpRefusesClashesWithTheHostAndChangesNothing) {
  labs_.push_back(Lab());
  ASSERT_EQ(Topo({"up", "--prefix", prefix_, file_}).status, 0);
  const std::string with_lab = RootSnapshot();
  // A second copy: its root-side name and subnet are taken now.
  labs_.push_back(prefix_ + "2host-attached");
  namespaces_.push_back(prefix_ + "2ns1");
  auto again = Topo({"up", "--prefix", prefix_ + "2", file_});
  EXPECT_EQ(again.status, 1) << again.output;
  EXPECT_NE(again.output.find("interface '" + host_if_ + "' already exists in the root namespace"),
            std::string::npos)
      << again.output;
  EXPECT_NE(again.output.find("host-side address " + subnet_ + "1/24 on '" + host_if_ +
                              "' overlaps " + subnet_ + "1/24 on " + host_if_),
            std::string::npos)
      << again.output;
  EXPECT_NE(again.output.find("nothing was changed"), std::string::npos) << again.output;
  // Another name, same subnet: still refused, naming the clash.
  const std::string other = state_dir_ + "/other.yaml";
  std::ofstream(other) << Yaml(tag_ + "g");
  auto overlap = Topo({"up", "--prefix", prefix_ + "2", other});
  EXPECT_EQ(overlap.status, 1) << overlap.output;
  EXPECT_EQ(overlap.output.find("already exists"), std::string::npos) << overlap.output;
  EXPECT_NE(overlap.output.find("overlaps " + subnet_ + "1/24 on " + host_if_), std::string::npos)
      << overlap.output;
  EXPECT_FALSE(NamespaceFileExists(prefix_ + "2ns1"));
  EXPECT_EQ(RootSnapshot(), with_lab);
  ASSERT_EQ(Topo({"down", Lab()}).status, 0);
  EXPECT_EQ(RootSnapshot(), before_);
}

TEST_F(HostAttachedTest, RollbackAfterRootNamespaceActionsLeavesTheHostAsBefore) {
  Plan plan = PlanFor(prefix_);
  labs_.push_back(plan.lab);
  // Every action from the root-side veth on, then the last one (the SNAT rule).
  for (size_t at = 2; at < plan.actions.size(); ++at) {
    NetlinkBackend real;
    FaultInjectionBackend faulty(&real, static_cast<int>(at), "Operation not permitted");
    StateStore store(state_dir_);
    UpResult r = Up(plan, faulty, store);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.message(), Describe(plan.actions[at]) + ": Operation not permitted");
    EXPECT_TRUE(r.apply.rollback.ok()) << at;
    EXPECT_FALSE(NamespaceFileExists(prefix_ + "ns1"));
    EXPECT_TRUE(store.ListLabs().empty());
    EXPECT_EQ(RootSnapshot(), before_) << "after failing at action " << at;
  }
}

TEST_F(HostAttachedTest, SigkillDuringUpThenDownLeavesTheHostAsBefore) {
  const size_t n = PlanFor(prefix_).actions.size();
  for (size_t stop_after : {size_t{3}, size_t{4}, n - 1, n}) {
    labs_.push_back(Lab());
    pid_t pid = fork();
    if (pid == 0) {
      std::string stop = "TOPO_TEST_STOP_AFTER=" + std::to_string(stop_after);
      putenv(const_cast<char*>(stop.c_str()));
      putenv(const_cast<char*>(env_[0].c_str()));
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(TopoBinary().c_str(), "topo", "up", "--prefix", prefix_.c_str(), file_.c_str(),
            nullptr);
      _exit(127);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
    ASSERT_TRUE(WIFSTOPPED(status)) << "topo up did not stop after " << stop_after;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    auto down = Topo({"down", Lab()});
    EXPECT_EQ(down.status, 0) << down.output;
    EXPECT_NE(down.output.find("had not finished"), std::string::npos) << down.output;
    EXPECT_FALSE(NamespaceFileExists(prefix_ + "ns1"));
    EXPECT_EQ(RootSnapshot(), before_) << "after SIGKILL at " << stop_after;
  }
}

TEST_F(HostAttachedTest, BackendRestoresARootSysctlOnItsOwnVeth) {
  const std::string ns = prefix_ + "ns1";
  NetlinkBackend b;
  ASSERT_TRUE(b.CreateNamespace(ns).ok());
  ASSERT_TRUE(b.CreateVeth("", host_if_, ns, "e0").ok());
  Action a;
  a.kind = ActionKind::kSetSysctl;
  a.set_key("net.ipv6.conf." + host_if_ + ".disable_ipv6");
  a.set_value("1");
  std::string before, note;
  ASSERT_TRUE(PrepareAction(b, a, &before).ok());
  EXPECT_EQ(before, "0");
  ASSERT_TRUE(DoAction(b, a, &note).ok());
  EXPECT_EQ(note, "0");
  std::string now;
  ASSERT_TRUE(b.ReadSysctl("", a.key(), &now).ok());
  EXPECT_EQ(now, "1");
  EXPECT_TRUE(UndoAction(b, a, note).ok());
  ASSERT_TRUE(b.ReadSysctl("", a.key(), &now).ok());
  EXPECT_EQ(now, "0");
  // Teardown deletes a veth pair with a root end explicitly: the host end is
  // then gone at once, not when the kernel frees the namespace in the background.
  EXPECT_TRUE(b.DeleteVeth("", host_if_).ok());
  EXPECT_TRUE(b.DeleteNamespace(ns).ok());
  NetlinkBackend fresh;
  NamespaceState root;
  ASSERT_TRUE(fresh.Inspect("", &root).ok());
  for (const InterfaceState& i : root.interfaces) EXPECT_NE(i.name, host_if_);
  EXPECT_EQ(RootSnapshot(), before_);
}

}  // namespace
}  // namespace topo
