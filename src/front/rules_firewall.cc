// The checks on each node's port forwards and firewall: a port without tcp or
// udp, a port range upside down, addresses of two families in one rule (or
// ICMPv6 with IPv4 ones), interfaces the node does not have (the root node's
// may be the host's own), an interface the chain cannot match (`in` on output,
// `out` on input), policies where the lab does not own the chains (the root
// node), rules on the root node that would match all of the host's traffic,
// and forwards or firewalls on switches.
#include "front/rules.h"
#include "front/rules_internal.h"

namespace topo::check_internal {
namespace {

const char* kRootScopeHint =
    "the root node is the host: name the interface the rule is for with 'in' or 'out', so that "
    "it matches the lab's traffic and not all of the host's";

void CheckInterface(const Node& n, const std::string& ifname, const Source& src,
                    const FirewallRule& r, const char* key, DiagnosticList* diags) {
  if (ifname.empty() || n.FindInterface(ifname)) return;
  if (n.is_root()) {  // the host's own interfaces (its uplink) are not declared
    if (std::string problem = InterfaceNameProblem(ifname); !problem.empty()) {
      ErrorAt(diags, Prefer(src, r.src), "interface name " + Quote(ifname) + " " + problem);
    }
    return;
  }
  ErrorAt(diags, Prefer(src, r.src),
          "node " + Quote(n.name) + " has no interface " + Quote(ifname) +
              DidYouMean(ifname, InterfaceNames(n)),
          std::string("'") + key + "' names one of the node's interfaces");
}

void CheckRange(const PortRange& p, const Source& src, const FirewallRule& r,
                DiagnosticList* diags) {
  if (p.given() && p.first > p.last) {
    ErrorAt(
        diags, Prefer(src, r.src), "port range " + p.ToString() + " is upside down",
        "write the lower port first: " + std::to_string(p.last) + "-" + std::to_string(p.first));
  }
}

// What forwards and filter rules share: ports, interfaces.
void CheckCommon(const Node& n, const FirewallRule& r, DiagnosticList* diags) {
  CheckRange(r.port, r.port_src, r, diags);
  CheckRange(r.sport, r.sport_src, r, diags);
  // A forward's proto is required and tcp or udp (the schema says so); a
  // proto the schema does not know it reports.
  const bool portless = r.proto.empty() || r.proto == "icmp" || r.proto == "icmpv6";
  if ((r.port.given() || r.sport.given()) && portless && r.action != "dnat") {
    ErrorAt(diags, Prefer(r.port.given() ? r.port_src : r.sport_src, r.src),
            "a port needs proto tcp or udp" +
                (r.proto.empty() ? std::string() : ", not " + Quote(r.proto)),
            "add proto: tcp (or udp)");
  }
  CheckInterface(n, r.in, r.in_src, r, "in", diags);
  CheckInterface(n, r.out, r.out_src, r, "out", diags);
}

void CheckForward(const Node& n, const FirewallRule& r, DiagnosticList* diags) {
  CheckCommon(n, r, diags);
  if (!r.dnat_to) return;
  if (r.from && r.from->family() != r.dnat_to->family) {
    ErrorAt(diags, Prefer(r.from_src, r.src),
            "forward source " + r.from->ToString() + " is " + FamilyName(r.from->family()) +
                " but the destination " + r.dnat_to->ToString() + " is " +
                FamilyName(r.dnat_to->family));
  }
  if (n.is_root() && r.in.empty()) {
    ErrorAt(diags, r.src, "forward on node " + Quote(n.name) + " (kind: root) without 'in'",
            kRootScopeHint);
  }
  bool own = false;
  for (const Interface& i : n.interfaces) {
    for (const Prefix& p : i.addresses) own = own || p.addr == *r.dnat_to;
  }
  if (!own && !n.forwards() && !n.is_root()) {
    WarningAt(diags, Prefer(r.to_src, r.src),
              "forward to " + r.dnat_to->ToString() + " on node " + Quote(n.name) +
                  ", which does not forward (kind: " + NodeKindName(n.kind) + ")",
              "set kind: router, or forward to one of the node's own addresses");
  }
}

void CheckRule(const Node& n, const FirewallRule& r, DiagnosticList* diags) {
  CheckCommon(n, r, diags);
  if (r.from && r.to && r.from->family() != r.to->family()) {
    ErrorAt(diags, Prefer(r.to_src, r.src),
            "firewall destination " + r.to->ToString() + " is " + FamilyName(r.to->family()) +
                " but the source " + r.from->ToString() + " is " + FamilyName(r.from->family()),
            "a rule is of one family; write one rule per family");
  } else if (r.proto == "icmpv6" && r.family == 4) {
    ErrorAt(diags, Prefer(r.proto_src, r.src), "proto icmpv6 in a rule with IPv4 addresses",
            "write proto: icmp for IPv4 (it means ICMPv6 in an IPv6 rule)");
  }
  if (r.chain == "output" && !r.in.empty()) {
    ErrorAt(diags, Prefer(r.in_src, r.src),
            "'in' in a rule of chain output, which sees only the node's own packets",
            "use 'out', or chain input or forward");
  }
  if (r.chain == "input" && !r.out.empty()) {
    ErrorAt(diags, Prefer(r.out_src, r.src),
            "'out' in a rule of chain input, which sees only packets for the node",
            "use 'in', or chain output or forward");
  }
  if (n.is_root() && r.in.empty() && r.out.empty()) {
    ErrorAt(diags, r.src,
            "firewall rule on node " + Quote(n.name) + " (kind: root) without 'in' or 'out'",
            kRootScopeHint);
  }
}

}  // namespace

void CheckFirewall(const LabIndex& lab, DiagnosticList* diags) {
  for (const Node& n : lab.topology().nodes) {
    if (n.is_switch()) {
      const char* hint = "a switch is layer 2: put port forwards and firewalls on a router";
      if (!n.port_forwards.empty()) {
        ErrorAt(diags, n.port_forwards.front().src,
                "forward on switch " + Quote(n.name) + ", which does not route", hint);
      }
      if (!n.firewall.empty() || !n.firewall_policy.empty()) {
        ErrorAt(diags, n.firewall.empty() ? n.firewall_policy.front().src : n.firewall.front().src,
                "firewall on switch " + Quote(n.name) + ", which does not route", hint);
      }
      continue;
    }
    if (n.is_root()) {
      for (const FirewallPolicyEntry& p : n.firewall_policy) {
        ErrorAt(diags, p.src,
                "firewall policy on node " + Quote(n.name) +
                    " (kind: root): the host's policies are not the lab's",
                "leave the host's policies alone; add rules with action: drop for the lab's "
                "interfaces instead");
      }
    }
    for (const FirewallRule& r : n.port_forwards) CheckForward(n, r, diags);
    for (const FirewallRule& r : n.firewall) CheckRule(n, r, diags);
  }
}

}  // namespace topo::check_internal
