// Compile and the plan formats: the golden plan of the seed lab in all three
// formats, JSON round trips, and ordering properties on generated topologies.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "front/validate.h"
#include "kernel/iptables.h"
#include "plan/compile.h"
#include "plan/plan.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ExpectGolden;

const char* kSeed = "topologies/server-router-client.yaml";

Plan SeedPlan() { return testing::ShippedPlan(kSeed); }

TEST(PlanTest, SeedGoldenText) {
  ExpectGolden("server-router-client.plan.txt", FormatPlanText(SeedPlan()));
}

TEST(PlanTest, SeedGoldenJson) {
  ExpectGolden("server-router-client.plan.json", PlanToJson(SeedPlan()).dump(2) + "\n");
}

TEST(PlanTest, SeedGoldenShell) {
  ExpectGolden("server-router-client.up.sh", FormatPlanShell(SeedPlan(), false));
  ExpectGolden("server-router-client.down.sh", FormatPlanShell(SeedPlan(), true));
}

TEST(PlanTest, SnatWithoutSourceTranslatesEverySource) {
  DiagnosticList diags;
  std::optional<Topology> t = testing::ValidateText(R"(name: nat
nodes:
  r:
    kind: router
    interfaces:
      a: [10.0.1.1/24, "2001:db8:1::1/64"]
      b: [10.0.2.1/24, "2001:db8:2::1/64"]
    snat:
      - {out: b}
      - {out: b, to: "2001:db8:2::1"}
  h:
    interfaces:
      a: [10.0.1.2/24, "2001:db8:1::2/64"]
  g:
    interfaces:
      b: [10.0.2.2/24, "2001:db8:2::2/64"]
links:
  - [h:a, r:a]
  - [g:b, r:b]
)",
                                                    &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_EQ(testing::Brief(diags), "");
  ASSERT_EQ(t->nodes[0].snat.size(), 2u);
  EXPECT_EQ(t->nodes[0].snat[0].source.ToString(), "0.0.0.0/0");
  EXPECT_EQ(t->nodes[0].snat[1].source.ToString(), "::/0");
  std::vector<std::string> inputs;
  for (const Action& a : Compile(*t).actions) {
    if (a.kind != ActionKind::kAddSnat) continue;
    std::string input;
    EXPECT_TRUE(SnatRestoreInput(a.snat, false, &input).ok());
    inputs.push_back(input);
  }
  EXPECT_EQ(inputs, (std::vector<std::string>{
                        "*nat\n-A POSTROUTING -o b -m comment --comment topo:nat -j MASQUERADE\n"
                        "COMMIT\n",
                        "*nat\n-A POSTROUTING -o b -m comment --comment topo:nat -j SNAT "
                        "--to-source 2001:db8:2::1\nCOMMIT\n"}));
}

TEST(PlanTest, SameFileGivesByteIdenticalPlans) {
  EXPECT_EQ(PlanToJson(SeedPlan()).dump(), PlanToJson(SeedPlan()).dump());
}

TEST(PlanTest, JsonRoundTrip) {
  Plan p = SeedPlan();
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
}

TEST(PlanTest, PrefixNamesNamespaces) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: two\nprefix: t1-\nnodes:\n  a: {interfaces: {e: [10.0.0.1/24]}}\n"
      "  b: {interfaces: {e: [10.0.0.2/24]}}\nlinks:\n  - [a:e, b:e]\n",
      &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  Plan p = Compile(*t);
  EXPECT_EQ(p.lab, "t1-two");
  EXPECT_EQ(p.namespaces, (std::vector<std::string>{"t1-a", "t1-b"}));
  EXPECT_EQ(Describe(p.actions[4]), "create veth t1-a:e <-> t1-b:e");
}

// A lab that uses IPv6 turns off duplicate address detection in the
// namespace of each host and router before any veth exists, so link-local
// addresses are usable at once; switches and IPv4-only labs are left alone.
TEST(PlanTest, Ipv6LabsTurnOffDadBeforeTheVethsExist) {
  const std::string nodes =
      "  sw: {kind: switch}\n"
      "  r: {kind: router, interfaces: {e: [ADDR_R]}}\n"
      "  h: {interfaces: {e: [ADDR_H]}}\n"
      "links:\n  - [r:e, sw:p0]\n  - [h:e, sw:p1]\n";
  auto plan_of = [&](const std::string& r, const std::string& h) {
    std::string y = "name: dad\nnodes:\n" + nodes;
    y.replace(y.find("ADDR_R"), 6, r);
    y.replace(y.find("ADDR_H"), 6, h);
    DiagnosticList diags;
    auto t = testing::ValidateText(y, &diags);
    EXPECT_TRUE(t) << testing::Brief(diags);
    return t ? Compile(*t) : Plan{};
  };
  Plan v6 = plan_of("\"2001:db8::1/64\", 10.0.0.1/24", "10.0.0.2/24");
  std::vector<std::string> head;
  for (size_t i = 0; i < v6.actions.size() && v6.actions[i].kind != ActionKind::kCreateVeth; ++i) {
    head.push_back(Describe(v6.actions[i]));
  }
  EXPECT_EQ(head, (std::vector<std::string>{"create namespace sw", "create namespace r",
                                            "create namespace h", "set link sw:lo up",
                                            "set link r:lo up", "set link h:lo up",
                                            "set sysctl r net.ipv6.conf.default.accept_dad=0",
                                            "set sysctl h net.ipv6.conf.default.accept_dad=0"}));
  Plan v4 = plan_of("10.0.0.1/24", "10.0.0.2/24");
  for (const Action& a : v4.actions) EXPECT_NE(a.key, "net.ipv6.conf.default.accept_dad");
}

