// Port forwards and firewall rules without privileges: how `forward:` and
// `firewall:` are read and validated (located diagnostics), their iptables
// words and iptables-restore input for each rule shape, the golden plans of
// the shipped lab topologies/firewall.yaml, the plan's JSON round trip, and
// apply / teardown / drift against the recording backend, with a root node
// whose filter table the lab creates and removes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kernel/iptables.h"
#include "lab/actions.h"
#include "lab/apply.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ExpectGolden;

Plan FirewallPlan() { return testing::ShippedPlan("topologies/firewall.yaml"); }

// A router between a and b, with `extra` appended to its YAML (indented as a node's keys).
std::string Lab(const std::string& extra, const std::string& kind = "router") {
  return "name: f\nnodes:\n"
         "  a: {interfaces: {eth0: [10.0.1.2/24, \"fd00:1::2/64\"]}}\n"
         "  b: {interfaces: {eth0: [10.0.2.2/24, \"fd00:2::2/64\"]}}\n"
         "  r:\n    kind: " +
         kind +
         "\n    interfaces: {e0: [10.0.1.1/24, \"fd00:1::1/64\"], e1: [10.0.2.1/24, "
         "\"fd00:2::1/64\"]}\n" +
         extra + "links:\n  - [a:eth0, r:e0]\n  - [b:eth0, r:e1]\n";
}

std::string Diagnose(const std::string& yaml) {
  DiagnosticList diags;
  testing::ValidateText(yaml, &diags, "f.yaml");
  return testing::Brief(diags);
}

FirewallRuleSpec Parsed(const std::string& rule) {
  DiagnosticList diags;
  auto t = testing::ValidateText(Lab("    firewall:\n      rules:\n        - " + rule + "\n"),
                                 &diags, "f.yaml");
  EXPECT_TRUE(t) << testing::Brief(diags);
  if (!t) return {};
  FirewallRuleSpec r = t->FindNode("r")->firewall.at(0);
  r.comment = "topo:lab";
  return r;
}

std::string Words(const FirewallRuleSpec& r) {
  std::string s;
  for (const std::string& w : FirewallRuleWords(r)) s += (s.empty() ? "" : " ") + w;
  return s;
}

TEST(FirewallTest, ShippedLabGoldenPlans) {
  Plan p = FirewallPlan();
  ExpectGolden("firewall.plan.txt", FormatPlanText(p));
  ExpectGolden("firewall.plan.json", PlanToJson(p).dump(2) + "\n");
  ExpectGolden("firewall.up.sh", FormatPlanShell(p, false));
  ExpectGolden("firewall.down.sh", FormatPlanShell(p, true));
}

TEST(FirewallTest, PlanRoundTripsThroughJson) {
  Plan p = FirewallPlan();
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
  int sets = 0;
  for (size_t i = 0; i < p.actions.size(); ++i) {
    if (p.actions[i].kind != ActionKind::kAddFirewall) continue;
    EXPECT_EQ(back.actions[i].firewall(), p.actions[i].firewall());
    ++sets;
  }
  EXPECT_EQ(sets, 4);  // forwards and filter rules, in each family
}

TEST(FirewallTest, WordsOfEachRuleShape) {
  EXPECT_EQ(Words(Parsed("{chain: forward, state: [established, related], action: accept}")),
            "-m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment topo:lab -j ACCEPT");
  EXPECT_EQ(Words(Parsed("{chain: forward, from: 10.0.1.0/24, to: 10.0.2.2, proto: tcp, port: 80, "
                         "action: accept}")),
            "-s 10.0.1.0/24 -d 10.0.2.2/32 -p tcp -m tcp --dport 80 -m comment --comment topo:lab "
            "-j ACCEPT");
  EXPECT_EQ(Words(Parsed("{chain: input, proto: udp, port: 1000-2000, sport: 53, in: e0, action: "
                         "reject}")),
            "-i e0 -p udp -m udp --sport 53 --dport 1000:2000 -m comment --comment topo:lab -j "
            "REJECT");
  EXPECT_EQ(Words(Parsed("{chain: forward, in: e0, out: e1, action: drop}")),
            "-i e0 -o e1 -m comment --comment topo:lab -j DROP");
  FirewallRuleSpec icmp = Parsed("{chain: input, proto: icmp, action: drop}");
  EXPECT_EQ(icmp.family, 0);  // both families
  EXPECT_EQ(Words(icmp), "-p icmp -m comment --comment topo:lab -j DROP");
  icmp.family = 6;
  EXPECT_EQ(Words(icmp), "-p ipv6-icmp -m comment --comment topo:lab -j DROP");
  EXPECT_EQ(icmp.ToString(), "input icmpv6 drop");
  EXPECT_EQ(Parsed("{chain: output, proto: icmpv6, action: drop}").family, 6);
  EXPECT_EQ(Parsed("{chain: output, to: \"fd00:2::/64\", action: drop}").family, 6);
  EXPECT_EQ(Parsed("{chain: forward, in: e0, to: 10.0.2.2, proto: tcp, port: 80, state: [new], "
                   "action: accept}")
                .ToString(),
            "forward in e0 to 10.0.2.2 tcp port 80 state new accept");
}

