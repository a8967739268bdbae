// Declared checks without the kernel: how `checks:` is read and validated,
// how checks resolve to namespaces and addresses, the JSON they are stored
// as, the reports (terminal line, JSON, JUnit XML), the ICMP wire helpers,
// --prefix auto and the environment of `topo run`.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "checks/checks.h"
#include "checks/probe.h"
#include "checks/report.h"
#include "lab/prefix.h"
#include "lab/run_env.h"
#include "plan/compile.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::Brief;
using testing::ValidateText;

constexpr const char* kLab = R"(name: lab
prefix: p-
nodes:
  server:
    interfaces:
      lo: [1.1.1.1/24]
      e0: [10.0.1.2/24, 2001:db8:1::2/64]
  router:
    kind: router
    interfaces:
      a: [10.0.1.1/24, 2001:db8:1::1/64]
      b: [10.0.2.1/24]
  client:
    interfaces:
      e0: ["2001:db8:2::2/64", 10.0.2.2/24]
  bare:
    interfaces: {lo: []}
links:
  - [server:e0, router:a]
  - [client:e0, router:b]
)";

std::string WithChecks(const std::string& checks) {
  return std::string(kLab) + "checks:\n" + checks;
}

TEST(ChecksBuild, ReadsEveryField) {
  DiagnosticList diags;
  auto t = ValidateText(WithChecks(R"(  - {from: server, to: client}
  - {from: client, to: 1.1.1.1, tcp: 8080, timeout: 500ms, name: web}
  - {from: server, to: client, source: 10.0.2.1, expect: failure, timeout: 2}
  - {from: server, to: 10.0.2.2, udp: 53, timeout: 1.5s}
  - {from: client, to: 1.1.1.1, tcp: 22, listen: false}
  - {from: client, to: server, within: 30s}
  - {from: client, to: server, within: 2.5}
)"),
                        &diags);
  ASSERT_TRUE(t) << Brief(diags);
  ASSERT_EQ(t->checks.size(), 7u);
  EXPECT_EQ(t->checks[0].within_ms, 0) << "no within: run once";
  EXPECT_EQ(t->checks[5].within_ms, 30000);
  EXPECT_EQ(t->checks[6].within_ms, 2500);
  const DeclaredCheck& ping = t->checks[0];
  EXPECT_EQ(ping.kind, ProbeKind::kPing);
  EXPECT_EQ(ping.to, "client");
  EXPECT_FALSE(ping.to_address);
  EXPECT_EQ(ping.timeout_ms, 1000);
  EXPECT_TRUE(ping.expect_success);
  const DeclaredCheck& web = t->checks[1];
  EXPECT_EQ(web.kind, ProbeKind::kTcp);
  EXPECT_EQ(web.port, 8080);
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.timeout_ms, 500);
  EXPECT_EQ(web.to_address->ToString(), "1.1.1.1");
  const DeclaredCheck& snat = t->checks[2];
  EXPECT_EQ(snat.kind, ProbeKind::kUdp) << "source alone means a udp probe";
  EXPECT_EQ(snat.port, 0);
  EXPECT_EQ(snat.source->ToString(), "10.0.2.1");
  EXPECT_FALSE(snat.expect_success);
  EXPECT_EQ(snat.timeout_ms, 2000);
  EXPECT_EQ(t->checks[3].kind, ProbeKind::kUdp);
  EXPECT_EQ(t->checks[3].port, 53);
  EXPECT_EQ(t->checks[3].timeout_ms, 1500);
  EXPECT_FALSE(t->checks[4].listen);
  EXPECT_EQ(t->checks[4].from_src.loc.line, 26);
  EXPECT_EQ(t->checks[4].from_src.pointer, "/checks/4/from");
}

