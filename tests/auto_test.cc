// Automatic addressing and `routes: auto` without privileges (derive/): the
// addresses and routes given to small labs written inline, exactly; then
// properties over generated labs (chains, rings, clos, random graphs, with
// switches and both families): addresses are unique, every automatic route's
// gateway is directly connected, and following the next hops from every
// host and router reaches every address of the lab. The big labs (a star of
// 10000 hosts, a clos of hundreds of routers) are computed and their time
// printed, never asserted. The golden plan of topologies/auto-ring.yaml pins
// the assignment of a whole lab.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "derive/addresses.h"
#include "derive/routes.h"
#include "front/validate.h"
#include "plan/plan.h"
#include "testutil.h"

namespace topo {
namespace {

std::string Addresses(const Node& n) {
  std::string out;
  for (const Interface& i : n.interfaces) {
    out += i.name + ":";
    for (size_t k = 0; k < i.addresses.size(); ++k) {
      out += " " + i.addresses[k].ToString() + (i.IsAutoAddress(k) ? "*" : "");
    }
    out += "\n";
  }
  return out;
}

std::string Routes(const Node& n) {
  std::string out;
  for (const Route& r : n.routes) {
    out += r.DestinationString() + (r.family == 6 && r.is_default() ? "6" : "") + " via " +
           (r.via ? r.via->ToString() : "-") + (r.automatic ? "" : " (written)") + "\n";
  }
  return out;
}

Topology Valid(const std::string& yaml) {
  DiagnosticList diags;
  auto t = testing::ValidateText(yaml, &diags);
  EXPECT_TRUE(t.has_value()) << testing::Brief(diags);
  EXPECT_EQ(testing::Brief(diags), "");
  return t ? *t : Topology{};
}

std::string Invalid(const std::string& yaml) {
  DiagnosticList diags;
  auto t = testing::ValidateText(yaml, &diags);
  EXPECT_FALSE(t.has_value());
  return testing::Brief(diags);
}

constexpr char kPools[] =
    "pools:\n"
    "  links: [10.255.0.0/24, \"fd00:255::/64\"]\n"
    "  segments: [10.1.0.0/16, \"fd00:1::/48\"]\n"
    "  loopbacks: [10.0.0.0/24, \"fd00::/120\"]\n";

TEST(AutoAddressTest, LinksSegmentsAndLoopbacksInOrder) {
  Topology t = Valid(std::string("name: lab\n") + kPools +
                     "nodes:\n"
                     "  r1: {kind: router}\n"
                     "  r2: {kind: router}\n"
                     "  sw: {kind: switch}\n"
                     "  h1: {}\n"
                     "  h2: {}\n"
                     "links:\n"
                     "  - [r1:e0, r2:e0]\n"
                     "  - [h1:eth0, sw:p1]\n"
                     "  - [r1:e1, sw:p0]\n"
                     "  - [h2:eth0, r2:e1]\n");
  EXPECT_EQ(Addresses(*t.FindNode("r1")),
            "e0: 10.255.0.0/31* fd00:255::/127*\n"
            "e1: 10.1.0.2/24* fd00:1::2/64*\n"
            "lo: 10.0.0.0/32* fd00::/128*\n");
  EXPECT_EQ(Addresses(*t.FindNode("r2")),
            "e0: 10.255.0.1/31* fd00:255::1/127*\n"
            "e1: 10.255.0.3/31* fd00:255::3/127*\n"
            "lo: 10.0.0.1/32* fd00::1/128*\n");
  EXPECT_EQ(Addresses(*t.FindNode("h1")), "eth0: 10.1.0.1/24* fd00:1::1/64*\n");
  EXPECT_EQ(Addresses(*t.FindNode("h2")), "eth0: 10.255.0.2/31* fd00:255::2/127*\n");
}

TEST(AutoAddressTest, WrittenAddressesWinAndTheirSubnetsAreSkipped) {
  Topology t = Valid(std::string("name: lab\n") + kPools +
                     "nodes:\n"
                     "  r1:\n"
                     "    kind: router\n"
                     "    interfaces:\n"
                     "      e0: [10.255.0.1/30]\n"  // its subnet is taken: pools skip it
                     "      e1: {addresses: [], auto: false}\n"
                     "      lo: [10.0.0.0/32]\n"
                     "  r2: {kind: router}\n"
                     "  h1: {interfaces: {eth0: [\"fd00:9::5/64\"]}}\n"
                     "links:\n"
                     "  - [r1:e0, r2:e0]\n"
                     "  - [r1:e1, r2:e1]\n"
                     "  - [h1:eth0, r2:e2]\n");
  EXPECT_EQ(Addresses(*t.FindNode("r1")),
            "e0: 10.255.0.1/30 fd00:255::/127*\n"
            "e1:\n"
            "lo: 10.0.0.0/32 fd00::/128*\n");
  EXPECT_EQ(Addresses(*t.FindNode("r2")),
            "e0: 10.255.0.2/30* fd00:255::1/127*\n"
            "e1: 10.255.0.5/31* fd00:255::3/127*\n"
            "e2: 10.255.0.7/31* fd00:9::1/64*\n"
            "lo: 10.0.0.1/32* fd00::1/128*\n");
  EXPECT_EQ(Addresses(*t.FindNode("h1")), "eth0: fd00:9::5/64 10.255.0.6/31*\n");
}

TEST(AutoAddressTest, LongFormLengthsAndChecksByNodeName) {
  Topology t = Valid(
      "name: lab\n"
      "pools:\n"
      "  links: {prefix: 10.9.0.0/24, length: 30}\n"
      "  segments: {prefix: \"fd00:7::/48\", length: 120}\n"
      "nodes:\n"
      "  a: {}\n"
      "  b: {}\n"
      "  s1: {kind: switch}\n"
      "  s2: {kind: switch}\n"
      "links:\n"
      "  - [a:x, b:x]\n"
      "  - [a:y, s2:p]\n"
      "  - [s1:q, s2:q]\n"
      "  - [b:y, s1:p]\n"
      "checks:\n"
      "  - {from: a, to: b}\n");
  EXPECT_EQ(Addresses(*t.FindNode("a")), "x: 10.9.0.1/30*\ny: fd00:7::1/120*\n");
  EXPECT_EQ(Addresses(*t.FindNode("b")), "x: 10.9.0.2/30*\ny: fd00:7::2/120*\n");
}

TEST(AutoRoutesTest, ChainOfRoutersWithHosts) {
  Topology t = Valid(std::string("name: lab\n") + kPools +
                     "routes: auto\n"
                     "nodes:\n"
                     "  r1: {kind: router}\n"
                     "  r2: {kind: router}\n"
                     "  r3: {kind: router, routes: [{to: default, via: 10.255.0.2}]}\n"
                     "  h1: {}\n"
                     "links:\n"
                     "  - [r1:e0, r2:e0]\n"
                     "  - [r2:e1, r3:e0]\n"
                     "  - [h1:eth0, r1:e1]\n");
  EXPECT_EQ(Routes(*t.FindNode("h1")),
            "default via 10.255.0.5\n"
            "default6 via fd00:255::5\n");
  // In address order; r2's and r3's loopbacks are not siblings (.1 and .2).
  EXPECT_EQ(Routes(*t.FindNode("r1")),
            "10.0.0.1/32 via 10.255.0.1\n"
            "10.0.0.2/32 via 10.255.0.1\n"
            "10.255.0.2/31 via 10.255.0.1\n"
            "fd00::1/128 via fd00:255::1\n"
            "fd00::2/128 via fd00:255::1\n"
            "fd00:255::2/127 via fd00:255::1\n");
  EXPECT_EQ(Routes(*t.FindNode("r3")), "default via 10.255.0.2 (written)\n");
}

TEST(AutoRoutesTest, TiesGoToTheNeighbourFirstInNodeOrder) {
  // A square: r1 reaches r3's loopback through r2 or r4, at equal cost; r4
  // comes first in node order (not in name order).
  Topology t = Valid(
      "name: lab\n"
      "pools: {links: 10.255.0.0/24, loopbacks: 10.0.0.0/24}\n"
      "routes: auto\n"
      "nodes:\n"
      "  r1: {kind: router}\n"
      "  r4: {kind: router}\n"
      "  r2: {kind: router}\n"
      "  r3: {kind: router}\n"
      "links:\n"
      "  - [r1:a, r4:a]\n"
      "  - [r1:b, r2:a]\n"
      "  - [r2:b, r3:a]\n"
      "  - [r4:b, r3:b]\n");
  // r1:a .0, r4:a .1; r1:b .2, r2:a .3; r2:b .4, r3:a .5; r4:b .6, r3:b .7;
  // lo: r1 10.0.0.0, r4 .1, r2 .2, r3 .3. Destinations in address order;
  // r3 reaches r1's and r4's loopbacks (siblings) via r4: one /31.
  EXPECT_EQ(Routes(*t.FindNode("r1")),
            "10.0.0.1/32 via 10.255.0.1\n"
            "10.0.0.2/32 via 10.255.0.3\n"
            "10.0.0.3/32 via 10.255.0.1\n"
            "10.255.0.4/31 via 10.255.0.3\n"
            "10.255.0.6/31 via 10.255.0.1\n");
  EXPECT_EQ(Routes(*t.FindNode("r3")),
            "10.0.0.0/31 via 10.255.0.6\n"
            "10.0.0.2/32 via 10.255.0.4\n"
            "10.255.0.0/31 via 10.255.0.6\n"
            "10.255.0.2/31 via 10.255.0.4\n");
}

TEST(AutoRoutesTest, AHostsLoopbackIsReachedThroughTheHost) {
  Topology t = Valid(
      "name: lab\n"
      "pools: {links: 10.255.0.0/24}\n"
      "routes: auto\n"
      "nodes:\n"
      "  r1: {kind: router}\n"
      "  r2: {kind: router}\n"
      "  h: {interfaces: {lo: [192.0.2.1/32]}}\n"
      "links:\n"
      "  - [r1:a, r2:a]\n"
      "  - [h:eth0, r2:b]\n");
  EXPECT_EQ(Routes(*t.FindNode("r2")), "192.0.2.1/32 via 10.255.0.2\n");
  EXPECT_EQ(Routes(*t.FindNode("r1")),
            "10.255.0.2/31 via 10.255.0.1\n"
            "192.0.2.1/32 via 10.255.0.1\n");
}

TEST(AutoRoutesTest, FlatLanGetsNoRoute) {
  Topology t = Valid(
      "name: lab\n"
      "pools: {segments: 10.1.0.0/16}\n"
      "routes: auto\n"
      "nodes:\n"
      "  sw: {kind: switch}\n"
      "  a: {}\n"
      "  b: {}\n"
      "links:\n"
      "  - [a:eth0, sw:p0]\n"
      "  - [b:eth0, sw:p1]\n");
  EXPECT_EQ(Routes(*t.FindNode("a")), "");
}

TEST(AutoRoutesTest, DiagnosticsAreLocated) {
  EXPECT_EQ(Invalid("name: lab\n"
                    "pools: {links: 10.255.0.0/24}\n"
                    "routes: auto\n"
                    "nodes:\n"
                    "  r1: {kind: router}\n"
                    "  r2: {kind: router}\n"
                    "  r3: {kind: router}\n"
                    "  r4: {kind: router}\n"
                    "links:\n"
                    "  - [r1:a, r2:a]\n"
                    "  - [r3:a, r4:a]\n"),
            "test.yaml:3:9: error: router 'r1' has no path to 10.255.0.2/31 (of 'r3:a') in IPv4\n"
            "test.yaml:3:9: error: router 'r2' has no path to 10.255.0.2/31 (of 'r3:a') in IPv4\n"
            "test.yaml:3:9: error: router 'r3' has no path to 10.255.0.0/31 (of 'r1:a') in IPv4\n"
            "test.yaml:3:9: error: router 'r4' has no path to 10.255.0.0/31 (of 'r1:a') in IPv4\n");
}

// The shipped lab's plan pins the assignment: addresses and routes, in order.
TEST(AutoRoutesTest, ShippedLabGoldenPlans) {
  Plan p = testing::ShippedPlan("topologies/auto-ring.yaml");
  testing::ExpectGolden("auto-ring.plan.txt", FormatPlanText(p));
  testing::ExpectGolden("auto-ring.up.sh", FormatPlanShell(p, false));
}

// ---------------------------------------------------------------------------
// Generated labs, built as a Topology directly (no YAML), so that big ones
// cost only what derive/ costs.

struct Lab {
  Topology t;
  int links = 0;

