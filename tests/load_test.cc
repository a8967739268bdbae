// Load: line:col of nested nodes, syntax errors, duplicate keys, resource bounds.
#include "front/load.h"

#include <gtest/gtest.h>

#include "testutil.h"

namespace topo {
namespace {

TEST(LoadTest, ADirectoryIsNotAnEmptyFile) {
  Document doc;
  DiagnosticList diags;
  EXPECT_FALSE(LoadFile("/tmp", &doc, &diags));
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message, "cannot read '/tmp': it is a directory");
  EXPECT_EQ(diags.items()[0].hint, "give the topology file itself, e.g. /tmp/lab.yaml");
}

TEST(LoadTest, KeepsLineAndColumnOfNestedNodes) {
  const char* yaml =
      "name: lab\n"
      "nodes:\n"
      "  server:\n"
      "    interfaces:\n"
      "      vethS: [10.0.1.2/24, 10.0.9.2/24]\n"
      "    routes:\n"
      "      - {to: default, via: 10.0.1.1}\n";
  Document doc;
  DiagnosticList diags("t.yaml");
  ASSERT_TRUE(LoadText("t.yaml", yaml, &doc, &diags));
  EXPECT_TRUE(diags.empty());
  YAML::Node addr = doc.root["nodes"]["server"]["interfaces"]["vethS"][1];
  EXPECT_EQ(LocationOf(addr).line, 5);
  EXPECT_EQ(LocationOf(addr).column, 28);
  YAML::Node via = doc.root["nodes"]["server"]["routes"][0]["via"];
  EXPECT_EQ(LocationOf(via).line, 7);
  EXPECT_EQ(LocationOf(via).column, 28);
}

TEST(LoadTest, SyntaxErrorIsLocated) {
  Document doc;
  DiagnosticList diags("t.yaml");
  EXPECT_FALSE(LoadText("t.yaml", "name: lab\nnodes: [a, b\n", &doc, &diags));
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].loc.line, 3);
  EXPECT_NE(diags.items()[0].message.find("yaml syntax error"), std::string::npos);
}

TEST(LoadTest, DuplicateKeysAreReportedAtTheSecondKey) {
  const char* yaml =
      "name: lab\n"
      "nodes:\n"
      "  a: {}\n"
      "  b:\n"
      "    interfaces:\n"
      "      eth0: []\n"
      "      eth0: []\n"
      "  a: {}\n";
  Document doc;
  DiagnosticList diags("t.yaml");
  EXPECT_TRUE(LoadText("t.yaml", yaml, &doc, &diags));
  EXPECT_EQ(testing::Brief(diags),
            "t.yaml:7:7: error: duplicate key 'eth0'\n"
            "t.yaml:8:3: error: duplicate key 'a'\n");
  EXPECT_EQ(diags.items()[0].pointer, "/nodes/b/interfaces/eth0");
}

TEST(LoadTest, RejectsAliasBombs) {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'k'; ++c) {
    yaml += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) yaml += std::string(i ? ", " : "") + "*" + prev;
    yaml += "]\n";
    prev = c;
  }
  Document doc;
  DiagnosticList diags("bomb.yaml");
  EXPECT_FALSE(LoadText("bomb.yaml", yaml, &doc, &diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags.items()[0].message.find("expands to more than"), std::string::npos);
}

TEST(LoadTest, RejectsDeepNesting) {
  std::string yaml = std::string(100, '[') + std::string(100, ']') + "\n";
  Document doc;
  DiagnosticList diags("deep.yaml");
  EXPECT_FALSE(LoadText("deep.yaml", yaml, &doc, &diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_EQ(diags.items()[0].message, "document is nested more than 64 levels deep");
}

TEST(LoadTest, RejectsOversizedFiles) {
  LoadLimits limits;
  limits.max_bytes = 10;
  Document doc;
  DiagnosticList diags("big.yaml");
  EXPECT_FALSE(LoadText("big.yaml", "name: a-long-name\n", &doc, &diags, limits));
  EXPECT_EQ(diags.items()[0].message, "file is 18 bytes, more than the limit of 10");
}

TEST(LoadTest, EmptyFile) {
  Document doc;
  DiagnosticList diags("e.yaml");
  EXPECT_FALSE(LoadText("e.yaml", "# nothing\n", &doc, &diags));
  EXPECT_EQ(testing::Brief(diags),
            "e.yaml:1:1: error: file is empty; a topology needs at least 'name' and 'nodes'\n");
}

TEST(DiagnosticTest, FormatsSourceLineAndCaret) {
  Diagnostic d{Severity::kError,        "lab.yaml",          {2, 5}, "/links/0/0",
               "unknown node 'rotuer'", "check the spelling"};
  EXPECT_EQ(FormatDiagnostic(d, "links:\n  - [rotuer:x, a:y]\n"),
            "lab.yaml:2:5: error: unknown node 'rotuer'\n"
            "    - [rotuer:x, a:y]\n"
            "      ^\n"
            "  hint: check the spelling\n");
}

TEST(DiagnosticTest, DidYouMean) {
  EXPECT_EQ(DidYouMean("rotuer", {"server", "router", "client"}), " (did you mean 'router'?)");
  EXPECT_EQ(DidYouMean("zzz", {"server", "router"}), "");
  // Suggestions are close matches only: not 'sw' for 'isp', nor 'a' for 'b'.
  EXPECT_EQ(DidYouMean("isp", {"sw", "r1", "h1"}), "");
  EXPECT_EQ(DidYouMean("b", {"a"}), "");
  EXPECT_EQ(DidYouMean("r3", {"r1", "sw"}), " (did you mean 'r1'?)");
  EXPECT_EQ(DidYouMean("eth1", {"eth0"}), " (did you mean 'eth0'?)");
  EXPECT_EQ(DidYouMean("address", {"addresses", "mac"}), " (did you mean 'addresses'?)");
  EXPECT_EQ(DidYouMean("routr", {"router"}), " (did you mean 'router'?)");
  EXPECT_EQ(EditDistance("rotuer", "router"), 1u);
}

}  // namespace
}  // namespace topo