TEST(FirewallTest, ForwardsAreDnatRules) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      Lab("    forward:\n"
          "      - {proto: tcp, port: 8080, to: \"10.0.2.2:80\", in: e0}\n"
          "      - {proto: udp, port: 53, to: \"[fd00:2::2]:5353\", from: \"fd00:1::/64\"}\n"
          "      - {proto: tcp, port: 9000-9010, to: 10.0.2.2}\n"),
      &diags, "f.yaml");
  ASSERT_TRUE(t) << testing::Brief(diags);
  std::vector<FirewallRule> f = t->FindNode("r")->port_forwards;
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].table(), "nat");
  EXPECT_EQ(f[0].ToString(), "in e0 tcp port 8080 to 10.0.2.2:80");
  EXPECT_EQ(Words(f[0]), "-i e0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.2:80");
  EXPECT_EQ(f[1].family, 6);
  EXPECT_EQ(Words(f[1]),
            "-s fd00:1::/64 -p udp -m udp --dport 53 -j DNAT --to-destination [fd00:2::2]:5353");
  EXPECT_EQ(Words(f[2]), "-p tcp -m tcp --dport 9000:9010 -j DNAT --to-destination 10.0.2.2");
}

// Each forward is also a rule of chain OUTPUT per own address it is reached
// at (those of `in`, or all of the node's), so that it works from the node
// itself; in the same set, so added and deleted with the PREROUTING rule.
TEST(FirewallTest, ForwardsWorkFromTheNodeItself) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      Lab("    forward:\n"
          "      - {proto: tcp, port: 8080, to: \"10.0.2.2:80\", in: e0}\n"
          "      - {proto: udp, port: 53, to: \"[fd00:2::2]:5353\", from: \"fd00:1::/64\"}\n"),
      &diags, "f.yaml");
  ASSERT_TRUE(t) << testing::Brief(diags);
  Plan p = Compile(*t, "f.yaml");
  std::vector<FirewallSet> nat;
  for (const Action& a : p.actions) {
    if (a.kind == ActionKind::kAddFirewall && a.firewall().table == "nat") {
      nat.push_back(a.firewall());
    }
  }
  ASSERT_EQ(nat.size(), 2u);
  std::vector<std::string> v4, v6;
  for (const FirewallRuleSpec& r : nat[0].rules) v4.push_back(r.ToString());
  for (const FirewallRuleSpec& r : nat[1].rules) v6.push_back(r.ToString());
  EXPECT_EQ(v4, (std::vector<std::string>{"in e0 tcp port 8080 to 10.0.2.2:80",
                                          "output to 10.0.1.1 tcp port 8080 dnat to 10.0.2.2:80"}));
  EXPECT_EQ(v6, (std::vector<std::string>{
                    "from fd00:1::/64 udp port 53 to [fd00:2::2]:5353",
                    "output from fd00:1::/64 to fd00:1::1 udp port 53 dnat to [fd00:2::2]:5353",
                    "output from fd00:1::/64 to fd00:2::1 udp port 53 dnat to [fd00:2::2]:5353"}));
  EXPECT_EQ(nat[0].rules[1].table(), "nat");
  EXPECT_EQ(Words(nat[0].rules[1]),
            "-d 10.0.1.1/32 -p tcp -m tcp --dport 8080 -m comment --comment topo:f -j DNAT "
            "--to-destination 10.0.2.2:80");
  std::string input;
  ASSERT_TRUE(FirewallRestoreInput(nat[0], true, &input).ok());
  EXPECT_EQ(input,
            "*nat\n"
            "-D PREROUTING -i e0 -p tcp -m tcp --dport 8080 -m comment --comment topo:f -j DNAT "
            "--to-destination 10.0.2.2:80\n"
            "-D OUTPUT -d 10.0.1.1/32 -p tcp -m tcp --dport 8080 -m comment --comment topo:f -j "
            "DNAT --to-destination 10.0.2.2:80\n"
            "COMMIT\n");
}

