// CheckSchema: each kind of schema violation gets its own message, at the
// line:col of the offending YAML node and with its JSON pointer; valid files and
// ordinary YAML typing pass; patterns are left to the semantic checks. Also checks
// the schema file itself (draft 7, descriptions, closed objects).
#include "front/schema.h"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "testutil.h"

namespace topo {
namespace {

// One line per diagnostic, "line:col pointer: message", and "  hint: ..." after it.
std::string Check(const std::string& yaml, bool* conforms = nullptr) {
  DiagnosticList diags("t.yaml");
  bool ok = CheckSchema(YAML::Load(yaml), &diags);
  if (conforms) *conforms = ok;
  std::string out;
  for (const Diagnostic& d : diags.items()) {
    out += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + " " + d.pointer +
           ": " + d.message + "\n";
    if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  }
  return out;
}

const char* const kValid = R"(name: server-router-client
prefix: lab1-
nodes:
  server:
    kind: host
    interfaces:
      lo:    [1.1.1.1/24]
      vethS: [10.0.1.2/24, "2001:db8:1::2/64"]
      eth1:
        addresses: [10.0.3.2/24]
        mac: "02:00:00:00:00:01"
      eth2: []
    routes:
      - {to: default, via: 10.0.1.1}
      - {to: 10.9.0.0/16, dev: vethS, metric: 100}
    snat:
      - {source: 10.0.1.0/24, out: veth-cli, to: 10.0.2.1}
    sysctls:
      net.ipv4.conf.all.rp_filter: 0
      net.ipv4.ip_forward: true
      net.ipv4.tcp_rmem: "4096 87380 6291456"
  router: {kind: router}
links:
  - [server:vethS, router:veth-srv]
  - {endpoints: [client:vethC, router:veth-cli], mtu: 9000}
)";

TEST(SchemaTest, ValidTopologyHasNoDiagnostics) {
  bool ok = false;
  EXPECT_EQ(Check(kValid, &ok), "");
  EXPECT_TRUE(ok);
}

TEST(SchemaTest, ExampleTopologyConforms) {
  std::string text = testing::ReadFile(testing::SourcePath("topologies/server-router-client.yaml"));
  ASSERT_FALSE(text.empty());
  bool ok = false;
  EXPECT_EQ(Check(text, &ok), "");
  EXPECT_TRUE(ok);
}

TEST(SchemaTest, DoesNotModifyTheTree) {
  YAML::Node root = YAML::Load(
      "name: lab\nnodes:\n  a:\n    rotues: []\n    kind: rooter\n  b:\nlinks: [x, {mtu: a}]\n");
  const std::string before = YAML::Dump(root);
  DiagnosticList diags;
  EXPECT_FALSE(CheckSchema(root, &diags));
  EXPECT_EQ(YAML::Dump(root), before);
}

TEST(SchemaTest, UnknownKeyPointsAtTheKeyAndSuggestsTheClosest) {
  bool ok = true;
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  server:\n"
                  "    rotues: []\n",
                  &ok),
            "4:5 /nodes/server/rotues: unknown key 'rotues' in node 'server' (did you mean "
            "'routes'?)\n");
  EXPECT_FALSE(ok);
}

TEST(SchemaTest, EveryUnknownKeyIsReported) {
  EXPECT_EQ(Check("name: lab\n"
                  "nods: {}\n"
                  "nodes:\n"
                  "  a:\n"
                  "    colour: red\n"
                  "    interfaces:\n"
                  "      eth0: {mca: \"02:00:00:00:00:01\"}\n"
                  "title: x\n"),
            "2:1 /nods: unknown key 'nods' in topology (did you mean 'nodes'?)\n"
            "5:5 /nodes/a/colour: unknown key 'colour' in node 'a'\n"
            "7:14 /nodes/a/interfaces/eth0/mca: unknown key 'mca' in interface 'eth0' of node "
            "'a' (did you mean 'mac'?)\n"
            "8:1 /title: unknown key 'title' in topology\n");
}

TEST(SchemaTest, MissingRequiredKeyPointsAtTheMapping) {
  EXPECT_EQ(Check("# no nodes\n"
                  "name: lab\n"
                  "links: []\n"),
            "2:1 : topology is missing required key 'nodes'\n");
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  server:\n"
                  "    snat:\n"
                  "      - {source: 10.0.1.0/24}\n"
                  "      - source: 10.0.2.0/24\n"
                  "        to: 10.0.9.1\n"),
            "5:9 /nodes/server/snat/0: snat rule #1 of node 'server' is missing required key "
            "'out'\n"
            "6:9 /nodes/server/snat/1: snat rule #2 of node 'server' is missing required key "
            "'out'\n");
}

