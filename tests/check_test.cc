// Tests of the semantic checks (check.h) on inline YAML, for the cases that need
// more than one corpus file to pin down: did-you-mean suggestions and the absence
// of follow-on errors, gateway reachability, the seed's own-address slip, IPv6,
// and the name rules. Every topology goes through the whole front end.
#include "front/rules.h"

#include <gtest/gtest.h>

#include <string>

#include "front/validate.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::Brief;
using testing::ValidateText;

// The seed's lab, correct: server -- router -- client, loopbacks on the ends.
constexpr const char* kLab = R"(name: src
nodes:
  server:
    interfaces:
      lo: [1.1.1.1/24]
      vethS: [10.0.1.2/24, 2001:db8:1::2/64]
    routes:
      - {to: default, via: 10.0.1.1}
      - {to: default, via: "2001:db8:1::1"}
  router:
    kind: router
    interfaces:
      veth-srv: [10.0.1.1/24, 2001:db8:1::1/64]
      veth-cli: [10.0.2.1/24]
    routes:
      - {to: 1.1.1.0/24, via: 10.0.1.2}
      - {to: default, via: 10.0.2.2}
    snat:
      - {source: 10.0.1.0/24, out: veth-cli, to: 10.0.2.1}
    sysctls: {net.ipv4.conf.all.rp_filter: 0}
  client:
    interfaces:
      lo: [2.2.2.2/24]
      vethC: {addresses: [10.0.2.2/24], mac: "02:00:00:00:00:01"}
    routes:
      - {to: default, via: 10.0.2.1}
links:
  - [server:vethS, router:veth-srv]
  - {endpoints: [client:vethC, router:veth-cli], mtu: 9000}
)";

// kLab with `from` (which must occur once) replaced by `to`.
std::string LabWith(const std::string& from, const std::string& to) {
  std::string s = kLab;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(s.find(from, at + 1), std::string::npos) << from << " occurs more than once";
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::string Diagnose(const std::string& yaml) {
  DiagnosticList diags;
  ValidateText(yaml, &diags);
  return Brief(diags);
}

TEST(CheckTest, ValidLabHasNoDiagnostics) {
  DiagnosticList diags;
  std::optional<Topology> t = ValidateText(kLab, &diags);
  EXPECT_EQ(Brief(diags), "");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->nodes.size(), 3u);
}

TEST(CheckTest, UnknownNodeSuggestsTheClosestAndDoesNotCascade) {
  // Only the misspelt endpoint is reported, not router:veth-srv as unconnected.
  EXPECT_EQ(Diagnose(LabWith("[server:vethS, router:veth-srv]", "[server:vethS, rotuer:veth-srv]")),
            "test.yaml:28:20: error: unknown node 'rotuer' (did you mean 'router'?)\n");
}

TEST(CheckTest, UnknownInterfaceSuggestsTheClosest) {
  DiagnosticList diags;
  ValidateText(LabWith("[server:vethS,", "[server:vethX,"), &diags);
  EXPECT_EQ(Brief(diags),
            "test.yaml:28:6: error: node 'server' has no interface 'vethX' (did you mean "
            "'vethS'?)\n");
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].pointer, "/links/0/0");
  EXPECT_EQ(diags.items()[0].hint, "declare it under nodes.server.interfaces");
}

TEST(CheckTest, NoSuggestionForADistantName) {
  std::string out = Diagnose(LabWith("[server:vethS,", "[firewall:vethS,"));
  EXPECT_NE(out.find("unknown node 'firewall'\n"), std::string::npos) << out;
  // Nothing guessed, so server:vethS is reported as unconnected too.
  EXPECT_NE(out.find("interface 'server:vethS' is not connected by any link"), std::string::npos)
      << out;
}

TEST(CheckTest, HairpinLinkOnOneNodeIsAllowed) {
  EXPECT_EQ(Diagnose(R"(name: hairpin
nodes:
  r:
    kind: router
    interfaces:
      a: [10.0.0.1/31]
      b: [10.0.0.0/31]
links:
  - [r:a, r:b]
)"),
            "");  // and a /31 has no network or broadcast address to warn about
}

TEST(CheckTest, TheSeedsSlipIsReportedWithTheNeighboursAddress) {
  DiagnosticList diags;
  ValidateText(LabWith("{to: 1.1.1.0/24, via: 10.0.1.2}", "{to: 1.1.1.0/24, via: 10.0.1.1}"),
               &diags);
  ASSERT_EQ(diags.items().size(), 1u) << Brief(diags);
  const Diagnostic& d = diags.items()[0];
  EXPECT_EQ(Brief(diags),
            "test.yaml:16:31: error: gateway 10.0.1.1 is an address of 'router' itself\n");
  EXPECT_EQ(d.pointer, "/nodes/router/routes/0/via");
  EXPECT_EQ(d.hint, "use the neighbour's address (10.0.1.2 on server:vethS)");
}

