// Interfaces of a kind on real namespaces (model/ifkind.h), each lab through
// `topo up`, `topo status --json`, `topo test` and `topo down`: a dummy, a
// macvlan and an ipvlan on a node's link end, each holding an address reached
// from the other node (skipped, saying why, where the kernel lacks the kind:
// this machine's has no dummy or ipvlan); a VXLAN between two namespaces
// over their link, pinged and connected to over the overlay. Bonds, VRFs and WireGuard are asked of
// the kernel: where it has them the lab comes up and passes, where it does not `up` refuses with
// the option it lacks ("the kernel lacks CONFIG_BONDING") and leaves nothing
// (the fixture's leak check). Either answer passes; which one the kernel gave
// is in the test's output.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::Contains;

class IfKindsLab : public testing::LabFixture {
 protected:
  // Writes `yaml` as the lab `name` and returns its path.
  std::string Write(const std::string& name, const std::string& yaml) {
    std::string path = state_dir() + "/" + name + ".yaml";
    std::ofstream(path) << yaml;
    return path;
  }

  // `topo test` of the file: every one of its `checks` passes.
  void ExpectChecksPass(const std::string& path, const std::string& lab, int checks) {
    labs_.push_back(prefix_ + lab);
    auto r = Topo({"test", "--prefix", prefix_, path});
    EXPECT_EQ(r.status, 0) << r.output;
    const std::string summary =
        std::to_string(checks) + " checks, " + std::to_string(checks) + " passed, 0 failed";
    EXPECT_TRUE(Contains(r.output, summary)) << r.output;
  }

  void ExpectKindWorks(const std::string& kind, const std::string& settings,
                       const std::string& address);

  // The kernel's kind of each interface of `node`, from `topo status --json`.
  std::map<std::string, std::string> Kinds(const std::string& lab, const std::string& node) {
    auto r = Topo({"status", lab, "--json"});
    EXPECT_EQ(r.status, 0) << r.output;
    std::map<std::string, std::string> kinds;
    auto j = nlohmann::json::parse(r.output, nullptr, false);
    if (j.is_discarded() || !j.is_array() || j.empty()) return kinds;
    for (const auto& ns : j[0]["namespaces"]) {
      if (ns["namespace"] != prefix_ + node) continue;
      for (const auto& i : ns["interfaces"]) {
        kinds[i["name"].get<std::string>()] = i.value("kind", "");
      }
    }
    return kinds;
  }
};

