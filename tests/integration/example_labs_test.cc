// The example labs that run software, as a user runs them: topologies/frr-ring.yaml
// (FRR's zebra, ospfd and ospf6d in four routers) converges and passes its checks
// in both families with `topo test`, re-converges when a ring link goes down, and
// answers vtysh through `topo exec`; topologies/http.yaml passes `topo test`,
// serves its node file, and runs under `topo run`; topologies/vxlan.yaml
// passes `topo test` (two sites joined only by a VXLAN overlay), and so does
// topologies/auto-ring.yaml (pools and routes: auto). Each test has its own prefix
// and state directory, and LabFixture's leak check (no namespace, no process
// in the lab's namespaces, no unnamed namespace left) runs after it. `topo up`
// writes to a pipe that the test reads to its end: the lab's programs must not
// hold it open.
//
// FRR comes from Debian's `frr` package (`tools/dev.sh test` installs it): in
// CI (CI=true) a missing FRR fails the FRR tests; elsewhere they are skipped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

const std::string kFrrRing = testing::SourcePath("topologies/frr-ring.yaml");
const std::string kHttp = testing::SourcePath("topologies/http.yaml");
const std::string kVxlan = testing::SourcePath("topologies/vxlan.yaml");

using testing::Contains;

class ExampleLabsTest : public testing::LabFixture {
 protected:
  // `topo exec NODE --lab LAB -- ARGV...`
  testing::ProcessResult Exec(const std::string& lab, const std::string& node,
                              std::vector<std::string> argv) {
    std::vector<std::string> args = {"exec", node, "--lab", lab, "--"};
    args.insert(args.end(), argv.begin(), argv.end());
    return Topo(args);
  }

  // Runs `probe` every 200 ms until it exits 0, for at most `seconds`.
  testing::ProcessResult Eventually(const std::function<testing::ProcessResult()>& probe,
                                    int seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    testing::ProcessResult r = probe();
    while (r.status != 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      r = probe();
    }
    return r;
  }
};

#define REQUIRE_FRR()                                                                          \
  do {                                                                                         \
    if (access("/usr/lib/frr/zebra", X_OK) != 0 || access("/usr/lib/frr/ospf6d", X_OK) != 0) { \
      if (testing::InCi()) FAIL() << "FRR is not installed (tools/dev.sh test installs frr)";  \
      GTEST_SKIP() << "FRR is not installed (apt-get install frr)";                            \
    }                                                                                          \
  } while (0)

TEST_F(ExampleLabsTest, FrrRingConvergesAndPassesItsChecksInBothFamilies) {
  REQUIRE_FRR();
  labs_.push_back(prefix_ + "frr-ring");
  auto r = Topo({"test", "--prefix", prefix_, kFrrRing});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "7 checks, 7 passed, 0 failed")) << r.output;
  EXPECT_TRUE(Contains(r.output, "PASS  h1 -> h2 over OSPFv2")) << r.output;
  EXPECT_TRUE(Contains(r.output, "PASS  h1 -> h2 over OSPFv3")) << r.output;
  EXPECT_TRUE(Contains(r.output, "PASS  h2 -> h1 over OSPFv3")) << r.output;
}

