// Switches (kind: switch) without privileges: ports implied by links, the
// checks particular to layer 2, the compiled plan (golden files for the
// shipped bridge lab) and apply/rollback against the recording backend.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "front/validate.h"
#include "lab/apply.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ExpectGolden;

const char* kBridgeLab = "topologies/bridge.yaml";

Plan BridgePlan() { return testing::ShippedPlan(kBridgeLab); }

TEST(SwitchTest, BridgeLabGoldenPlans) {
  Plan p = BridgePlan();
  ExpectGolden("bridge.plan.txt", FormatPlanText(p));
  ExpectGolden("bridge.plan.json", PlanToJson(p).dump(2) + "\n");
  ExpectGolden("bridge.up.sh", FormatPlanShell(p, false));
  ExpectGolden("bridge.down.sh", FormatPlanShell(p, true));
}

TEST(SwitchTest, PlanRoundTripsThroughJson) {
  Plan p = BridgePlan();
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
}

TEST(SwitchTest, LinksAloneMakeThePortsAndDeclaredPortsMayStay) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: l2\nnodes:\n"
      "  sw: {kind: switch, stp: true, interfaces: {p0: []}}\n"
      "  a: {interfaces: {eth0: [10.0.0.1/24]}}\n"
      "  b: {interfaces: {eth0: [10.0.0.2/24]}}\n"
      "links:\n  - [a:eth0, sw:p0]\n  - [sw:p1, b:eth0]\n",
      &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_TRUE(diags.items().empty()) << testing::Brief(diags);
  const Node* sw = t->FindNode("sw");
  ASSERT_EQ(sw->interfaces.size(), 2u);
  EXPECT_FALSE(sw->interfaces[0].implied);
  EXPECT_TRUE(sw->interfaces[1].implied);
  EXPECT_EQ(sw->interfaces[1].name, "p1");
  Plan p = Compile(*t);
  std::vector<std::string> lines;
  for (const Action& a : p.actions) {
    if (a.ns == "sw") lines.push_back(Describe(a));
  }
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "create namespace sw", "set link sw:lo up", "create veth sw:p1 <-> b:eth0",
                       "create bridge sw:br0 stp", "set master sw:p0 br0", "set master sw:p1 br0",
                       "set link sw:br0 up", "set link sw:p0 up", "set link sw:p1 up",
                       "write /etc/netns/sw/hosts (5 lines)"}));
  // The veth creations put the port ends in the switch's namespace.
  EXPECT_EQ(Describe(p.actions[6]), "create veth a:eth0 <-> sw:p0");
}

// Before the fix validate accepted any number of ports and `up` failed at the
// 1024th (the kernel numbers a bridge's ports 1 to 1023).
TEST(SwitchTest, MoreThan1023PortsAreRefusedAtValidate) {
  for (int ports : {1023, 1024}) {
    std::string text = "name: big\nnodes:\n  sw: {kind: switch}\n";
    std::string links = "links:\n";
    for (int i = 0; i < ports; ++i) {
      const std::string h = "h" + std::to_string(i);
      text += "  " + h + ": {interfaces: {e: [10." + std::to_string(i / 250) + "." +
              std::to_string(i % 250 + 1) + ".1/8]}}\n";
      links += "  - [" + h + ":e, sw:p" + std::to_string(i) + "]\n";
    }
    DiagnosticList diags;
    auto t = testing::ValidateText(text + links, &diags);
    const std::string brief = testing::Brief(diags);
    if (ports == 1023) {
      EXPECT_TRUE(t) << brief;
    } else {
      EXPECT_FALSE(t);
      EXPECT_NE(brief.find("switch 'sw' has 1024 ports, more than the kernel's limit of 1023"),
                std::string::npos)
          << brief.substr(0, 2000);
    }
  }
}

// Interface names /proc/sys/net/*/conf/ reserves, refused at validate (they
// failed at `up`).
TEST(SwitchTest, InterfaceNamesAllAndDefaultAreRefused) {
  for (const char* name : {"all", "default"}) {
    DiagnosticList diags;
    auto t = testing::ValidateText(
        std::string("name: l\nnodes:\n  a: {interfaces: {") + name + ": [10.0.0.1/24]}}\n", &diags);
    EXPECT_FALSE(t) << name;
    EXPECT_NE(testing::Brief(diags).find("which /proc/sys/net/*/conf/ reserves"), std::string::npos)
        << testing::Brief(diags);
  }
}

