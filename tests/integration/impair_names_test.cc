// Link impairments and names against the real kernel, through the `topo`
// binary: a rate cap measured by a TCP transfer inside the lab, delay and loss
// seen by ping (on kernels with sch_netem; skipped, saying so, without it),
// `set-link` changes that are observable and shown by `status`, a refused
// change that leaves the previous impairment in place, host names and
// /etc/netns files, and their removal by down, rollback and crash recovery.
//
// Every lab uses a unique prefix and a private state directory and is removed
// by exact name even when a test fails.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
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

// Whether this kernel has netem: tried once, in a namespace of our own.
bool KernelHasNetem() {
  static const bool has = [] {
    const std::string ns = testing::UniquePrefix() + "netem-probe";
    if (RunProcess({"ip", "netns", "add", ns}).status != 0) return false;
    bool ok =
        RunProcess({"tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"})
            .status == 0;
    RunProcess({"ip", "netns", "del", ns});
    return ok;
  }();
  return has;
}

#define REQUIRE_NETEM() \
  if (!KernelHasNetem()) GTEST_SKIP() << "this kernel has no sch_netem (netem qdisc)"

// Runs `fn` in a thread inside the namespace; sockets it makes stay there.
template <typename F>
void InNamespace(const std::string& ns, F fn) {
  std::thread t([&] {
    int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) return;
    close(fd);
    fn();
  });
  t.join();
}

// The minimum round trip ping reports, in ms, or -1.
double MinRtt(const std::string& ping_output) {
  size_t at = ping_output.find("min/avg/max");
  if (at == std::string::npos) return -1;
  at = ping_output.find("= ", at);
  return at == std::string::npos ? -1 : std::atof(ping_output.c_str() + at + 2);
}

class ImpairNamesTest : public testing::LabFixture {
 protected:
  testing::ProcessResult Exec(const std::string& lab, const std::string& node,
                              std::vector<std::string> cmd) {
    std::vector<std::string> args = {"exec", "--lab", prefix_ + lab, node, "--"};
    args.insert(args.end(), cmd.begin(), cmd.end());
    return Topo(args);
  }

  testing::ProcessResult SetLink(std::vector<std::string> args) {
    args.insert(args.begin(), {"set-link", "--prefix", prefix_});
    return Topo(args);
  }

  // Brings up a two-node lab a:eth0 -- b:eth0 (10.0.0.1, 10.0.0.2) with `impair` on the link.
  void UpPair(const std::string& impair, const std::string& extra_a = "") {
    std::string file = state_dir_ + "/pair.yaml";
    std::ofstream(file) << "name: pair\n"
                           "nodes:\n"
                           "  a:\n"
                           "    interfaces:\n"
                           "      eth0: [10.0.0.1/24]\n"
                        << extra_a
                        << "  b:\n"
                           "    interfaces:\n"
                           "      eth0: [10.0.0.2/24]\n"
                           "links:\n"
                           "  - endpoints: [a:eth0, b:eth0]\n"
                           "    impair: "
                        << impair << "\n";
    labs_.push_back(prefix_ + "pair");
    auto r = Topo({"up", "--prefix", prefix_, file});
    ASSERT_EQ(r.status, 0) << r.output;
  }

  // Bytes per second b receives from a over TCP, sending as fast as possible
  // for `seconds`, measured at the receiver.
  double TransferRate(double seconds) {
    int listener = -1, sender = -1;
    InNamespace(prefix_ + "b", [&] { listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); });
    InNamespace(prefix_ + "a", [&] { sender = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); });
    if (listener < 0 || sender < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(5001);
    inet_pton(AF_INET, "10.0.0.2", &addr.sin_addr);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listener, 1) != 0 ||
        connect(sender, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(listener);
      close(sender);
      return -1;
    }
    int conn = accept(listener, nullptr, nullptr);
    close(listener);
    timeval tv{0, 200'000};
    setsockopt(sender, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::atomic<bool> stop{false};
    std::thread send_thread([&] {
      std::vector<char> chunk(16384, 'x');
      while (!stop) send(sender, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    });
    using Clock = std::chrono::steady_clock;
    std::vector<char> buf(65536);
    size_t total = 0;
    Clock::time_point first{};
    Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(seconds));
    while (Clock::now() < end) {
      ssize_t n = recv(conn, buf.data(), buf.size(), 0);
      if (n > 0) {
        if (total == 0) first = Clock::now();
        total += static_cast<size_t>(n);
      }
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - first).count();
    stop = true;
    send_thread.join();
    close(sender);
    close(conn);
    return total == 0 || elapsed <= 0 ? 0 : total / elapsed;
  }
};

