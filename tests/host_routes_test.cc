// Issue #16 item 2: a root node must not be able to take over the host's
// routing. The pure rules (model/host_routes.h), the validate rules that need
// only the file (front/rules_host.cc), and what `up` compares with the host's
// own routes and addresses (RootClashes, fed by the RecordingBackend).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "front/validate.h"
#include "lab/lab.h"
#include "model/host_routes.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "testutil.h"

namespace topo {
namespace {

Prefix P(const char* text) {
  std::string error;
  std::optional<Prefix> p = ParsePrefix(text, &error);
  EXPECT_TRUE(p) << text << ": " << error;
  return p.value_or(Prefix{});
}

std::vector<Prefix> Ps(std::initializer_list<const char*> texts) {
  std::vector<Prefix> out;
  for (const char* t : texts) out.push_back(P(t));
  return out;
}

TEST(HostRoutesTest, HalfTheSpaceIsAddedUpAsPrefixesNotAsText) {
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"0.0.0.0/1", "128.0.0.0/1"}), 4));
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"128.0.0.0/1"}), 4));
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"0.0.0.0/0"}), 4));
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"0.0.0.0/2", "64.0.0.0/3", "96.0.0.0/3"}), 4));
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"0.0.0.0/2", "192.0.0.0/2"}), 4)) << "not adjacent, still half";
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"::/1"}), 6));
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"8000::/2", "c000::/2"}), 6));
  // Overlaps count once; other families do not count.
  EXPECT_FALSE(CoverHalfTheSpace(Ps({"0.0.0.0/2", "0.0.0.0/3", "32.0.0.0/3"}), 4));
  EXPECT_FALSE(CoverHalfTheSpace(Ps({"0.0.0.0/2", "64.0.0.0/3", "96.0.0.0/4"}), 4));
  EXPECT_FALSE(CoverHalfTheSpace(Ps({"10.0.0.0/8", "::/0"}), 4));
  EXPECT_FALSE(CoverHalfTheSpace(Ps({"0.0.0.0/1"}), 6));
  EXPECT_FALSE(CoverHalfTheSpace({}, 4));
  // Host bits do not fool it: 64.0.0.0/1 is 0.0.0.0/1.
  EXPECT_FALSE(CoverHalfTheSpace(Ps({"64.0.0.0/2", "64.0.0.1/2"}), 4));
  EXPECT_TRUE(CoverHalfTheSpace(Ps({"64.0.0.0/2", "0.0.0.1/2"}), 4));
}

TEST(HostRoutesTest, ReservedRangesAllowedPrefixesAndTheFlagsValues) {
  EXPECT_EQ(ReservedHostRange(P("169.254.169.254/32")), P("169.254.0.0/16"));
  EXPECT_EQ(ReservedHostRange(P("160.0.0.0/4")), P("169.254.0.0/16")) << "covers it";
  EXPECT_EQ(ReservedHostRange(P("fe80::/64")), P("fe80::/10"));
  EXPECT_FALSE(ReservedHostRange(P("169.255.0.0/16")));
  EXPECT_FALSE(ReservedHostRange(P("fd00::/8")));
  EXPECT_TRUE(HostRouteAllowed(P("169.254.169.254/32"), Ps({"169.254.0.0/16"})));
  EXPECT_FALSE(HostRouteAllowed(P("169.254.0.0/16"), Ps({"169.254.169.254/32"})));
  EXPECT_TRUE(HostRouteAllowed(P("0.0.0.0/1"), Ps({"0.0.0.0/0"})));
  EXPECT_FALSE(HostRouteAllowed(P("0.0.0.0/1"), Ps({"::/0"})));
  std::string error;
  EXPECT_EQ(ParseAllowedHostRoute("169.254.169.254", &error), P("169.254.169.254/32"));
  EXPECT_EQ(ParseAllowedHostRoute("10.1.2.3/8", &error), P("10.0.0.0/8"));
  EXPECT_EQ(ParseAllowedHostRoute("::/0", &error), P("::/0"));
  EXPECT_FALSE(ParseAllowedHostRoute("default", &error));
  EXPECT_EQ(error, "'default' is neither an address nor a prefix");
  EXPECT_FALSE(ParseAllowedHostRoute("10.0.0.0/33", &error));
}

std::string RootLab(const std::string& routes, const std::string& addresses = "10.77.0.1/24") {
  return "name: lab\nnodes:\n  host:\n    kind: root\n    interfaces:\n      veth0: [" + addresses +
         ", \"fd77::1/64\"]\n    routes:\n" + routes +
         "  ns1:\n    interfaces:\n      veth1: [10.77.0.2/24, \"fd77::2/64\"]\n"
         "links:\n  - [host:veth0, ns1:veth1]\n";
}

std::optional<Topology> ValidateWith(const std::string& yaml, std::vector<Prefix> allowed,
                                     DiagnosticList* diags) {
  Document doc;
  if (!LoadText("test.yaml", yaml, &doc, diags)) return std::nullopt;
  ValidateOptions vo;
  vo.allowed_host_routes = std::move(allowed);
  return Validate(doc, vo, diags);
}