// A chain of routers with hosts at both ends, IPv4 and IPv6, MTUs and SNAT:
// used to check ordering properties on something bigger than the seed.
std::string ChainYaml(int n) {
  std::string y = "name: chain\nnodes:\n";
  auto v4 = [](int seg, int host) {
    return "10." + std::to_string(seg / 250) + "." + std::to_string(seg % 250) + "." +
           std::to_string(host);
  };
  auto v6 = [](int seg, int host) {
    return "fd00:" + std::to_string(seg) + "::" + std::to_string(host);
  };
  for (int i = 0; i <= n + 1; ++i) {
    bool host = i == 0 || i == n + 1;
    y += "  n" + std::to_string(i) + ":\n    kind: " + (host ? "host" : "router") +
         "\n    interfaces:\n";
    if (i > 0) {
      y += "      left: [" + v4(i - 1, 2) + "/24, \"" + v6(i - 1, 2) + "/64\"]\n";
    }
    if (i <= n) y += "      right: [" + v4(i, 1) + "/24, \"" + v6(i, 1) + "/64\"]\n";
    y += "    routes:\n";
    if (i == 0) {
      y += "      - {to: default, via: " + v4(0, 2) + "}\n";
      y += "      - {to: default, via: \"" + v6(0, 2) + "\"}\n";
    } else if (i == n + 1) {
      y += "      - {to: default, via: " + v4(n, 1) + "}\n";
    } else {
      y += "      - {to: default, via: " + v4(i, 2) + "}\n";
      y += "    snat:\n      - {source: 10.0.0.0/8, out: right}\n";
    }
  }
  y += "links:\n";
  for (int i = 0; i <= n; ++i) {
    y += "  - {endpoints: [n" + std::to_string(i) + ":right, n" + std::to_string(i + 1) +
         ":left], mtu: " + std::to_string(1400 + i) + "}\n";
  }
  return y;
}

TEST(PlanTest, EveryActionComesAfterWhatItNeeds) {
  for (int n : {1, 3, 12}) {
    DiagnosticList diags;
    auto t = testing::ValidateText(ChainYaml(n), &diags);
    ASSERT_TRUE(t) << testing::Brief(diags);
    Plan p = Compile(*t);
    std::set<std::string> namespaces, links, up;
    std::map<std::string, std::set<std::string>> addresses;  // ns -> families with addresses
    bool forwarding_seen = false;
    for (const Action& a : p.actions) {
      std::string where = a.ns + ":" + a.ifname;
      switch (a.kind) {
        case ActionKind::kCreateNamespace:
          EXPECT_TRUE(namespaces.insert(a.ns).second);
          break;
        case ActionKind::kCreateVeth:
          EXPECT_TRUE(namespaces.count(a.ns) && namespaces.count(a.peer_ns)) << Describe(a);
          links.insert(where);
          links.insert(a.peer_ns + ":" + a.peer_ifname);
          break;
        case ActionKind::kSetLinkUp:
          if (a.ifname == "lo") {
            EXPECT_TRUE(namespaces.count(a.ns));
          } else {
            EXPECT_TRUE(links.count(where)) << Describe(a);
          }
          up.insert(where);
          break;
        case ActionKind::kSetMtu:
        case ActionKind::kSetMac:
        case ActionKind::kAddAddress:
          EXPECT_TRUE(links.count(where) || a.ifname == "lo") << Describe(a);
          if (a.kind == ActionKind::kAddAddress)
            addresses[a.ns].insert(std::to_string(a.address.family()));
          break;
        case ActionKind::kSetSysctl:
          EXPECT_TRUE(namespaces.count(a.ns));
          if (a.key == "net.ipv4.ip_forward") forwarding_seen = true;
          break;
        case ActionKind::kAddRoute:
          EXPECT_TRUE(addresses[a.ns].count(std::to_string(a.route.family))) << Describe(a);
          break;
        case ActionKind::kAddSnat:
          EXPECT_TRUE(forwarding_seen) << Describe(a);
          break;
      }
    }
    // Routes come after every link is up.
    size_t last_up = 0, first_route = p.actions.size();
    for (size_t i = 0; i < p.actions.size(); ++i) {
      if (p.actions[i].kind == ActionKind::kSetLinkUp) last_up = i;
      if (p.actions[i].kind == ActionKind::kAddRoute) first_route = std::min(first_route, i);
    }
    EXPECT_LT(last_up, first_route);
  }
}

TEST(PlanTest, TeardownScriptIsTheExactReverse) {
  Plan p = SeedPlan();
  std::string down = FormatPlanShell(p, true);
  size_t pos = 0;
  for (size_t i = p.actions.size(); i-- > 0;) {
    size_t at = down.find("# " + DescribeInverse(p.actions[i]) + "\n", pos);
    ASSERT_NE(at, std::string::npos) << DescribeInverse(p.actions[i]);
    pos = at + 1;
  }
}

}  // namespace
}  // namespace topo