TEST(CheckTest, GatewayMustBeOnAConnectedSubnet) {
  EXPECT_EQ(Diagnose(LabWith("{to: default, via: 10.0.2.2}", "{to: default, via: 10.0.9.1}")),
            "test.yaml:17:28: error: gateway 10.0.9.1 is not in any subnet directly connected to "
            "'router' (10.0.1.0/24 on veth-srv, 10.0.2.0/24 on veth-cli)\n");
}

TEST(CheckTest, GatewayWithDevMustBeOnThatDevsSubnet) {
  EXPECT_EQ(Diagnose(LabWith("{to: default, via: 10.0.2.2}",
                             "{to: default, via: 10.0.2.2, dev: veth-cli}")),
            "");
  EXPECT_EQ(Diagnose(LabWith("{to: default, via: 10.0.2.2}",
                             "{to: default, via: 10.0.2.2, dev: veth-srv}")),
            "test.yaml:17:28: error: gateway 10.0.2.2 is not in any subnet directly connected to "
            "'router:veth-srv' (10.0.1.0/24)\n");
}

TEST(CheckTest, LoopbackSubnetsDoNotConnectAGateway) {
  // 1.1.1.0/24 is on server's lo: nothing is reachable through it.
  EXPECT_EQ(Diagnose(LabWith("{to: default, via: 10.0.1.1}", "{to: default, via: 1.1.1.9}")),
            "test.yaml:8:28: error: gateway 1.1.1.9 is not in any subnet directly connected to "
            "'server' (10.0.1.0/24 on vethS)\n");
}

TEST(CheckTest, GatewayOfAFamilyTheNodeHasNoSubnetFor) {
  EXPECT_EQ(
      Diagnose(LabWith("{to: default, via: 10.0.2.1}", "{to: default, via: \"2001:db8::1\"}")),
      "test.yaml:26:28: error: gateway 2001:db8::1 is not in any subnet directly connected "
      "to 'client' (it has no IPv6 subnet outside 'lo')\n");
}

TEST(CheckTest, Ipv6GatewaysAndRoutes) {
  // Unreachable IPv6 gateway.
  EXPECT_EQ(Diagnose(LabWith("via: \"2001:db8:1::1\"", "via: \"2001:db8:2::1\"")),
            "test.yaml:9:28: error: gateway 2001:db8:2::1 is not in any subnet directly connected "
            "to 'server' (2001:db8:1::/64 on vethS)\n");
  // A link-local gateway needs its interface, and then is not checked against subnets.
  EXPECT_EQ(Diagnose(LabWith("via: \"2001:db8:1::1\"", "via: \"fe80::1\"")),
            "test.yaml:9:28: error: link-local gateway fe80::1 needs 'dev'\n");
  EXPECT_EQ(Diagnose(LabWith("via: \"2001:db8:1::1\"", "via: \"fe80::1\", dev: vethS")), "");
  // An IPv6 route without a metric has the kernel's 1024.
  EXPECT_EQ(Diagnose(LabWith("      - {to: default, via: \"2001:db8:1::1\"}\n",
                             "      - {to: default, via: \"2001:db8:1::1\"}\n"
                             "      - {to: \"::/0\", via: \"2001:db8:1::1\", metric: 1024}\n")),
            "test.yaml:10:14: error: default IPv6 route with metric 1024 is already defined at "
            "line 9\n");
  // A different metric is a second route, which is fine.
  EXPECT_EQ(Diagnose(LabWith("      - {to: default, via: \"2001:db8:1::1\"}\n",
                             "      - {to: default, via: \"2001:db8:1::1\"}\n"
                             "      - {to: \"::/0\", via: \"2001:db8:1::1\", metric: 10}\n")),
            "");
}

TEST(CheckTest, GatewayAndDestinationOfDifferentFamilies) {
  EXPECT_EQ(Diagnose(LabWith("{to: 1.1.1.0/24, via: 10.0.1.2}",
                             "{to: 1.1.1.0/24, via: \"2001:db8:1::2\"}")),
            "test.yaml:16:31: error: gateway 2001:db8:1::2 is IPv6 but the route to 1.1.1.0/24 is "
            "IPv4\n");
}

