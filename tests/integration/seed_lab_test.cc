// Seed 002's lab against the real kernel, end to end through the `topo` binary:
// every check the seed walks through, then a teardown that leaves the root
// namespace byte-for-byte as it was. Plus rollback at real failure points,
// SIGKILL during `up`, namespace collisions and an IPv6-only lab.
//
// Every lab here uses a unique prefix and a private state directory, and is
// removed by exact name even when a test fails.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "front/validate.h"
#include "kernel/netlink_backend.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "support/fault_backend.h"
#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;
using testing::TopoBinary;

const std::string kSeedFile = testing::SourcePath("topologies/server-router-client.yaml");

// What the root namespace looks like, as an outside observer (iproute2, iptables) sees it.
std::string RootSnapshot() {
  std::string s;
  for (auto argv :
       std::vector<std::vector<std::string>>{{"ip", "-d", "link", "show"},
                                             {"ip", "addr", "show"},
                                             {"ip", "route", "show", "table", "all"},
                                             {"ip", "-6", "route", "show", "table", "all"},
                                             {"iptables-save", "-t", "nat"},
                                             {"ip", "netns", "list"}}) {
    std::string out = RunProcess(argv).output;
    // iptables-save stamps the time; drop comment lines. Of the namespaces,
    // only this test process's own count: on a shared machine others come and
    // go (each test checks its own by name as well).
    const std::string own = testing::UniquePrefixStem();
    std::string kept;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line[0] == '#') continue;
      if (argv[1] == "netns" && line.rfind(own, 0) != 0) continue;
      kept += line + "\n";
    }
    s += "$ " + argv[0] + "\n" + kept;
  }
  return s;
}

bool NamespaceFileExists(const std::string& ns) {
  struct stat st;
  return lstat(("/run/netns/" + ns).c_str(), &st) == 0;
}

// A socket created inside a namespace stays in it after the thread leaves.
int SocketIn(const std::string& ns, int domain, int type) {
  int fd = -1;
  std::thread t([&] {
    int nsfd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) return;
    close(nsfd);
    fd = socket(domain, type | SOCK_CLOEXEC, 0);
  });
  t.join();
  return fd;
}

class SeedLabTest : public testing::LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    before_ = RootSnapshot();
  }

  testing::ProcessResult Exec(const std::string& node, std::vector<std::string> cmd) {
    std::vector<std::string> args = {"exec", "--lab", prefix_ + "server-router-client", node, "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    return Topo(args);
  }

  void Ping(const std::string& node, const std::string& address) {
    auto r = Exec(node, {"ping", "-c", "1", "-W", "2", address});
    EXPECT_EQ(r.status, 0) << node << " -> " << address << "\n" << r.output;
  }

  void UpSeed() {
    labs_.push_back(prefix_ + "server-router-client");
    auto r = Topo({"up", "--prefix", prefix_, kSeedFile});
    ASSERT_EQ(r.status, 0) << r.output;
  }

  std::string before_;
};

