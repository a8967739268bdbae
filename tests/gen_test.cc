// `topo gen` without privileges: each shape's nodes, links and checks (read
// back from the YAML text with yaml-cpp), determinism, the options, the
// sizes each shape refuses, and every shape at N = 12 validating without a
// single diagnostic in each family, every check resolved to an address.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "checks/checks.h"
#include "front/load.h"
#include "front/validate.h"
#include "gen/gen.h"

namespace topo {
namespace {

using gen::CheckSet;
using gen::Families;
using gen::Shape;

struct Counts {
  size_t hosts = 0, routers = 0, switches = 0, links = 0, checks = 0;
};

gen::GeneratedLab Gen(Shape shape, int n, gen::Options o = {}) {
  o.shape = shape;
  o.n = n;
  gen::GeneratedLab lab;
  Status s = gen::Generate(o, &lab);
  EXPECT_TRUE(s.ok()) << s.message();
  return lab;
}

// Counts from the text itself, and checks what every generated lab promises: every link end
// names a declared node, each interface is used once, no check twice.
Counts Count(const gen::GeneratedLab& lab) {
  YAML::Node root = YAML::Load(lab.yaml);
  Counts c;
  std::set<std::string> nodes;
  for (const auto& kv : root["nodes"]) {
    nodes.insert(kv.first.as<std::string>());
    const std::string kind = kv.second["kind"].as<std::string>();
    (kind == "host" ? c.hosts : kind == "router" ? c.routers : c.switches)++;
  }
  std::set<std::string> ends;
  for (const auto& link : root["links"]) {
    for (const auto& end : link) {
      const std::string e = end.as<std::string>();
      EXPECT_TRUE(nodes.count(e.substr(0, e.find(':')))) << e;
      EXPECT_LE(e.size() - e.find(':') - 1, 15u) << e;
      EXPECT_TRUE(ends.insert(e).second) << e << " is used twice";
    }
    ++c.links;
  }
  std::set<std::pair<std::string, std::string>> pairs;
  for (const auto& check : root["checks"]) {
    auto pair = std::pair(check["from"].as<std::string>(), check["to"].as<std::string>());
    if (check["family"]) pair.second += " family " + check["family"].as<std::string>();
    EXPECT_TRUE(nodes.count(pair.first) && nodes.count(check["to"].as<std::string>()));
    EXPECT_NE(pair.first, pair.second);
    EXPECT_TRUE(pairs.insert(pair).second) << pair.first << " -> " << pair.second;
    ++c.checks;
  }
  EXPECT_EQ(lab.nodes, nodes.size());
  EXPECT_EQ(lab.links, c.links);
  EXPECT_EQ(lab.checks, c.checks);
  EXPECT_EQ(root["pools"].IsMap(), true);
  EXPECT_EQ(root["routes"].IsDefined(), c.routers > 0);
  if (c.routers > 0) EXPECT_EQ(root["routes"].as<std::string>(), "auto");
  return c;
}

TEST(GenTest, StarIsARouterWithAHostOnEachLink) {
  Counts c = Count(Gen(Shape::kStar, 12));
  EXPECT_EQ(c.routers, 1u);
  EXPECT_EQ(c.hosts, 12u);
  EXPECT_EQ(c.links, 12u);
  EXPECT_EQ(c.checks, 2u * 11);  // every host to h1 and to h12, but not to itself
  EXPECT_NE(Gen(Shape::kStar, 2).yaml.find("  - [r:h1, h1:eth0]\n"), std::string::npos);
}

TEST(GenTest, ChainIsTwoHostsAtTheEndsOfNRouters) {
  gen::GeneratedLab lab = Gen(Shape::kChain, 12);
  Counts c = Count(lab);
  EXPECT_EQ(c.routers, 12u);
  EXPECT_EQ(c.hosts, 2u);
  EXPECT_EQ(c.links, 13u);
  EXPECT_EQ(c.checks, 2u);  // a -> b, b -> a
  EXPECT_NE(lab.yaml.find("  - [a:eth0, r1:a]\n"), std::string::npos);
  EXPECT_NE(lab.yaml.find("  - [r12:b, b:eth0]\n"), std::string::npos);
  EXPECT_TRUE(lab.notes.empty());
  EXPECT_EQ(Count(Gen(Shape::kChain, 1)).links, 2u);
}

TEST(GenTest, RingHasAHostOnEachRouter) {
  Counts c = Count(Gen(Shape::kRing, 12));
  EXPECT_EQ(c.routers, 12u);
  EXPECT_EQ(c.hosts, 12u);
  EXPECT_EQ(c.links, 24u);
  EXPECT_NE(Gen(Shape::kRing, 3).yaml.find("  - [r3:r1, r1:r3]\n"), std::string::npos);
}

TEST(GenTest, TreeIsOneSegmentOfSwitches) {
  gen::GeneratedLab lab = Gen(Shape::kTree, 12);
  Counts c = Count(lab);
  EXPECT_EQ(c.switches, 1u + 4);  // s0 and ceil(sqrt 12) leaves
  EXPECT_EQ(c.hosts, 12u);
  EXPECT_EQ(c.routers, 0u);
  EXPECT_EQ(c.links, 4u + 12);
  YAML::Node pools = YAML::Load(lab.yaml)["pools"];
  EXPECT_FALSE(pools["links"].IsDefined());
  EXPECT_EQ(pools["segments"][0].as<std::string>(), "10.128.0.0/10");
  // A segment of more than 254 hosts takes a subnet large enough for all of them.
  pools = YAML::Load(Gen(Shape::kTree, 1000).yaml)["pools"];
  EXPECT_EQ(pools["segments"][0]["length"].as<int>(), 22);
}

TEST(GenTest, MeshLinksEveryPairOfRouters) {
  Counts c = Count(Gen(Shape::kMesh, 12));
  EXPECT_EQ(c.routers, 12u);
  EXPECT_EQ(c.hosts, 12u);
  EXPECT_EQ(c.links, 12u * 11 / 2 + 12);
}

TEST(GenTest, ClosLinksEveryLeafToEverySpine) {
  Counts c = Count(Gen(Shape::kClos, 12));
  EXPECT_EQ(c.routers, 12u + 2);
  EXPECT_EQ(c.hosts, 12u);
  EXPECT_EQ(c.links, 12u * 2 + 12);
  gen::Options o;
  o.spines = 4;
  o.hosts_per_leaf = 3;
  c = Count(Gen(Shape::kClos, 5, o));
  EXPECT_EQ(c.routers, 5u + 4);
  EXPECT_EQ(c.hosts, 15u);
  EXPECT_EQ(c.links, 5u * 4 + 15);
}

TEST(GenTest, GridLinksRightAndDownNeighbours) {
  Counts c = Count(Gen(Shape::kGrid, 12));  // 4 wide, 3 rows: 3*3 across, 2*4 down
  EXPECT_EQ(c.routers, 12u);
  EXPECT_EQ(c.hosts, 12u);
  EXPECT_EQ(c.links, 9u + 8 + 12);
  c = Count(Gen(Shape::kGrid, 5));  // 3 wide: r1 r2 r3 / r4 r5
  EXPECT_EQ(c.links, 3u + 2 + 5);
}

// topo's front end takes every shape as it comes: addresses from the pools, routes computed,
// every check towards an address of the right family.
TEST(GenTest, EveryShapeValidatesCleanlyInEachFamily) {
  for (const std::string& name : gen::ShapeNames()) {
    for (Families f : {Families::kV4, Families::kV6, Families::kBoth}) {
      gen::Options o;
      o.families = f;
      o.checks = CheckSet::kAll;
      o.loopbacks = true;
      gen::GeneratedLab lab = Gen(*gen::ParseShape(name), 12, o);
      SCOPED_TRACE(name + " family " + std::to_string(static_cast<int>(f)));
      Document doc;
      DiagnosticList diags("<gen>");
      ASSERT_TRUE(LoadText("<gen>", lab.yaml, &doc, &diags));
      std::optional<Topology> t = Validate(doc, {}, &diags);
      ASSERT_TRUE(t) << FormatDiagnostics(diags, lab.yaml);
      EXPECT_TRUE(diags.empty()) << FormatDiagnostics(diags, lab.yaml);
      std::vector<CheckSpec> specs = ResolveChecks(*t);
      ASSERT_EQ(specs.size(), lab.checks);
      for (size_t i = 0; i < specs.size(); ++i) {
        const int want =
            f == Families::kV6 || (f == Families::kBoth && i >= specs.size() / 2) ? 6 : 4;
        EXPECT_EQ(specs[i].target.family, want) << specs[i].name;
      }
      // Every host with a router gets a default route, every router (but the star's, which is
      // on every subnet) a route to each subnet it is not on.
      for (const Node& n : t->nodes) {
        if (n.kind == NodeKind::kRouter && name != "star") EXPECT_FALSE(n.routes.empty()) << n.name;
        if (n.kind == NodeKind::kHost && name != "tree") EXPECT_FALSE(n.routes.empty()) << n.name;
      }
    }
  }
}

TEST(GenTest, SameOptionsSameText) {
  for (const std::string& name : gen::ShapeNames()) {
    Shape shape = *gen::ParseShape(name);
    EXPECT_EQ(Gen(shape, 12).yaml, Gen(shape, 12).yaml) << name;
  }
}

TEST(GenTest, ChecksEndsAllNone) {
  gen::Options o;
  o.checks = CheckSet::kNone;
  gen::GeneratedLab none = Gen(Shape::kRing, 12, o);
  EXPECT_EQ(none.checks, 0u);
  EXPECT_EQ(none.yaml.find("checks:"), std::string::npos);
  o.checks = CheckSet::kAll;
  // ends (2 * 11), then each host to the next (10 new: h11 -> h12 is an end already), then h1
  // to each of the 12 routers.
  EXPECT_EQ(Count(Gen(Shape::kRing, 12, o)).checks, 22u + 10 + 12);
  // Linear in N.
  EXPECT_LE(Gen(Shape::kStar, 1000, o).checks, 3u * 1000 + 1);
}

TEST(GenTest, Families) {
  gen::Options o;
  o.families = Families::kV6;
  YAML::Node pools = YAML::Load(Gen(Shape::kStar, 3, o).yaml)["pools"];
  EXPECT_EQ(pools["links"].size(), 1u);
  EXPECT_EQ(pools["links"][0].as<std::string>(), "fd00::/64");
  o.families = Families::kBoth;
  o.loopbacks = true;
  pools = YAML::Load(Gen(Shape::kStar, 3, o).yaml)["pools"];
  EXPECT_EQ(pools["links"].size(), 2u);
  EXPECT_EQ(pools["loopbacks"].size(), 2u);
  // Each check once by name (IPv4 first) and once with `family: 6`.
  gen::GeneratedLab both = Gen(Shape::kStar, 3, o);
  EXPECT_EQ(Count(both).checks, 2u * 4);
  EXPECT_NE(both.yaml.find("  - {from: h2, to: h1, family: 6}\n"), std::string::npos);
  EXPECT_FALSE(YAML::Load(Gen(Shape::kStar, 3).yaml)["pools"]["loopbacks"].IsDefined());
}

TEST(GenTest, NameAndPrefix) {
  gen::Options o;
  EXPECT_EQ(YAML::Load(Gen(Shape::kClos, 4, o).yaml)["name"].as<std::string>(), "clos4");
  EXPECT_FALSE(YAML::Load(Gen(Shape::kClos, 4, o).yaml)["prefix"].IsDefined());
  o.name = "fabric";
  o.prefix = "t1-";
  YAML::Node root = YAML::Load(Gen(Shape::kClos, 4, o).yaml);
  EXPECT_EQ(root["name"].as<std::string>(), "fabric");
  EXPECT_EQ(root["prefix"].as<std::string>(), "t1-");
  gen::GeneratedLab lab;
  o.name = "a b";
  EXPECT_FALSE(gen::Generate(o, &lab).ok());
  o.name = "ok";
  o.prefix = "-x";
  EXPECT_FALSE(gen::Generate(o, &lab).ok());
}

TEST(GenTest, ParsesNames) {
  EXPECT_EQ(gen::ParseShape("clos"), Shape::kClos);
  EXPECT_FALSE(gen::ParseShape("hypercube"));
  EXPECT_EQ(gen::ParseFamilies("both"), Families::kBoth);
  EXPECT_FALSE(gen::ParseFamilies("5"));
  EXPECT_EQ(gen::ParseCheckSet("all"), CheckSet::kAll);
  EXPECT_FALSE(gen::ParseCheckSet("some"));
}

TEST(GenTest, RefusesBadSizesSayingTheRange) {
  struct Case {
    Shape shape;
    int n;
    const char* says;
  } cases[] = {
      {Shape::kStar, 0, "N of star must be 1 to 10000 (got 0)"},
      {Shape::kChain, 10001, "N of chain must be 1 to 10000"},
      {Shape::kRing, 2, "a ring needs at least 3 routers"},
      {Shape::kTree, -1, "N of tree must be 1 to 10000"},
      {Shape::kMesh, 101, "N of mesh must be 2 to 100"},
      {Shape::kClos, 1, "N of clos must be 2 to 10000"},
      {Shape::kGrid, 1, "N of grid must be 2 to 10000"},
  };
  for (const Case& c : cases) {
    gen::Options o;
    o.shape = c.shape;
    o.n = c.n;
    gen::GeneratedLab lab;
    Status s = gen::Generate(o, &lab);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find(c.says), std::string::npos) << s.message();
    EXPECT_TRUE(lab.yaml.empty());
  }
  gen::Options o;
  o.shape = Shape::kClos;
  o.n = 4;
  o.spines = 0;
  gen::GeneratedLab lab;
  EXPECT_NE(gen::Generate(o, &lab).message().find("--spines must be 1 to 100"), std::string::npos);
  o.spines = 2;
  o.hosts_per_leaf = 2;
  o.n = 6000;
  EXPECT_NE(gen::Generate(o, &lab).message().find("more than 10000 hosts"), std::string::npos);
}

TEST(GenTest, LargeLabsAndTheirNotes) {
  gen::GeneratedLab star = Gen(Shape::kStar, 10000);
  EXPECT_EQ(star.nodes, 10001u);
  ASSERT_EQ(star.notes.size(), 1u);
  EXPECT_NE(star.notes[0].find("TOPO_MAX_NODES=10001"), std::string::npos);
  gen::GeneratedLab chain = Gen(Shape::kChain, 70);
  ASSERT_EQ(chain.notes.size(), 1u);
  EXPECT_NE(chain.notes[0].find("crosses 70 routers"), std::string::npos);
  gen::Options o;
  o.checks = CheckSet::kNone;
  EXPECT_TRUE(Gen(Shape::kChain, 70, o).notes.empty());
  EXPECT_TRUE(Gen(Shape::kRing, 124).notes.empty());  // h1 to h63 crosses 63 routers
  // Many (router, subnet) pairs for routes: auto to weigh (ring 5000: 5000 x 10000).
  o.checks = CheckSet::kNone;
  EXPECT_TRUE(Gen(Shape::kRing, 1000, o).notes.empty());
  gen::GeneratedLab ring = Gen(Shape::kRing, 5000, o);
  ASSERT_EQ(ring.notes.size(), 1u);
  EXPECT_NE(ring.notes[0].find("about 50 million of them"), std::string::npos) << ring.notes[0];
  EXPECT_TRUE(Gen(Shape::kStar, 5000, o).notes.empty());  // one router
  EXPECT_EQ(Gen(Shape::kRing, 126).notes.size(), 1u);
  gen::GeneratedLab grid = Gen(Shape::kGrid, 10000, o);
  EXPECT_EQ(Count(grid).links, 2u * 99 * 100 + 10000);
  EXPECT_EQ(grid.notes.size(), 2u);  // nodes, routes
}

}  // namespace
}  // namespace topo