  explicit Lab(bool dual) {
    t.name = "gen";
    t.pools.given = true;
    auto entry = [](const char* p, PoolKind k) {
      std::string err;
      PoolEntry e;
      e.prefix = *ParsePrefix(p, &err);
      e.length = DefaultSubnetLength(k, e.prefix.family());
      return e;
    };
    t.pools.links.entries.push_back(entry("10.128.0.0/9", PoolKind::kLinks));
    t.pools.segments.entries.push_back(entry("10.64.0.0/10", PoolKind::kSegments));
    t.pools.loopbacks.entries.push_back(entry("10.0.0.0/16", PoolKind::kLoopbacks));
    if (dual) {
      t.pools.links.entries.push_back(entry("fd00:255::/48", PoolKind::kLinks));
      t.pools.segments.entries.push_back(entry("fd00:1::/48", PoolKind::kSegments));
      t.pools.loopbacks.entries.push_back(entry("fd00::/64", PoolKind::kLoopbacks));
    }
    t.routes_auto = true;
  }
  std::string Add(const std::string& name, NodeKind kind) {
    Node n;
    n.name = name;
    n.kind = kind;
    t.nodes.push_back(n);
    return name;
  }
  void Connect(const std::string& a, const std::string& b) {
    Link l;
    const std::string ifname = "e" + std::to_string(links++);
    l.a = Endpoint{a, ifname, {}};
    l.b = Endpoint{b, ifname, {}};
    t.links.push_back(l);
  }
  // Assigns and computes; returns the diagnostics.
  std::string Derive() {
    DiagnosticList diags;
    AssignAddresses(&t, &diags);
    CheckAutoRoutes(t, &diags);
    if (!diags.has_errors()) ComputeRoutes(&t, &diags);
    return testing::Brief(diags);
  }
};

Lab Chain(int routers, bool dual) {
  Lab lab(dual);
  for (int k = 0; k < routers; ++k) lab.Add("r" + std::to_string(k), NodeKind::kRouter);
  for (int k = 0; k + 1 < routers; ++k) {
    lab.Connect("r" + std::to_string(k), "r" + std::to_string(k + 1));
  }
  for (int k = 0; k < routers; ++k) {
    lab.Connect(lab.Add("h" + std::to_string(k), NodeKind::kHost), "r" + std::to_string(k));
  }
  return lab;
}

Lab Ring(int routers, bool dual) {
  Lab lab = Chain(routers, dual);
  lab.Connect("r" + std::to_string(routers - 1), "r0");
  return lab;
}

Lab Clos(int spines, int leaves, int hosts_per_leaf, bool dual) {
  Lab lab(dual);
  for (int s = 0; s < spines; ++s) lab.Add("s" + std::to_string(s), NodeKind::kRouter);
  for (int l = 0; l < leaves; ++l) {
    const std::string leaf = lab.Add("l" + std::to_string(l), NodeKind::kRouter);
    for (int s = 0; s < spines; ++s) lab.Connect(leaf, "s" + std::to_string(s));
    if (hosts_per_leaf > 1) {
      const std::string sw = lab.Add("sw" + std::to_string(l), NodeKind::kSwitch);
      lab.Connect(leaf, sw);
      for (int h = 0; h < hosts_per_leaf; ++h) {
        lab.Connect(lab.Add("h" + std::to_string(l) + "_" + std::to_string(h), NodeKind::kHost),
                    sw);
      }
    } else if (hosts_per_leaf == 1) {
      lab.Connect(lab.Add("h" + std::to_string(l), NodeKind::kHost), leaf);
    }
  }
  return lab;
}

// A random connected graph of routers (a random tree plus extra links), each
// with a host, or a few hosts on a switch, or none.
Lab Random(unsigned seed, bool dual) {
  std::mt19937 rng(seed);
  Lab lab(dual);
  const int routers = 2 + static_cast<int>(rng() % 12);
  for (int k = 0; k < routers; ++k) lab.Add("r" + std::to_string(k), NodeKind::kRouter);
  for (int k = 1; k < routers; ++k) {
    lab.Connect("r" + std::to_string(rng() % k), "r" + std::to_string(k));
  }
  for (int extra = static_cast<int>(rng() % 4); extra > 0; --extra) {
    const auto a = rng() % routers, b = rng() % routers;
    if (a != b) lab.Connect("r" + std::to_string(a), "r" + std::to_string(b));
  }
  for (int k = 0; k < routers; ++k) {
    const std::string r = "r" + std::to_string(k);
    switch (rng() % 3) {
      case 0:
        lab.Connect(lab.Add("h" + std::to_string(k), NodeKind::kHost), r);
        break;
      case 1: {
        const std::string sw = lab.Add("sw" + std::to_string(k), NodeKind::kSwitch);
        lab.Connect(sw, r);
        for (int h = 0; h < 3; ++h) {
          lab.Connect(lab.Add("h" + std::to_string(k) + "_" + std::to_string(h), NodeKind::kHost),
                      sw);
        }
        break;
      }
      default:
        break;
    }
  }
  return lab;
}

// Forwarding, simulated from the routes: where a packet from `from` to `to`
// ends, or "" when it is delivered.
class Network {
 public:
  explicit Network(const Topology& t) : t_(t) {
    for (const Node& n : t.nodes) {
      for (const Interface& i : n.interfaces) {
        for (const Prefix& p : i.addresses) owner_[p.addr] = &n;
      }
    }
  }