TEST_F(SeedLabTest, EveryCheckOfTheSeedHoldsAndDownLeavesNothing) {
  UpSeed();
  // (5) directly connected addresses.
  Ping("server", "1.1.1.1");
  Ping("server", "10.0.1.1");
  Ping("client", "10.0.2.1");
  // (6) with the default routes, server and client reach each other.
  Ping("server", "10.0.2.2");
  Ping("client", "10.0.1.2");
  // (7) client reaches the server's loopback through the router's static route.
  Ping("client", "1.1.1.1");
  // (8) server reaches the client's loopback through the router's default route and SNAT.
  Ping("server", "2.2.2.2");

  // The client sees the server's traffic coming from the router's 10.0.2.1.
  int rx = SocketIn(prefix_ + "client", AF_INET, SOCK_DGRAM);
  int tx = SocketIn(prefix_ + "server", AF_INET, SOCK_DGRAM);
  ASSERT_GE(rx, 0);
  ASSERT_GE(tx, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(40000);
  inet_pton(AF_INET, "2.2.2.2", &addr.sin_addr);
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{2, 0};
  setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ASSERT_EQ(sendto(tx, "hi", 2, 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 2);
  char buf[8];
  sockaddr_in from{};
  socklen_t len = sizeof(from);
  ASSERT_EQ(recvfrom(rx, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len), 2);
  char src[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &from.sin_addr, src, sizeof(src));
  EXPECT_STREQ(src, "10.0.2.1");
  close(rx);
  close(tx);

  auto fwd = Exec("router", {"cat", "/proc/sys/net/ipv4/ip_forward"});
  EXPECT_EQ(fwd.output, "1\n");
  auto nat = Exec("router", {"iptables-save", "-t", "nat"});
  EXPECT_NE(
      nat.output.find("-A POSTROUTING -s 10.0.1.0/24 -o veth-cli -m comment --comment \"topo:" +
                      prefix_ + "server-router-client\" -j SNAT --to-source 10.0.2.1"),
      std::string::npos)
      << nat.output;

  auto status = Topo({"status", prefix_ + "server-router-client"});
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_NE(status.output.find("no drift from the plan"), std::string::npos) << status.output;

  auto down = Topo({"down", prefix_ + "server-router-client"});
  ASSERT_EQ(down.status, 0) << down.output;
  for (const char* node : {"server", "router", "client"}) {
    EXPECT_FALSE(NamespaceFileExists(prefix_ + node));
  }
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/labs/" + prefix_ + "server-router-client"));
  for (const char* node : {"server", "router", "client"}) {
    EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + node)) << node;
  }
  EXPECT_EQ(RootSnapshot(), before_);

  // Idempotent.
  auto again = Topo({"down", prefix_ + "server-router-client"});
  EXPECT_EQ(again.status, 0);
  EXPECT_NE(again.output.find("is not up; nothing to do"), std::string::npos) << again.output;
}

TEST_F(SeedLabTest, DownSucceedsWhenANamespaceWasDeletedByHand) {
  UpSeed();
  ASSERT_EQ(RunProcess({"ip", "netns", "del", prefix_ + "client"}).status, 0);
  auto status = Topo({"status", prefix_ + "server-router-client"});
  EXPECT_NE(status.output.find("drift: namespace '" + prefix_ + "client' is gone"),
            std::string::npos)
      << status.output;
  auto down = Topo({"down", prefix_ + "server-router-client"});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_NE(down.output.find("already gone: delete namespace " + prefix_ + "client"),
            std::string::npos)
      << down.output;
  EXPECT_EQ(RootSnapshot(), before_);
}

TEST_F(SeedLabTest, StatusReportsDriftAndExitsNonZero) {
  UpSeed();
  ASSERT_EQ(RunProcess({"ip", "-n", prefix_ + "server", "route", "del", "default"}).status, 0);
  ASSERT_EQ(RunProcess({"ip", "-n", prefix_ + "client", "link", "set", "vethC", "down"}).status, 0);
  auto status = Topo({"status", prefix_ + "server-router-client"});
  EXPECT_EQ(status.status, 1) << status.output;
  EXPECT_NE(
      status.output.find("drift: route default via 10.0.1.1 in '" + prefix_ + "server' is gone"),
      std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("drift: interface '" + prefix_ + "client:vethC' is down"),
            std::string::npos)
      << status.output;
  EXPECT_EQ(Topo({"down", prefix_ + "server-router-client"}).status, 0);
}

