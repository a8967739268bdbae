// Labs across machines, end to end (place/, plan/compile_machine.cc, the
// VXLAN ends of kernel/netlink_ifkinds.cc, lab/machines.h and --machine): two
// simulated machines, each a network namespace of this test with an address
// on a veth between them (nothing else: no path to the host), a two-node lab
// split across them, each part brought up by `topo` running inside its
// machine (nsenter), a ping across the VXLAN link in both families, and each
// part's `down` leaving nothing. Also: `up` refuses a machine whose address
// is not where topo runs, and without --machine topo finds its machine.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/lab_fixture.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo::testing {
namespace {

constexpr const char* kLab = R"(name: split
machines:
  m1: {address: 10.79.0.1}
  m2: {address: 10.79.0.2}
nodes:
  a: {machine: m1, interfaces: {e: [10.0.0.1/24, "fd00:79::1/64"]}}
  b: {machine: m2, interfaces: {e: [10.0.0.2/24, "fd00:79::2/64"]}}
links:
  - [a:e, b:e]
checks:
  - {from: a, to: b, family: 4}
  - {from: a, to: b, family: 6}
  - {from: b, to: a, family: 4}
)";

class MachinesCoreTest : public LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    file_ = tmp_ / "split.yaml";
    std::ofstream(file_) << kLab;
    for (const char* m : {"m1", "m2"}) {
      const std::string ns = prefix_ + m;
      ASSERT_EQ(RunProcess({"ip", "netns", "add", ns}).status, 0) << ns;
      machines_.push_back(ns);
      ASSERT_EQ(Ip(m, {"link", "set", "lo", "up"}).status, 0);
    }
    ProcessResult r = Ip("m1", {"link", "add", "ul0", "type", "veth", "peer", "name", "ul0",
                                "netns", prefix_ + "m2"});
    ASSERT_EQ(r.status, 0) << r.output;
    for (const char* m : {"m1", "m2"}) {
      const std::string address = std::string("10.79.0.") + (m[1] == '1' ? "1" : "2") + "/24";
      ASSERT_EQ(Ip(m, {"addr", "add", address, "dev", "ul0"}).status, 0);
      ASSERT_EQ(Ip(m, {"link", "set", "ul0", "up"}).status, 0);
    }
  }

  void CleanUp() override {
    for (const char* m : {"m1", "m2"})
      TopoIn(m, {"down", "--machine", m, "--prefix", prefix_, file_});
    for (const std::string& ns : machines_) RunProcess({"ip", "netns", "del", ns});
  }

  // `ip -n MACHINE ARGS`: the test's plumbing of its machines.
  ProcessResult Ip(const std::string& machine, std::vector<std::string> args) {
    args.insert(args.begin(), {"ip", "-n", prefix_ + machine});
    return RunProcess(args);
  }
  // `topo ARGS` run inside the machine (nsenter: an argv, no shell).
  ProcessResult TopoIn(const std::string& machine, std::vector<std::string> args) {
    args.insert(args.begin(), {"nsenter", "--net=/run/netns/" + prefix_ + machine, TopoBinary()});
    return RunProcess(args, env_);
  }
  std::string Links(const std::string& machine) {
    return Ip(machine, {"-o", "link", "show"}).output;
  }

  TempDir tmp_{"topo-machines"};
  std::string file_;
  std::vector<std::string> machines_;
};

TEST_F(MachinesCoreTest, TwoPartsPingAcrossTheVxlanLinkAndGoDownCleanly) {
  ProcessResult r = TopoIn("m1", {"up", "--machine", "m1", "--prefix", prefix_, file_});
  if (r.status != 0 && r.output.find("Operation not supported") != std::string::npos) {
    GTEST_SKIP() << r.output;
  }
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("lab '" + prefix_ + "split@m1' is up"), std::string::npos) << r.output;
  // Without --machine: the machine whose address is here.
  r = TopoIn("m2", {"up", "--prefix", prefix_, file_});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("split@m2' is up"), std::string::npos) << r.output;

  // The VXLAN ends live in the nodes, their sockets in the machines.
  ProcessResult link = RunProcess({"ip", "-n", prefix_ + "a", "-d", "link", "show", "e"});
  EXPECT_NE(link.output.find("vxlan id"), std::string::npos) << link.output;
  EXPECT_NE(link.output.find("remote 10.79.0.2"), std::string::npos) << link.output;
  EXPECT_NE(link.output.find("mtu 1450"), std::string::npos) << link.output;

  // Each machine's share of the checks, against its part that is up.
  r = TopoIn("m1", {"test", "--machine", "m1", "--prefix", prefix_, file_});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("2 checks, 2 passed"), std::string::npos) << r.output;
  r = TopoIn("m2", {"test", "--prefix", prefix_, file_});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("1 check, 1 passed"), std::string::npos) << r.output;

  // Both parts are labs of their own.
  r = Topo({"status"});
  EXPECT_NE(r.output.find("lab " + prefix_ + "split@m1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lab " + prefix_ + "split@m2"), std::string::npos) << r.output;

  // Down by file on m1 (its machine found), by name for m2.
  r = TopoIn("m1", {"down", "--prefix", prefix_, file_});
  EXPECT_EQ(r.status, 0) << r.output;
  r = Topo({"down", prefix_ + "split@m2"});
  EXPECT_EQ(r.status, 0) << r.output;
  for (const char* m : {"m1", "m2"}) {
    const std::string links = Links(m);
    EXPECT_EQ(links.find("vxlan"), std::string::npos) << links;
    EXPECT_NE(links.find("ul0"), std::string::npos) << links;
  }
  EXPECT_EQ(Topo({"status"}).output.find("split@"), std::string::npos);
}

TEST_F(MachinesCoreTest, UpRefusesAMachineWhoseAddressIsNotHere) {
  ProcessResult r = TopoIn("m1", {"up", "--machine", "m2", "--prefix", prefix_, file_});
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("machine 'm2' of lab '" + prefix_ +
                          "split' has address 10.79.0.2, which is not assigned"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(Topo({"status"}).output.find("split@") != std::string::npos);
  // Outside both machines topo finds none of them.
  r = Topo({"up", "--prefix", prefix_, file_});
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("none of the machines of lab"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace topo::testing
