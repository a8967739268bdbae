// Checks across machines, without privileges (checks/checks.cc, sockets.h,
// front/rules_machines.cc): a tcp check whose target is on another machine
// is probed on its source's machine, without a listener of its own and with
// a default `within`, and served (listened for) on the target's machine;
// both sides name it with the same token; the specs survive JSON; the
// checks that cannot cross are refused (the corpus has their messages).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "checks/checks.h"
#include "checks/sockets.h"
#include "testutil.h"

namespace topo {
namespace {

constexpr const char* kLab = R"(name: two
prefix: p-
machines:
  m1: {address: 10.77.0.1}
  m2: {address: 10.77.0.2}
nodes:
  a: {machine: m1, interfaces: {e: [10.0.0.1/24], f: [10.0.1.1/24]}}
  c: {machine: m1, interfaces: {f: [10.0.1.2/24]}}
  b: {machine: m2, interfaces: {e: [10.0.0.2/24]}}
links:
  - [a:e, b:e]
  - [a:f, c:f]
checks:
)";

Topology Valid(const std::string& checks) {
  DiagnosticList diags;
  std::optional<Topology> t = testing::ValidateText(std::string(kLab) + checks, &diags);
  EXPECT_TRUE(t.has_value()) << testing::Brief(diags);
  return t ? *t : Topology{};
}

std::vector<std::string> Names(const std::vector<CheckSpec>& specs) {
  std::vector<std::string> names;
  names.reserve(specs.size());
  for (const CheckSpec& s : specs) names.push_back(s.name + (s.serve ? " (served)" : ""));
  return names;
}

TEST(ChecksAcross, ATcpCheckIsProbedOnItsMachineAndServedOnTheTargets) {
  const Topology t = Valid(R"(  - {from: a, to: b, tcp: 80}
  - {from: b, to: a, tcp: 81, within: 5s}
  - {from: a, to: c, tcp: 82}
  - {from: a, to: b}
  - {from: a, to: b, tcp: 443, listen: false}
)");
  std::vector<CheckSpec> m1 = ResolveChecks(t, "m1");
  ASSERT_EQ(Names(m1), (std::vector<std::string>{"tcp a -> b:80", "tcp a -> c:82", "ping a -> b",
                                                 "tcp a -> b:443", "tcp b -> a:81 (served)"}));
  // The probe: no listener here, topo on m2 listens; retried for 30 s by default.
  EXPECT_FALSE(m1[0].listens);
  EXPECT_EQ(m1[0].listen_machine, "m2");
  EXPECT_EQ(m1[0].within_ms, kAcrossWithinMs);
  EXPECT_EQ(m1[0].port, 80);
  // Within one machine, and without a listener: as ever.
  EXPECT_TRUE(m1[1].listens);
  EXPECT_EQ(m1[1].listen_machine, "");
  EXPECT_EQ(m1[1].within_ms, 0);
  EXPECT_EQ(m1[3].listen_machine, "");
  EXPECT_EQ(m1[3].within_ms, 0);
  // m2's check to a, listened for here, in a's namespace, for its `within`.
  const CheckSpec& served = m1[4];
  EXPECT_TRUE(served.listens);
  EXPECT_EQ(served.listen_ns, "p-a");
  EXPECT_EQ(served.listen_machine, "m1");
  EXPECT_EQ(served.target.ToString(), "10.0.0.1");
  EXPECT_EQ(served.within_ms, 5000);
  EXPECT_EQ(served.from_machine, "m2");

  std::vector<CheckSpec> m2 = ResolveChecks(t, "m2");
  ASSERT_EQ(Names(m2), (std::vector<std::string>{"tcp b -> a:81", "tcp a -> b:80 (served)"}));
  EXPECT_EQ(m2[0].listen_machine, "m1");
  EXPECT_EQ(m2[0].within_ms, 5000);
  EXPECT_EQ(m2[1].listen_ns, "p-b");
  EXPECT_EQ(m2[1].within_ms, kAcrossWithinMs) << "as long as the probe tries";

  // Stored with the part (checks.json) and read back.
  std::vector<CheckSpec> back;
  ASSERT_TRUE(CheckSpecsFromJson(CheckSpecsToJson(m1), &back).ok());
  EXPECT_EQ(CheckSpecsToJson(back), CheckSpecsToJson(m1));
  EXPECT_EQ(back[0].listen_machine, "m2");
  EXPECT_TRUE(back[4].serve);
  EXPECT_EQ(back[4].from_machine, "m2");

  // The probes to run, and apart the checks to serve.
  std::vector<CheckSpec> taken = TakeServed(&back);
  EXPECT_EQ(Names(taken), (std::vector<std::string>{"tcp b -> a:81 (served)"}));
  EXPECT_EQ(back.size(), 4u);
}

TEST(ChecksAcross, WithoutAMachineNothingIsServed) {
  const Topology t = Valid("  - {from: a, to: b, tcp: 80}\n");
  std::vector<CheckSpec> all = ResolveChecks(t);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(all[0].listens);
  EXPECT_EQ(all[0].listen_machine, "");
  EXPECT_FALSE(all[0].serve);
}

TEST(ChecksAcross, TheTokenComesFromTheNameAlone) {
  const std::string token = probe::AcrossToken("tcp a -> b:80");
  EXPECT_EQ(token.size(), probe::kTokenSize);
  EXPECT_EQ(token, probe::AcrossToken("tcp a -> b:80"));
  EXPECT_NE(token, probe::AcrossToken("tcp a -> b:81"));
  EXPECT_EQ(token.rfind("topx", 0), 0u) << "never a random probe's 'topo' token";
}

TEST(ChecksAcross, WhatCannotCrossIsRefused) {
  DiagnosticList diags;
  EXPECT_FALSE(
      testing::ValidateText(std::string(kLab) + "  - {from: a, to: b, udp: 53}\n", &diags));
  EXPECT_NE(testing::Brief(diags).find("needs to know what topo's listener on the other machine "
                                       "saw arrive"),
            std::string::npos)
      << testing::Brief(diags);
  DiagnosticList failure;
  EXPECT_FALSE(testing::ValidateText(
      std::string(kLab) + "  - {from: a, to: b, tcp: 80, expect: failure}\n", &failure));
  EXPECT_NE(testing::Brief(failure).find("expects failure"), std::string::npos)
      << testing::Brief(failure);
}

}  // namespace
}  // namespace topo