// Drift of what is not an interface's own state, each made by hand: a sysctl,
// the SNAT rule, and qdiscs (one added on a plain end, one set by set-link
// and then changed).
TEST_F(SeedLabTest, StatusReportsSysctlSnatAndQdiscDrift) {
  UpSeed();
  const std::string lab = prefix_ + "server-router-client";
  const std::string router = prefix_ + "router";
  ASSERT_EQ(Topo({"set-link", "--lab", lab, "server:vethS", "--rate", "10mbit"}).status, 0);
  auto clean = Topo({"status", lab});
  EXPECT_EQ(clean.status, 0) << clean.output;
  ASSERT_EQ(
      RunProcess({"ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=0"}).status,
      0);
  ASSERT_EQ(
      RunProcess({"ip", "netns", "exec", router, "iptables", "-t", "nat", "-F", "POSTROUTING"})
          .status,
      0);
  ASSERT_EQ(RunProcess({"tc", "-n", prefix_ + "client", "qdisc", "add", "dev", "vethC", "root",
                        "tbf", "rate", "1mbit", "burst", "32k", "latency", "50ms"})
                .status,
            0);
  ASSERT_EQ(RunProcess({"tc", "-n", prefix_ + "server", "qdisc", "replace", "dev", "vethS", "root",
                        "handle", "1:", "tbf", "rate", "5mbit", "burst", "32k", "latency", "50ms"})
                .status,
            0);
  auto status = Topo({"status", lab});
  EXPECT_EQ(status.status, 1) << status.output;
  for (const std::string& want :
       {"drift: sysctl net.ipv4.ip_forward in '" + router + "' is 0, not 1",
        "drift: snat rule 10.0.1.0/24 out veth-cli to 10.0.2.1 in '" + router + "' is gone",
        "drift: interface '" + prefix_ + "client:vethC' has a tbf qdisc the lab did not add",
        "drift: interface '" + prefix_ + "server:vethS' is impaired rate 5mbit, not rate 10mbit"}) {
    EXPECT_NE(status.output.find(want), std::string::npos) << want << "\n" << status.output;
  }
  auto json = Topo({"status", "--json", lab});
  EXPECT_NE(json.output.find("is 0, not 1"), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"qdisc\": \"tbf\""), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"kernel_impairment\""), std::string::npos) << json.output;
  EXPECT_EQ(Topo({"down", lab}).status, 0);
}

TEST_F(SeedLabTest, RollbackAtRealFailurePointsLeavesNothing) {
  Document doc;
  DiagnosticList diags(kSeedFile);
  ValidateOptions vo;
  vo.prefix = prefix_;
  auto t = LoadAndValidate(kSeedFile, vo, &doc, &diags);
  ASSERT_TRUE(t);
  Plan plan = Compile(*t, kSeedFile);
  labs_.push_back(plan.lab);
  int snat = 0;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    if (plan.actions[i].kind == ActionKind::kAddSnat) snat = static_cast<int>(i);
  }
  // After the first namespace, after the first veth, after the addresses, at the SNAT
  // rule, at the last /etc/netns file.
  for (int at : {1, 7, 15, snat, static_cast<int>(plan.actions.size()) - 1}) {
    NetlinkBackend real;
    FaultInjectionBackend faulty(&real, at, "Operation not permitted");
    StateStore store(state_dir_);
    UpResult r = Up(plan, faulty, store);
    ASSERT_FALSE(r.status.ok());
    EXPECT_EQ(r.status.message(), Describe(plan.actions[at]) + ": Operation not permitted");
    EXPECT_TRUE(r.apply.rollback.ok());
    for (const std::string& ns : plan.namespaces) EXPECT_FALSE(NamespaceFileExists(ns)) << at;
    EXPECT_TRUE(store.ListLabs().empty());
    EXPECT_EQ(RootSnapshot(), before_) << "after failing at action " << at;
  }
}

// Starts `topo up` of the seed lab stopped (SIGSTOP) after `n` actions; returns its pid.
// With `closed_output`, its stdout and stderr are a pipe nobody reads any more
// (`topo up -v ... | head -n0`), and it prints progress and every action.
pid_t StartStoppedUp(const std::string& prefix, const std::string& state_env, int n,
                     bool closed_output = false) {
  int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (closed_output) {
    int pipefd[2];
    if (pipe(pipefd) != 0) return -1;
    close(pipefd[0]);
    close(out);
    out = pipefd[1];
  }
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    std::string stop = "TOPO_TEST_STOP_AFTER=" + std::to_string(n);
    putenv(const_cast<char*>(stop.c_str()));
    putenv(const_cast<char*>(state_env.c_str()));
    putenv(const_cast<char*>("TOPO_PROGRESS=always"));
    dup2(out, 1);
    dup2(out, 2);
    if (closed_output) {
      execl(TopoBinary().c_str(), "topo", "up", "-v", "--prefix", prefix.c_str(), kSeedFile.c_str(),
            nullptr);
    }
    execl(TopoBinary().c_str(), "topo", "up", "--prefix", prefix.c_str(), kSeedFile.c_str(),
          nullptr);
    _exit(127);
  }
  close(out);
  int status = 0;
  if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) return -1;
  return pid;
}

