// Declared checks against the kernel: every kind (ping, tcp, udp with an
// expected source) over IPv4 and IPv6, passing, failing, and failing as
// expected; then `topo test` (exit codes, JUnit, --lab), `topo run`
// (environment, exit status, SIGTERM forwarded, teardown) and --prefix auto,
// through the binary.
//
// Every lab uses a unique prefix and a private state directory, and is
// removed by exact name even when a test fails.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "checks/checks.h"
#include "front/validate.h"
#include "kernel/netlink_backend.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;

constexpr const char* kLab = R"(name: chk
nodes:
  server:
    interfaces:
      lo: [1.1.1.1/32, "2001:db8:ff::1/128"]
      e: [10.0.1.2/24, "2001:db8:1::2/64"]
    routes:
      - {to: default, via: 10.0.1.1}
      - {to: default, via: "2001:db8:1::1"}
  router:
    kind: router
    interfaces:
      s: [10.0.1.1/24, "2001:db8:1::1/64"]
      c: [10.0.2.1/24, "2001:db8:2::1/64"]
    routes:
      - {to: 1.1.1.1/32, via: 10.0.1.2}
      - {to: "2001:db8:ff::1/128", via: "2001:db8:1::2"}
    snat:
      - {source: 10.0.1.0/24, out: c, to: 10.0.2.1}
  client:
    interfaces:
      e: [10.0.2.2/24, "2001:db8:2::2/64"]
    routes:
      - {to: default, via: 10.0.2.1}
      - {to: default, via: "2001:db8:2::1"}
  island:
    interfaces:
      lo: [9.9.9.9/32]
links:
  - [server:e, router:s]
  - [client:e, router:c]
)";

// Checks that pass: each kind getting through, and each kind failing as expected.
// IPv6 through the router works right after `up` (see ipv6_routed_test.cc),
// so its checks keep the default timeout.
constexpr const char* kPassing = R"(checks:
  - {name: ping4, from: client, to: server}
  - {name: ping6, from: client, to: "2001:db8:ff::1"}
  - {name: tcp4, from: client, to: server, tcp: 8080}
  - {name: tcp6, from: server, to: "2001:db8:2::2", tcp: 8080}
  - {name: udp4, from: client, to: 1.1.1.1, udp: 5353}
  - {name: udp6, from: client, to: "2001:db8:ff::1", udp: 5353}
  - {name: snat, from: server, to: client, source: 10.0.2.1}
  - {name: snat-tcp, from: server, to: 10.0.2.2, tcp: 9000, source: 10.0.2.1}
  - {name: no-snat6, from: server, to: "2001:db8:2::2", source: "2001:db8:1::2"}
  - {name: local, from: server, to: 127.0.0.1, tcp: 8080}
  - {name: ping-nowhere, from: client, to: 9.9.9.9, expect: failure, timeout: 300ms}
  - {name: tcp-closed, from: client, to: server, tcp: 9, listen: false, expect: failure}
  - {name: udp-nowhere, from: client, to: island, udp: 53, expect: failure, timeout: 300ms}
  - {name: wrong-source, from: server, to: client, source: 10.0.1.2, expect: failure}
)";

// Checks that fail: each kind not getting through, and getting through unexpectedly.
constexpr const char* kFailing = R"(checks:
  - {name: ping-fails, from: client, to: 9.9.9.9, timeout: 300ms}
  - {name: tcp-fails, from: client, to: server, tcp: 9, listen: false}
  - {name: udp-fails, from: client, to: island, udp: 53, timeout: 300ms}
  - {name: source-fails, from: server, to: client, source: 10.0.1.2}
  - {name: ping-unexpected, from: client, to: server, expect: failure}
)";