TEST(SchemaTest, WrongTypeNamesWhatWasExpectedAndWhatWasFound) {
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  a:\n"
                  "    interfaces: 5\n"
                  "    routes: {to: default}\n"
                  "links:\n"
                  "  - {endpoints: [a:x, b:y], mtu: abc}\n"
                  "  - {endpoints: [a:x, {b: y}], mtu: 1.5}\n"),
            "4:17 /nodes/a/interfaces: 'interfaces' must be a mapping, not an integer\n"
            "5:13 /nodes/a/routes: routes is a list of routes or 'auto'\n"
            "7:34 /links/0/mtu: 'mtu' must be an integer, not a string\n"
            "8:23 /links/1/endpoints/1: endpoint #2 of link #2 must be a string, not a mapping\n"
            "8:37 /links/1/mtu: 'mtu' must be an integer, not a decimal number\n");
}

TEST(SchemaTest, WrongTypeHints) {
  EXPECT_EQ(Check("name: 2024\n"
                  "nodes:\n"
                  "  a:\n"
                  "  b:\n"
                  "    interfaces:\n"
                  "      eth0:\n"
                  "links:\n"
                  "  - {endpoints: [a:x, b:y], mtu: \"9000\"}\n"),
            "1:7 /name: 'name' must be a string, not an integer\n"
            "  hint: quote it to make it a string: \"2024\"\n"
            "3:3 /nodes/a: node 'a' must be a mapping, not null\n"
            "  hint: write {} for an empty mapping\n"
            "6:7 /nodes/b/interfaces/eth0: an interface must be a list of addresses or a "
            "mapping with 'addresses' and 'mac'\n"
            "  hint: write [] for an empty list\n"
            "8:34 /links/0/mtu: 'mtu' must be an integer, not a string\n"
            "  hint: write it without quotes: 9000\n");
}

TEST(SchemaTest, SysctlValuesAreScalars) {
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  a:\n"
                  "    sysctls:\n"
                  "      net.a: 1\n"
                  "      net.b: [1]\n"),
            "6:14 /nodes/a/sysctls/net.b: 'net.b' must be a string, an integer or a boolean, "
            "not a list\n");
}

TEST(SchemaTest, UnknownEnumValueListsTheChoicesAndSuggestsTheClosest) {
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  a: {kind: rooter}\n"
                  "  b: {kind: bridge}\n"
                  "  c: {kind: 5}\n"),
            "3:13 /nodes/a/kind: unknown node kind 'rooter' (expected one of: host, router, "
            "switch, root)\n"
            "  hint: did you mean 'router'?\n"
            "4:13 /nodes/b/kind: unknown node kind 'bridge' (expected one of: host, router, "
            "switch, root)\n"
            "5:13 /nodes/c/kind: 'kind' must be a string, not an integer\n");
}

TEST(SchemaTest, OutOfRangeNumbersShowTheRange) {
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  a:\n"
                  "    routes:\n"
                  "      - {to: default, dev: eth0, metric: -1}\n"
                  "links:\n"
                  "  - {endpoints: [a:x, b:y], mtu: 70000}\n"
                  "  - {endpoints: [a:x, b:y], mtu: 67}\n"),
            "5:42 /nodes/a/routes/0/metric: metric -1 is out of range (0-4294967295)\n"
            "7:34 /links/0/mtu: mtu 70000 is out of range (68-65535)\n"
            "8:34 /links/1/mtu: mtu 67 is out of range (68-65535)\n");
}

TEST(SchemaTest, LinkOfNeitherShapeGetsOneMessage) {
  EXPECT_EQ(Check("name: lab\n"
                  "nodes: {a: {}}\n"
                  "links:\n"
                  "  - a:x b:y\n"
                  "  - 5\n"),
            "4:5 /links/0: a link must be a pair [node:iface, node:iface] or a mapping with "
            "'endpoints'\n"
            "5:5 /links/1: a link must be a pair [node:iface, node:iface] or a mapping with "
            "'endpoints'\n");
}

TEST(SchemaTest, LinkOfOneShapeIsCheckedAsThatShape) {
  EXPECT_EQ(Check("name: lab\n"
                  "nodes: {a: {}}\n"
                  "links:\n"
                  "  - [a:x]\n"
                  "  - [a:x, b:y, c:z]\n"
                  "  - {endpoint: [a:x, b:y]}\n"
                  "  - {endpoints: [a:x]}\n"),
            "4:5 /links/0: link #1 must have exactly 2 items, not 1\n"
            "5:5 /links/1: link #2 must have exactly 2 items, not 3\n"
            "6:5 /links/2: link #3 is missing required key 'endpoints'\n"
            "6:6 /links/2/endpoint: unknown key 'endpoint' in link #3 (did you mean "
            "'endpoints'?)\n"
            "7:17 /links/3/endpoints: 'endpoints' must have exactly 2 items, not 1\n");
}

// The schema file says so for editors (anyOf), but the semantic checks report it,
// naming the route's destination; the schema stage stays quiet so it is said once.
TEST(SchemaTest, RouteWithoutViaOrDevIsLeftToTheSemanticChecks) {
  bool ok = false;
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  a:\n"
                  "    routes:\n"
                  "      - {to: 10.9.0.0/16, metric: 10}\n",
                  &ok),
            "");
  EXPECT_TRUE(ok);
}

