// Labs across machines on simulated machines (machines_fixture.h: network
// namespaces on a private underlay): the shipped example
// topologies/multi-machine.yaml, its two parts brought up with `topo up
// --machine` inside their machines, passes its checks from each machine,
// across the machines, in both families, over VXLAN ends with the link's VNI,
// the other machine's address, the underlay port and an MTU 50 bytes under
// the underlay's; `down` of each part leaves nothing. Three machines over an
// IPv6 underlay, with the hosts placed automatically, carry traffic through
// the middle one. A part's `up` SIGKILLed at several points, then `down` of
// every part, leaves nothing; a machine whose `up` fails (its underlay
// address is missing) changes nothing and leaves the other part up, which
// works again once the machine comes up, and everything goes down.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "machines_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

const std::string kExample = testing::SourcePath("topologies/multi-machine.yaml");
const std::string kLab = "multi-machine";
const std::vector<std::string> kM1Nodes = {"r1", "r2", "h1"};
const std::vector<std::string> kM2Nodes = {"r3", "r4", "h3"};

using testing::Contains;

// The first number captured by `pattern` in `text`, or -1.
long Number(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return -1;
  return std::stol(m[1]);
}

class MachinesTest : public testing::MachinesFixture {
 protected:
  void TwoMachines() { MakeMachines({{"m1", "10.77.0.1/24"}, {"m2", "10.77.0.2/24"}}); }

  // `ip -d link show IF` in node NODE's namespace.
  std::string LinkDetails(const std::string& node, const std::string& ifname) {
    return Ip(prefix_ + node, {"-d", "link", "show", ifname}).output;
  }

  // `topo test --machine M` of the example passes, saying `summary`, with
  // pings `pings` among its checks.
  void ExpectChecksPass(const std::string& machine, const std::string& summary,
                        const std::vector<std::string>& pings) {
    testing::ProcessResult r = Part("test", machine, kExample);
    EXPECT_EQ(r.status, 0) << machine << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, summary)) << machine << ": " << r.output;
    for (const std::string& p : pings) {
      EXPECT_TRUE(Contains(r.output, "PASS  ping " + p)) << machine << ": " << r.output;
    }
  }

  // Both parts of the example up, each in its machine.
  void ExampleUp() {
    for (const std::string m : {"m1", "m2"}) {
      testing::ProcessResult r = Part("up", m, kExample);
      ASSERT_EQ(r.status, 0) << m << ": " << r.output;
    }
  }
};

TEST_F(MachinesTest, TwoMachinesRunTheExampleAcrossThemInBothFamilies) {
  TwoMachines();
  ASSERT_NO_FATAL_FAILURE(ExampleUp());
  for (const std::string& n : kM1Nodes) EXPECT_TRUE(NodeUp(n)) << n;
  for (const std::string& n : kM2Nodes) EXPECT_TRUE(NodeUp(n)) << n;
  EXPECT_TRUE(Exists(state_dir_ + "/labs/" + PartName(kLab, "m1")));
  EXPECT_TRUE(Exists(state_dir_ + "/labs/" + PartName(kLab, "m2")));

  // A cross-machine link is a VXLAN pair: the fixed VNI, the other machine's
  // address, the underlay port, and 1500 - 50 bytes inside.
  const std::string r2 = LinkDetails("r2", "e1"), r3 = LinkDetails("r3", "e1");
  EXPECT_TRUE(Contains(r2, "vxlan id 5023 remote 10.77.0.2")) << r2;
  EXPECT_TRUE(Contains(r3, "vxlan id 5023 remote 10.77.0.1")) << r3;
  EXPECT_TRUE(Contains(r2, "dstport 4789")) << r2;
  EXPECT_TRUE(Contains(r2, "mtu 1450")) << r2;
  // The other one's VNI is derived, the same at both ends.
  const long vni = Number(LinkDetails("r4", "e1"), "vxlan id ([0-9]+)");
  EXPECT_GT(vni, 0);
  EXPECT_EQ(vni, Number(LinkDetails("r1", "e1"), "vxlan id ([0-9]+)"));
  // A link on one machine stays a veth.
  EXPECT_TRUE(Contains(LinkDetails("r1", "e0"), "veth")) << LinkDetails("r1", "e0");

  ExpectChecksPass("m1", "4 checks, 4 passed, 0 failed",
                   {"h1 -> h3 (IPv4)", "h1 -> h3 (IPv6)", "r1 -> r4 (IPv6)"});
  ExpectChecksPass("m2", "3 checks, 3 passed, 0 failed",
                   {"h3 -> h1 (IPv4)", "h3 -> h1 (IPv6)", "r4 -> r2 (IPv6)"});

  testing::ProcessResult status = TopoOn("m1", {"status", PartName(kLab, "m1")});
  EXPECT_EQ(status.status, 0) << status.output;
  EXPECT_TRUE(Contains(status.output, PartName(kLab, "m1"))) << status.output;

  testing::ProcessResult down = Part("down", "m1", kExample);
  EXPECT_EQ(down.status, 0) << down.output;
  ExpectPartGone(kLab, "m1", kM1Nodes, "after down of m1");
  for (const std::string& n : kM2Nodes) EXPECT_TRUE(NodeUp(n)) << "m2's " << n;
  down = TopoOn("m2", {"down", PartName(kLab, "m2")});  // by the record's name
  EXPECT_EQ(down.status, 0) << down.output;
  ExpectPartGone(kLab, "m2", kM2Nodes, "after down of m2");
  down = Part("down", "m2", kExample);  // again: nothing to do
  EXPECT_EQ(down.status, 0) << down.output;
}

