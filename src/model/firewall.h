// Firewall rules and port forwards as plain values: what topo asks the kernel
// to add to or delete from a namespace's filter or nat table
// (Backend::AddFirewall), one family and one table at a time, and, with source
// positions added, a topology's `firewall:` and `forward:` entries
// (topology.h). No positions, no YAML: the kernel interface and the plan take
// these.
//
// A port forward is rules of table nat whose action is "dnat": one of chain
// "prerouting" (traffic arriving at the node) and one of chain "output" for
// each of the node's own addresses it answers at (the node's own connections
// to them, `to` that address); a filter rule is one of chain "input",
// "forward" or "output" (table filter) whose action is "accept", "drop" or
// "reject". FirewallRuleWords is
// the one place that spells a rule in iptables' terms, as SnatRuleWords does
// for SNAT: kernel/ joins the words into iptables-restore input, plan/ joins
// them, shell-quoted, into the `iptables` commands of `topo plan --format
// shell`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/ip.h"

namespace topo {

// A port or a range of ports; first == 0: none (any port).
struct PortRange {
  int first = 0, last = 0;

  bool given() const { return first != 0; }
  std::string ToString() const;  // "80", "1000-2000"
  bool operator==(const PortRange&) const = default;
};
// "80" or "1000-2000" -> the range (an upside-down range is returned as
// written: the caller reports it); nullopt when it is not one or two ports.
std::optional<PortRange> ParsePortRange(const std::string& text);

struct FirewallRuleSpec {
  std::string chain;               // "input", "forward", "output"; "prerouting" or "output" (dnat)
  int family = 4;                  // the rule's family: 4 (iptables) or 6 (ip6tables)
  std::optional<Prefix> from, to;  // source and destination (network or address)
  // "" (any), "tcp", "udp", "icmp" (ICMPv6 in an IPv6 rule), "icmpv6".
  std::string proto;
  PortRange port, sport;             // destination and source port (tcp, udp)
  std::string in, out;               // interfaces ("" any)
  std::vector<std::string> state;    // conntrack states: "new", "established", "related", "invalid"
  std::string action;                // "accept", "drop", "reject"; "dnat" for a port forward
  std::optional<IpAddress> dnat_to;  // "dnat": the new destination
  PortRange dnat_port;               // "dnat": its port (none: the port is kept)
  // Tags the rule with its lab ("topo:LAB"); set when a plan is compiled.
  std::string comment;

  std::string table() const { return action == "dnat" ? "nat" : "filter"; }
  // "forward from 10.0.1.0/24 to 10.0.2.10 tcp port 80 accept",
  // "in eth0 tcp port 8080 to 10.0.2.10:80" (a port forward),
  // "output to 10.0.1.1 tcp port 8080 dnat to 10.0.2.10:80" (its output rule).
  std::string ToString() const;
  bool operator==(const FirewallRuleSpec&) const = default;
};

// A chain's default action ("input", "forward" or "output"; "accept" or "drop").
struct FirewallPolicy {
  std::string chain, action;
  bool operator==(const FirewallPolicy&) const = default;
};

// What one iptables-restore commits: a namespace's rules of one family and one
// table ("filter" or "nat"), and for the filter table its chains' policies.
struct FirewallSet {
  int family = 4;
  std::string table = "filter";
  std::vector<FirewallPolicy> policies;
  std::vector<FirewallRuleSpec> rules;

  // "ip filter", "ip6 nat": the nftables name of the table.
  std::string TableLabel() const;
  bool operator==(const FirewallSet&) const = default;
};

// "INPUT", "PREROUTING": the chain as iptables names it.
std::string IptablesChain(const std::string& chain);
// "ACCEPT", "DROP".
std::string IptablesTarget(const std::string& action);

// The rule as iptables words after `-A CHAIN` (or `-D CHAIN`), in the order
// iptables-save prints them: {"-s", "10.0.1.0/24", "-d", "10.0.2.10/32", "-p",
// "tcp", "-m", "tcp", "--dport", "80", "-m", "comment", "--comment",
// "topo:lab", "-j", "ACCEPT"}. Unquoted: quoting is the joiner's.
std::vector<std::string> FirewallRuleWords(const FirewallRuleSpec& rule);

}  // namespace topo