TEST(ChecksValidate, EveryProblemAtItsToken) {
  DiagnosticList diags;
  auto t = ValidateText(WithChecks(R"(  - {from: sever, to: client}
  - {from: server, to: clinet}
  - {from: server, to: 10.0.1.300}
  - {from: server, to: client, tcp: 0}
  - {from: server, to: client, tcp: 80, udp: 80}
  - {from: server, to: 10.9.9.9, tcp: 80}
  - {from: server, to: 10.0.2.2, source: 2001:db8::1}
  - {from: server, to: client, timeout: 90s}
  - {from: server, to: client, timeout: soon}
  - {from: server, to: client, udp: 53, listen: false}
  - {from: server, to: bare}
  - {from: server, to: client, name: a}
  - {from: client, to: server, name: a}
  - {from: server, to: "fe80::1"}
)"),
                        &diags);
  EXPECT_FALSE(t);
  EXPECT_EQ(Brief(diags),
            "test.yaml:22:12: error: unknown node 'sever' (did you mean 'server'?)\n"
            "test.yaml:23:24: error: unknown node 'clinet' (did you mean 'client'?)\n"
            "test.yaml:24:24: error: '10.0.1.300' is not a valid IPv4 or IPv6 address, nor a "
            "node name\n"
            "test.yaml:25:37: error: tcp 0 is out of range (1-65535)\n"
            "test.yaml:26:5: error: a check is either tcp or udp, not both\n"
            "test.yaml:27:24: error: no node of the lab has address 10.9.9.9, so topo cannot "
            "listen there\n"
            "test.yaml:28:42: error: source 2001:db8::1 is IPv6 but the target 10.0.2.2 is IPv4\n"
            "test.yaml:29:41: error: timeout 90s is longer than 60s\n"
            "test.yaml:30:41: error: timeout 'soon' is not a duration\n"
            "test.yaml:31:49: error: a udp check needs topo's listener at the target\n"
            "test.yaml:32:24: error: node 'bare' has no address a check could go to\n"
            "test.yaml:34:38: error: check name 'a' is already used at line 33\n"
            "test.yaml:35:24: error: check target fe80::1 is link-local, which needs an "
            "interface to be reached\n");
}

TEST(ChecksValidate, ListenerlessTcpToAnOutsideAddressIsFine) {
  DiagnosticList diags;
  auto t = ValidateText(WithChecks("  - {from: server, to: 192.0.2.1, tcp: 443, listen: false}\n"
                                   "  - {from: server, to: 127.0.0.1, tcp: 80}\n"),
                        &diags);
  EXPECT_TRUE(t) << Brief(diags);
}

TEST(ChecksResolve, NodesBecomeAddressesAndNamespaces) {
  DiagnosticList diags;
  auto t = ValidateText(WithChecks(R"(  - {from: client, to: server}
  - {from: server, to: client, tcp: 80}
  - {from: server, to: 127.0.0.1, tcp: 81}
  - {from: server, to: 2001:db8:1::1, udp: 53, source: 2001:db8:1::2, within: 20s}
)"),
                        &diags);
  ASSERT_TRUE(t) << Brief(diags);
  std::vector<CheckSpec> specs = ResolveChecks(*t);
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[3].within_ms, 20000);
  EXPECT_EQ(specs[0].name, "ping client -> server");
  EXPECT_EQ(specs[0].from_ns, "p-client");
  EXPECT_EQ(specs[0].target.ToString(), "1.1.1.1") << "lo first, in file order";
  EXPECT_FALSE(specs[0].listens) << "a ping needs no listener";
  EXPECT_EQ(specs[1].target.ToString(), "10.0.2.2") << "IPv4 before IPv6";
  EXPECT_TRUE(specs[1].listens);
  EXPECT_EQ(specs[1].listen_ns, "p-client");
  EXPECT_EQ(specs[1].name, "tcp server -> client:80");
  EXPECT_EQ(specs[2].listen_ns, "p-server") << "a loopback target is the source's own";
  EXPECT_EQ(specs[3].listen_node, "router");
  EXPECT_EQ(specs[3].name, "udp server -> 2001:db8:1::1 port 53 from 2001:db8:1::2");

  std::vector<CheckSpec> back;
  ASSERT_TRUE(CheckSpecsFromJson(CheckSpecsToJson(specs), &back).ok());
  ASSERT_EQ(back.size(), specs.size());
  EXPECT_EQ(back[3].within_ms, 20000);
  EXPECT_EQ(back[0].within_ms, 0);
  for (size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(CheckSpecsToJson({back[i]}), CheckSpecsToJson({specs[i]}));
  }
  EXPECT_FALSE(CheckSpecsFromJson(nlohmann::json::object(), &back).ok());
  EXPECT_FALSE(
      CheckSpecsFromJson(nlohmann::json::parse(R"([{"name": "x", "kind": "smoke"}])"), &back).ok());
}