  std::string Send(const Node& from, const IpAddress& to) const {
    const Node* at = &from;
    for (size_t hops = 0; hops <= t_.nodes.size(); ++hops) {
      if (Owns(*at, to)) return "";
      if (at != &from && !at->forwards()) return "a host forwarded (at " + at->name + ")";
      if (Connected(*at, to)) {
        at = owner_.at(to);
        continue;
      }
      const Route* best = nullptr;
      for (const Route& r : at->routes) {
        if (r.family != to.family) continue;
        const int len = r.to ? r.to->length : 0;
        if ((r.to && !r.to->Contains(to)) || (best && (best->to ? best->to->length : 0) >= len)) {
          continue;
        }
        best = &r;
      }
      if (!best) return "no route at " + at->name;
      if (!Connected(*at, *best->via)) return "gateway not connected at " + at->name;
      at = owner_.at(*best->via);
    }
    return "a loop";
  }

  static bool Owns(const Node& n, const IpAddress& a) {
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        if (p.addr == a) return true;
      }
    }
    return false;
  }

  static bool Connected(const Node& n, const IpAddress& a) {
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        if (p.Network().Contains(a) && p.length < p.addr.max_prefix()) return true;
      }
    }
    return false;
  }

 private:
  const Topology& t_;
  std::map<IpAddress, const Node*> owner_;
};

