// The neighbour-table estimate and the warning it gives at `up` (derive/neighbours.h).
#include "derive/neighbours.h"

#include <gtest/gtest.h>

#include "front/load.h"
#include "front/validate.h"
#include "gen/gen.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::Brief;
using testing::ValidateText;

Topology Valid(const std::string& yaml) {
  DiagnosticList diags;
  std::optional<Topology> t = ValidateText(yaml, &diags);
  EXPECT_TRUE(t) << Brief(diags);
  return t ? *t : Topology{};
}

std::string GeneratedText(gen::Shape shape, int n, gen::Families families = gen::Families::kV4) {
  gen::Options o;
  o.shape = shape;
  o.n = n;
  o.families = families;
  gen::GeneratedLab lab;
  EXPECT_TRUE(gen::Generate(o, &lab).ok());
  return lab.yaml;
}

Topology Generated(gen::Shape shape, int n, gen::Families families) {
  return Valid(GeneratedText(shape, n, families));
}

TEST(NeighboursTest, TwoEntriesPerPointToPointLinkPerFamily) {
  NeighbourCount c = EstimateNeighbours(Generated(gen::Shape::kStar, 10, gen::Families::kV4));
  EXPECT_EQ(c.v4, 20u);
  EXPECT_EQ(c.v6, 0u);
  c = EstimateNeighbours(Generated(gen::Shape::kStar, 10, gen::Families::kBoth));
  EXPECT_EQ(c.v4, 20u);
  EXPECT_EQ(c.v6, 20u);
}

TEST(NeighboursTest, ASegmentOfJoinedSwitchesCountsEveryMemberOnce) {
  // Two switches joined by a link: one segment of four members.
  NeighbourCount c = EstimateNeighbours(Valid(R"(
name: seg
nodes:
  s1: {kind: switch}
  s2: {kind: switch}
  a: {interfaces: {eth0: [10.0.0.1/24]}}
  b: {interfaces: {eth0: [10.0.0.2/24]}}
  c: {interfaces: {eth0: [10.0.0.3/24]}}
  d: {interfaces: {eth0: [10.0.0.4/24, "fd00::4/64"]}}
links:
  - [s1:p1, s2:p1]
  - [a:eth0, s1:pa]
  - [b:eth0, s1:pb]
  - [c:eth0, s2:pc]
  - [d:eth0, s2:pd]
)"));
  EXPECT_EQ(c.v4, 6u);  // 2 x (4 - 1)
  EXPECT_EQ(c.v6, 0u);  // one member with IPv6 talks to no one
}

TEST(NeighboursTest, WarnsAboveTheHostsLimitOnly) {
  const Topology t = Generated(gen::Shape::kStar, 600, gen::Families::kV4);  // 1200 entries
  DiagnosticList diags;
  WarnNeighbourLimits(t, {0, 0}, &diags);  // unknown: nothing to say
  EXPECT_TRUE(diags.empty());
  WarnNeighbourLimits(t, {2048, 1024}, &diags);
  EXPECT_TRUE(diags.empty());
  WarnNeighbourLimits(t, {1024, 1024}, &diags);
  ASSERT_EQ(diags.items().size(), 1u);
  const Diagnostic& d = diags.items()[0];
  EXPECT_EQ(d.severity, Severity::kWarning);
  EXPECT_NE(d.message.find("1200 IPv4 neighbour entries"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("net.ipv4.neigh.default.gc_thresh3 = 1024"), std::string::npos);
  EXPECT_NE(d.hint.find("kind: root"), std::string::npos) << d.hint;
  EXPECT_EQ(d.pointer, "/name");  // at the lab's `name`
}

TEST(NeighboursTest, ARootNodeThatRaisesTheLimitSilencesTheWarning) {
  Topology t = Generated(gen::Shape::kStar, 600, gen::Families::kV4);
  Node root;
  root.name = "host";
  root.kind = NodeKind::kRoot;
  root.sysctls.push_back({"net.ipv4.neigh.default.gc_thresh3", "4096", {}, {}});
  t.nodes.push_back(root);
  DiagnosticList diags;
  WarnNeighbourLimits(t, {1024, 1024}, &diags);
  EXPECT_TRUE(diags.empty()) << Brief(diags);
}

TEST(NeighboursTest, ValidateWarnsWhenTheOptionsCarryALimit) {
  ValidateOptions vo;
  vo.neighbour_limit_v4 = 100;
  Document doc;
  DiagnosticList diags("star.yaml");
  ASSERT_TRUE(
      LoadText("star.yaml", GeneratedText(gen::Shape::kStar, 60), &doc, &diags, LoadLimits{}));
  std::optional<Topology> t = Validate(doc, vo, &diags);
  ASSERT_TRUE(t) << Brief(diags);
  EXPECT_EQ(diags.warning_count(), 1u) << Brief(diags);
}

}  // namespace
}  // namespace topo
