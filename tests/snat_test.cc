// SNAT rules as typed values: their iptables words (model/snat.h), the
// iptables-restore input the kernel layer makes of them (kernel/iptables.h),
// and their round trip through the plan's JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kernel/iptables.h"
#include "model/snat.h"
#include "plan/plan.h"

namespace topo {
namespace {

SnatSpec Rule(const std::string& source, const std::string& out, const std::string& to = "",
              const std::string& comment = "topo:lab") {
  std::string err;
  SnatSpec r;
  r.source = *ParsePrefix(source, &err);
  r.out = out;
  if (!to.empty()) r.to = *ParseIp(to);
  r.comment = comment;
  return r;
}

TEST(SnatTest, WordsAndText) {
  EXPECT_EQ(
      SnatRuleWords(Rule("10.0.1.0/24", "veth-cli", "10.0.2.1")),
      (std::vector<std::string>{"-s", "10.0.1.0/24", "-o", "veth-cli", "-m", "comment", "--comment",
                                "topo:lab", "-j", "SNAT", "--to-source", "10.0.2.1"}));
  EXPECT_EQ(SnatRuleWords(Rule("fd00::/64", "eth0", "", "")),
            (std::vector<std::string>{"-s", "fd00::/64", "-o", "eth0", "-j", "MASQUERADE"}));
  EXPECT_EQ(Rule("10.0.1.0/24", "veth-cli", "10.0.2.1").ToString(),
            "10.0.1.0/24 out veth-cli to 10.0.2.1");
  EXPECT_EQ(Rule("10.0.1.0/24", "eth0").ToString(), "10.0.1.0/24 out eth0 masquerade");
}

TEST(SnatTest, RestoreInput) {
  std::string input;
  ASSERT_TRUE(
      SnatRestoreInput({Rule("10.0.1.0/24", "veth-cli", "10.0.2.1"), Rule("10.0.3.0/24", "eth0")},
                       false, &input)
          .ok());
  EXPECT_EQ(input,
            "*nat\n"
            "-A POSTROUTING -s 10.0.1.0/24 -o veth-cli -m comment --comment topo:lab -j SNAT "
            "--to-source 10.0.2.1\n"
            "-A POSTROUTING -s 10.0.3.0/24 -o eth0 -m comment --comment topo:lab -j MASQUERADE\n"
            "COMMIT\n");
  ASSERT_TRUE(SnatRestoreInput({Rule("10.0.3.0/24", "eth0")}, true, &input).ok());
  EXPECT_EQ(input,
            "*nat\n"
            "-D POSTROUTING -s 10.0.3.0/24 -o eth0 -m comment --comment topo:lab -j MASQUERADE\n"
            "COMMIT\n");
}

TEST(SnatTest, RestoreInputRefusesWhatItCannotCarry) {
  std::string input = "untouched";
  Status s =
      SnatRestoreInput({Rule("10.0.1.0/24", "eth0"), Rule("fd00::/64", "eth0")}, false, &input);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "snat rules 10.0.1.0/24 out eth0 masquerade and fd00::/64 out eth0 masquerade are of "
            "different families");
  for (const char* out : {"eth0\n-F", "a b", "e\"0", "e'0", "e#0", ""}) {
    s = SnatRestoreInput({Rule("10.0.1.0/24", out)}, false, &input);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << out;
  }
  EXPECT_EQ(SnatRestoreInput({Rule("10.0.1.0/24", "eth0", "", "topo:a lab")}, false, &input).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(input, "untouched");
}

TEST(SnatTest, PlanJsonKeepsEachRulesComment) {
  Action a;
  a.kind = ActionKind::kAddSnat;
  a.ns = "r";
  a.mutable_snat() = {Rule("10.0.1.0/24", "eth0"), Rule("10.0.2.0/24", "eth0", "10.0.0.1")};
  nlohmann::json j = ActionToJson(a);
  EXPECT_EQ(j["comment"], "topo:lab");
  EXPECT_FALSE(j["rules"][0].contains("comment"));
  Action back;
  ASSERT_TRUE(ActionFromJson(j, &back).ok());
  EXPECT_EQ(back.snat(), a.snat());

  a.mutable_snat()[1].comment = "topo:other";
  j = ActionToJson(a);
  EXPECT_EQ(j["rules"][1]["comment"], "topo:other");
  ASSERT_TRUE(ActionFromJson(j, &back).ok());
  EXPECT_EQ(back.snat(), a.snat());
}

}  // namespace
}  // namespace topo