void ExpectProperties(const Lab& lab, const std::string& what) {
  const Topology& t = lab.t;
  std::set<IpAddress> seen;
  std::vector<IpAddress> all;
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (i.addresses.empty() && !n.is_switch())
        ADD_FAILURE() << what << ": no address on " << n.name;
      for (const Prefix& p : i.addresses) {
        EXPECT_TRUE(seen.insert(p.addr).second) << what << ": " << p.ToString() << " twice";
        all.push_back(p.addr);
      }
    }
    for (const Route& r : n.routes) {
      EXPECT_TRUE(r.automatic);
      ASSERT_TRUE(r.via.has_value());
      EXPECT_TRUE(Network::Connected(n, *r.via) && !Network::Owns(n, *r.via))
          << what << ": " << n.name << " " << r.DestinationString() << " via " << r.via->ToString();
    }
  }
  Network net(t);
  for (const Node& n : t.nodes) {
    if (n.is_switch()) continue;
    for (const IpAddress& a : all) {
      if (a.family == 6 &&
          !std::any_of(n.interfaces.begin(), n.interfaces.end(), [](const Interface& i) {
            for (const Prefix& p : i.addresses) {
              if (p.family() == 6) return true;
            }
            return false;
          })) {
        continue;
      }
      const std::string result = net.Send(n, a);
      EXPECT_EQ(result, "") << what << ": " << n.name << " -> " << a.ToString();
      if (!result.empty()) return;
    }
  }
}

