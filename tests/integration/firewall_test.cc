// Port forwards and firewall rules in real namespaces (#14): the shipped lab
// topologies/firewall.yaml passes `topo test` (a forwarded port reaches the
// inner server in IPv4 and IPv6, other ports and pings are dropped both
// ways); its rules are in iptables and ip6tables of the firewall, tagged with
// the lab; a forward works from the firewall itself (its OUTPUT rule);
// `status` reports a rule deleted and a policy changed by hand; `down` and
// rollback at the firewall actions leave nothing. (A root node's rules:
// standin_root_test.cc, in a stand-in host, never the machine's firewall.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "front/validate.h"
#include "kernel/netlink_backend.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "support/fault_backend.h"
#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ProcessResult;

const std::string kFirewall = testing::SourcePath("topologies/firewall.yaml");

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class FirewallLabTest : public testing::LabFixture {
 protected:
  ProcessResult Exec(const std::string& node, std::vector<std::string> argv) {
    std::vector<std::string> args = {"exec", node, "--lab", prefix_ + "firewall", "--"};
    args.insert(args.end(), argv.begin(), argv.end());
    return Topo(args);
  }
};

TEST_F(FirewallLabTest, ShippedLabPassesItsChecksInBothFamilies) {
  labs_.push_back(prefix_ + "firewall");
  auto test = Topo({"test", "--prefix", prefix_, kFirewall});
  EXPECT_EQ(test.status, 0) << test.output;
  EXPECT_TRUE(Contains(test.output, "9 checks, 9 passed, 0 failed")) << test.output;
}

TEST_F(FirewallLabTest, RulesAreTaggedDriftIsReportedAndDownRemovesThem) {
  const std::string lab = prefix_ + "firewall";
  labs_.push_back(lab);
  auto up = Topo({"up", "--prefix", prefix_, kFirewall});
  ASSERT_EQ(up.status, 0) << up.output;
  const std::string tag = "--comment \"topo:" + lab + "\"";
  for (const char* save : {"iptables-save", "ip6tables-save"}) {
    auto rules = Exec("fw", {save});
    ASSERT_EQ(rules.status, 0) << rules.output;
    EXPECT_TRUE(Contains(rules.output, ":FORWARD DROP")) << rules.output;
    EXPECT_TRUE(
        Contains(rules.output,
                 "-A PREROUTING -i ext -p tcp -m tcp --dport 8080 -m comment " + tag + " -j DNAT"))
        << rules.output;
    EXPECT_TRUE(Contains(rules.output,
                         "-A INPUT -i ext -p tcp -m tcp --dport 22 -m comment " + tag + " -j DROP"))
        << rules.output;
    const std::string own = std::string(save) == "iptables-save" ? "10.0.1.1/32" : "fd00:1::1/128";
    EXPECT_TRUE(Contains(
        rules.output,
        "-A OUTPUT -d " + own + " -p tcp -m tcp --dport 8080 -m comment " + tag + " -j DNAT"))
        << rules.output;
  }
  // The page, through the forwarded port, from outside and from fw itself.
  for (const char* node : {"outside", "fw"}) {
    for (const char* url : {"http://10.0.1.1:8080/", "http://[fd00:1::1]:8080/"}) {
      auto page = Exec(node, {"python3", "-c",
                              std::string("import urllib.request; print(urllib.request.urlopen('") +
                                  url + "', timeout=5).read().decode())"});
      EXPECT_TRUE(Contains(page.output, "Hello from server in lab " + lab))
          << node << " " << url << ": " << page.output;
    }
  }

  auto clean = Topo({"status", lab});
  EXPECT_EQ(clean.status, 0) << clean.output;
  ASSERT_EQ(Exec("fw", {"ip6tables", "-D", "INPUT", "-i", "ext", "-p", "tcp", "-m", "tcp",
                        "--dport", "22", "-m", "comment", "--comment", "topo:" + lab, "-j", "DROP"})
                .status,
            0);
  ASSERT_EQ(Exec("fw", {"iptables", "-P", "FORWARD", "ACCEPT"}).status, 0);
  auto drift = Topo({"status", lab});
  EXPECT_NE(drift.status, 0) << drift.output;
  EXPECT_TRUE(Contains(
      drift.output, "firewall rule input in ext tcp port 22 drop in '" + prefix_ + "fw' is gone"))
      << drift.output;
  EXPECT_TRUE(Contains(drift.output,
                       "ip policy of chain forward in '" + prefix_ + "fw' is accept, not drop"))
      << drift.output;
  EXPECT_FALSE(Contains(drift.output, "ip6 policy")) << drift.output;
  auto down = Topo({"down", lab});
  EXPECT_EQ(down.status, 0) << down.output;
}

TEST_F(FirewallLabTest, RollbackAtTheFirewallActionsLeavesNothing) {
  Document doc;
  DiagnosticList diags(kFirewall);
  ValidateOptions vo;
  vo.prefix = prefix_;
  auto t = LoadAndValidate(kFirewall, vo, &doc, &diags);
  ASSERT_TRUE(t);
  Plan plan = Compile(*t, kFirewall);
  labs_.push_back(plan.lab);
  std::vector<int> at;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    if (plan.actions[i].kind == ActionKind::kAddFirewall) at.push_back(static_cast<int>(i));
  }
  ASSERT_EQ(at.size(), 4u);
  at.push_back(at.back() + 1);  // after every rule is in
  for (int n : at) {
    NetlinkBackend real;
    FaultInjectionBackend faulty(&real, n, "Operation not permitted");
    StateStore store(state_dir_);
    UpResult r = Up(plan, faulty, store);
    ASSERT_FALSE(r.status.ok());
    EXPECT_TRUE(r.apply.rollback.ok()) << n;
    for (const std::string& ns : plan.namespaces) {
      EXPECT_FALSE(real.NamespaceExists(ns)) << ns << " after failing at " << n;
    }
    EXPECT_TRUE(store.ListLabs().empty());
  }
}

}  // namespace
}  // namespace topo