// `family` picks the node's first address of that family (a dual-stack lab checks both).
TEST(ChecksResolve, FamilyPicksTheNodesAddressOfThatFamily) {
  DiagnosticList diags;
  auto t = ValidateText(WithChecks(R"(  - {from: server, to: client, family: 6}
  - {from: server, to: client, family: 4}
  - {from: client, to: server, tcp: 80, family: 6}
)"),
                        &diags);
  ASSERT_TRUE(t) << Brief(diags);
  std::vector<CheckSpec> specs = ResolveChecks(*t);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].target.ToString(), "2001:db8:2::2");
  EXPECT_EQ(specs[0].name, "ping server -> client (IPv6)");
  EXPECT_EQ(specs[1].target.ToString(), "10.0.2.2");
  EXPECT_EQ(specs[1].name, "ping server -> client (IPv4)");
  EXPECT_EQ(specs[2].target.ToString(), "2001:db8:1::2") << "lo has IPv4 only";
  EXPECT_EQ(specs[2].listen_ns, "p-server");
}

// Issue #16 item 4: the root node's checks belong to the host's namespace
// (ns ""), never to a namespace named prefix + node, which may be anyone's.
TEST(ChecksResolve, TheRootNodesChecksRunInTheHostsNamespace) {
  DiagnosticList diags;
  auto t = ValidateText(R"(name: lab
prefix: p-
nodes:
  host:
    kind: root
    interfaces:
      veth0: [10.0.9.1/24]
  ns1:
    interfaces:
      veth1: [10.0.9.2/24]
links:
  - [host:veth0, ns1:veth1]
checks:
  - {from: host, to: ns1}
  - {from: ns1, to: host, tcp: 80}
  - {from: host, to: ns1, udp: 53}
)",
                        &diags);
  ASSERT_TRUE(t) << Brief(diags);
  std::vector<CheckSpec> specs = ResolveChecks(*t);
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].from_ns, "");
  EXPECT_EQ(specs[1].from_ns, "p-ns1");
  EXPECT_TRUE(specs[1].listens);
  EXPECT_EQ(specs[1].listen_node, "host");
  EXPECT_EQ(specs[1].listen_ns, "");
  EXPECT_EQ(specs[2].from_ns, "");
  EXPECT_EQ(specs[2].listen_ns, "p-ns1");
  std::vector<CheckSpec> back;
  ASSERT_TRUE(CheckSpecsFromJson(CheckSpecsToJson(specs), &back).ok());
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[0].from_ns, "");
  EXPECT_TRUE(back[1].listens);
  EXPECT_EQ(back[1].listen_ns, "");
  EXPECT_FALSE(back[0].listens);
}

CheckSpec Spec(const std::string& name, bool expect_success = true) {
  CheckSpec s;
  s.name = name;
  s.from_node = "a";
  s.to = "b";
  s.target = *ParseIp("10.0.0.2");
  s.expect_success = expect_success;
  return s;
}

CheckResult Result(const std::string& name, bool passed, bool probe, const std::string& detail) {
  CheckResult r;
  r.name = name;
  r.passed = passed;
  r.probe_succeeded = probe;
  r.detail = detail;
  r.seconds = 0.0012;
  return r;
}

TEST(ChecksReport, TerminalLines) {
  EXPECT_EQ(FormatCheckLine(Spec("p"), Result("p", true, true, "reply from 10.0.0.2")),
            "PASS  p: reply from 10.0.0.2 (1.2 ms)");
  EXPECT_EQ(FormatCheckLine(Spec("p"), Result("p", false, false, "no reply within 1s")),
            "FAIL  p: no reply within 1s (1.2 ms)");
  EXPECT_EQ(FormatCheckLine(Spec("n", false), Result("n", true, false, "no reply within 1s")),
            "PASS  n: no reply within 1s (as expected) (1.2 ms)");
  EXPECT_EQ(FormatCheckLine(Spec("n", false), Result("n", false, true, "reply from 10.0.0.2")),
            "FAIL  n: reply from 10.0.0.2, but the check expects failure (1.2 ms)");
  CheckResult retried = Result("w", true, true, "reply from 10.0.0.2");
  retried.attempts = 14;
  retried.seconds = 6.23;
  EXPECT_EQ(FormatCheckLine(Spec("w"), retried),
            "PASS  w: reply from 10.0.0.2 (passed after 6.2 s, 14 attempts)");
  retried.passed = false;
  retried.detail = "connection refused";
  EXPECT_EQ(FormatCheckLine(Spec("w"), retried),
            "FAIL  w: connection refused (gave up after 6.2 s, 14 attempts)");
  std::vector<CheckResult> results = {Result("p", true, true, ""), Result("q", false, false, "")};
  EXPECT_EQ(FormatCheckSummary("lab", Summarize(results, 0.5)),
            "lab 'lab': 2 checks, 1 passed, 1 failed in 500.0 ms");
}

