// `topo gen` end to end, through the binary: every shape at N = 12 brought up
// and checked by `topo test -` fed from `topo gen` (both families), and `-`
// (standard input) for validate, plan, up and down.
//
// Every lab carries the fixture's unique prefix (`--prefix`), and LabFixture's
// TearDown takes down whatever is left and fails the test for any leak.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ProcessResult;

class GenTest : public testing::LabFixture {
 protected:
  // `topo gen ARGS`, which must succeed; its standard output.
  std::string Gen(std::vector<std::string> args) {
    args.insert(args.begin(), "gen");
    args.insert(args.end(), {"--prefix", prefix_});
    ProcessResult r = Topo(args);
    EXPECT_EQ(r.status, 0) << r.output;
    return r.output;
  }
};

// Each shape, generated and piped into `topo test -`: up, every check, down.
class GenShapeTest : public GenTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(GenShapeTest, PassesItsOwnChecks) {
  TOPO_REQUIRE_ROOT();
  for (const char* family : {"4", "6"}) {
    SCOPED_TRACE(std::string("--family ") + family);
    const std::string lab = Gen({GetParam(), "12", "--family", family, "--checks", "all"});
    labs_.push_back(prefix_ + GetParam() + "12");
    ProcessResult r = TopoWithInput({"test", "-"}, lab);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find(" 0 failed"), std::string::npos) << r.output;
  }
}

TEST_P(GenShapeTest, BothFamiliesComeUp) {
  TOPO_REQUIRE_ROOT();
  const std::string lab = Gen({GetParam(), "12", "--family", "both"});
  labs_.push_back(prefix_ + GetParam() + "12");
  ProcessResult r = TopoWithInput({"test", "-"}, lab);
  EXPECT_EQ(r.status, 0) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Shapes, GenShapeTest,
                         ::testing::Values("star", "chain", "ring", "tree", "mesh", "clos",
                                           "grid"));

TEST_F(GenTest, StandardInputForValidatePlanUpAndDown) {
  TOPO_REQUIRE_ROOT();
  const std::string lab = Gen({"ring", "4"});
  const std::string name = prefix_ + "ring4";
  labs_.push_back(name);

  ProcessResult v = TopoWithInput({"validate", "-"}, lab);
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_NE(v.output.find("<stdin>: ok (lab '" + name + "', 8 nodes)"), std::string::npos)
      << v.output;
  ProcessResult bad = TopoWithInput({"validate", "-"}, "name: x\nnodes:\n  a: {kind: hots}\n");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("<stdin>:3:13: error: unknown node kind 'hots'"), std::string::npos)
      << bad.output;

  ProcessResult plan = TopoWithInput({"plan", "-"}, lab);
  EXPECT_EQ(plan.status, 0) << plan.output;
  EXPECT_NE(plan.output.find("create namespace " + prefix_ + "r1"), std::string::npos)
      << plan.output;

  ProcessResult up = TopoWithInput({"up", "-"}, lab);
  ASSERT_EQ(up.status, 0) << up.output;
  EXPECT_NE(up.output.find("lab '" + name + "' is up"), std::string::npos) << up.output;
  ProcessResult status = Topo({"status", name});
  EXPECT_NE(status.output.find("from <stdin>"), std::string::npos) << status.output;
  ProcessResult checks = Topo({"test", "--lab", name});
  EXPECT_EQ(checks.status, 0) << checks.output;
  // Down by the same text on standard input, then by name: already down.
  ProcessResult down = TopoWithInput({"down", "-"}, lab);
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_NE(down.output.find("lab '" + name + "' is down"), std::string::npos) << down.output;

  ASSERT_EQ(TopoWithInput({"up", "-"}, lab).status, 0);
  down = Topo({"down", name});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_NE(down.output.find("lab '" + name + "' is down"), std::string::npos) << down.output;
}

}  // namespace
}  // namespace topo