// A lab where node a has one interface `if0` of `kind` (with `settings`)
// holding `address`, which b reaches: a dummy through a's eth0 (b routes to
// it), a macvlan or ipvlan on eth1 directly, in eth1's subnet (a answers ARP
// only on the interface that has the address, so b's packets arrive on if0
// itself). `topo test` passes and `topo status` reads the kind back; a kernel
// without the kind refuses it with the option it lacks, and the test is
// skipped saying so.
void IfKindsLab::ExpectKindWorks(const std::string& kind, const std::string& settings,
                                 const std::string& address) {
  const std::string lab = "k" + kind;
  const std::string path = Write(lab, "name: " + lab + R"(
nodes:
  a:
    kind: router
    interfaces:
      eth0: [10.0.0.1/24]
      eth1: [10.0.1.1/24]
      if0: {kind: )" + kind + settings + ", addresses: [" +
                                          address + R"(]}
    sysctls:
      net.ipv4.conf.all.arp_ignore: 1
  b:
    interfaces:
      eth0: [10.0.0.2/24]
      eth1: [10.0.1.2/24]
    routes:
      - {to: 10.0.9.0/24, via: 10.0.0.1}
links:
  - [a:eth0, b:eth0]
  - [a:eth1, b:eth1]
checks:
  - {name: reached, from: b, to: )" + address.substr(0, address.find('/')) +
                                          R"(}
)");
  labs_.push_back(prefix_ + lab);
  auto up = Topo({"up", "--prefix", prefix_, path});
  if (up.status != 0 && Contains(up.output, "the kernel lacks CONFIG_")) {
    GTEST_SKIP() << up.output;
  }
  ASSERT_EQ(up.status, 0) << up.output;
  EXPECT_EQ(Kinds(prefix_ + lab, "a")["if0"], kind);
  EXPECT_EQ(Kinds(prefix_ + lab, "a")["eth0"], "veth");
  auto test = Topo({"test", "--lab", prefix_ + lab});
  EXPECT_EQ(test.status, 0) << test.output;
  EXPECT_TRUE(Contains(test.output, "1 check, 1 passed, 0 failed")) << test.output;
  auto down = Topo({"down", prefix_ + lab});
  EXPECT_EQ(down.status, 0) << down.output;
}

TEST_F(IfKindsLab, DummyHoldsAnAddress) { ExpectKindWorks("dummy", "", "10.0.9.1/32"); }

TEST_F(IfKindsLab, MacvlanOnALinkEnd) {
  ExpectKindWorks("macvlan", ", parent: eth1, mode: bridge", "10.0.1.9/24");
}

TEST_F(IfKindsLab, IpvlanOnALinkEnd) {
  ExpectKindWorks("ipvlan", ", parent: eth1, mode: l2", "10.0.1.9/24");
}

TEST_F(IfKindsLab, VxlanBetweenTwoNamespacesCarriesTheOverlay) {
  const std::string path = Write("vx", R"(name: vx
nodes:
  a:
    interfaces:
      eth0: [10.0.0.1/24]
      vx0: {kind: vxlan, vni: 4242, local: 10.0.0.1, remote: b, dev: eth0, addresses: [192.168.7.1/24, "fd00:7::1/64"]}
  b:
    interfaces:
      eth0: [10.0.0.2/24]
      vx0: {kind: vxlan, vni: 4242, local: 10.0.0.2, remote: a, port: 4789, addresses: [192.168.7.2/24, "fd00:7::2/64"]}
links:
  - [a:eth0, b:eth0]
checks:
  - {name: overlay, from: a, to: 192.168.7.2, within: 5s}
  - {name: overlay back, from: b, to: 192.168.7.1, within: 5s}
  - {name: overlay in IPv6, from: a, to: "fd00:7::2", within: 5s}
  - {name: tcp over the overlay, from: b, to: 192.168.7.1, tcp: 7000, within: 5s}
)");
  ExpectChecksPass(path, "vx", 4);
}

// A lab of one kind the kernel may lack: up and down where the kernel has it,
// else refused with the option it lacks, and nothing left.
void ExpectUpOrRefused(const testing::ProcessResult& up, const testing::ProcessResult& down,
                       const std::string& option) {
  if (up.status == 0) {
    std::cout << "the kernel has " << option << ": the lab came up\n";
    EXPECT_EQ(down.status, 0) << down.output;
    return;
  }
  std::cout << "the kernel lacks " << option << ":\n" << up.output;
  EXPECT_TRUE(Contains(up.output, "the kernel lacks " + option)) << up.output;
  EXPECT_TRUE(Contains(up.output, "rolled back")) << up.output;
}

TEST_F(IfKindsLab, BondVrfAndWireguardComeUpOrAreRefusedWithTheKernelsReason) {
  struct Case {
    const char* name;
    const char* option;
    const char* interfaces;
  };
  const Case cases[] = {
      {"bond", "CONFIG_BONDING",
       "      eth0: []\n      eth1: []\n"
       "      bond0: {kind: bond, mode: active-backup, members: [eth0, eth1], addresses: "
       "[10.0.0.1/24]}\n"},
      {"vrf", "CONFIG_NET_VRF",
       "      eth0: [10.0.0.1/24]\n      eth1: []\n"
       "      vrf0: {kind: vrf, table: 10, members: [eth0]}\n"},
      {"wg", "CONFIG_WIREGUARD",
       "      eth0: [10.0.0.1/24]\n      eth1: []\n"
       "      wg0: {kind: wireguard, addresses: [10.9.0.1/24]}\n"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string yaml = std::string("name: ") + c.name + "\nnodes:\n  a:\n    interfaces:\n" +
                             c.interfaces +
                             "  b:\n    interfaces:\n      eth0: [10.0.0.2/24]\n      eth1: []\n"
                             "links:\n  - [a:eth0, b:eth0]\n  - [a:eth1, b:eth1]\n";
    const std::string path = Write(c.name, yaml);
    const std::string lab = prefix_ + c.name;
    labs_.push_back(lab);
    auto up = Topo({"up", "--prefix", prefix_, path});
    auto down = up.status == 0 ? Topo({"down", lab}) : testing::ProcessResult{};
    ExpectUpOrRefused(up, down, c.option);
  }
}

}  // namespace
}  // namespace topo