class ChecksTest : public testing::LabFixture {
 protected:
  // `topo ARGS...` in the background, with this test's state directory and
  // its output discarded; the caller waits for (or signals) the pid.
  pid_t StartTopo(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {testing::TopoBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = fork();
    if (pid == 0) {
      setenv("TOPO_STATE_DIR", state_dir_.c_str(), 1);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      std::vector<char*> c;
      for (const std::string& a : argv) c.push_back(const_cast<char*>(a.c_str()));
      c.push_back(nullptr);
      execv(c[0], c.data());
      _exit(126);
    }
    return pid;
  }

  static std::vector<std::string> NamespacesStartingWith(const std::string& prefix) {
    std::vector<std::string> found;
    if (prefix.empty()) return found;
    DIR* d = opendir("/run/netns");
    if (!d) return found;
    while (dirent* e = readdir(d)) {
      if (std::string(e->d_name).rfind(prefix, 0) == 0) found.push_back(e->d_name);
    }
    closedir(d);
    return found;
  }

  std::string WriteLab(const std::string& checks) {
    std::string path = dir_ + "/lab" + std::to_string(files_++) + ".yaml";
    std::ofstream(path) << kLab << checks;
    return path;
  }

  // Brings the lab up through the library and runs its checks; results by name.
  // `before_checks` (if given) runs once the lab is up.
  std::map<std::string, CheckResult> RunThroughLibrary(
      const std::string& checks, const std::function<void()>& before_checks = nullptr) {
    std::map<std::string, CheckResult> by_name;
    DiagnosticList diags;
    auto t = testing::ValidateText(std::string(kLab) + checks, &diags);
    EXPECT_TRUE(t) << testing::Brief(diags);
    if (!t) return by_name;
    t->prefix = prefix_;
    Plan plan = Compile(*t);
    NetlinkBackend backend;
    StateStore store(state_dir_);
    labs_.push_back(plan.lab);
    UpResult up = Up(plan, backend, store);
    EXPECT_TRUE(up.status.ok()) << up.status.message();
    if (!up.status.ok()) return by_name;
    if (before_checks) before_checks();
    std::vector<CheckSpec> specs = ResolveChecks(*t);
    std::vector<CheckResult> results;
    Status s = RunChecks(specs, {}, &results);
    EXPECT_TRUE(s.ok()) << s.message();
    for (const CheckResult& r : results) by_name[r.name] = r;
    DownResult down = Down(plan.lab, backend, store);
    EXPECT_TRUE(down.status.ok()) << down.status.message();
    return by_name;
  }

  testing::TempDir work_{"topo-checks"};  // lab files and reports
  const std::string dir_ = work_.path();
  int files_ = 0;
};

TEST_F(ChecksTest, EveryKindPassesAndFailsAsExpected) {
  auto r = RunThroughLibrary(kPassing);
  ASSERT_EQ(r.size(), 14u);
  for (const auto& [name, result] : r) {
    EXPECT_TRUE(result.passed) << name << ": " << result.detail;
  }
  EXPECT_EQ(r["ping4"].detail, "reply from 1.1.1.1");
  EXPECT_EQ(r["ping6"].detail, "reply from 2001:db8:ff::1");
  EXPECT_EQ(r["snat"].detail, "arrived from 10.0.2.1");
  EXPECT_EQ(r["snat-tcp"].detail, "connected from 10.0.2.1");
  EXPECT_EQ(r["no-snat6"].detail, "arrived from 2001:db8:1::2");
  EXPECT_EQ(r["tcp-closed"].detail, "connection refused");
  EXPECT_EQ(r["wrong-source"].detail, "arrived from 10.0.2.1, not 10.0.1.2");
  EXPECT_FALSE(r["ping-nowhere"].probe_succeeded);
  EXPECT_FALSE(r["udp-nowhere"].probe_succeeded);
}

TEST_F(ChecksTest, FailingChecksAreReportedAsFailures) {
  auto r = RunThroughLibrary(kFailing);
  ASSERT_EQ(r.size(), 5u);
  for (const auto& [name, result] : r) {
    EXPECT_FALSE(result.passed) << name << ": " << result.detail;
  }
  EXPECT_TRUE(r["ping-unexpected"].probe_succeeded);
  EXPECT_EQ(r["source-fails"].detail, "arrived from 10.0.2.1, not 10.0.1.2");
}

TEST_F(ChecksTest, ALocalErrorEndsACheckAtOnce) {
  // island has no route to 1.1.1.1: sending fails in island itself. The check
  // ends with that error, not with its (long) timeout.
  auto r = RunThroughLibrary(R"(checks:
  - {name: no-route, from: island, to: 1.1.1.1, timeout: 30s}
  - {name: no-route-udp, from: island, to: 1.1.1.1, udp: 53, timeout: 30s}
  - {name: no-route-expected, from: island, to: 1.1.1.1, expect: failure, timeout: 30s}
)");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_FALSE(r["no-route"].passed);
  EXPECT_EQ(r["no-route"].detail, "network is unreachable");
  EXPECT_FALSE(r["no-route-udp"].passed);
  EXPECT_EQ(r["no-route-udp"].detail.find("no answer within"), std::string::npos)
      << r["no-route-udp"].detail;
  EXPECT_TRUE(r["no-route-expected"].passed) << r["no-route-expected"].detail;
  EXPECT_EQ(r["no-route-expected"].detail, "network is unreachable");
}

TEST_F(ChecksTest, WithinRetriesUntilTheLabGetsThere) {
  // A service that starts listening in the server 600 ms after the checks begin.
  std::thread late;
  int listener = -1;
  auto r = RunThroughLibrary(
      "checks:\n"
      "  - {name: late, from: client, to: server, tcp: 9099, listen: false, timeout: 300ms, "
      "within: 10s}\n"
      "  - {name: never, from: client, to: server, tcp: 9098, listen: false, within: 1s}\n"
      "  - {name: at-once, from: client, to: server, within: 10s}\n",
      [&] {
        late = std::thread([&, ns = prefix_ + "server"] {
          std::this_thread::sleep_for(std::chrono::milliseconds(600));
          int nsfd = open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
          if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) return;
          close(nsfd);
          listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          sockaddr_in a{};
          a.sin_family = AF_INET;
          a.sin_port = htons(9099);
          if (bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) listen(listener, 8);
        });
      });
  if (late.joinable()) late.join();
  if (listener >= 0) close(listener);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r["late"].passed) << r["late"].detail;
  EXPECT_GT(r["late"].attempts, 1);
  EXPECT_GE(r["late"].seconds, 0.6);
  EXPECT_FALSE(r["never"].passed);
  EXPECT_GT(r["never"].attempts, 1);
  EXPECT_GE(r["never"].seconds, 0.8);
  EXPECT_TRUE(r["at-once"].passed);
  EXPECT_EQ(r["at-once"].attempts, 1);
}