TEST_F(SeedLabTest, SigkillDuringUpThenDownLeavesNothing) {
  for (int stop_after : {2, 8, 20}) {
    labs_.push_back(prefix_ + "server-router-client");
    pid_t pid = StartStoppedUp(prefix_, env_[0], stop_after);
    ASSERT_GT(pid, 0) << "topo up did not stop after " << stop_after;
    int status = 0;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    EXPECT_TRUE(NamespaceFileExists(prefix_ + "server"));
    auto down = Topo({"down", prefix_ + "server-router-client"});
    EXPECT_EQ(down.status, 0) << down.output;
    EXPECT_NE(down.output.find("had not finished"), std::string::npos) << down.output;
    for (const char* node : {"server", "router", "client"}) {
      EXPECT_FALSE(NamespaceFileExists(prefix_ + node)) << stop_after;
    }
    EXPECT_EQ(RootSnapshot(), before_) << "after SIGKILL at " << stop_after;
  }
}

TEST_F(SeedLabTest, SigtermDuringUpRollsBack) {
  labs_.push_back(prefix_ + "server-router-client");
  pid_t pid = StartStoppedUp(prefix_, env_[0], 10);
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(NamespaceFileExists(prefix_ + "router"));
  kill(pid, SIGTERM);
  kill(pid, SIGCONT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  for (const char* node : {"server", "router", "client"}) {
    EXPECT_FALSE(NamespaceFileExists(prefix_ + node));
  }
  EXPECT_TRUE(std::filesystem::is_empty(state_dir_ + "/labs"));
  EXPECT_EQ(RootSnapshot(), before_);
}

// A closed output is no reason to abandon a lab: before the fix the first
// progress or -v line after the stop killed `up` with SIGPIPE, half-built.
TEST_F(SeedLabTest, UpIntoAClosedPipeFinishes) {
  labs_.push_back(prefix_ + "server-router-client");
  pid_t pid = StartStoppedUp(prefix_, env_[0], 10, /*closed_output=*/true);
  ASSERT_GT(pid, 0);
  kill(pid, SIGCONT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Ping("client", "1.1.1.1");
  EXPECT_EQ(Topo({"down", prefix_ + "server-router-client"}).status, 0);
  EXPECT_EQ(RootSnapshot(), before_);
}

// Signals whose default action kills (SIGUSR1, SIGALRM, real-time ones...)
// roll `up` back as SIGTERM does; before the fix they left it half-built.
TEST_F(SeedLabTest, OtherKillingSignalsDuringUpRollBack) {
  labs_.push_back(prefix_ + "server-router-client");
  for (int sig : {SIGUSR1, SIGUSR2, SIGALRM, SIGQUIT, SIGRTMIN}) {
    pid_t pid = StartStoppedUp(prefix_, env_[0], 10);
    ASSERT_GT(pid, 0);
    kill(pid, sig);
    kill(pid, SIGCONT);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "signal " << sig << " killed it";
    EXPECT_EQ(WEXITSTATUS(status), 1) << sig;
    for (const char* node : {"server", "router", "client"}) {
      EXPECT_FALSE(NamespaceFileExists(prefix_ + node)) << sig;
    }
    EXPECT_TRUE(std::filesystem::is_empty(state_dir_ + "/labs")) << sig;
    EXPECT_EQ(RootSnapshot(), before_) << sig;
  }
}

TEST_F(SeedLabTest, ExecSeesEtcNetnsFiles) {
  UpSeed();
  // topo wrote /etc/netns/NS/hosts; exec shows it as /etc/hosts.
  auto r = Exec("client", {"cat", "/etc/hosts"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("10.0.2.1\trouter\n"), std::string::npos) << r.output;
  // The command's exit status comes back.
  EXPECT_EQ(Exec("client", {"false"}).status, 1);
  EXPECT_EQ(
      Topo({"exec", "--lab", prefix_ + "server-router-client", "nosuch", "--", "true"}).status,
      127);
}

TEST_F(SeedLabTest, DownWithoutArgumentRefusesToGuessBetweenLabs) {
  UpSeed();
  labs_.push_back(prefix_ + "2server-router-client");
  ASSERT_EQ(Topo({"up", "--prefix", prefix_ + "2", kSeedFile}).status, 0);
  auto r = Topo({"down"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("several labs are up"), std::string::npos) << r.output;
  // By file, with the prefix it was brought up with.
  EXPECT_EQ(Topo({"down", "--prefix", prefix_ + "2", kSeedFile}).status, 0);
  // Now only one is left: no argument needed.
  auto last = Topo({"down"});
  EXPECT_EQ(last.status, 0) << last.output;
  EXPECT_NE(last.output.find("lab '" + prefix_ + "server-router-client' is down"),
            std::string::npos)
      << last.output;
  EXPECT_EQ(RootSnapshot(), before_);
}

TEST_F(SeedLabTest, CollidingLabFailsCleanlyAndLeavesTheFirstIntact) {
  UpSeed();
  std::string other = state_dir_ + "/other.yaml";
  std::ofstream(other) << "name: other\nnodes:\n  x: {}\n  router: {}\n";
  auto r = Topo({"up", "--prefix", prefix_, other});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("namespace '" + prefix_ + "router' belongs to lab '" + prefix_ +
                          "server-router-client'"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(NamespaceFileExists(prefix_ + "x"));
  Ping("server", "2.2.2.2");
  EXPECT_EQ(Topo({"down", prefix_ + "server-router-client"}).status, 0);
}

// -v prints every kernel action with its duration and result; every up and
// down appends the same lines, timestamped, to the lab's log, which goes with
// the lab's record.
TEST_F(SeedLabTest, VerboseUpPrintsEachActionAndTheLabKeepsALogUntilDown) {
  const std::string lab = prefix_ + "server-router-client";
  labs_.push_back(lab);
  auto up = Topo({"up", "-v", "--prefix", prefix_, kSeedFile});
  ASSERT_EQ(up.status, 0) << up.output;
  Plan plan = testing::ShippedPlan("topologies/server-router-client.yaml");
  const std::regex action_line(R"(\[debug\] (\d+) (.*): ok \((\d+) us\))");
  size_t actions = 0;
  std::istringstream lines(up.output);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, action_line)) continue;
    EXPECT_EQ(std::stoul(m[1].str()), actions + 1) << line;  // numbered as `topo plan` does
    ++actions;
  }
  EXPECT_EQ(actions, plan.actions.size()) << up.output;
  EXPECT_NE(up.output.find("[debug] 1 create namespace " + prefix_ + "server: ok ("),
            std::string::npos)
      << up.output;

  const std::string log_file = state_dir_ + "/labs/" + lab + "/log";
  ASSERT_TRUE(std::filesystem::exists(log_file));
  const std::string log = testing::ReadFile(log_file);
  const std::regex timestamped(
      R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[debug\] 1 create namespace \S+: ok \(\d+ us\))");
  EXPECT_TRUE(std::regex_search(log, timestamped)) << log;

  auto down = Topo({"down", lab});  // not verbose: nothing but the summary on the terminal
  ASSERT_EQ(down.status, 0) << down.output;
  EXPECT_EQ(down.output.find("[debug]"), std::string::npos) << down.output;
  EXPECT_FALSE(std::filesystem::exists(log_file));
  EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/labs/" + lab));
  EXPECT_EQ(RootSnapshot(), before_);
}

TEST_F(SeedLabTest, Ipv6OnlyLabPingsRightAfterUp) {
  std::string file = state_dir_ + "/v6.yaml";
  std::ofstream(file) << "name: v6\n"
                         "nodes:\n"
                         "  a:\n"
                         "    interfaces:\n"
                         "      lo: [\"fd00:a::1/128\"]\n"
                         "      eth0: [\"fd00:1::1/64\"]\n"
                         "  b:\n"
                         "    interfaces:\n"
                         "      eth0: [\"fd00:1::2/64\"]\n"
                         "    routes:\n"
                         "      - {to: \"fd00:a::/64\", via: \"fd00:1::1\"}\n"
                         "links:\n"
                         "  - [a:eth0, b:eth0]\n";
  labs_.push_back(prefix_ + "v6");
  auto up = Topo({"up", "--prefix", prefix_, file});
  ASSERT_EQ(up.status, 0) << up.output;
  auto ping = Topo({"exec", "--lab", prefix_ + "v6", "b", "--", "ping", "-6", "-c", "1", "-W", "2",
                    "fd00:a::1"});
  EXPECT_EQ(ping.status, 0) << ping.output;
  EXPECT_EQ(Topo({"down", prefix_ + "v6"}).status, 0);
  EXPECT_EQ(RootSnapshot(), before_);
}

}  // namespace
}  // namespace topo