// Three machines on a bridge, over IPv6 (1500 - 70 inside); the hosts are
// placed automatically, so the test counts checks over all machines.
TEST_F(MachinesTest, ThreeMachinesOverAnIpv6UnderlayCarryTrafficThroughTheMiddleOne) {
  MakeMachines({{"m1", "fd77::1/64"}, {"m2", "fd77::2/64"}, {"m3", "fd77::3/64"}});
  const std::string file = state_dir_ + "/three.yaml";
  std::ofstream(file) << R"(name: three
machines:
  m1: {address: "fd77::1", nodes: [r1]}
  m2: {address: "fd77::2", nodes: [r2]}
  m3: {address: "fd77::3", nodes: [r3]}
pools: {links: [10.255.1.0/24, "fd00:255:1::/64"], loopbacks: [10.0.1.0/24, "fd00:1::/120"]}
routes: auto
nodes:
  r1: {kind: router}
  r2: {kind: router}
  r3: {kind: router}
  h1: {}
  h2: {}
  h3: {}
links:
  - [r1:e0, r2:e0]
  - [r2:e1, r3:e0]
  - [h1:eth0, r1:lan]
  - [h2:eth0, r2:lan]
  - [h3:eth0, r3:lan]
checks:
  - {from: h1, to: h3, family: 4}
  - {from: h1, to: h3, family: 6}
  - {from: h3, to: h1, family: 4}
  - {from: h3, to: h1, family: 6}
  - {from: h2, to: h1, family: 6}
  - {from: h2, to: h3, family: 4}
)";
  const std::vector<std::string> names = {"m1", "m2", "m3"};
  for (const std::string& m : names) {
    testing::ProcessResult r = Part("up", m, file);
    ASSERT_EQ(r.status, 0) << m << ": " << r.output;
  }
  EXPECT_TRUE(Contains(LinkDetails("r2", "e0"), "mtu 1430")) << LinkDetails("r2", "e0");
  EXPECT_TRUE(Contains(LinkDetails("r2", "e0"), "remote fd77::1")) << LinkDetails("r2", "e0");
  long checks = 0;
  for (const std::string& m : names) {
    testing::ProcessResult r = Part("test", m, file);
    EXPECT_EQ(r.status, 0) << m << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, " 0 failed")) << m << ": " << r.output;
    checks += Number(r.output, "([0-9]+) checks?, ");
  }
  EXPECT_EQ(checks, 6);
  for (const std::string& m : names) {
    testing::ProcessResult r = Part("down", m, file);
    EXPECT_EQ(r.status, 0) << m << ": " << r.output;
  }
  for (const std::string& m : names)
    ExpectPartGone("three", m, {"r1", "r2", "r3", "h1", "h2", "h3"}, m);
}