TEST_F(ChecksTest, HundredsOfChecksRunTogether) {
  std::string checks = "checks:\n";
  for (int i = 0; i < 100; ++i) {
    checks += "  - {name: p" + std::to_string(i) + ", from: client, to: server}\n";
    checks += "  - {name: t" + std::to_string(i) +
              ", from: server, to: client, tcp: " + std::to_string(10000 + i) + "}\n";
    checks += "  - {name: u" + std::to_string(i) + ", from: server, to: client, udp: 7000, " +
              "source: 10.0.2.1}\n";
  }
  auto r = RunThroughLibrary(checks);
  ASSERT_EQ(r.size(), 300u);
  size_t passed = 0;
  for (const auto& [name, result] : r) passed += result.passed;
  EXPECT_EQ(passed, 300u);
}

TEST_F(ChecksTest, TopoTestExitCodesAndJUnit) {
  std::string junit = dir_ + "/junit.xml";
  labs_.push_back(prefix_ + "chk");
  auto pass = Topo({"test", "--prefix", prefix_, "--junit", junit, WriteLab(kPassing)});
  EXPECT_EQ(pass.status, 0) << pass.output;
  EXPECT_NE(pass.output.find("PASS  snat: arrived from 10.0.2.1"), std::string::npos)
      << pass.output;
  EXPECT_NE(pass.output.find("14 checks, 14 passed, 0 failed"), std::string::npos);
  std::string xml = testing::ReadFile(junit);
  EXPECT_NE(xml.find("<testsuite name=\"" + prefix_ + "chk\" tests=\"14\" failures=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty()) << "test tears the lab down";

  auto fail = Topo({"test", "--prefix", prefix_, "--json", WriteLab(kFailing)});
  EXPECT_EQ(fail.status, 1) << fail.output;
  std::string json = fail.output.substr(fail.output.find('{'));
  json = json.substr(0, json.rfind('}') + 1);
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  ASSERT_TRUE(j.is_object()) << fail.output;
  EXPECT_EQ(j["failed"], 5);
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
}

// `topo test LAB | head -n0`: a closed output is no reason to abandon the
// lab. Before the fix SIGPIPE killed topo at its first PASS line (exit 141),
// with the lab still up.
TEST_F(ChecksTest, TopoTestIntoAClosedPipeStillTearsDown) {
  labs_.push_back(prefix_ + "chk");
  std::vector<std::string> env = {"TOPO_STATE_DIR=" + state_dir_};
  auto r = testing::RunProcess(
      {testing::TopoBinary(), "test", "--prefix", prefix_, WriteLab(kPassing)}, env, true);
  EXPECT_EQ(r.status, 0) << "the checks passed; only printing failed";
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty()) << "test tears the lab down";
  auto run = testing::RunProcess(
      {testing::TopoBinary(), "run", "--prefix", prefix_, WriteLab(""), "--", "sh", "-c", "exit 4"},
      env, true);
  EXPECT_EQ(run.status, 4) << "CMD's own status";
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty()) << "run tears the lab down";
  // CMD gets SIGPIPE's default action back, as a shell would start it.
  auto cmd = testing::RunProcess({testing::TopoBinary(), "run", "--prefix", prefix_, WriteLab(""),
                                  "--", "sh", "-c", "echo into the closed pipe; exit 4"},
                                 env, true);
  EXPECT_EQ(cmd.status, 128 + SIGPIPE);
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
}

