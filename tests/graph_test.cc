// Graph: the seed lab in DOT and Mermaid as exact strings, link notes, escaping,
// and `topo graph` on every shipped lab in every format (SVG when Graphviz is installed).
#include <gtest/gtest.h>

#include <filesystem>

#include "front/validate.h"
#include "kernel/find_program.h"
#include "plan/graph.h"
#include "testutil.h"

namespace topo {
namespace {

Topology SeedTopology() {
  Document doc;
  DiagnosticList diags("seed");
  auto t = LoadAndValidate(testing::SourcePath("topologies/server-router-client.yaml"), {}, &doc,
                           &diags);
  EXPECT_TRUE(t) << FormatDiagnostics(diags, doc.text);
  return t ? *t : Topology();
}

// A host and a router named `end` on one link with an MTU; two addresses on one end,
// and a loopback without addresses.
const char* kPair = R"(name: pair
nodes:
  a:
    interfaces:
      lo: []
      eth0: [10.0.0.1/24, 2001:db8::1/64]
  end:
    kind: router
    interfaces:
      eth0: [10.0.0.2/24]
links:
  - {endpoints: [a:eth0, end:eth0], mtu: 9000}
)";

TEST(GraphTest, SeedDot) {
  EXPECT_EQ(GraphToDot(SeedTopology()),
            R"(// lab 'server-router-client', drawn by `topo graph`; render with `dot -Tsvg`
graph "server-router-client" {
  graph [rankdir=LR, ranksep=1.2, nodesep=0.6];
  node [fontname="Helvetica", fontsize=11];
  edge [fontname="Helvetica", fontsize=9];
  "server" [shape=box, style=rounded, label="server\nhost\nlo 1.1.1.1/24"];
  "router" [shape=hexagon, label="router"];
  "client" [shape=box, style=rounded, label="client\nhost\nlo 2.2.2.2/24"];
  "server" -- "router" [label="vethS 10.0.1.2/24\nveth-srv 10.0.1.1/24"];
  "client" -- "router" [label="vethC 10.0.2.2/24\nveth-cli 10.0.2.1/24"];
}
)");
}

TEST(GraphTest, SeedMermaid) {
  EXPECT_EQ(GraphToMermaid(SeedTopology()), R"(graph LR
  n0("server<br/>host<br/>lo 1.1.1.1/24")
  n1{{"router"}}
  n2("client<br/>host<br/>lo 2.2.2.2/24")
  n0 ---|"vethS 10.0.1.2/24<br/>veth-srv 10.0.1.1/24"| n1
  n2 ---|"vethC 10.0.2.2/24<br/>veth-cli 10.0.2.1/24"| n1
)");
}

TEST(GraphTest, LinkNotesAndSeveralAddresses) {
  DiagnosticList diags;
  auto t = testing::ValidateText(kPair, &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  std::string dot = GraphToDot(*t);
  EXPECT_NE(dot.find(R"("a" [shape=box, style=rounded, label="a\nhost\nlo"];)"), std::string::npos)
      << dot;
  EXPECT_NE(dot.find(R"("end" [shape=hexagon, label="end\nrouter"];)"), std::string::npos) << dot;
  EXPECT_NE(
      dot.find(
          R"("a" -- "end" [label="eth0 10.0.0.1/24 2001:db8::1/64\neth0 10.0.0.2/24\nmtu 9000"];)"),
      std::string::npos)
      << dot;
  // Node ids are positional, so a node called `end` (a Mermaid keyword) is safe.
  EXPECT_EQ(GraphToMermaid(*t), R"(graph LR
  n0("a<br/>host<br/>lo")
  n1{{"end<br/>router"}}
  n0 ---|"eth0 10.0.0.1/24 2001:db8::1/64<br/>eth0 10.0.0.2/24<br/>mtu 9000"| n1
)");
}

// A router on a stick on a VLAN-aware switch: its sub-interfaces are drawn with
// their VLAN, the switch's ports on the links with what they carry.
const char* kVlans = R"(name: vlans
nodes:
  sw:
    kind: switch
    interfaces:
      up: {trunk: [10, 20], native: 30}
      p1: {access: 10}
  r:
    kind: router
    interfaces:
      eth0: []
      eth0.10: [10.0.10.1/24]
      eth0.20: []
  h: {interfaces: {eth0: [10.0.10.2/24]}}
links:
  - [r:eth0, sw:up]
  - [h:eth0, sw:p1]
)";

TEST(GraphTest, VlansAreLabelled) {
  DiagnosticList diags;
  auto t = testing::ValidateText(kVlans, &diags);
  ASSERT_TRUE(t) << testing::Brief(diags);
  EXPECT_EQ(GraphToDot(*t),
            R"dot(// lab 'vlans', drawn by `topo graph`; render with `dot -Tsvg`
graph "vlans" {
  graph [rankdir=LR, ranksep=1.2, nodesep=0.6];
  node [fontname="Helvetica", fontsize=11];
  edge [fontname="Helvetica", fontsize=9];
  "sw" [shape=box, style=filled, fillcolor="#eeeeee", label="sw\nswitch"];
  "r" [shape=hexagon, label="r\nrouter\neth0.10 (vlan 10) 10.0.10.1/24\neth0.20 (vlan 20)"];
  "h" [shape=box, style=rounded, label="h\nhost"];
  "r" -- "sw" [label="eth0\nup [trunk 10,20 native 30]"];
  "h" -- "sw" [label="eth0 10.0.10.2/24\np1 [access 10]"];
}
)dot");
  EXPECT_EQ(GraphToMermaid(*t), R"mermaid(graph LR
  n0["sw<br/>switch"]
  n1{{"r<br/>router<br/>eth0.10 (vlan 10) 10.0.10.1/24<br/>eth0.20 (vlan 20)"}}
  n2("h<br/>host")
  n1 ---|"eth0<br/>up [trunk 10,20 native 30]"| n0
  n2 ---|"eth0 10.0.10.2/24<br/>p1 [access 10]"| n0
)mermaid");
}

TEST(GraphTest, KindsHaveStyles) {
  EXPECT_EQ(std::string(StyleOf(NodeKind::kHost).mermaid_open), "(");
  EXPECT_EQ(std::string(StyleOf(NodeKind::kRouter).dot_attributes), "shape=hexagon");
}

// Every shipped lab renders in every format through the binary.
TEST(GraphTest, EveryShippedLabRenders) {
  bool have_dot = FindProgram("dot").has_value();
  size_t labs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::SourcePath("topologies"))) {
    if (entry.path().extension() != ".yaml") continue;
    ++labs;
    std::string file = entry.path().string();
    auto dot = testing::RunProcess({testing::TopoBinary(), "graph", file});
    EXPECT_EQ(dot.status, 0) << file << "\n" << dot.output;
    EXPECT_EQ(dot.output.rfind("// lab '", 0), 0u) << dot.output;
    auto mermaid =
        testing::RunProcess({testing::TopoBinary(), "graph", "--format", "mermaid", file});
    EXPECT_EQ(mermaid.status, 0) << file << "\n" << mermaid.output;
    EXPECT_EQ(mermaid.output.rfind("graph LR\n", 0), 0u) << mermaid.output;
    auto svg = testing::RunProcess({testing::TopoBinary(), "graph", "--format", "svg", file});
    if (have_dot) {
      EXPECT_EQ(svg.status, 0) << file << "\n" << svg.output;
      EXPECT_NE(svg.output.find("<svg"), std::string::npos) << svg.output;
    } else {
      EXPECT_EQ(svg.status, 1) << svg.output;
      EXPECT_NE(svg.output.find("apt-get install graphviz"), std::string::npos) << svg.output;
    }
  }
  EXPECT_GT(labs, 0u);
}

