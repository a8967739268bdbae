// VLANs without privileges: 802.1Q sub-interfaces (`eth0.10`) and switch ports
// with `access` / `trunk` / `native`: how they are read, validated and
// compiled (golden plans of the shipped lab topologies/vlans.yaml), the plan's
// JSON round trip, and apply / rollback against the recording backend.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "front/validate.h"
#include "lab/actions.h"
#include "lab/apply.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ExpectGolden;

Plan VlanPlan() { return testing::ShippedPlan("topologies/vlans.yaml"); }

TEST(VlanTest, ShippedLabGoldenPlans) {
  Plan p = VlanPlan();
  ExpectGolden("vlans.plan.txt", FormatPlanText(p));
  ExpectGolden("vlans.plan.json", PlanToJson(p).dump(2) + "\n");
  ExpectGolden("vlans.up.sh", FormatPlanShell(p, false));
  ExpectGolden("vlans.down.sh", FormatPlanShell(p, true));
}

TEST(VlanTest, PlanRoundTripsThroughJson) {
  Plan p = VlanPlan();
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
  bool vlan = false, ports = false, filtering = false;
  for (const Action& a : back.actions) {
    vlan = vlan || (a.kind == ActionKind::kCreateVlan && a.parent() == "eth0" && a.vlan() == 10);
    ports = ports || (a.kind == ActionKind::kSetPortVlans && a.port_vlans().tagged.size() == 2);
    filtering = filtering || (a.kind == ActionKind::kCreateBridge && a.vlan_filtering());
  }
  EXPECT_TRUE(vlan && ports && filtering);
}

TEST(VlanTest, SubInterfacesAndPortsAreBuilt) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: v\nnodes:\n"
      "  sw: {kind: switch, interfaces: {p0: {trunk: [10, 20], native: 30}, p1: {access: 10}}}\n"
      "  r: {kind: router, interfaces: {eth0: [], eth0.10: [10.0.10.1/24], eth0.30: "
      "[10.0.30.1/24]}}\n"
      "  a: {interfaces: {eth0: [10.0.10.2/24]}}\n"
      "links:\n  - [r:eth0, sw:p0]\n  - [a:eth0, sw:p1]\n",
      &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_TRUE(diags.items().empty()) << testing::Brief(diags);
  const Interface* sub = t->FindNode("r")->FindInterface("eth0.10");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->parent, "eth0");
  EXPECT_EQ(sub->vlan, 10);
  EXPECT_FALSE(t->FindNode("r")->FindInterface("eth0")->is_vlan());
  const Node* sw = t->FindNode("sw");
  EXPECT_TRUE(sw->vlan_filtering());
  EXPECT_EQ(sw->FindInterface("p0")->port_vlans.ToString(), "trunk 10,20 native 30");
  EXPECT_EQ(sw->FindInterface("p1")->port_vlans.ToString(), "access 10");
}

TEST(VlanTest, ALinkEndNamedLikeASubInterfaceStaysAVeth) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: v\nnodes:\n  a: {interfaces: {e.1: [10.0.0.1/24]}}\n"
      "  b: {interfaces: {e.2: [10.0.0.2/24]}}\nlinks:\n  - [a:e.1, b:e.2]\n",
      &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_FALSE(t->FindNode("a")->FindInterface("e.1")->is_vlan());
}

TEST(VlanTest, AnEmptyTrunkIsRefused) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: v\nnodes:\n  sw: {kind: switch, interfaces: {p0: {trunk: []}}}\n"
      "  a: {interfaces: {eth0: [10.0.0.1/24]}}\nlinks:\n  - [a:eth0, sw:p0]\n",
      &diags, "test.yaml");
  EXPECT_FALSE(t);
  EXPECT_EQ(testing::Brief(diags), "test.yaml:3:47: error: empty trunk on 'sw:p0'\n");
}

TEST(VlanTest, ApplyThenTeardownAndRollbackAtEveryAction) {
  Plan p = VlanPlan();
  {
    RecordingBackend b;
    ApplyResult r = Apply(p, b);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    NamespaceState router;
    ASSERT_TRUE(b.Inspect("router", &router).ok());
    std::vector<std::string> names;
    for (const InterfaceState& i : router.interfaces) names.push_back(i.name);
    EXPECT_EQ(names, (std::vector<std::string>{"eth0", "eth0.10", "eth0.20", "lo"}));
    TeardownReport t = Teardown(p, std::vector<bool>(p.actions.size(), true), std::nullopt, {}, b);
    EXPECT_TRUE(t.ok());
    EXPECT_TRUE(b.Empty());
  }
  testing::ExpectRollbackCleanAtEveryAction(p);
}

TEST(VlanTest, UndoDeletesTheSubInterfaceAndClearsThePort) {
  RecordingBackend b;
  ASSERT_TRUE(b.CreateNamespace("sw").ok());
  ASSERT_TRUE(b.CreateNamespace("r").ok());
  ASSERT_TRUE(b.CreateVeth("sw", "p0", "r", "eth0").ok());
  ASSERT_TRUE(b.CreateBridge("sw", "br0", false, true).ok());
  ASSERT_TRUE(b.SetMaster("sw", "p0", "br0").ok());
  Action vlan;
  vlan.kind = ActionKind::kCreateVlan;
  vlan.ns = "r";
  vlan.ifname = "eth0.10";
  vlan.set_vlan("eth0", 10);
  Action port;
  port.kind = ActionKind::kSetPortVlans;
  port.ns = "sw";
  port.ifname = "p0";
  port.mutable_port_vlans().tagged = {10};
  std::string note;
  ASSERT_TRUE(DoAction(b, vlan, &note).ok());
  EXPECT_TRUE(DoAction(b, vlan, &note).IsAlreadyExists());
  ASSERT_TRUE(DoAction(b, port, &note).ok());
  EXPECT_TRUE(UndoAction(b, port, "").ok());
  EXPECT_TRUE(UndoAction(b, port, "").IsNotFound());
  EXPECT_TRUE(UndoAction(b, vlan, "").ok());
  EXPECT_TRUE(UndoAction(b, vlan, "").IsNotFound());
  EXPECT_EQ(ActionToShell(vlan),
            (std::vector<std::string>{"ip -n r link add link eth0 name eth0.10 type vlan id 10"}));
  EXPECT_EQ(ActionToShell(port), (std::vector<std::string>{"bridge -n sw vlan del dev p0 vid 1",
                                                           "bridge -n sw vlan add dev p0 vid 10"}));
}

TEST(VlanTest, PortVlansNeedAFilteringBridge) {
  RecordingBackend b;
  ASSERT_TRUE(b.CreateNamespace("sw").ok());
  ASSERT_TRUE(b.CreateNamespace("a").ok());
  ASSERT_TRUE(b.CreateVeth("sw", "p0", "a", "eth0").ok());
  ASSERT_TRUE(b.CreateBridge("sw", "br0", false, false).ok());
  ASSERT_TRUE(b.SetMaster("sw", "p0", "br0").ok());
  PortVlans v;
  v.untagged = 10;
  EXPECT_FALSE(b.SetPortVlans("sw", "p0", v).ok());
}

}  // namespace
}  // namespace topo
