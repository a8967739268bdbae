// Labs across machines, without privileges (place/, front/rules_machines.cc):
// placement is deterministic, balanced and honours `machine:` and the
// machines' rules; VNIs are deterministic and distinct; the MTU of links
// between machines; and the validation of machines, rules, placement and VNIs.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "front/validate.h"
#include "place/place.h"
#include "plan/compile.h"
#include "testutil.h"

namespace topo {
namespace {

std::string Placement(const Topology& t) {
  std::string out;
  for (const Node& n : t.nodes) {
    out += n.name + "@" + n.placement + "(" + PlacedByName(n.placed_by) + ") ";
  }
  return out;
}

Topology Valid(const std::string& yaml) {
  DiagnosticList diags;
  std::optional<Topology> t = testing::ValidateText(yaml, &diags);
  EXPECT_TRUE(t.has_value()) << testing::Brief(diags);
  EXPECT_EQ(testing::Brief(diags), "");
  return t ? *t : Topology{};
}

std::string Errors(const std::string& yaml) {
  DiagnosticList diags;
  testing::ValidateText(yaml, &diags);
  return testing::Brief(diags);
}

// A chain of `n` routers r1 - r2 - ... - rn, on `machines` machines.
std::string Chain(int n, int machines, const std::string& extra_node = "") {
  std::string yaml = "name: chain\npools: {links: [10.255.0.0/16]}\nmachines:\n";
  for (int m = 1; m <= machines; ++m) {
    yaml += "  m" + std::to_string(m) + ": {address: 10.77.0." + std::to_string(m) + "}\n";
  }
  yaml += "nodes:\n";
  for (int k = 1; k <= n; ++k) yaml += "  r" + std::to_string(k) + ": {kind: router}\n";
  yaml += extra_node;
  yaml += "links:\n";
  for (int k = 1; k < n; ++k) {
    yaml += "  - [r" + std::to_string(k) + ":e" + std::to_string(k + 1) + ", r" +
            std::to_string(k + 1) + ":e" + std::to_string(k) + "]\n";
  }
  return yaml;
}

TEST(PlaceTest, WithoutMachinesNothingIsPlaced) {
  Topology t = Valid(
      "name: one\npools: {links: [10.255.0.0/24]}\nnodes: {a: {}, b: {}}\nlinks: [[a:e, b:e]]\n");
  EXPECT_EQ(Placement(t), "a@() b@() ");
  EXPECT_FALSE(t.links[0].crosses_machines());
}

TEST(PlaceTest, ChainIsCutOncePerMachineBoundary) {
  Topology t = Valid(Chain(6, 2));
  EXPECT_EQ(Placement(t),
            "r1@m1(automatic) r2@m1(automatic) r3@m1(automatic) r4@m2(automatic) "
            "r5@m2(automatic) r6@m2(automatic) ");
  int crossing = 0;
  for (const Link& l : t.links) crossing += l.crosses_machines() ? 1 : 0;
  EXPECT_EQ(crossing, 1);
}

TEST(PlaceTest, IsDeterministicAndBalanced) {
  for (int machines = 2; machines <= 4; ++machines) {
    const std::string yaml = Chain(11, machines);
    Topology a = Valid(yaml), b = Valid(yaml);
    EXPECT_EQ(Placement(a), Placement(b));
    std::map<std::string, int> count;
    for (const Node& n : a.nodes) ++count[n.placement];
    const int most = (11 + machines - 1) / machines;
    EXPECT_EQ(count.size(), static_cast<size_t>(machines)) << Placement(a);
    for (const auto& [m, c] : count) EXPECT_LE(c, most) << m << ": " << Placement(a);
  }
}

TEST(PlaceTest, MachineWinsOverRulesAndRulesOverAutomatic) {
  Topology t = Valid(R"(name: lab
pools: {links: [10.255.0.0/24]}
machines:
  m1: {address: 10.77.0.1, nodes: ["h*"]}
  m2: {address: 10.77.0.2}
nodes:
  h1: {machine: m2}
  h2: {}
  r1: {kind: router}
  r2: {kind: router}
links:
  - [h1:e, r1:a]
  - [h2:e, r2:a]
  - [r1:b, r2:b]
)");
  EXPECT_EQ(Placement(t), "h1@m2(machine) h2@m1(rule) r1@m2(automatic) r2@m1(automatic) ");
}

TEST(PlaceTest, AutomaticPlacementFollowsExplicitNeighbours) {
  // r3 is linked to r4 only, which is on m2: it joins it there.
  const std::string yaml = R"(name: lab
pools: {links: [10.255.0.0/24]}
machines:
  m1: {address: 10.77.0.1}
  m2: {address: 10.77.0.2, nodes: [r4]}
nodes: {r1: {}, r2: {}, r3: {}, r4: {}}
links:
  - [r1:a, r2:a]
  - [r3:a, r4:a]
)";
  Topology t = Valid(yaml);
  EXPECT_EQ(Placement(t), "r1@m1(automatic) r2@m1(automatic) r3@m2(automatic) r4@m2(rule) ");
}

TEST(PlaceTest, VnisAreDeterministicDistinctAndWrittenOnesKept) {
  std::string yaml = Chain(8, 4);
  yaml += "  - endpoints: [r1:x, r8:x]\n    vni: 5001\n";
  Topology t = Valid(yaml);
  std::set<int> vnis;
  int crossing = 0;
  for (const Link& l : t.links) {
    if (!l.crosses_machines()) continue;
    ++crossing;
    EXPECT_GE(l.vni, kMinVni);
    EXPECT_LE(l.vni, kMaxVni);
    vnis.insert(l.vni);
  }
  EXPECT_EQ(crossing, 4);
  EXPECT_EQ(vnis.size(), 4u);
  EXPECT_EQ(t.links.back().vni, 5001);
  EXPECT_EQ(t.links[1].vni, DerivedVni("chain", t.links[1]));
  Topology again = Valid(yaml);
  for (size_t k = 0; k < t.links.size(); ++k) EXPECT_EQ(t.links[k].vni, again.links[k].vni);
}

TEST(PlaceTest, DerivedVniCollisionsAreResolvedInLinkOrder) {
  std::string yaml = Chain(4, 2);
  Topology first = Valid(yaml);
  const Link& cut = first.links[1];  // r2 - r3
  ASSERT_TRUE(cut.crosses_machines());
  // Another link written with the VNI the cut would derive: the cut takes the next.
  yaml += "  - endpoints: [r1:x, r4:x]\n    vni: " + std::to_string(cut.vni) + "\n";
  Topology t = Valid(yaml);
  EXPECT_EQ(t.links.back().vni, cut.vni);
  EXPECT_EQ(t.links[1].vni, cut.vni % kMaxVni + 1);
}

TEST(PlaceTest, DerivedVniDependsOnLabAndLink) {
  Link a, b;
  a.a = {"r1", "e1", {}};
  a.b = {"r2", "e1", {}};
  b.a = {"r1", "e2", {}};
  b.b = {"r2", "e1", {}};
  EXPECT_NE(DerivedVni("lab", a), DerivedVni("lab", b));
  EXPECT_NE(DerivedVni("lab", a), DerivedVni("x-lab", a));
  EXPECT_EQ(DerivedVni("lab", a), DerivedVni("lab", a));
}

TEST(PlaceTest, InnerMtuLeavesRoomForTheEncapsulation) {
  Topology t = Valid(Chain(2, 2));
  EXPECT_EQ(t.nodes[0].FindInterface("e2")->mtu, 1450);
  EXPECT_EQ(t.nodes[1].FindInterface("e1")->mtu, 1450);
  Machine a, b;
  a.address = ParseIp("fd00::1");
  b.mtu = 9000;
  EXPECT_EQ(InnerMtu(a, b), 1430);
  a.mtu = 9000;
  EXPECT_EQ(InnerMtu(a, b), 8930);
}

TEST(PlaceTest, RulesAreGlobs) {
  EXPECT_TRUE(RuleMatches("h1*", "h10"));
  EXPECT_TRUE(RuleMatches("r[12]", "r2"));
  EXPECT_FALSE(RuleMatches("r[12]", "r3"));
  EXPECT_TRUE(RuleMatches("r1", "r1"));
  EXPECT_FALSE(RuleMatches("r1", "r10"));
}

TEST(MachinesRulesTest, UnknownMachine) {
  EXPECT_EQ(Errors(Chain(2, 2, "  h: {machine: m3}\n")),
            "test.yaml:9:16: error: node 'h' is placed on unknown machine 'm3'\n");
}

TEST(MachinesRulesTest, MachineWithoutAddress) {
  EXPECT_EQ(Errors("name: l\nmachines: {m1: {address: 10.0.0.1}, m2: {}}\nnodes: {a: {}}\n"),
            "test.yaml:2:37: error: machine 'm2' has no address\n");
}

TEST(MachinesRulesTest, TwoRulesClaimANode) {
  EXPECT_EQ(Errors("name: l\nmachines:\n  m1: {address: 10.0.0.1, nodes: ['a*']}\n"
                   "  m2: {address: 10.0.0.2, nodes: [b, a1]}\nnodes: {a1: {}, b: {}}\n"),
            "test.yaml:4:38: error: node 'a1' is claimed by the rules of machines 'm1' ('a*') "
            "and 'm2' ('a1')\n");
}

TEST(MachinesRulesTest, MtuTooSmallForTheEncapsulation) {
  const std::string errors = Errors(Chain(2, 2) + "  - endpoints: [r1:x, r2:x]\n    mtu: 1500\n");
  EXPECT_NE(errors.find("error: mtu 1500 of link r1:x - r2:x is larger than 1450"),
            std::string::npos)
      << errors;
}

TEST(MachinesRulesTest, RootNodeMustBePlaced) {
  const std::string errors = Errors(Chain(2, 2, "  host: {kind: root}\n"));
  EXPECT_NE(errors.find("error: root node 'host' is on no machine"), std::string::npos) << errors;
}

TEST(MachinesRulesTest, OneRootPerMachine) {
  const std::string errors =
      Errors(Chain(2, 2, "  h1: {kind: root, machine: m1}\n  h2: {kind: root, machine: m2}\n"));
  EXPECT_EQ(errors, "");
}

// The parts of the shipped example: each machine's plan, in every form, and
// what sets them apart: only its nodes, veths within it, VXLAN ends for the
// links to the other machine.
Topology Shipped() {
  const std::string path = "topologies/multi-machine.yaml";
  Document doc;
  DiagnosticList diags(path);
  std::optional<Topology> t = LoadAndValidate(testing::SourcePath(path), {}, &doc, &diags);
  EXPECT_TRUE(t) << FormatDiagnostics(diags, doc.text);
  EXPECT_TRUE(diags.empty()) << FormatDiagnostics(diags, doc.text);
  return t ? *t : Topology{};
}

TEST(MachinePlanTest, ShippedExampleGoldenParts) {
  const Topology t = Shipped();
  ASSERT_EQ(t.machines.size(), 2u);
  for (const Machine& m : t.machines) {
    const Plan plan = CompileMachine(t, m.name, "topologies/multi-machine.yaml");
    EXPECT_EQ(plan.lab, "multi-machine@" + m.name);
    testing::ExpectGoldenPlans("multi-machine." + m.name, plan);
  }
}

TEST(MachinePlanTest, PartsHoldTheirNodesAndOneEndOfEachLinkBetweenThem) {
  const Topology t = Shipped();
  const Plan m1 = CompileMachine(t, "m1"), m2 = CompileMachine(t, "m2");
  EXPECT_EQ(m1.namespaces, (std::vector<std::string>{"r1", "r2", "h1"}));
  EXPECT_EQ(m2.namespaces, (std::vector<std::string>{"r3", "r4", "h3"}));
  for (const Plan* p : {&m1, &m2}) {
    int veths = 0, vxlans = 0;
    for (const Action& a : p->actions) {
      veths += a.kind == ActionKind::kCreateVeth ? 1 : 0;
      if (a.kind != ActionKind::kCreateInterface) continue;
      ++vxlans;
      EXPECT_TRUE(a.virt.socket_here);
      EXPECT_EQ(a.virt.port, 4789);
      EXPECT_NE(a.virt.local, a.virt.remote);
    }
    EXPECT_EQ(veths, 2) << p->lab;
    EXPECT_EQ(vxlans, 2) << p->lab;
  }
  // The two ends of a link have one VNI, each the other's remote.
  for (const Link& l : t.links) {
    if (!l.crosses_machines()) continue;
    int ends = 0;
    for (const Plan* p : {&m1, &m2}) {
      for (const Action& a : p->actions) {
        ends += a.kind == ActionKind::kCreateInterface && a.virt.vni == l.vni ? 1 : 0;
      }
    }
    EXPECT_EQ(ends, 2) << l.a.ToString();
  }
}

}  // namespace
}  // namespace topo
