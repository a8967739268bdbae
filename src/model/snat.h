// An SNAT rule as plain values: what topo asks the kernel to add to or delete
// from a namespace's nat table (Backend::AddSnat) and, with source positions
// added, a topology's SnatRule (topology.h). No positions, no YAML, no
// iptables text: the kernel interface takes these.
//
// SnatRuleWords is the one place that spells a rule in iptables' terms, as the
// words that follow the chain name. kernel/ joins them into iptables-restore
// input; plan/ joins them, shell-quoted, into the `iptables` commands of
// `topo plan --format shell`. Both thus say the same rule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/ip.h"

namespace topo {

struct SnatSpec {
  Prefix source;                // the traffic's source network
  std::string out;              // the out interface
  std::optional<IpAddress> to;  // nullopt: masquerade (the out interface's address)
  // Tags the rule with its lab ("topo:LAB"), so that it is told apart from
  // anyone else's; set when a plan is compiled (empty in a topology).
  std::string comment;

  int family() const { return source.family(); }
  // "10.0.1.0/24 out veth-cli to 10.0.2.1", "10.0.1.0/24 out eth0 masquerade".
  std::string ToString() const;
  bool operator==(const SnatSpec&) const = default;
};

// The rule as iptables words after `-A POSTROUTING` (or `-D POSTROUTING`):
// {"-s", "10.0.1.0/24", "-o", "veth-cli", "-m", "comment", "--comment",
// "topo:lab", "-j", "SNAT", "--to-source", "10.0.2.1"}; the comment match is
// left out when the comment is empty, and "-s" when the source is any (/0).
// Unquoted: quoting is the joiner's.
std::vector<std::string> SnatRuleWords(const SnatSpec& rule);

}  // namespace topo