TEST(SchemaTest, EmptyCollectionsWhereSomethingIsRequired) {
  EXPECT_EQ(Check("name: lab\nnodes: {}\n"), "2:8 /nodes: 'nodes' must not be empty\n");
  EXPECT_EQ(Check("- name: lab\n"), "1:1 : topology must be a mapping, not a list\n");
}

// Names and addresses are checked after the schema, with more precise messages.
TEST(SchemaTest, PatternsAreLeftToTheSemanticChecks) {
  bool ok = false;
  EXPECT_EQ(Check("name: \"bad name!\"\n"
                  "prefix: \"x y\"\n"
                  "nodes:\n"
                  "  -bad-:\n"
                  "    interfaces:\n"
                  "      a/b: [10.0.1.300/24, nonsense]\n"
                  "      eth0: {mac: zz}\n"
                  "    routes:\n"
                  "      - {to: somewhere, via: not-an-ip, dev: \"has space\"}\n"
                  "    sysctls:\n"
                  "      kernel.panic: 1\n"
                  "links:\n"
                  "  - [a, b]\n",
                  &ok),
            "");
  EXPECT_TRUE(ok);
}

// YAML 1.2 core-schema typing, as editors do it.
TEST(SchemaTest, OrdinaryYamlScalarsHaveTheExpectedTypes) {
  bool ok = false;
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  a:\n"
                  "    interfaces:\n"
                  "      lo: [1.1.1.1/24, ::1/128, 2001:db8::1/64]\n"
                  "      eth0: {mac: 02:00:00:00:00:01}\n"
                  "    routes:\n"
                  "      - {to: default, via: fe80::1, dev: eth0, metric: 0x10}\n"
                  "    sysctls:\n"
                  "      net.a: 1\n"
                  "      net.b: \"1\"\n"
                  "      net.c: True\n"
                  "      net.d: yes\n"
                  "      net.e: |\n"
                  "        text\n"
                  "links:\n"
                  "  - {endpoints: [a:eth0, b:eth0], mtu: !!int 9000}\n",
                  &ok),
            "");
  EXPECT_TRUE(ok);
}

TEST(SchemaTest, ComplexKeysAreRejected) {
  EXPECT_EQ(Check("name: lab\n"
                  "nodes:\n"
                  "  ? [a, b]\n"
                  "  : {}\n"
                  "? {x: 1}\n"
                  ": 2\n"),
            "3:5 /nodes/[a, b]: a key must be a name, not a list\n"
            "5:3 /{x: 1}: a key must be a name, not a mapping\n");
}

TEST(SchemaTest, AliasCycleIsReportedNotFollowedForever) {
  EXPECT_EQ(Check("name: lab\nnodes:\n  a: &x {kind: *x}\n"),
            "1:1 : document is too deeply nested or too large to check against the schema\n"
            "  hint: an alias that refers to its own anchor makes an endless document\n");
}

TEST(SchemaTest, PointerTokensAreEscaped) {
  EXPECT_EQ(Check("name: lab\nnodes:\n  a:\n    interfaces:\n      a/b~c: 5\n"),
            "5:14 /nodes/a/interfaces/a~1b~0c: an interface must be a list of addresses or a "
            "mapping with 'addresses' and 'mac'\n");
}

// Every object in the schema is closed and every property explained, so editors
// can complete keys and show what each one means.
void CheckSchemaObject(const nlohmann::json& s, const std::string& where) {
  if (s.is_array()) {
    for (size_t i = 0; i < s.size(); ++i) CheckSchemaObject(s[i], where + "/" + std::to_string(i));
    return;
  }
  if (!s.is_object()) return;
  if (s.contains("properties")) {
    EXPECT_EQ(s.value("additionalProperties", nlohmann::json()), false) << where;
    for (const auto& [name, prop] : s.at("properties").items()) {
      EXPECT_TRUE(prop.contains("description")) << where << "/properties/" << name;
    }
  }
  for (const auto& [key, value] : s.items()) {
    if (key != "enum" && key != "examples" && key != "default") {
      CheckSchemaObject(value, where + "/" + key);
    }
  }
}

TEST(SchemaTest, SchemaFileIsADraft7SchemaForEditors) {
  const std::string text = testing::ReadFile(testing::SourcePath("schemas/topology.schema.json"));
  nlohmann::json schema = nlohmann::json::parse(text);  // throws if it is not JSON
  EXPECT_EQ(schema.at("$schema"), "http://json-schema.org/draft-07/schema#");
  EXPECT_TRUE(schema.contains("$id"));
  EXPECT_TRUE(schema.contains("title"));
  EXPECT_EQ(schema.at("type"), "object");
  CheckSchemaObject(schema, "");
  // What the library checks against is the file as it is now.
  EXPECT_EQ(nlohmann::json::parse(kTopologySchemaJson), schema);
}

}  // namespace
}  // namespace topo