TEST(AutoPropertiesTest, ChainsRingsAndClos) {
  for (bool dual : {false, true}) {
    for (int n : {2, 3, 5, 8}) {
      Lab chain = Chain(n, dual);
      EXPECT_EQ(chain.Derive(), "");
      ExpectProperties(chain, "chain " + std::to_string(n));
      Lab ring = Ring(n + 1, dual);
      EXPECT_EQ(ring.Derive(), "");
      ExpectProperties(ring, "ring " + std::to_string(n + 1));
    }
    Lab clos = Clos(2, 4, 1, dual);
    EXPECT_EQ(clos.Derive(), "");
    ExpectProperties(clos, "clos 2x4");
    Lab lans = Clos(3, 3, 3, dual);
    EXPECT_EQ(lans.Derive(), "");
    ExpectProperties(lans, "clos 3x3 with switches");
  }
}

TEST(AutoPropertiesTest, RandomLabs) {
  for (unsigned seed = 1; seed <= 60; ++seed) {
    Lab lab = Random(seed, seed % 2 == 0);
    ASSERT_EQ(lab.Derive(), "") << "seed " << seed;
    ExpectProperties(lab, "random lab, seed " + std::to_string(seed));
  }
}

TEST(AutoPropertiesTest, SameLabSameAddressesAndRoutes) {
  Lab a = Random(7, true), b = Random(7, true);
  a.Derive();
  b.Derive();
  for (size_t k = 0; k < a.t.nodes.size(); ++k) {
    EXPECT_EQ(Addresses(a.t.nodes[k]), Addresses(b.t.nodes[k]));
    EXPECT_EQ(Routes(a.t.nodes[k]), Routes(b.t.nodes[k]));
  }
}