TEST(SwitchTest, RouteViaANeighbourAcrossTheSwitchPasses) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: l2\nnodes:\n"
      "  lan: {kind: switch}\n"
      "  a: {interfaces: {eth0: [10.0.0.1/24]}, routes: [{to: default, via: 10.0.0.254}]}\n"
      "  r: {kind: router, interfaces: {eth0: [10.0.0.254/24]}}\n"
      "links:\n  - [a:eth0, lan:p0]\n  - [r:eth0, lan:p1]\n",
      &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_TRUE(diags.items().empty()) << testing::Brief(diags);
}

TEST(SwitchTest, SwitchesLinkedToEachOtherFormOneSegment) {
  DiagnosticList diags;
  testing::ValidateText(
      "name: l2\nnodes:\n"
      "  s1: {kind: switch}\n  s2: {kind: switch}\n"
      "  a: {interfaces: {eth0: [10.0.0.1/24, fe80::1/64]}}\n"
      "  b: {interfaces: {eth0: [10.0.1.2/24, fe80::1/64]}}\n"
      "links:\n  - [a:eth0, s1:p0]\n  - [s1:up, s2:up]\n  - [b:eth0, s2:p0]\n",
      &diags);
  EXPECT_EQ(testing::Brief(diags),
            "test.yaml:6:40: error: address fe80::1 is already assigned to a:eth0\n"
            "test.yaml:10:5: warning: b:eth0 (10.0.1.2/24) and a:eth0 (10.0.0.1/24) are on "
            "switches 's2' and 's1' (one segment) but in different subnets\n");
}

TEST(SwitchTest, ApplyThenTeardownAndRollbackAtEveryAction) {
  Plan p = BridgePlan();
  {
    RecordingBackend b;
    ApplyResult r = Apply(p, b);
    ASSERT_TRUE(r.status.ok()) << r.status.message();
    NamespaceState lan;
    ASSERT_TRUE(b.Inspect("lan", &lan).ok());
    std::vector<std::string> up;
    for (const InterfaceState& i : lan.interfaces) {
      if (i.up) up.push_back(i.name);
    }
    EXPECT_EQ(up, (std::vector<std::string>{"br0", "lo", "p0", "p1", "p2", "p3"}));
    std::vector<bool> done(p.actions.size(), true);
    TeardownReport t = Teardown(p, done, std::nullopt, {}, b);
    EXPECT_TRUE(t.ok());
    // Everything else went with the namespaces, but for their /etc/netns/NS/hosts.
    EXPECT_EQ(t.undone, 2 * p.namespaces.size());
    EXPECT_TRUE(b.Empty());
  }
  testing::ExpectRollbackCleanAtEveryAction(p);
}

TEST(SwitchTest, UndoReleasesThePortAndDeletesTheBridge) {
  RecordingBackend b;
  ASSERT_TRUE(b.CreateNamespace("sw").ok());
  ASSERT_TRUE(b.CreateNamespace("a").ok());
  ASSERT_TRUE(b.CreateVeth("sw", "p0", "a", "eth0").ok());
  Action bridge;
  bridge.kind = ActionKind::kCreateBridge;
  bridge.ns = "sw";
  bridge.ifname = "br0";
  Action master;
  master.kind = ActionKind::kSetMaster;
  master.ns = "sw";
  master.ifname = "p0";
  master.set_master("br0");
  std::string note;
  ASSERT_TRUE(DoAction(b, bridge, &note).ok());
  ASSERT_TRUE(DoAction(b, master, &note).ok());
  EXPECT_TRUE(UndoAction(b, master, "").ok());
  EXPECT_TRUE(UndoAction(b, bridge, "").ok());
  EXPECT_TRUE(UndoAction(b, bridge, "").IsNotFound());
  EXPECT_EQ(b.calls()[5], "set master sw:p0 none");
  EXPECT_EQ(b.calls()[6], "delete bridge sw:br0");
}

}  // namespace
}  // namespace topo