TEST_F(ChecksTest, TopoTestAgainstALabThatIsUp) {
  labs_.push_back(prefix_ + "chk");
  ASSERT_EQ(Topo({"up", "--prefix", prefix_, WriteLab(kPassing)}).status, 0);
  auto r = Topo({"test", "--lab", prefix_ + "chk"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("14 passed"), std::string::npos) << r.output;
  EXPECT_FALSE(NamespacesStartingWith(prefix_).empty()) << "--lab leaves the lab up";
  EXPECT_EQ(Topo({"test", "--lab", prefix_ + "nolab"}).status, 3);
  EXPECT_EQ(Topo({"down", prefix_ + "chk"}).status, 0);
}

TEST_F(ChecksTest, TopoRunGivesTheLabToTheCommandAndTearsDown) {
  labs_.push_back(prefix_ + "chk");
  auto r = Topo({"run", "--prefix", prefix_, WriteLab(""), "--", "sh", "-c",
                 "echo ns=$TOPO_NS_SERVER lab=$TOPO_LAB; test -e /run/netns/$TOPO_NS_ISLAND "
                 "&& exit 5"});
  EXPECT_EQ(r.status, 5) << r.output;
  EXPECT_NE(r.output.find("ns=" + prefix_ + "server lab=" + prefix_ + "chk"), std::string::npos)
      << r.output;
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
  auto missing = Topo({"run", "--prefix", prefix_, WriteLab(""), "--", "/nonexistent/cmd"});
  EXPECT_EQ(missing.status, 127) << missing.output;
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
}

TEST_F(ChecksTest, TopoRunForwardsSigtermAndTearsDown) {
  labs_.push_back(prefix_ + "chk");
  std::string file = WriteLab("");
  pid_t pid = StartTopo({"run", "--prefix", prefix_, file, "--", "sleep", "60"});
  ASSERT_GT(pid, 0);
  // Wait until the command runs: the lab is then complete.
  bool up = false;
  for (int i = 0; i < 500 && !up; ++i) {
    std::string journal = testing::ReadFile(state_dir_ + "/labs/" + prefix_ + "chk/journal");
    up = journal.find("complete") != std::string::npos;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(up);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let sleep start
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << "sleep was killed by the forwarded SIGTERM";
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
}

TEST_F(ChecksTest, DownOfAFileFindsItsLabUnderAnotherPrefix) {
  const std::string file = WriteLab("");
  labs_.push_back(prefix_ + "chk");
  labs_.push_back(prefix_ + "2chk");
  ASSERT_EQ(Topo({"up", "--prefix", prefix_, file}).status, 0);
  ASSERT_EQ(Topo({"up", "--prefix", prefix_ + "2", file}).status, 0);
  // Two copies from the file: down without --prefix names them, and removes neither.
  auto both = Topo({"down", file});
  EXPECT_EQ(both.status, 2) << both.output;
  EXPECT_NE(both.output.find("lab 'chk' is not up, but several labs were brought up from '" + file +
                             "' (" + prefix_ + "2chk, " + prefix_ + "chk)"),
            std::string::npos)
      << both.output;
  EXPECT_EQ(NamespacesStartingWith(prefix_).size(), 8u);
  ASSERT_EQ(Topo({"down", prefix_ + "2chk"}).status, 0);
  // One copy: down without --prefix takes it.
  auto one = Topo({"down", file});
  EXPECT_EQ(one.status, 0) << one.output;
  EXPECT_NE(one.output.find("taking '" + prefix_ + "chk'"), std::string::npos) << one.output;
  EXPECT_NE(one.output.find("lab '" + prefix_ + "chk' is down"), std::string::npos) << one.output;
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
  // None: nothing to do, as before.
  auto none = Topo({"down", file});
  EXPECT_EQ(none.status, 0) << none.output;
  EXPECT_NE(none.output.find("lab 'chk' is not up; nothing to do"), std::string::npos)
      << none.output;
}

// The ICMP echo messages in a pcap file of Ethernet frames: "8 10.0.2.2 > 1.1.1.1".
std::vector<std::string> IcmpEchoesIn(const std::string& pcap) {
  std::vector<std::string> out;
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, pcap.data() + at, 4);  // written in this host's byte order
    return v;
  };
  auto ip = [&](size_t at) {
    return std::to_string(uint8_t(pcap[at])) + "." + std::to_string(uint8_t(pcap[at + 1])) + "." +
           std::to_string(uint8_t(pcap[at + 2])) + "." + std::to_string(uint8_t(pcap[at + 3]));
  };
  if (pcap.size() < 24 || u32(0) != 0xa1b2c3d4 || u32(20) != 1 /* Ethernet */) return out;
  for (size_t at = 24; at + 16 <= pcap.size();) {
    const size_t len = u32(at + 8), frame = at + 16;
    at = frame + len;
    if (at > pcap.size() || len < 14 + 20 + 8) break;
    if (uint8_t(pcap[frame + 12]) != 0x08 || pcap[frame + 13] != 0x00) continue;  // IPv4
    const size_t iph = frame + 14, ihl = (uint8_t(pcap[iph]) & 0x0f) * 4u;
    if (pcap[iph + 9] != 1 || iph + ihl >= at) continue;  // ICMP
    const int type = uint8_t(pcap[iph + ihl]);
    if (type != 0 && type != 8) continue;
    out.push_back(std::to_string(type) + " " + ip(iph + 12) + " > " + ip(iph + 16));
  }
  return out;
}