TEST(GraphTest, OutputFileAndFormatFromItsName) {
  std::string dir = ::testing::TempDir() + "/topo-graph-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string seed = testing::SourcePath("topologies/server-router-client.yaml");
  auto r = testing::RunProcess({testing::TopoBinary(), "graph", seed, "-o", dir + "/seed.mmd"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "");
  EXPECT_EQ(testing::ReadFile(dir + "/seed.mmd").rfind("graph LR\n", 0), 0u);
  // An extension topo does not write is refused, rather than filled with DOT text.
  auto jpg = testing::RunProcess({testing::TopoBinary(), "graph", seed, "-o", dir + "/seed.jpg"});
  EXPECT_EQ(jpg.status, 2) << jpg.output;
  EXPECT_NE(jpg.output.find("cannot tell which format"), std::string::npos) << jpg.output;
  EXPECT_FALSE(std::filesystem::exists(dir + "/seed.jpg"));
  // .png goes through Graphviz, as .svg does.
  auto png = testing::RunProcess({testing::TopoBinary(), "graph", seed, "-o", dir + "/seed.png"});
  if (FindProgram("dot")) {
    EXPECT_EQ(png.status, 0) << png.output;
    EXPECT_EQ(testing::ReadFile(dir + "/seed.png").rfind("\x89PNG\r\n", 0), 0u);
  } else {
    EXPECT_EQ(png.status, 1) << png.output;
    EXPECT_FALSE(std::filesystem::exists(dir + "/seed.png"));
  }
  auto bad = testing::RunProcess(
      {testing::TopoBinary(), "graph", testing::SourcePath("tests/invalid/013-unknown-node.yaml")});
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_NE(bad.output.find("unknown node 'rotuer'"), std::string::npos) << bad.output;
  std::filesystem::remove_all(dir);
}

TEST(FindProgramTest, SearchesPath) {
  EXPECT_EQ(FindProgram("/bin/sh"), std::optional<std::string>("/bin/sh"));
  auto sh = FindProgram("sh");
  ASSERT_TRUE(sh.has_value());
  EXPECT_EQ(sh->back(), 'h');
  EXPECT_FALSE(FindProgram("no-such-program-topo-test").has_value());
  EXPECT_FALSE(FindProgram("").has_value());
}

}  // namespace
}  // namespace topo