TEST(AutoAggregationTest, ChainRoutesGrowLogarithmically) {
  for (bool dual : {false, true}) {
    Lab chain = Chain(1000, dual);
    ASSERT_EQ(chain.Derive(), "");
    size_t most = 0;
    for (const Node& n : chain.t.nodes) most = std::max(most, n.routes.size());
    // Without aggregation the middle router would have ~2000 per family.
    EXPECT_LE(most, dual ? 120u : 60u) << (dual ? "dual stack" : "IPv4");
    Lab small = Chain(40, dual);
    ASSERT_EQ(small.Derive(), "");
    ExpectProperties(small, "chain 40");
  }
}

TEST(AutoAggregationTest, HalvesAreNotMergedIntoAPrefixThatIsADestinationItself) {
  // r1 reaches 10.0.0.0/25 and 10.0.0.128/25 through ra and 10.0.0.0/24
  // through rb: merging the halves would give a second 10.0.0.0/24.
  Topology t = Valid(
      "name: lab\n"
      "routes: auto\n"
      "nodes:\n"
      "  r1: {kind: router, interfaces: {a: [192.168.0.1/30], b: [192.168.1.1/30]}}\n"
      "  ra: {kind: router, interfaces: {a: [192.168.0.2/30], x: [10.0.0.1/25], y: "
      "[10.0.0.129/25]}}\n"
      "  rb: {kind: router, interfaces: {b: [192.168.1.2/30], z: [10.0.0.10/24]}}\n"
      "  hx: {interfaces: {x: [10.0.0.2/25]}}\n"
      "  hy: {interfaces: {y: [10.0.0.130/25]}}\n"
      "  hz: {interfaces: {z: [10.0.0.11/24]}}\n"
      "links:\n"
      "  - [r1:a, ra:a]\n"
      "  - [r1:b, rb:b]\n"
      "  - [ra:x, hx:x]\n"
      "  - [ra:y, hy:y]\n"
      "  - [rb:z, hz:z]\n");
  EXPECT_EQ(Routes(*t.FindNode("r1")),
            "10.0.0.0/24 via 192.168.1.2\n"
            "10.0.0.0/25 via 192.168.0.2\n"
            "10.0.0.128/25 via 192.168.0.2\n");
  // Nor into one of the router's own subnets (rb is on 10.0.0.0/24).
  EXPECT_EQ(Routes(*t.FindNode("rb")),
            "10.0.0.0/25 via 192.168.1.1\n"
            "10.0.0.128/25 via 192.168.1.1\n"
            "192.168.0.0/30 via 192.168.1.1\n");
}

// Big labs: computed, their time printed (see docs/PERFORMANCE.md), never asserted.
std::string Measure(Lab* lab, const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(lab->Derive(), "") << what;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  size_t routes = 0;
  for (const Node& n : lab->t.nodes) routes += n.routes.size();
  return what + " (" + std::to_string(routes) + " routes): " + std::to_string(seconds) + " s";
}

TEST(AutoScaleTest, StarOf10000HostsAndClosOfHundredsOfRouters) {
  Lab star(true);
  star.Add("hub", NodeKind::kRouter);
  for (int k = 0; k < 10000; ++k) {
    star.Connect(star.Add("h" + std::to_string(k), NodeKind::kHost), "hub");
  }
  std::cout << "[ derive ] " << Measure(&star, "star of 10000 hosts") << "\n";
  EXPECT_EQ(Routes(*star.t.FindNode("h9999")),
            "default via 10.128.78.31\ndefault6 via fd00:255::4e1f\n");
  Lab clos = Clos(16, 200, 2, true);
  std::cout << "[ derive ] " << Measure(&clos, "clos 16x200, 2 hosts a leaf") << "\n";
  Lab chain = Chain(3000, true);
  std::cout << "[ derive ] " << Measure(&chain, "chain of 3000 routers") << "\n";
}

}  // namespace
}  // namespace topo