TEST(CheckTest, LinkLocalAddressesMayRepeatOnDifferentLinks) {
  // fe80::1 on both of the router's interfaces: common practice.
  std::string lab = LabWith("veth-cli: [10.0.2.1/24]", "veth-cli: [10.0.2.1/24, fe80::1/64]");
  lab.replace(lab.find("veth-srv: [10.0.1.1/24,"), 23, "veth-srv: [fe80::1/64, 10.0.1.1/24,");
  EXPECT_EQ(Diagnose(lab), "");
  // On the two ends of one link they clash.
  std::string clash = LabWith("vethS: [10.0.1.2/24,", "vethS: [fe80::1/64, 10.0.1.2/24,");
  clash.replace(clash.find("veth-srv: [10.0.1.1/24,"), 23, "veth-srv: [fe80::1/64, 10.0.1.1/24,");
  EXPECT_EQ(Diagnose(clash),
            "test.yaml:13:18: error: address fe80::1 is already assigned to server:vethS\n");
}

TEST(CheckTest, PrefixProblemIsReportedOnceAtThePrefix) {
  DiagnosticList diags;
  ValidateText(LabWith("name: src\n", "name: src\nprefix: \"lab 1-\"\n"), &diags);
  EXPECT_EQ(Brief(diags),
            "test.yaml:2:9: error: prefix 'lab 1-' is not safe in namespace names: whitespace is "
            "not allowed\n");
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].pointer, "/prefix");
}

TEST(CheckTest, CommandLinePrefixIsCheckedToo) {
  Document doc;
  DiagnosticList diags("test.yaml");
  ASSERT_TRUE(LoadText("test.yaml", kLab, &doc, &diags));
  ValidateOptions options;
  options.prefix = "a/";
  EXPECT_FALSE(Validate(doc, options, &diags).has_value());
  ASSERT_EQ(diags.items().size(), 1u) << Brief(diags);
  EXPECT_EQ(diags.items()[0].message,
            "prefix 'a/' is not safe in namespace names: '/' is not allowed");
  EXPECT_EQ(diags.items()[0].pointer, "/prefix");
}

TEST(CheckTest, NodeNameComposedWithPrefix) {
  EXPECT_EQ(Diagnose(LabWith("name: src\n", "name: src\nprefix: lab1-\n")), "");
  // With a prefix, a node may start with '-' ("lab1--x" is a fine file name).
  std::string yaml = LabWith("name: src\n", "name: src\nprefix: lab1-\n");
  yaml.replace(yaml.find("  client:"), 9, "  -client:");
  EXPECT_EQ(Diagnose(yaml).find("namespace name"), std::string::npos) << Diagnose(yaml);
}

TEST(CheckTest, QuotesHostileNamesSafely) {
  std::string out = Diagnose(LabWith("  client:\n", "  \"cli\\nent\":\n"));
  EXPECT_NE(out.find("namespace name 'cli\\x0aent' is not a safe file name: whitespace is not "
                     "allowed"),
            std::string::npos)
      << out;
}

TEST(CheckTest, DuplicateMacIsReportedAtTheLaterOne) {
  EXPECT_EQ(Diagnose(LabWith("vethS: [10.0.1.2/24, 2001:db8:1::2/64]",
                             "vethS: {addresses: [10.0.1.2/24, 2001:db8:1::2/64], mac: "
                             "\"02:00:00:00:00:01\"}")),
            "test.yaml:24:46: error: mac 02:00:00:00:00:01 is already used by server:vethS\n");
}

TEST(CheckTest, WarningsOnlyStillYieldATopology) {
  DiagnosticList diags;
  std::optional<Topology> t =
      ValidateText(LabWith("{source: 10.0.1.0/24, out: veth-cli, to: 10.0.2.1}",
                           "{source: 10.0.1.0/24, out: veth-cli, to: 10.0.2.99}"),
                   &diags);
  EXPECT_EQ(Brief(diags),
            "test.yaml:19:50: warning: snat address 10.0.2.99 is not an address of 'router'\n");
  EXPECT_TRUE(t.has_value());
}

// A root node that masquerades a namespace out of the host's uplink.
std::string RootSnatLab(const std::string& sysctls) {
  return R"(name: lab
nodes:
  host:
    kind: root
    interfaces:
      veth0: [192.168.10.10/24]
    snat:
      - {source: 192.168.10.0/24, out: eth0}
    sysctls: )" +
         sysctls + R"(
  ns1:
    interfaces:
      veth1: [192.168.10.20/24]
links:
  - [host:veth0, ns1:veth1]
)";
}

