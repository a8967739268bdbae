// Interfaces of a kind without privileges (model/ifkind.h): how `kind:` and its
// settings are read (a VXLAN remote that names a node), compiled (golden
// plans of the shipped lab topologies/vxlan.yaml, the order of bonds and their
// members), the plan's JSON round trip and shell form, apply / rollback
// against the recording backend, a kernel that lacks a kind, status read-back
// (of these interfaces, and of VLAN sub-interfaces and switch port VLANs) and
// the graph's tunnels.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "front/validate.h"
#include "lab/actions.h"
#include "lab/apply.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "plan/graph.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

std::string ReadShipped(const std::string& path) {
  std::ifstream in(testing::SourcePath(path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Plan VxlanPlan() { return testing::ShippedPlan("topologies/vxlan.yaml"); }

// A lab with every kind this file can carry: a bond of two links, a VRF, a
// macvlan on the bond, an ipvlan, a dummy and a wireguard interface.
constexpr char kAllKinds[] =
    "name: k\nnodes:\n"
    "  a:\n    kind: router\n    interfaces:\n"
    "      eth0: []\n      eth1: []\n      eth2: [10.0.2.1/24]\n"
    "      bond0: {kind: bond, members: [eth0, eth1], mode: active-backup, addresses: "
    "[10.0.0.1/24]}\n"
    "      vrf0: {kind: vrf, table: 10, members: [eth2]}\n"
    "      mv0: {kind: macvlan, parent: bond0, addresses: [10.0.0.5/24]}\n"
    "      iv0: {kind: ipvlan, parent: eth2, mode: l3}\n"
    "      d0: {kind: dummy, mac: \"02:00:00:00:00:09\"}\n"
    "      wg0: {kind: wireguard, addresses: [10.9.0.1/24]}\n"
    "  b:\n    interfaces:\n      eth0: [10.0.0.2/24]\n      eth1: []\n      eth2: "
    "[10.0.2.2/24]\n"
    "links:\n  - [a:eth0, b:eth0]\n  - [a:eth1, b:eth1]\n  - [a:eth2, b:eth2]\n";

Plan CompileText(const std::string& yaml) {
  DiagnosticList diags;
  auto t = testing::ValidateText(yaml, &diags);
  EXPECT_TRUE(t) << testing::Brief(diags);
  return t ? Compile(*t) : Plan{};
}

// The position of the first action whose description starts with `text`.
size_t Find(const Plan& p, const std::string& text) {
  for (size_t i = 0; i < p.actions.size(); ++i) {
    if (Describe(p.actions[i]).rfind(text, 0) == 0) return i;
  }
  ADD_FAILURE() << "no action '" << text << "'";
  return p.actions.size();
}

TEST(IfKindsTest, ShippedLabGoldenPlans) { testing::ExpectGoldenPlans("vxlan", VxlanPlan()); }

TEST(IfKindsTest, KindsAreBuiltAndARemoteNodeIsItsVxlansLocalAddress) {
  DiagnosticList diags;
  auto t = testing::ValidateText(ReadShipped("topologies/vxlan.yaml"), &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  const Interface* vx = t->FindNode("r1")->FindInterface("vx0");
  ASSERT_TRUE(vx);
  EXPECT_EQ(vx->virt.ToString(), "vxlan vni 100 local 10.0.1.2 remote 10.0.2.2 port 4789 dev up0");
  EXPECT_EQ(vx->remote_node, "r2");
  EXPECT_FALSE(t->FindNode("r1")->FindInterface("up0")->is_virtual());
}

TEST(IfKindsTest, ADottedNameOfAKindIsNoVlan) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: v\nnodes:\n  a: {interfaces: {eth0: [10.0.0.1/24], d.1: {kind: dummy}}}\n"
      "  b: {interfaces: {eth0: [10.0.0.2/24]}}\nlinks:\n  - [a:eth0, b:eth0]\n",
      &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_FALSE(t->FindNode("a")->FindInterface("d.1")->is_vlan());
}

TEST(IfKindsTest, EveryKindCompilesInAnOrderTheKernelTakes) {
  Plan p = CompileText(kAllKinds);
  const size_t bond = Find(p, "create interface a:bond0 bond mode active-backup");
  const size_t macvlan = Find(p, "create interface a:mv0 macvlan on bond0 mode bridge");
  const size_t member = Find(p, "set master a:eth0 bond0");
  const size_t vrf_member = Find(p, "set master a:eth2 vrf0");
  EXPECT_LT(Find(p, "create veth a:eth0"), bond);
  EXPECT_LT(bond, macvlan);
  EXPECT_LT(Find(p, "create interface a:vrf0 vrf table 10"), vrf_member);
  EXPECT_LT(Find(p, "create interface a:d0 dummy"), Find(p, "set mac a:d0"));
  Find(p, "create interface a:iv0 ipvlan on eth2 mode l3");
  Find(p, "create interface a:wg0 wireguard");
  // A bond takes only members that are down.
  EXPECT_LT(member, Find(p, "set link a:eth0 up"));
  EXPECT_LT(Find(p, "set master a:eth1 bond0"), Find(p, "set link a:eth1 up"));
  EXPECT_LT(macvlan, Find(p, "add address a:mv0"));
}

TEST(IfKindsTest, PlanRoundTripsThroughJsonAndShell) {
  Plan p = CompileText(kAllKinds);
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
  for (size_t i = 0; i < p.actions.size(); ++i) {
    EXPECT_EQ(Describe(back.actions[i]), Describe(p.actions[i]));
    if (p.actions[i].kind == ActionKind::kCreateInterface) {
      EXPECT_EQ(back.actions[i].virt(), p.actions[i].virt());
    }
  }
  const Action& mv = p.actions[Find(p, "create interface a:mv0")];
  EXPECT_EQ(ActionToShell(mv),
            (std::vector<std::string>{"ip -n a link add link bond0 name mv0 type macvlan mode "
                                      "bridge"}));
  EXPECT_EQ(InverseToShell(mv), (std::vector<std::string>{"ip -n a link del dev mv0"}));
  Plan vx = VxlanPlan();
  EXPECT_EQ(ActionToShell(vx.actions[Find(vx, "create interface r1:vx0")]),
            (std::vector<std::string>{"ip -n r1 link add name vx0 type vxlan id 100 local "
                                      "10.0.1.2 remote 10.0.2.2 dstport 4789 dev up0"}));
  nlohmann::json bad = PlanToJson(vx);
  for (auto& a : bad["actions"]) {
    if (a["kind"] == "create-interface") a["if_kind"] = "tun";
  }
  EXPECT_FALSE(PlanFromJson(bad, &back).ok());
}

TEST(IfKindsTest, ApplyThenTeardownAndRollbackAtEveryAction) {
  for (const Plan& p : {VxlanPlan(), CompileText(kAllKinds)}) {
    {
      RecordingBackend b;
      ApplyResult r = Apply(p, b);
      ASSERT_TRUE(r.status.ok()) << r.status.message();
      TeardownReport t =
          Teardown(p, std::vector<bool>(p.actions.size(), true), std::nullopt, {}, b);
      EXPECT_TRUE(t.ok());
      EXPECT_TRUE(b.Empty());
    }
    testing::ExpectRollbackCleanAtEveryAction(p);
  }
}

TEST(IfKindsTest, AKernelWithoutAKindRefusesAndNothingIsLeft) {
  Plan p = CompileText(kAllKinds);
  for (IfKind kind : {IfKind::kBond, IfKind::kVrf, IfKind::kWireguard}) {
    RecordingBackend b;
    b.LackKind(kind);
    ApplyResult r = Apply(p, b);
    ASSERT_FALSE(r.status.ok());
    EXPECT_NE(r.status.message().find(std::string("the kernel lacks ") + KindConfig(kind)),
              std::string::npos)
        << r.status.message();
    EXPECT_TRUE(r.rollback.ok());
    EXPECT_TRUE(b.Empty());
  }
}

TEST(IfKindsTest, UndoDeletesTheInterfaceAndReleasesItsMembers) {
  RecordingBackend b;
  ASSERT_TRUE(b.CreateNamespace("a").ok());
  ASSERT_TRUE(b.CreateNamespace("b").ok());
  ASSERT_TRUE(b.CreateVeth("a", "eth0", "b", "eth0").ok());
  Action bond;
  bond.kind = ActionKind::kCreateInterface;
  bond.ns = "a";
  bond.ifname = "bond0";
  bond.mutable_virt().kind = IfKind::kBond;
  bond.mutable_virt().mode = "balance-rr";
  std::string note;
  ASSERT_TRUE(DoAction(b, bond, &note).ok());
  EXPECT_TRUE(DoAction(b, bond, &note).IsAlreadyExists());
  ASSERT_TRUE(b.SetMaster("a", "eth0", "bond0").ok());
  EXPECT_TRUE(UndoAction(b, bond, "").ok());
  EXPECT_TRUE(UndoAction(b, bond, "").IsNotFound());
  Action mv = bond;
  mv.mutable_virt() = VirtualSpec{};
  mv.mutable_virt().kind = IfKind::kMacvlan;
  mv.mutable_virt().parent = "nosuch";
  mv.mutable_virt().mode = "bridge";
  EXPECT_TRUE(DoAction(b, mv, &note).IsNotFound());
}

// A lab up on the recording backend, its journal in a temporary directory.
class IfKindsStatusTest : public ::testing::Test {
 protected:
  void UpLab(const Plan& p) {
    ASSERT_TRUE(tmp_.ok());
    StateStore store(tmp_.path());
    ASSERT_TRUE(Up(p, b_, store).status.ok());
  }
  // What `topo status` reports as drift.
  std::vector<std::string> Drift(const std::string& lab) {
    StateStore store(tmp_.path());
    LabStatus st;
    EXPECT_TRUE(GetLabStatus(lab, b_, store, &st).ok());
    return st.drift;
  }
  static bool Has(const std::vector<std::string>& drift, const std::string& want) {
    return std::find(drift.begin(), drift.end(), want) != drift.end();
  }

  testing::TempDir tmp_{"topo-ifkinds"};
  RecordingBackend b_;
};

TEST_F(IfKindsStatusTest, AVanishedInterfaceIsDrift) {
  ASSERT_NO_FATAL_FAILURE(UpLab(VxlanPlan()));
  EXPECT_EQ(Drift("vxlan"), std::vector<std::string>{});
  ASSERT_TRUE(b_.DeleteInterface("r1", "vx0").ok());
  EXPECT_TRUE(Has(Drift("vxlan"), "interface 'r1:vx0' is gone"));
}

TEST_F(IfKindsStatusTest, VlansAreReadBack) {
  ASSERT_NO_FATAL_FAILURE(UpLab(testing::ShippedPlan("topologies/vlans.yaml")));
  EXPECT_EQ(Drift("vlans"), std::vector<std::string>{});
  PortVlans other;
  other.untagged = 20;
  ASSERT_TRUE(b_.SetPortVlans("sw", "p1", other).ok());
  ASSERT_TRUE(b_.DeleteVlan("router", "eth0.10").ok());
  VirtualSpec dummy;
  dummy.kind = IfKind::kDummy;
  ASSERT_TRUE(b_.CreateInterface("router", "eth0.10", dummy).ok());
  const std::vector<std::string> drift = Drift("vlans");
  EXPECT_TRUE(Has(drift, "port 'sw:p1' carries access 20, not access 10"));
  EXPECT_TRUE(Has(drift, "interface 'router:eth0.10' is a dummy, not a vlan"));
}

TEST(IfKindsTest, GraphDrawsTheTunnelOnceAndListsTheKindsInTheirNodes) {
  DiagnosticList diags;
  auto t = testing::ValidateText(ReadShipped("topologies/vxlan.yaml"), &diags);
  ASSERT_TRUE(t);
  const std::string dot = GraphToDot(*t);
  EXPECT_NE(dot.find("\"r1\" -- \"r2\" [style=dashed, label=\"vx0 192.168.100.1/24\\nvx0 "
                     "192.168.100.2/24\\nvxlan vni 100\"];"),
            std::string::npos)
      << dot;
  EXPECT_EQ(dot.find("\"r2\" -- \"r1\""), std::string::npos);
  EXPECT_NE(dot.find("vx0 (vxlan 100) 192.168.100.1/24"), std::string::npos);
  const std::string mermaid = GraphToMermaid(*t);
  EXPECT_NE(mermaid.find("n1 -.-|"), std::string::npos) << mermaid;
}

}  // namespace
}  // namespace topo