TEST(ChecksReport, Json) {
  std::vector<CheckSpec> specs = {Spec("p"), Spec("n", false)};
  specs[1].kind = ProbeKind::kUdp;
  specs[1].port = 53;
  specs[1].source = ParseIp("10.0.0.1");
  std::vector<CheckResult> results = {Result("p", true, true, "reply from 10.0.0.2"),
                                      Result("n", false, true, "arrived from 10.0.0.1")};
  nlohmann::json j = CheckResultsToJson("lab", specs, results, 0.25);
  EXPECT_EQ(j["lab"], "lab");
  EXPECT_EQ(j["passed"], 1);
  EXPECT_EQ(j["failed"], 1);
  ASSERT_EQ(j["checks"].size(), 2u);
  EXPECT_EQ(j["checks"][0]["kind"], "ping");
  EXPECT_FALSE(j["checks"][0].contains("port"));
  EXPECT_EQ(j["checks"][1]["expect"], "failure");
  EXPECT_EQ(j["checks"][1]["port"], 53);
  EXPECT_EQ(j["checks"][1]["source"], "10.0.0.1");
  EXPECT_EQ(j["checks"][1]["probe_succeeded"], true);
  EXPECT_EQ(j["checks"][1]["passed"], false);
}

TEST(ChecksReport, JUnitIsEscapedAndCountsFailures) {
  std::vector<CheckSpec> specs = {Spec("a -> b <&\"'>"), Spec("second")};
  std::vector<CheckResult> results = {Result(specs[0].name, true, true, "ok"),
                                      Result("second", false, false, "refused <\x01>")};
  EXPECT_EQ(CheckResultsToJUnit("lab", specs, results, 1.5),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"topo\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"1.500\">\n"
            "  <testsuite name=\"lab\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" "
            "time=\"1.500\">\n"
            "    <testcase classname=\"topo.lab\" name=\"a -&gt; b &lt;&amp;&quot;&apos;&gt;\" "
            "time=\"0.001\">\n"
            "      <system-out>ok</system-out>\n"
            "    </testcase>\n"
            "    <testcase classname=\"topo.lab\" name=\"second\" time=\"0.001\">\n"
            "      <failure message=\"refused &lt;&gt;\" type=\"check-failed\">refused "
            "&lt;&gt;</failure>\n"
            "    </testcase>\n"
            "  </testsuite>\n"
            "</testsuites>\n");
}

TEST(Probe, EchoRequestChecksumsToZero) {
  std::string m = probe::EchoRequest(4, 0x1234, 7, "topo-payload!");
  EXPECT_EQ(static_cast<uint8_t>(m[0]), 8);  // echo request
  EXPECT_EQ(probe::InternetChecksum(reinterpret_cast<const uint8_t*>(m.data()), m.size()), 0);
  EXPECT_EQ(static_cast<uint8_t>(probe::EchoRequest(6, 1, 1, "")[0]), 128);
}