// m2's `up` is SIGKILLed at several points while m1's part is up; `down` of
// m2's part then removes what it made, and m1's part goes down cleanly.
TEST_F(MachinesTest, SigkillOfOnePartsUpThenDownOfEveryPartLeavesNothing) {
  TwoMachines();
  testing::ProcessResult plan = TopoOn("m2", {"plan", "--machine", "m2", kExample});
  ASSERT_EQ(plan.status, 0) << plan.output;
  const long actions = Number(plan.output, "([0-9]+) actions");
  ASSERT_GT(actions, 3) << plan.output;
  // Right after the start, after the first VXLAN end, and before the last action.
  long vxlan = Number(plan.output, "\\n +([0-9]+) +[^\\n]*vxlan");
  std::vector<long> stops = {1, vxlan > 0 ? vxlan : actions / 2, actions - 1};

  testing::ProcessResult r = Part("up", "m1", kExample);
  ASSERT_EQ(r.status, 0) << r.output;
  for (long stop : stops) {
    const std::string where = "SIGKILL after " + std::to_string(stop) + " actions";
    pid_t pid =
        StartPartUntilStopped("m2", kExample, {"TOPO_TEST_STOP_AFTER=" + std::to_string(stop)});
    ASSERT_GT(pid, 0) << where << ": up did not stop";
    Kill(pid);
    r = Part("down", "m2", kExample);
    EXPECT_EQ(r.status, 0) << where << ": " << r.output;
    ExpectPartGone(kLab, "m2", kM2Nodes, where);
    for (const std::string& n : kM1Nodes) EXPECT_TRUE(NodeUp(n)) << where << ": m1's " << n;
  }
  r = Part("down", "m1", kExample);
  EXPECT_EQ(r.status, 0) << r.output;
  ExpectPartGone(kLab, "m1", kM1Nodes, "after down of m1");
}

// m2 lacks its underlay address: its `up` is refused, changing nothing; m1's
// part stays up, and status says so. Once m2 has its address its part comes
// up and the checks pass across; then both go down.
TEST_F(MachinesTest, OneMachinesFailedUpLeavesTheOtherPartUpAndRemovable) {
  MakeMachines({{"m1", "10.77.0.1/24"}, {"m2", ""}});
  testing::ProcessResult r = Part("up", "m1", kExample);
  ASSERT_EQ(r.status, 0) << r.output;
  r = Part("up", "m2", kExample);
  EXPECT_NE(r.status, 0) << r.output;  // refused before anything is built
  EXPECT_TRUE(Contains(r.output, "10.77.0.2")) << "the error names the address: " << r.output;
  ExpectPartGone(kLab, "m2", kM2Nodes, "after m2's failed up");
  for (const std::string& n : kM1Nodes) EXPECT_TRUE(NodeUp(n)) << "m1's " << n;
  r = TopoOn("m1", {"status", PartName(kLab, "m1")});
  EXPECT_EQ(r.status, 0) << r.output;
  r = Part("down", "m2", kExample);  // a part that is not up: nothing to do
  EXPECT_EQ(r.status, 0) << r.output;

  ASSERT_EQ(Ip(Find("m2").ns, {"addr", "add", "10.77.0.2/24", "dev", "ul0"}).status, 0);
  r = Part("up", "m2", kExample);
  ASSERT_EQ(r.status, 0) << r.output;
  ExpectChecksPass("m1", "4 checks, 4 passed, 0 failed", {"h1 -> h3 (IPv6)"});
  for (const std::string m : {"m1", "m2"}) {
    r = Part("down", m, kExample);
    EXPECT_EQ(r.status, 0) << m << ": " << r.output;
  }
  ExpectPartGone(kLab, "m1", kM1Nodes, "after down of m1");
  ExpectPartGone(kLab, "m2", kM2Nodes, "after down of m2");
}

}  // namespace
}  // namespace topo