TEST_F(ImpairNamesTest, RateCapsABulkTransferAndSetLinkRaisesIt) {
  UpPair("{rate: 1mbit}");
  double capped = TransferRate(3.0) * 8;  // bits per second
  EXPECT_GT(capped, 0.25e6) << "hardly anything got through";
  EXPECT_LT(capped, 2e6) << "a 1mbit cap let " << capped << " bit/s through";

  auto r = SetLink({"a:eth0", "--rate", "8mbit"});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "lab '" + prefix_ + "pair': a:eth0 now rate 8mbit (was rate 1mbit)\n");
  double raised = TransferRate(3.0) * 8;
  EXPECT_GT(raised, 3e6) << "after raising the cap to 8mbit";
  EXPECT_LT(raised, 16e6);

  auto status = Topo({"status", prefix_ + "pair"});
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_NE(status.output.find("impaired: rate 8mbit"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("impaired: rate 1mbit"), std::string::npos) << status.output;
  auto json = Topo({"status", "--json", prefix_ + "pair"});
  EXPECT_NE(json.output.find("\"rate\": \"8mbit\""), std::string::npos) << json.output;

  // Removing the cap.
  ASSERT_EQ(SetLink({"a:eth0", "--clear", "--both"}).status, 0);
  EXPECT_EQ(
      RunProcess({"tc", "-n", prefix_ + "a", "qdisc", "show", "dev", "eth0"}).output.find("tbf"),
      std::string::npos);
  EXPECT_EQ(Topo({"down", prefix_ + "pair"}).status, 0);
}

