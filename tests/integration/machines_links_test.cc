// A link between two simulated machines (machines_fixture.h) as the file asks
// for it beyond the defaults: `underlay: {port: 8472}` instead of 4789, and an
// impairment (`rate`, a tbf: this kernel has no netem) on the link. Both VXLAN
// ends use the port (the kernel's dstport), pings cross in both families over
// it, the qdisc is there at each end and `topo status --machine M FILE` reads
// it back without drift; `topo down --machine M FILE` takes each part down.
// The file names its prefix (`prefix:`), so status and down find the part
// from the file and --machine alone.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "machines_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::Contains;

class MachinesLinksTest : public testing::MachinesFixture {
 protected:
  // The lab, under the test's prefix, in the state directory.
  std::string WriteLab() {
    std::string file = state_dir_ + "/wan.yaml";
    std::ofstream(file) << "name: wan\nprefix: " << prefix_ << R"(
machines:
  m1: {address: 10.77.0.1}
  m2: {address: 10.77.0.2}
underlay: {port: 8472}
nodes:
  a: {machine: m1, interfaces: {e: [10.0.78.1/24, "fd00:78::1/64"]}}
  b: {machine: m2, interfaces: {e: [10.0.78.2/24, "fd00:78::2/64"]}}
links:
  - endpoints: [a:e, b:e]
    impair: {rate: 10mbit}
checks:
  - {from: a, to: b, family: 4, within: 5s}
  - {from: a, to: b, family: 6, within: 5s}
  - {from: b, to: a, family: 4, within: 5s}
  - {from: b, to: a, family: 6, within: 5s}
)";
    return file;
  }

  // The interface `ifname` of namespace `ns` in `topo status --json`, or null.
  static nlohmann::json InterfaceOf(const nlohmann::json& status, const std::string& ns,
                                    const std::string& ifname) {
    for (const nlohmann::json& lab : status) {
      for (const nlohmann::json& n : lab.value("namespaces", nlohmann::json::array())) {
        if (n.value("namespace", "") != ns) continue;
        for (const nlohmann::json& i : n.value("interfaces", nlohmann::json::array())) {
          if (i.value("name", "") == ifname) return i;
        }
      }
    }
    return nullptr;
  }
};

TEST_F(MachinesLinksTest, AnotherUnderlayPortAndARateOnALinkBetweenMachines) {
  MakeMachines({{"m1", "10.77.0.1/24"}, {"m2", "10.77.0.2/24"}});
  if (HasFatalFailure()) return;
  const std::string file = WriteLab();
  for (const std::string m : {"m1", "m2"}) {
    testing::ProcessResult r = Part("up", m, file);
    ASSERT_EQ(r.status, 0) << m << ": " << r.output;
  }

  // Each end is a VXLAN interface to the other machine on port 8472.
  for (const auto& [node, remote] : {std::pair<std::string, std::string>{"a", "10.77.0.2"},
                                     std::pair<std::string, std::string>{"b", "10.77.0.1"}}) {
    const std::string link = Ip(prefix_ + node, {"-d", "link", "show", "e"}).output;
    EXPECT_TRUE(Contains(link, "vxlan id")) << node << ": " << link;
    EXPECT_TRUE(Contains(link, "remote " + remote)) << node << ": " << link;
    EXPECT_TRUE(Contains(link, "dstport 8472")) << node << ": " << link;
    EXPECT_FALSE(Contains(link, "dstport 4789")) << node << ": " << link;
  }

  // The checks cross the machines over that port, in both families.
  for (const std::string m : {"m1", "m2"}) {
    testing::ProcessResult r = Part("test", m, file);
    EXPECT_EQ(r.status, 0) << m << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, "2 checks, 2 passed, 0 failed")) << m << ": " << r.output;
  }

  // status --machine M FILE: the part, its VXLAN end, the rate as planned and
  // as the kernel's qdisc does it, no drift.
  for (const auto& [m, node] : {std::pair<std::string, std::string>{"m1", "a"},
                                std::pair<std::string, std::string>{"m2", "b"}}) {
    testing::ProcessResult r = TopoOn(m, {"status", "--machine", m, file});
    EXPECT_EQ(r.status, 0) << m << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, "lab " + PartName("wan", m))) << m << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, "(vxlan)")) << m << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, "impaired: rate 10mbit")) << m << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, "no drift from the plan")) << m << ": " << r.output;

    r = TopoOn(m, {"status", "--json", "--machine", m, file});
    EXPECT_EQ(r.status, 0) << m << ": " << r.output;
    const nlohmann::json status = nlohmann::json::parse(r.output, nullptr, false);
    ASSERT_TRUE(status.is_array()) << r.output;
    ASSERT_EQ(status.size(), 1u) << r.output;
    EXPECT_EQ(status[0].value("lab", ""), PartName("wan", m));
    EXPECT_TRUE(status[0].value("drift", nlohmann::json::array()).empty()) << r.output;
    const nlohmann::json end = InterfaceOf(status, prefix_ + node, "e");
    ASSERT_FALSE(end.is_null()) << r.output;
    EXPECT_EQ(end.value("kind", ""), "vxlan") << end.dump();
    EXPECT_EQ(end.value("mtu", 0), 1450) << end.dump();
    EXPECT_EQ(end.value("qdisc", ""), "tbf") << end.dump();
    EXPECT_EQ(end.value("impairment", nlohmann::json::object()).value("rate", ""), "10mbit")
        << end.dump();
    ASSERT_TRUE(end.contains("kernel_impairment")) << end.dump();
    EXPECT_EQ(end["kernel_impairment"], end["impairment"]) << end.dump();
  }

  // down --machine M FILE, the prefix from the file: each part goes, alone.
  testing::ProcessResult r = TopoOn("m1", {"down", "--machine", "m1", file});
  EXPECT_EQ(r.status, 0) << r.output;
  ExpectPartGone("wan", "m1", {"a"}, "after down of m1");
  EXPECT_TRUE(NodeUp("b")) << "m2's part stays up";
  r = TopoOn("m2", {"status", "--machine", "m2", file});
  EXPECT_EQ(r.status, 0) << r.output;
  r = TopoOn("m2", {"down", "--machine", "m2", file});
  EXPECT_EQ(r.status, 0) << r.output;
  ExpectPartGone("wan", "m2", {"b"}, "after down of m2");
  r = TopoOn("m1", {"status", "--machine", "m1", file});
  EXPECT_NE(r.status, 0) << "a part that is down: " << r.output;
}

}  // namespace
}  // namespace topo