TEST(FirewallTest, RestoreInputSetsPoliciesAndAppendsOrDeletes) {
  FirewallSet set;
  set.policies = {{"forward", "drop"}, {"input", "accept"}};
  set.rules = {Parsed("{chain: forward, in: e0, out: e1, action: accept}")};
  set.rules[0].family = 4;
  std::string input;
  ASSERT_TRUE(FirewallRestoreInput(set, false, &input).ok());
  EXPECT_EQ(input,
            "*filter\n:FORWARD DROP [0:0]\n:INPUT ACCEPT [0:0]\n"
            "-A FORWARD -i e0 -o e1 -m comment --comment topo:lab -j ACCEPT\nCOMMIT\n");
  ASSERT_TRUE(FirewallRestoreInput(set, true, &input).ok());
  EXPECT_EQ(input,
            "*filter\n:FORWARD ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
            "-D FORWARD -i e0 -o e1 -m comment --comment topo:lab -j ACCEPT\nCOMMIT\n");
  // A rule of another family or table, or a word iptables-restore cannot carry: refused.
  set.family = 6;
  input = "untouched";
  EXPECT_EQ(FirewallRestoreInput(set, false, &input).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(input, "untouched");
  set.family = 4;
  set.rules[0].in = "e0 -j DROP";
  EXPECT_EQ(FirewallRestoreInput(set, false, &input).code(), Status::Code::kInvalidArgument);
}

TEST(FirewallTest, ARuleWithoutAddressesGoesToBothFamilies) {
  DiagnosticList diags;
  auto t = testing::ValidateText(Lab("    firewall:\n      policy: {forward: drop}\n      rules:\n"
                                     "        - {chain: input, proto: icmp, action: drop}\n"
                                     "        - {chain: forward, to: 10.0.2.2, action: accept}\n"),
                                 &diags, "f.yaml");
  ASSERT_TRUE(t) << testing::Brief(diags);
  Plan p = Compile(*t, "f.yaml");
  std::vector<std::string> described;
  for (const Action& a : p.actions) {
    if (a.kind == ActionKind::kAddFirewall) described.push_back(Describe(a));
  }
  EXPECT_EQ(described, (std::vector<std::string>{
                           "add firewall r ip: policy forward drop; input icmp drop, forward to "
                           "10.0.2.2 accept",
                           "add firewall r ip6: policy forward drop; input icmpv6 drop"}));
}

TEST(FirewallTest, LocatedDiagnostics) {
  EXPECT_EQ(Diagnose(Lab("    firewall:\n      rules:\n"
                         "        - {chain: forward, port: 80, action: drop}\n"
                         "        - {chain: forward, from: 10.0.1.0/24, to: \"fd00:2::2\", action: "
                         "drop}\n"
                         "        - {chain: forward, in: e9, action: drop}\n"
                         "        - {chain: forward, proto: tcp, port: 2000-1000, action: drop}\n"
                         "        - {chain: output, in: e0, action: drop}\n"
                         "        - {chain: input, to: 10.0.1.1, proto: icmpv6, action: drop}\n")),
            "f.yaml:10:34: error: a port needs proto tcp or udp\n"
            "f.yaml:11:51: error: firewall destination fd00:2::2/128 is IPv6 but the source "
            "10.0.1.0/24 is IPv4\n"
            "f.yaml:12:32: error: node 'r' has no interface 'e9' (did you mean 'e0'?)\n"
            "f.yaml:13:46: error: port range 2000-1000 is upside down\n"
            "f.yaml:14:31: error: 'in' in a rule of chain output, which sees only the node's own "
            "packets\n"
            "f.yaml:15:47: error: proto icmpv6 in a rule with IPv4 addresses\n");
  EXPECT_EQ(Diagnose(Lab("    forward:\n"
                         "      - {proto: tcp, port: 80, to: \"10.0.2.2:x\"}\n"
                         "      - {proto: tcp, port: 80, to: \"fd00:2::2\", from: 10.0.0.0/8}\n"
                         "      - {proto: tcp, port: 0, to: 10.0.2.2}\n")),
            "f.yaml:9:36: error: forward destination '10.0.2.2:x' is not an address or "
            "address:port\n"
            "f.yaml:10:55: error: forward source 10.0.0.0/8 is IPv4 but the destination fd00:2::2 "
            "is IPv6\n"
            "f.yaml:11:28: error: port 0 is out of range (1-65535)\n");
}

TEST(FirewallTest, RootAndSwitchNodesAreRefusedWhatIsNotTheLabs) {
  const std::string root =
      "name: f\nnodes:\n  h:\n    kind: root\n    interfaces: {th0: [10.0.4.1/24]}\n"
      "    firewall:\n      policy: {forward: drop}\n      rules:\n"
      "        - {chain: input, proto: icmp, action: drop}\n"
      "        - {chain: input, in: th0, proto: icmp, action: drop}\n"
      "    forward:\n      - {proto: tcp, port: 8080, to: \"10.0.4.2:80\"}\n"
      "  a: {interfaces: {eth0: [10.0.4.2/24]}}\nlinks:\n  - [h:th0, a:eth0]\n";
  const std::string brief = Diagnose(root);
  EXPECT_NE(brief.find("f.yaml:7:25: error: firewall policy on node 'h' (kind: root): the host's "
                       "policies are not the lab's"),
            std::string::npos)
      << brief;
  EXPECT_NE(brief.find("f.yaml:9:11: error: firewall rule on node 'h' (kind: root) without 'in' "
                       "or 'out'"),
            std::string::npos)
      << brief;
  EXPECT_NE(brief.find("error: forward on node 'h' (kind: root) without 'in'"), std::string::npos)
      << brief;
  EXPECT_EQ(brief.find("10:"), std::string::npos) << brief;  // the rule with `in` is fine
  const std::string sw = Diagnose(
      "name: f\nnodes:\n  sw:\n    kind: switch\n"
      "    firewall: {rules: [{chain: forward, action: drop}]}\n"
      "    forward: [{proto: tcp, port: 80, to: 10.0.0.1}]\n");
  EXPECT_NE(sw.find("error: forward on switch 'sw', which does not route"), std::string::npos)
      << sw;
  EXPECT_NE(sw.find("error: firewall on switch 'sw', which does not route"), std::string::npos)
      << sw;
}

TEST(FirewallTest, AForwardOnAHostThatDoesNotForwardIsAWarning) {
  EXPECT_EQ(Diagnose(Lab("    forward:\n      - {proto: tcp, port: 80, to: \"10.0.2.2:8080\"}\n",
                         "host")),
            "f.yaml:9:36: warning: forward to 10.0.2.2 on node 'r', which does not forward "
            "(kind: host)\n");
}

// Up then down against the recording backend: a root node's rules go into
// its tables, the filter table its rules made goes with them, and the nat
// table (made by its forward) too; a rule removed behind the lab's back is
// drift, and down still removes the others exactly.
TEST(FirewallTest, RootRulesAndTablesAreUndoneExactly) {
  DiagnosticList diags;
  auto t = testing::ValidateText(
      "name: f\nnodes:\n  h:\n    kind: root\n    interfaces: {th0: [10.0.4.1/24]}\n"
      "    sysctls: {net.ipv4.conf.th0.forwarding: 1}\n"
      "    firewall:\n      rules:\n"
      "        - {chain: forward, in: th0, proto: icmp, action: drop}\n"
      "        - {chain: forward, in: th0, proto: tcp, port: 22, action: reject}\n"
      "    forward:\n      - {proto: tcp, port: 8080, to: \"10.0.4.2:80\", in: uplink0}\n"
      "  a: {interfaces: {eth0: [10.0.4.2/24]}}\nlinks:\n  - [h:th0, a:eth0]\n",
      &diags, "f.yaml");
  ASSERT_TRUE(t) << testing::Brief(diags);
  Plan p = Compile(*t, "f.yaml");
  RecordingBackend rec;
  std::vector<std::string> notes(p.actions.size());
  for (size_t i = 0; i < p.actions.size(); ++i) {
    ASSERT_TRUE(PrepareAction(rec, p.actions[i], &notes[i]).ok());
    std::string note;
    ASSERT_TRUE(DoAction(rec, p.actions[i], &note).ok()) << Describe(p.actions[i]);
    if (notes[i].empty()) notes[i] = note;
  }
  EXPECT_EQ(rec.FirewallRules("", 4, "filter"),
            (std::vector<std::string>{
                "FORWARD -i th0 -p icmp -m comment --comment topo:f -j DROP",
                "FORWARD -i th0 -p tcp -m tcp --dport 22 -m comment --comment topo:f -j REJECT"}));
  EXPECT_EQ(rec.FirewallRules("", 4, "nat").size(), 1u);
  // No address: the rules are IPv6's too (ICMPv6 there).
  EXPECT_EQ(rec.FirewallRules("", 6, "filter").at(0),
            "FORWARD -i th0 -p ipv6-icmp -m comment --comment topo:f -j DROP");
  // Someone deletes one rule: the other is still deleted, exactly.
  const Action* filter = nullptr;
  for (const Action& a : p.actions) {
    if (a.kind == ActionKind::kAddFirewall && a.firewall().table == "filter") filter = &a;
  }
  ASSERT_TRUE(filter);
  FirewallSet one = filter->firewall();
  one.rules.resize(1);
  ASSERT_TRUE(rec.DeleteFirewall("", one).ok());
  bool present = true;
  ASSERT_TRUE(rec.HasFirewallRule("", filter->firewall().rules[0], &present).ok());
  EXPECT_FALSE(present);
  for (size_t i = p.actions.size(); i-- > 0;) {
    Status s = UndoAction(rec, p.actions[i], notes[i]);
    EXPECT_TRUE(s.ok() || s.IsNotFound()) << DescribeInverse(p.actions[i]) << ": " << s.message();
  }
  EXPECT_TRUE(rec.FirewallRules("", 4, "filter").empty());
  EXPECT_TRUE(rec.FirewallRules("", 6, "filter").empty());
  bool exists = true;
  ASSERT_TRUE(rec.TableExists("", 4, "filter", &exists).ok());
  EXPECT_FALSE(exists);
  ASSERT_TRUE(rec.TableExists("", 6, "filter", &exists).ok());
  EXPECT_FALSE(exists);
  ASSERT_TRUE(rec.TableExists("", 4, "nat", &exists).ok());
  EXPECT_FALSE(exists);
}

// A table that was there before the lab stays after it.
TEST(FirewallTest, ATableThatWasThereStays) {
  RecordingBackend rec;
  rec.AddForeignNatRule("", false, "PREROUTING -p tcp --dport 1 -j ACCEPT");
  FirewallRuleSpec r;
  r.chain = "prerouting";
  r.action = "dnat";
  r.proto = "tcp";
  r.port = {8080, 8080};
  r.in = "th0";
  r.dnat_to = ParseIp("10.0.4.2");
  r.comment = "topo:f";
  Action a;
  a.kind = ActionKind::kAddFirewall;
  a.mutable_firewall() = {4, "nat", {}, {r}};
  std::string note;
  ASSERT_TRUE(PrepareAction(rec, a, &note).ok());
  EXPECT_EQ(note, "");
  ASSERT_TRUE(DoAction(rec, a, &note).ok());
  ASSERT_TRUE(UndoAction(rec, a, "").ok());
  EXPECT_TRUE(rec.HasNatTable("", false));
  EXPECT_TRUE(rec.FirewallRules("", 4, "nat").empty());
}

// `topo status` on the recording backend: a policy set otherwise by hand, and
// a forward's OUTPUT rule deleted by hand, are drift.
TEST(FirewallTest, APolicyChangedByHandAndAGoneForwardAreDrift) {
  testing::TempDir tmp("topo-firewall");
  ASSERT_TRUE(tmp.ok());
  RecordingBackend rec;
  StateStore store(tmp.path());
  DiagnosticList diags;
  auto t = testing::ValidateText(
      Lab("    forward:\n      - {proto: tcp, port: 8080, to: \"10.0.2.2:80\", in: e0}\n"
          "    firewall:\n      policy: {forward: drop}\n"),
      &diags, "f.yaml");
  ASSERT_TRUE(t) << testing::Brief(diags);
  Plan p = Compile(*t, "f.yaml");
  ASSERT_TRUE(Up(p, rec, store).status.ok());
  auto drift = [&] {
    LabStatus st;
    EXPECT_TRUE(GetLabStatus("f", rec, store, &st).ok());
    return st.drift;
  };
  EXPECT_EQ(drift(), std::vector<std::string>{});
  rec.SetPolicyByHand("r", 6, "forward", "ACCEPT");
  FirewallSet own;
  own.family = 4;
  own.table = "nat";
  for (const Action& a : p.actions) {
    if (a.kind != ActionKind::kAddFirewall || a.firewall().table != "nat") continue;
    for (const FirewallRuleSpec& r : a.firewall().rules) {
      if (r.chain == "output" && r.family == 4) own.rules.push_back(r);
    }
  }
  ASSERT_EQ(own.rules.size(), 1u);
  ASSERT_TRUE(rec.DeleteFirewall("r", own).ok());
  EXPECT_EQ(drift(), (std::vector<std::string>{
                         "forward output to 10.0.1.1 tcp port 8080 dnat to 10.0.2.2:80 in 'r' is "
                         "gone",
                         "ip6 policy of chain forward in 'r' is accept, not drop"}));
  rec.SetPolicyByHand("r", 6, "forward", "DROP");
  EXPECT_EQ(drift().size(), 1u);
}

}  // namespace
}  // namespace topo