TEST_F(ChecksTest, CaptureHoldsThePacketsOfACheck) {
  const std::string lab = prefix_ + "chk", pcap = dir_ + "/client.pcap";
  labs_.push_back(lab);
  ASSERT_EQ(Topo({"up", "--prefix", prefix_,
                  WriteLab("checks:\n  - {name: ping4, from: client, to: server}\n")})
                .status,
            0);
  // Bad arguments: an unknown interface (with a suggestion) and a filter libpcap refuses.
  auto unknown = Topo({"capture", "--lab", lab, "client:f", "-c", "1"});
  EXPECT_EQ(unknown.status, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("node 'client' has no interface 'f' in lab '" + lab + "'"),
            std::string::npos)
      << unknown.output;
  auto filter = Topo({"capture", "--lab", lab, "client:e", "--filter", "icmpp", "-c", "1"});
  EXPECT_EQ(filter.status, 2) << filter.output;
  EXPECT_NE(filter.output.find("bad filter 'icmpp'"), std::string::npos) << filter.output;
  // The capture runs while `topo test` pings the server from the client.
  pid_t pid = StartTopo({"capture", "--lab", lab, "client:e", "-w", pcap, "--filter", "icmp", "-c",
                         "2", "--duration", "30s"});
  ASSERT_GT(pid, 0);
  // The file exists once the capture socket is open.
  for (int i = 0; i < 1000 && !std::filesystem::exists(pcap); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(std::filesystem::exists(pcap));
  auto test = Topo({"test", "--lab", lab});
  EXPECT_EQ(test.status, 0) << test.output;
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(IcmpEchoesIn(testing::ReadFile(pcap)),
            (std::vector<std::string>{"8 10.0.2.2 > 1.1.1.1", "0 1.1.1.1 > 10.0.2.2"}));
  EXPECT_EQ(Topo({"down", lab}).status, 0);
}

TEST_F(ChecksTest, TopoTestPcapKeepsEveryLinkEndsPackets) {
  const std::string file = WriteLab("checks:\n  - {name: ping4, from: client, to: server}\n");
  const std::string pcaps = dir_ + "/pcaps";
  labs_.push_back(prefix_ + "chk");
  auto r = Topo({"test", "--prefix", prefix_, "--pcap", pcaps, file});
  EXPECT_EQ(r.status, 0) << r.output;
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(pcaps)) {
    files.insert(e.path().filename().string());
  }
  EXPECT_EQ(files, (std::set<std::string>{"client-e.pcap", "router-c.pcap", "router-s.pcap",
                                          "server-e.pcap"}));
  // The check's echo request and its reply, on both links.
  for (const char* f : {"client-e.pcap", "router-c.pcap"}) {
    auto echoes = IcmpEchoesIn(testing::ReadFile(pcaps + "/" + f));
    EXPECT_NE(std::find(echoes.begin(), echoes.end(), "8 10.0.2.2 > 1.1.1.1"), echoes.end()) << f;
    EXPECT_NE(std::find(echoes.begin(), echoes.end(), "0 1.1.1.1 > 10.0.2.2"), echoes.end()) << f;
  }
  auto echoes = IcmpEchoesIn(testing::ReadFile(pcaps + "/server-e.pcap"));
  EXPECT_NE(std::find(echoes.begin(), echoes.end(), "8 10.0.2.2 > 1.1.1.1"), echoes.end());
  // --pcap-on-failure keeps nothing when every check passed.
  const std::string kept = dir_ + "/kept";
  auto passed = Topo({"test", "--prefix", prefix_, "--pcap", kept, "--pcap-on-failure", file});
  EXPECT_EQ(passed.status, 0) << passed.output;
  EXPECT_FALSE(std::filesystem::exists(kept));
  // topo run: a command that fails keeps them.
  auto run =
      Topo({"run", "--prefix", prefix_, "--pcap", kept, "--pcap-on-failure", file, "--", "false"});
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_TRUE(std::filesystem::exists(kept + "/client-e.pcap")) << run.output;
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
}