TEST(Probe, ParsesRepliesAndErrorsQuotingOurEcho) {
  // An echo reply behind a 20-byte IPv4 header (as a raw socket delivers it).
  std::string reply(20, '\0');
  reply[0] = 0x45;
  std::string echo = probe::EchoRequest(4, 0xbeef, 3, "x");
  echo[0] = 0;  // echo reply
  reply += echo;
  auto m = probe::ParseIcmp(4, true, reinterpret_cast<const uint8_t*>(reply.data()), reply.size());
  EXPECT_EQ(m.type, probe::IcmpMessage::Type::kEchoReply);
  EXPECT_EQ(m.id, 0xbeef);
  EXPECT_EQ(m.seq, 3);

  // Host unreachable quoting our request: ICMP header, the request's IP header, its ICMP header.
  std::string err = {3, 1, 0, 0, 0, 0, 0, 0};
  std::string inner(20, '\0');
  inner[0] = 0x45;
  err += inner + probe::EchoRequest(4, 0xbeef, 4, "");
  m = probe::ParseIcmp(4, false, reinterpret_cast<const uint8_t*>(err.data()), err.size());
  EXPECT_EQ(m.type, probe::IcmpMessage::Type::kUnreachable);
  EXPECT_EQ(m.seq, 4);
  EXPECT_EQ(m.what, "host unreachable");

  std::string junk = "\x05\x00";
  m = probe::ParseIcmp(4, false, reinterpret_cast<const uint8_t*>(junk.data()), junk.size());
  EXPECT_EQ(m.type, probe::IcmpMessage::Type::kOther);
}

TEST(AutoPrefix, ShortRandomAndFree) {
  std::regex shape("t[a-z0-9]{4}-");
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(std::regex_match(RandomPrefix(), shape));
  }
  testing::TempDir tmp("topo-prefix");
  ASSERT_TRUE(tmp.ok());
  const std::string dir = tmp.path();
  std::ofstream(dir + "/tabcd-server").put('\n');
  StateStore store(dir + "/state");
  EXPECT_FALSE(PrefixIsFree("tabcd-", store, dir));
  EXPECT_TRUE(PrefixIsFree("tabce-", store, dir));
  EXPECT_TRUE(IsAutoPrefix(std::string("auto")));
  EXPECT_FALSE(IsAutoPrefix(std::nullopt));
}

TEST(RunEnvironment, LocatesTheLab) {
  EXPECT_EQ(NamespaceVariable("edge-1.a"), "TOPO_NS_EDGE_1_A");
  DiagnosticList diags;
  auto t = ValidateText(R"(name: lab
nodes:
  a-b: {}
  a_b: {}
  c: {}
)",
                        &diags);
  ASSERT_TRUE(t) << Brief(diags);
  t->prefix = "x-";
  Plan plan = Compile(*t, "lab.yaml");
  std::vector<std::string> clashes;
  std::vector<std::string> env = LabEnvironment(plan, "/run/topo", &clashes);
  EXPECT_EQ(env, (std::vector<std::string>{
                     "TOPO_LAB=x-lab", "TOPO_PREFIX=x-", "TOPO_STATE_DIR=/run/topo",
                     "TOPO_JOURNAL=/run/topo/labs/x-lab/journal", "TOPO_TOPOLOGY=lab.yaml",
                     "TOPO_NODES=a-b a_b c", "TOPO_NS_A_B=x-a-b", "TOPO_NS_C=x-c"}));
  EXPECT_EQ(clashes, std::vector<std::string>{"a_b"});
}

// The command line, for what needs no root.
testing::ProcessResult Topo(std::vector<std::string> args) {
  args.insert(args.begin(), testing::TopoBinary());
  return testing::RunProcess(args);
}

TEST(ChecksCli, UsageErrors) {
  EXPECT_EQ(Topo({"test"}).status, 2);
  EXPECT_EQ(Topo({"test", "--lab", "x", "--prefix", "auto"}).status, 2);
  EXPECT_EQ(Topo({"run", testing::SourcePath("topologies/server-router-client.yaml")}).status, 2);
  auto invalid = Topo({"test", testing::SourcePath("tests/invalid/013-unknown-node.yaml")});
  EXPECT_EQ(invalid.status, 2);
  EXPECT_NE(invalid.output.find("unknown node 'rotuer'"), std::string::npos) << invalid.output;
  auto none = Topo({"test", testing::SourcePath("tests/invalid/030-no-common-subnet.yaml")});
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.output.find("declares no checks"), std::string::npos) << none.output;
}

TEST(ChecksCli, PlanWithAutoPrefix) {
  auto r = Topo({"plan", "--json", "--prefix", "auto",
                 testing::SourcePath("topologies/server-router-client.yaml")});
  ASSERT_EQ(r.status, 0) << r.output;
  nlohmann::json j = nlohmann::json::parse(r.output);
  std::string lab = j["lab"];
  EXPECT_TRUE(std::regex_match(lab, std::regex("t[a-z0-9]{4}-server-router-client"))) << lab;
}

}  // namespace
}  // namespace topo