TEST_F(ExampleLabsTest, FrrRingReconvergesWhenARingLinkGoesDown) {
  REQUIRE_FRR();
  const std::string lab = prefix_ + "frr-ring";
  labs_.push_back(lab);
  auto up = Topo({"up", "--prefix", prefix_, kFrrRing});
  ASSERT_EQ(up.status, 0) << up.output;
  auto checks = Topo({"test", "--lab", lab});
  ASSERT_EQ(checks.status, 0) << checks.output;

  // The daemons answer vtysh through topo exec (the node's private /run/frr),
  // and their output is in their logs.
  auto vtysh = Exec(lab, "r1", {"vtysh", "-c", "show ip ospf neighbor"});
  EXPECT_EQ(vtysh.status, 0) << vtysh.output;
  EXPECT_TRUE(Contains(vtysh.output, "10.255.0.2")) << vtysh.output;
  EXPECT_TRUE(Contains(vtysh.output, "10.255.0.4")) << vtysh.output;
  EXPECT_TRUE(Contains(vtysh.output, "Full")) << vtysh.output;
  auto logs = Topo({"logs", "r1", "ospfd", "--lab", lab});
  EXPECT_EQ(logs.status, 0) << logs.output;
  EXPECT_TRUE(Contains(logs.output, "starting: vty")) << logs.output;

  // r1 reaches r2's loopback over the link r1:east - r2:west; with it down,
  // only through r4 and r3, once OSPF has recomputed.
  auto down = Exec(lab, "r1", {"ip", "link", "set", "east", "down"});
  ASSERT_EQ(down.status, 0) << down.output;
  for (const std::string& target : {"10.255.0.2", "fd00:255::2"}) {
    auto ping = Eventually(
        [&] {
          return Exec(lab, "h1", {"ping", "-c", "1", "-W", "1", target});
        },
        20);
    EXPECT_EQ(ping.status, 0) << target << ": " << ping.output;
  }
  auto route = Exec(lab, "r1", {"ip", "route", "get", "10.255.0.2"});
  EXPECT_TRUE(Contains(route.output, "dev west")) << route.output;

  auto gone = Topo({"down", lab});
  EXPECT_EQ(gone.status, 0) << gone.output;
}

TEST_F(ExampleLabsTest, HttpLabPassesItsChecksAndServesItsNodeFile) {
  const std::string lab = prefix_ + "http";
  labs_.push_back(lab);
  auto test = Topo({"test", "--prefix", prefix_, kHttp});
  EXPECT_EQ(test.status, 0) << test.output;
  EXPECT_TRUE(Contains(test.output, "3 checks, 3 passed, 0 failed")) << test.output;

  auto up = Topo({"up", "--prefix", prefix_, kHttp});
  ASSERT_EQ(up.status, 0) << up.output;
  auto page = Exec(lab, "client",
                   {"python3", "-c",
                    "import urllib.request; print(urllib.request.urlopen('http://10.0.1.2:8080/', "
                    "timeout=5).read().decode())"});
  EXPECT_EQ(page.status, 0) << page.output;
  EXPECT_TRUE(Contains(page.output, "Hello from server (10.0.1.2) in lab " + lab + "."))
      << page.output;
  auto logs = Topo({"logs", "server", "web", "--lab", lab});
  EXPECT_TRUE(Contains(logs.output, "\"GET / HTTP/1.1\" 200")) << logs.output;
  auto gone = Topo({"down", lab});
  EXPECT_EQ(gone.status, 0) << gone.output;
}

TEST_F(ExampleLabsTest, VxlanLabCarriesTheSitesOverItsOverlay) {
  labs_.push_back(prefix_ + "vxlan");
  auto test = Topo({"test", "--prefix", prefix_, kVxlan});
  EXPECT_EQ(test.status, 0) << test.output;
  EXPECT_TRUE(Contains(test.output, "5 checks, 5 passed, 0 failed")) << test.output;
}

TEST_F(ExampleLabsTest, AutoRingPassesItsChecksWithNoAddressOrRouteWritten) {
  labs_.push_back(prefix_ + "auto-ring");
  auto test = Topo({"test", "--prefix", prefix_, testing::SourcePath("topologies/auto-ring.yaml")});
  EXPECT_EQ(test.status, 0) << test.output;
  EXPECT_TRUE(Contains(test.output, "4 checks, 4 passed, 0 failed")) << test.output;
}

TEST_F(ExampleLabsTest, TopoRunStartsTheLabsProgramsAndEndsThem) {
  const std::string lab = prefix_ + "http";
  labs_.push_back(lab);
  // The command runs once `web` is ready, so its first connection succeeds.
  auto run = Topo({"run", "--prefix", prefix_, kHttp, "--", testing::TopoBinary(), "exec", "client",
                   "--lab", lab, "--", "python3", "-c",
                   "import urllib.request; urllib.request.urlopen('http://10.0.1.2:8080/', "
                   "timeout=5); print('fetched')"});
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(Contains(run.output, "fetched")) << run.output;
  // run tore the lab down: the leak check finds no process of it left.
}

}  // namespace
}  // namespace topo
