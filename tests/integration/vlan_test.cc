// VLANs on real namespaces: the shipped router-on-a-stick lab
// (topologies/vlans.yaml: two VLANs on one switch, joined only by a router's
// sub-interfaces on a trunk; a host alone in a third VLAN that nothing
// reaches) and a lab of sub-interfaces alone, each through `topo test`, whose
// checks include the ones that must fail. A kernel without 802.1Q or bridge
// VLAN filtering says so when asked (EOPNOTSUPP, which topo names as the
// missing kernel option): the test is then skipped, saying why.
#include <gtest/gtest.h>

#include <fstream>

#include "support/lab_fixture.h"

namespace topo {
namespace {

class VlanLab : public testing::LabFixture {
 protected:
  // `topo test FILE` under the fixture's prefix; skips when the kernel lacks VLANs.
  void ExpectChecksPass(const std::string& file, const std::string& lab, int checks) {
    labs_.push_back(prefix_ + lab);
    auto r = Topo({"test", "--prefix", prefix_, file});
    for (const char* option : {"CONFIG_VLAN_8021Q", "CONFIG_BRIDGE_VLAN_FILTERING"}) {
      if (r.status == 3 && r.output.find(option) != std::string::npos) {
        GTEST_SKIP() << "the kernel lacks " << option << ":\n" << r.output;
      }
    }
    EXPECT_EQ(r.status, 0) << r.output;
    const std::string summary =
        std::to_string(checks) + " checks, " + std::to_string(checks) + " passed, 0 failed";
    EXPECT_NE(r.output.find(summary), std::string::npos) << r.output;
  }
};

TEST_F(VlanLab, RouterOnAStickKeepsVlansApart) {
  ExpectChecksPass(testing::SourcePath("topologies/vlans.yaml"), "vlans", 6);
}

TEST_F(VlanLab, SubInterfacesOnALinkCarryTheirOwnVlans) {
  const std::string path = state_dir() + "/subif.yaml";
  std::ofstream(path) << R"(name: subif
nodes:
  a:
    interfaces:
      eth0: [10.0.1.1/24]
      eth0.10: [10.0.10.1/24]
      eth0.20: [10.0.20.1/24]
  b:
    interfaces:
      eth0: [10.0.1.2/24]
      eth0.10: [10.0.10.2/24]
      eth0.30: [10.0.20.2/24]
links:
  - [a:eth0, b:eth0]
checks:
  - {name: untagged, from: a, to: 10.0.1.2}
  - {name: vlan 10, from: a, to: 10.0.10.2}
  - {name: vlan 10 back, from: b, to: 10.0.10.1}
  - {name: vlan 20 is not vlan 30, from: a, to: 10.0.20.2, expect: failure, timeout: 300ms}
)";
  ExpectChecksPass(path, "subif", 4);
}

}  // namespace
}  // namespace topo