TEST(HostRoutesTest, ADefaultRouteInTwoHalvesIsRefusedAtValidate) {
  DiagnosticList diags;
  const std::string yaml = RootLab(
      "      - {to: 0.0.0.0/1, via: 10.77.0.2}\n"
      "      - {to: 128.0.0.0/1, via: 10.77.0.2}\n");
  EXPECT_FALSE(testing::ValidateText(yaml, &diags));
  EXPECT_EQ(testing::Brief(diags),
            "test.yaml:8:14: error: host route 0.0.0.0/1 of the root node 'host' covers half of "
            "the IPv4 address space: it would take over the host's default route\n"
            "test.yaml:9:14: error: host route 128.0.0.0/1 of the root node 'host' covers half of "
            "the IPv4 address space: it would take over the host's default route\n");
  // Quarters that add up are compared as prefixes too.
  DiagnosticList quarters;
  EXPECT_FALSE(testing::ValidateText(RootLab("      - {to: 0.0.0.0/2, via: 10.77.0.2}\n"
                                             "      - {to: 10.0.0.0/8, via: 10.77.0.2}\n"
                                             "      - {to: 64.0.0.0/2, via: 10.77.0.2}\n"),
                                     &quarters));
  EXPECT_EQ(testing::Brief(quarters),
            "test.yaml:10:14: error: the host routes of the root node 'host' (0.0.0.0/2, "
            "10.0.0.0/8, 64.0.0.0/2) cover half of the IPv4 address space or more: they would "
            "take over the host's default route\n");
  // Allowed by the command line (the whole space, or these very halves).
  for (const std::vector<Prefix>& allowed : {Ps({"0.0.0.0/0"}), Ps({"0.0.0.0/1", "128.0.0.0/1"})}) {
    DiagnosticList d;
    EXPECT_TRUE(ValidateWith(yaml, allowed, &d)) << testing::Brief(d);
  }
  DiagnosticList d;
  EXPECT_FALSE(ValidateWith(yaml, Ps({"0.0.0.0/1"}), &d)) << "the other half is still refused";
}

TEST(HostRoutesTest, MetadataAndLinkLocalRoutesNeedTheFlag) {
  const std::string yaml = RootLab("      - {to: 169.254.169.254/32, via: 10.77.0.2}\n");
  DiagnosticList diags;
  EXPECT_FALSE(testing::ValidateText(yaml, &diags));
  EXPECT_NE(testing::Brief(diags).find("host route 169.254.169.254/32 of the root node 'host' "
                                       "reaches into 169.254.0.0/16"),
            std::string::npos)
      << testing::Brief(diags);
  DiagnosticList d;
  EXPECT_TRUE(ValidateWith(yaml, Ps({"169.254.169.254/32"}), &d)) << testing::Brief(d);
  // Not a root node: a lab's own namespaces may route anything.
  DiagnosticList inner;
  EXPECT_TRUE(testing::ValidateText(
      "name: lab\nnodes:\n  a:\n    interfaces:\n      e0: [10.0.0.1/24]\n    routes:\n"
      "      - {to: 169.254.169.254/32, via: 10.0.0.2}\n      - {to: 0.0.0.0/1, via: 10.0.0.2}\n"
      "      - {to: 128.0.0.0/1, via: 10.0.0.2}\n"
      "  b:\n    interfaces:\n      e0: [10.0.0.2/24]\nlinks:\n  - [a:e0, b:e0]\n",
      &inner))
      << testing::Brief(inner);
}

// What `up` compares with the host (the RecordingBackend's root namespace).
std::string Clashes(const std::string& yaml, RecordingBackend* b) {
  DiagnosticList diags;
  auto t = ValidateWith(yaml, Ps({"0.0.0.0/0", "::/0"}), &diags);
  EXPECT_TRUE(t) << testing::Brief(diags);
  if (!t) return "";
  StateStore store("/nonexistent/topo-state");
  std::string out;
  for (const std::string& p : RootClashes(Compile(*t), *b, store)) out += p + "\n";
  return out;
}

TEST(HostRoutesTest, UpRefusesRoutesThatCoverTheHostsAddressesOrGateways) {
  RecordingBackend b;
  b.AddHostInterface("eth0", {"192.0.2.2/24"});
  b.AddHostInterface("eth1", {"198.51.100.7/32"});     // no route of its own
  b.AddHostRoute("default via 203.0.113.1 dev eth0");  // an onlink gateway
  b.AddHostRoute("192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2");
  EXPECT_EQ(Clashes(RootLab("      - {to: 198.51.100.0/24, via: 10.77.0.2}\n"
                            "      - {to: 203.0.113.0/24, via: 10.77.0.2}\n"
                            "      - {to: 192.0.0.0/8, via: 10.77.0.2}\n"
                            "      - {to: 10.99.0.0/16, via: 10.77.0.2}\n"),
                    &b),
            "host-side route 198.51.100.0/24 covers the host's address 198.51.100.7/32 on eth1\n"
            "host-side route 203.0.113.0/24 covers 203.0.113.1, the gateway of the host's route "
            "default via 203.0.113.1 dev eth0\n"
            "host-side route 192.0.0.0/8 overlaps the host's route 192.0.2.0/24 dev eth0 proto "
            "kernel scope link src 192.0.2.2\n");
  // A host-side address whose subnet takes the gateway is refused the same way.
  EXPECT_EQ(Clashes(RootLab("      - {to: 10.99.0.0/16, via: 10.77.0.2}\n",
                            "10.77.0.1/24, 203.0.113.9/24"),
                    &b),
            "host-side address 203.0.113.9/24 on 'veth0' covers 203.0.113.1, the gateway of the "
            "host's route default via 203.0.113.1 dev eth0\n");
  // A default route the flag let through still meets the host's own.
  EXPECT_EQ(Clashes(RootLab("      - {to: default, via: 10.77.0.2}\n"), &b),
            "host-side route default (IPv4) overlaps the host's route default via 203.0.113.1 dev "
            "eth0\n");
}

}  // namespace
}  // namespace topo
