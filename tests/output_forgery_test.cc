// Output forgery (issue #16, item 12): text that came from a file, or from
// state on disk, is printed escaped, so a name or value cannot start a line of
// its own (a forged PASS or summary line in a CI log) or drive the terminal.
// Validation refuses such names and values first (tests/invalid/172, 173);
// these tests bypass it, as a tampered plan.json would.
#include <gtest/gtest.h>

#include "checks/checks.h"
#include "checks/report.h"
#include "plan/plan.h"

namespace topo {
namespace {

bool HasRawControl(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

TEST(OutputForgeryTest, PlanTextEscapesValuesAndNames) {
  Plan plan;
  plan.lab = "lab\x1b]0;owned\a";
  Action a;
  a.kind = ActionKind::kSetSysctl;
  a.ns = "n";
  a.set_key("net.ipv4.ip_forward");
  a.set_value("1\n  2  delete namespace everything\x1b[2J");
  plan.actions.push_back(a);
  EXPECT_FALSE(HasRawControl(Describe(a))) << Describe(a);
  EXPECT_FALSE(HasRawControl(DescribeInverse(a))) << DescribeInverse(a);
  EXPECT_NE(Describe(a).find("\\x0a"), std::string::npos) << Describe(a);
  std::string text = FormatPlanText(plan);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 2u) << "a header and one action:\n" << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
}

TEST(OutputForgeryTest, CheckLinesAndSummaryEscapeNames) {
  CheckSpec spec;
  spec.name = "reach\nPASS  everything: ok (0.1 ms)";
  CheckResult r;
  r.name = spec.name;
  r.passed = false;
  r.detail = "timed out";
  std::string line = FormatCheckLine(spec, r);
  EXPECT_FALSE(HasRawControl(line)) << line;
  EXPECT_EQ(line.rfind("FAIL  ", 0), 0u) << line;
  CheckSummary sum;
  std::string summary = FormatCheckSummary("lab\n0 failed\x1b[0m", sum);
  EXPECT_FALSE(HasRawControl(summary)) << summary;
}

}  // namespace
}  // namespace topo