// In a lab that runs programs, the captures start before the first program:
// a program's first packet (here a ping as it starts) is in them.
TEST_F(ChecksTest, PcapStartsBeforeTheLabsPrograms) {
  std::string yaml = kLab;
  const std::string at = "  island:\n";
  yaml.insert(yaml.find(at),
              "    programs:\n"
              "      - name: hello\n"
              "        run: [sh, -c, \"ping -c 1 -W 2 1.1.1.1 >/dev/null; echo pinged; exec sleep "
              "300\"]\n"
              "        ready: {log: pinged}\n");
  const std::string file = dir_ + "/programs.yaml";
  std::ofstream(file) << yaml;
  const std::string pcaps = dir_ + "/pcaps-programs";
  labs_.push_back(prefix_ + "chk");
  auto run = Topo({"run", "--prefix", prefix_, "--pcap", pcaps, file, "--", "true"});
  ASSERT_EQ(run.status, 0) << run.output;
  auto echoes = IcmpEchoesIn(testing::ReadFile(pcaps + "/client-e.pcap"));
  EXPECT_NE(std::find(echoes.begin(), echoes.end(), "8 10.0.2.2 > 1.1.1.1"), echoes.end())
      << "the program's ping, sent as it started";
  EXPECT_NE(std::find(echoes.begin(), echoes.end(), "0 1.1.1.1 > 10.0.2.2"), echoes.end());
  EXPECT_TRUE(NamespacesStartingWith(prefix_).empty());
}

TEST_F(ChecksTest, HostRoutesAreNoDriftInStatus) {
  // The router's routes to 1.1.1.1/32 and 2001:db8:ff::1/128: the kernel lists
  // them without the prefix length, which status once reported as drift.
  labs_.push_back(prefix_ + "chk");
  ASSERT_EQ(Topo({"up", "--prefix", prefix_, WriteLab("")}).status, 0);
  auto status = Topo({"status", prefix_ + "chk"});
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_NE(status.output.find("no drift from the plan"), std::string::npos) << status.output;
  EXPECT_EQ(Topo({"down", prefix_ + "chk"}).status, 0);
}

TEST_F(ChecksTest, AutoPrefixUpPrintsTheLabAndDownFindsIt) {
  auto up = Topo({"up", "--prefix", "auto", WriteLab("")});
  ASSERT_EQ(up.status, 0) << up.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(up.output, m, std::regex("lab '((t[a-z0-9]{4}-)chk)' is up")))
      << up.output;
  const std::string lab = m[1], prefix = m[2];
  AddPrefix(prefix);
  labs_.push_back(lab);
  EXPECT_EQ(NamespacesStartingWith(prefix).size(), 4u);
  EXPECT_EQ(Topo({"down", lab}).status, 0);
  EXPECT_TRUE(NamespacesStartingWith(prefix).empty());
}

}  // namespace
}  // namespace topo