TEST_F(ImpairNamesTest, SetLinkRejectsBadValuesAndUnknownEnds) {
  UpPair("{rate: 1mbit}");
  auto r = SetLink({"a:eth0", "--loss", "150%"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("loss 150% is more than 100%"), std::string::npos) << r.output;
  r = SetLink({"a:eth0", "--jitter", "5ms"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("jitter 5ms needs a delay"), std::string::npos) << r.output;
  r = SetLink({"a:eth9", "--rate", "1mbit"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("did you mean 'eth0'?"), std::string::npos) << r.output;
  r = SetLink({"a:eth0"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("nothing to change"), std::string::npos) << r.output;
}

TEST_F(ImpairNamesTest, ARefusedChangeLeavesThePreviousImpairment) {
  if (KernelHasNetem()) GTEST_SKIP() << "needs a kernel without netem to make the kernel refuse";
  UpPair("{rate: 1mbit}");
  auto r = SetLink({"a:eth0", "--delay", "10ms"});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("no netem qdisc"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the previous impairments are back"), std::string::npos) << r.output;
  auto tc = RunProcess({"tc", "-n", prefix_ + "a", "qdisc", "show", "dev", "eth0"});
  EXPECT_NE(tc.output.find("tbf 1: root"), std::string::npos) << tc.output;
  auto status = Topo({"status", prefix_ + "pair"});
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_NE(status.output.find("impaired: rate 1mbit"), std::string::npos) << status.output;
}

TEST_F(ImpairNamesTest, DelayEachWayShowsInTheRoundTrip) {
  REQUIRE_NETEM();
  UpPair("{delay: 50ms}");
  auto ping = Exec("pair", "a", {"ping", "-c", "2", "-W", "3", "10.0.0.2"});
  ASSERT_EQ(ping.status, 0) << ping.output;
  EXPECT_GE(MinRtt(ping.output), 95.0) << ping.output;
  ASSERT_EQ(SetLink({"a:eth0", "--delay", "150ms"}).status, 0);
  ping = Exec("pair", "a", {"ping", "-c", "2", "-W", "3", "10.0.0.2"});
  ASSERT_EQ(ping.status, 0) << ping.output;
  EXPECT_GE(MinRtt(ping.output), 195.0) << ping.output;
  EXPECT_EQ(Topo({"down", prefix_ + "pair"}).status, 0);
}

TEST_F(ImpairNamesTest, FullLossMakesPingFailUntilCleared) {
  REQUIRE_NETEM();
  UpPair("{loss: 100%}");
  EXPECT_NE(Exec("pair", "a", {"ping", "-c", "2", "-W", "1", "10.0.0.2"}).status, 0);
  ASSERT_EQ(SetLink({"a:eth0", "--clear", "--both"}).status, 0);
  auto ping = Exec("pair", "a", {"ping", "-c", "1", "-W", "2", "10.0.0.2"});
  EXPECT_EQ(ping.status, 0) << ping.output;
}

TEST_F(ImpairNamesTest, NodesResolveByNameAndSeeTheirHostName) {
  labs_.push_back(prefix_ + "server-router-client");
  ASSERT_EQ(Topo({"up", "--prefix", prefix_, kSeedFile}).status, 0);
  auto ping = Exec("server-router-client", "client", {"ping", "-c", "1", "-W", "2", "server"});
  EXPECT_EQ(ping.status, 0) << ping.output;
  EXPECT_EQ(Exec("server-router-client", "router", {"hostname"}).output, "router\n");
  EXPECT_EQ(Exec("server-router-client", prefix_ + "client", {"hostname"}).output, "client\n");
  const std::string hosts = "/etc/netns/" + prefix_ + "client/hosts";
  struct stat st;
  ASSERT_EQ(lstat(hosts.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_NE(testing::ReadFile(hosts).find("10.0.1.2\tserver\n"), std::string::npos);
  auto down = Topo({"down", prefix_ + "server-router-client"});
  EXPECT_EQ(down.status, 0) << down.output;
  for (const char* node : {"server", "router", "client"}) {
    EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + node)) << node;
  }
}

TEST_F(ImpairNamesTest, ResolvConfForNodesWithNameServers) {
  UpPair("{rate: 100mbit}", "    dns: [10.0.0.2, \"2001:db8::53\"]\n");
  auto r = Exec("pair", "a", {"cat", "/etc/resolv.conf"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.output.find("nameserver 10.0.0.2\nnameserver 2001:db8::53\n"), std::string::npos)
      << r.output;
  EXPECT_TRUE(std::filesystem::exists("/etc/netns/" + prefix_ + "a/resolv.conf"));
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + "b/resolv.conf"));
  EXPECT_EQ(Topo({"down", prefix_ + "pair"}).status, 0);
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + "a"));
}

TEST_F(ImpairNamesTest, RollbackRemovesTheFilesItWrote) {
  Document doc;
  DiagnosticList diags(kSeedFile);
  ValidateOptions vo;
  vo.prefix = prefix_;
  auto t = LoadAndValidate(kSeedFile, vo, &doc, &diags);
  ASSERT_TRUE(t);
  Plan plan = Compile(*t, kSeedFile);
  labs_.push_back(plan.lab);
  NetlinkBackend real;
  // Fail at the last action: the client's hosts link, after the others were written.
  FaultInjectionBackend faulty(&real, static_cast<int>(plan.actions.size()) - 1);
  StateStore store(state_dir_);
  UpResult r = Up(plan, faulty, store);
  ASSERT_FALSE(r.status.ok());
  EXPECT_TRUE(r.apply.rollback.ok());
  for (const char* node : {"server", "router", "client"}) {
    EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + node)) << node;
  }
}

TEST_F(ImpairNamesTest, DownAfterSigkillRemovesTheFiles) {
  labs_.push_back(prefix_ + "server-router-client");
  pid_t pid = fork();
  if (pid == 0) {
    putenv(const_cast<char*>("TOPO_TEST_STOP_AFTER=27"));  // two hosts files written
    putenv(const_cast<char*>(env_[0].c_str()));
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(TopoBinary().c_str(), "topo", "up", "--prefix", prefix_.c_str(), kSeedFile.c_str(),
          nullptr);
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
  ASSERT_TRUE(WIFSTOPPED(status));
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  EXPECT_TRUE(std::filesystem::exists("/etc/netns/" + prefix_ + "router/hosts"));
  auto down = Topo({"down", prefix_ + "server-router-client"});
  EXPECT_EQ(down.status, 0) << down.output;
  for (const char* node : {"server", "router", "client"}) {
    EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + node)) << node;
  }
}

}  // namespace
}  // namespace topo
