// SNAT, port forwarding and filter rules through iptables-restore: the one
// place that writes iptables-restore input and runs the program.
// NetlinkBackend's AddSnat, DeleteSnat, AddFirewall and DeleteFirewall come here; tests call
// IptablesRestore directly to give a namespace rules topo would never make (someone else's, a
// missing chain).
//
// The program is iptables-restore (or ip6tables-restore) from the sbin and bin
// directories, not $PATH (topo runs as root), started with --noflush -w and
// the input on stdin inside the namespace (RunInNamespace, netns.h): an argv,
// no shell. iptables-restore commits a table at once: all of its input, or
// none of it.
#pragma once

#include <string>
#include <vector>

#include "model/firewall.h"
#include "model/snat.h"
#include "model/status.h"

namespace topo {

// The input that appends (or, with `remove`, deletes) `rules` in the nat
// table's POSTROUTING chain:
//   *nat
//   -A POSTROUTING -s 10.0.1.0/24 -o veth-cli -m comment --comment topo:lab -j MASQUERADE
//   COMMIT
// InvalidArgument, and no input, when the rules are not all of one family, or
// when a word is empty or has a byte other than A-Z a-z 0-9 _ . - : / = , [ ]
// (validation lets no such name through, and iptables-restore has no quoting
// that would carry a newline).
Status SnatRestoreInput(const std::vector<SnatSpec>& rules, bool remove, std::string* input);

// The input that sets `set`'s policies and appends its rules to its table
// (or, with `remove`, deletes the rules and puts the policies back to ACCEPT):
//   *filter
//   :FORWARD DROP [0:0]
//   -A FORWARD -s 10.0.1.0/24 -p tcp -m tcp --dport 80 -m comment --comment topo:lab -j ACCEPT
//   COMMIT
// With --noflush, a built-in chain's line sets its policy and keeps its rules.
// InvalidArgument as for SnatRestoreInput, and for a rule of another family or table.
Status FirewallRestoreInput(const FirewallSet& set, bool remove, std::string* input);

// Runs iptables-restore (ip6tables-restore with `ipv6`) with `input` inside
// the namespace open at `ns_fd` (-1: the caller's). NotFound, with nothing
// changed, when a deletion names a rule that is not there; IOError
// "iptables-restore exited with status N: OUTPUT" for any other failure.
Status IptablesRestore(int ns_fd, bool ipv6, const std::string& input);

// Whether `rule` is in the nat table's POSTROUTING chain of the namespace
// open at `ns_fd`: runs `iptables -w -t nat -C POSTROUTING WORDS...` (or
// ip6tables), an argv. A missing table or chain is "not present".
Status IptablesHasRule(int ns_fd, const SnatSpec& rule, bool* present);
// The same for a firewall rule, in its table and chain.
Status IptablesHasRule(int ns_fd, const FirewallRuleSpec& rule, bool* present);

// The policy of `chain` ("forward") of the filter table in the namespace open
// at `ns_fd`, lower case ("accept", "drop"): the `-P CHAIN POLICY` line of
// `iptables -w -t filter -S CHAIN` (or ip6tables), an argv. A missing table
// is "accept", as the kernel then filters nothing.
Status IptablesPolicy(int ns_fd, bool ipv6, const std::string& chain, std::string* action);

}  // namespace topo