TEST(CheckTest, RootSnatForwardsThroughItsInterfacesSysctl) {
  EXPECT_EQ(Diagnose(RootSnatLab("{net.ipv4.conf.veth0.forwarding: 1}")), "");
  EXPECT_EQ(Diagnose(RootSnatLab("{net.ipv4.ip_forward: 1}")), "");
  EXPECT_EQ(Diagnose(RootSnatLab("{net.ipv4.conf.all.forwarding: 1}")), "");
  // Forwarding on an interface the lab does not have, or IPv6 only, is not enough.
  DiagnosticList diags;
  ValidateText(RootSnatLab("{net.ipv4.conf.eth9.forwarding: 1, net.ipv6.conf.all.forwarding: 1}"),
               &diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message,
            "snat on node 'host', which does not forward IPv4 (kind: root)");
  EXPECT_EQ(diags.items()[0].hint,
            "set net.ipv4.conf.veth0.forwarding: 1 under its sysctls for each interface the "
            "traffic comes in by (or net.ipv4.ip_forward: 1, which makes the host forward on "
            "every interface)");
}

TEST(CheckTest, SysctlNames) {
  EXPECT_EQ(Diagnose(LabWith("{net.ipv4.conf.all.rp_filter: 0}",
                             "{net.ipv4.conf.all.rp_filter: 0, net.ipv4.: 1, net.core.x: \"\"}")),
            "test.yaml:20:47: error: sysctl 'net.ipv4.' is not a valid sysctl name: it starts or "
            "ends with '.'\n"
            "test.yaml:20:73: error: sysctl 'net.core.x' has an empty value\n");
}

TEST(CheckTest, AMalformedLinkDoesNotMakeItsInterfacesUnconnected) {
  // Build cannot tell which interfaces "server-vethS" meant; only that is reported.
  DiagnosticList diags;
  ValidateText(LabWith("[server:vethS, router:veth-srv]", "[server-vethS, router:veth-srv]"),
               &diags);
  EXPECT_EQ(Brief(diags),
            "test.yaml:28:6: error: link endpoint 'server-vethS' is not of the form "
            "node:interface\n");
}

TEST(CheckTest, NamespaceNameRules) {
  EXPECT_EQ(NamespaceNameProblem("router-1.lab_2"), "");
  EXPECT_EQ(NamespaceNameProblem(""), "it is empty");
  EXPECT_EQ(NamespaceNameProblem("."), "'.' is not allowed");
  EXPECT_EQ(NamespaceNameProblem(".."), "'..' is not allowed");
  EXPECT_EQ(NamespaceNameProblem("a/b"), "'/' is not allowed");
  EXPECT_EQ(NamespaceNameProblem("a;reboot"), "';' is not allowed");
  EXPECT_EQ(NamespaceNameProblem("a b"), "whitespace is not allowed");
  EXPECT_EQ(NamespaceNameProblem(std::string("a\0b", 3)), "a NUL byte is not allowed");
  EXPECT_EQ(NamespaceNameProblem("caf\xc3\xa9"), "non-ASCII characters are not allowed");
  EXPECT_EQ(NamespaceNameProblem("-x"), "it starts with '-'");
  EXPECT_EQ(NamespaceNameProblem(".hidden"), "it starts with '.'");
  EXPECT_EQ(NamespaceNameProblem(std::string(64, 'a')), "");
  EXPECT_EQ(NamespaceNameProblem(std::string(65, 'a')), "it is longer than 64 bytes");
}

TEST(CheckTest, InterfaceNameRules) {
  EXPECT_EQ(InterfaceNameProblem("veth-srv"), "");
  EXPECT_EQ(InterfaceNameProblem(std::string(15, 'a')), "");
  EXPECT_EQ(InterfaceNameProblem("averyveryverylongname"),
            "is longer than 15 bytes (the kernel's limit)");
  EXPECT_EQ(InterfaceNameProblem(""), "is empty");
  EXPECT_EQ(InterfaceNameProblem("."), "is '.', which the kernel does not allow");
  EXPECT_EQ(InterfaceNameProblem(".."), "is '..', which the kernel does not allow");
  EXPECT_EQ(InterfaceNameProblem("a/b"), "contains '/', which the kernel does not allow");
  EXPECT_EQ(InterfaceNameProblem("eth0:1"), "contains ':', which the kernel does not allow");
  EXPECT_EQ(InterfaceNameProblem("a b"), "contains whitespace, which the kernel does not allow");
  EXPECT_EQ(InterfaceNameProblem("eth%d"),
            "contains '%', which the kernel would take as a name template");
}

}  // namespace
}  // namespace topo
