// The rules of labs across machines (`machines:`, model/machines.h,
// place/place.h): machines' addresses and rules, nodes' `machine:`, the
// placement Place could not decide, links' `vni` and the MTU of links
// between machines.
#include <map>
#include <set>

#include "front/rules.h"
#include "front/rules_internal.h"
#include "model/addressing.h"
#include "model/program_graph.h"
#include "place/place.h"

namespace topo::check_internal {
namespace {

void CheckMachineEntries(const Topology& t, DiagnosticList* diags) {
  std::map<IpAddress, const Machine*> addresses;
  const Machine* first_with_address = nullptr;
  for (const Machine& m : t.machines) {
    const std::string subject = "machine " + Quote(m.name);
    if (std::string problem = NamespaceNameProblem(m.name); !problem.empty()) {
      ErrorAt(diags, m.src, subject + " is not a safe name: " + problem,
              "machine names become part of lab names (LAB@MACHINE) in the state directory; "
              "use letters, digits, '_', '.' and '-'");
    }
    if (!m.address) {
      if (m.address_src.loc.line == 0) {  // a wrong one is reported where it is
        ErrorAt(diags, m.src, subject + " has no address",
                "give the underlay address topo uses on that machine, e.g. address: 10.77.0.1");
      }
      continue;
    }
    auto [it, fresh] = addresses.emplace(*m.address, &m);
    if (!fresh) {
      ErrorAt(diags, m.address_src,
              subject + " has the address " + m.address->ToString() + " of machine " +
                  Quote(it->second->name),
              "each machine needs an underlay address of its own");
    } else if (first_with_address && first_with_address->address->family != m.address->family) {
      ErrorAt(diags, m.address_src,
              subject + " has an " + FamilyName(m.address->family) + " address, machine " +
                  Quote(first_with_address->name) + " an " +
                  FamilyName(first_with_address->address->family) + " one",
              "the links between machines need one underlay family: give every machine an "
              "address of the same family");
    }
    if (!first_with_address) first_with_address = &m;
    for (size_t r = 0; r < m.nodes.size(); ++r) {
      const std::string& rule = m.nodes[r];
      if (rule.find('/') != std::string::npos) {
        ErrorAt(diags, m.node_sources[r],
                "rule " + Quote(rule) + " of " + subject + " contains '/'",
                "a rule is a node name or a glob (*, ?, [...]) over node names");
        continue;
      }
      bool matches = false;
      for (const Node& n : t.nodes) matches = matches || RuleMatches(rule, n.name);
      if (!matches) {
        WarningAt(diags, m.node_sources[r],
                  "rule " + Quote(rule) + " of " + subject + " matches no node",
                  ClosestMatch(rule, NodeNames(t)).empty()
                      ? ""
                      : "did you mean " + Quote(ClosestMatch(rule, NodeNames(t))) + "?");
      }
    }
  }
}

void CheckPlacement(const Topology& t, DiagnosticList* diags) {
  std::vector<std::string> machine_names;
  for (const Machine& m : t.machines) machine_names.push_back(m.name);
  for (const Node& n : t.nodes) {
    const std::string subject = "node " + Quote(n.name);
    if (!n.machine.empty()) {
      if (t.machines.empty()) {
        ErrorAt(diags, n.machine_src,
                subject + " is placed on machine " + Quote(n.machine) +
                    ", but the lab declares no machines",
                "declare the machines the lab spans under 'machines:', or remove 'machine'");
      } else if (!t.FindMachine(n.machine)) {
        const std::string closest = ClosestMatch(n.machine, machine_names);
        ErrorAt(diags, n.machine_src, subject + " is placed on unknown machine " + Quote(n.machine),
                closest.empty() ? "the machines are declared under 'machines:'"
                                : "did you mean " + Quote(closest) + "?");
      }
      continue;
    }
    const std::vector<RuleMatch> rules = MatchingRules(t, n.name);
    if (rules.size() > 1) {
      const Machine& a = t.machines[rules[0].machine];
      const Machine& b = t.machines[rules[1].machine];
      ErrorAt(diags, b.node_sources[rules[1].rule],
              subject + " is claimed by the rules of machines " + Quote(a.name) + " (" +
                  Quote(a.nodes[rules[0].rule]) + ") and " + Quote(b.name) + " (" +
                  Quote(b.nodes[rules[1].rule]) + ")",
              "give the node 'machine:' (it wins over rules), or make the rules disjoint");
    } else if (n.is_root() && rules.empty() && !t.machines.empty()) {
      ErrorAt(diags, n.src, "root node " + Quote(n.name) + " is on no machine",
              "a root node is the host of one machine: place it with 'machine: NAME'");
    }
  }
}

// The VNIs of links between machines, and the MTU of their VXLAN ends.
void CheckCrossLinks(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  std::map<int, const Link*> written;
  for (const Link& l : t.links) {
    const std::string subject = "link " + l.a.ToString() + " - " + l.b.ToString();
    if (l.vni_written && !l.crosses_machines()) {
      const Node* a = lab.FindNode(l.a.node);
      const Node* b = lab.FindNode(l.b.node);
      if (a && b && a->placement == b->placement) {
        WarningAt(diags, l.vni_src,
                  "'vni' of " + subject + " has no effect: " +
                      (t.machines.empty() ? std::string("the lab declares no machines")
                                          : "both ends are on machine " + Quote(a->placement)),
                  "only a link between two machines is a VXLAN pair; remove 'vni'");
      }
    }
    if (!l.crosses_machines()) continue;
    if (l.vni_written) {
      auto [it, fresh] = written.emplace(l.vni, &l);
      if (!fresh) {
        ErrorAt(diags, l.vni_src,
                "vni " + std::to_string(l.vni) + " of " + subject + " is already that of link " +
                    it->second->a.ToString() + " - " + it->second->b.ToString(),
                "every link between machines needs a VNI of its own; remove 'vni' to have one "
                "assigned");
      }
    }
    const Machine* ma = t.FindMachine(lab.FindNode(l.a.node)->placement);
    const Machine* mb = t.FindMachine(lab.FindNode(l.b.node)->placement);
    const int most = InnerMtu(*ma, *mb);
    const std::string between = "between machines " + Quote(ma->name) + " and " + Quote(mb->name);
    if (l.mtu && *l.mtu > most) {
      ErrorAt(diags, Prefer(l.mtu_src, l.src),
              "mtu " + std::to_string(*l.mtu) + " of " + subject + " is larger than " +
                  std::to_string(most) + ", what VXLAN leaves of the underlay's mtu " + between,
              "the encapsulation takes " +
                  std::to_string(VxlanOverhead(ma->address ? ma->address->family : 4)) +
                  " bytes; lower the link's mtu, or raise the machines' 'mtu' if the underlay "
                  "carries more");
      continue;
    }
    const int inner = l.mtu.value_or(most);
    bool has_v6 = false;
    for (const Endpoint* e : {&l.a, &l.b}) {
      const Interface* i = lab.FindEndpoint(*e);
      for (const Prefix& p : i ? i->addresses : std::vector<Prefix>{}) has_v6 |= p.family() == 6;
    }
    if (inner < 68 || (has_v6 && inner < 1280 && !l.mtu)) {
      ErrorAt(diags, Prefer(l.mtu_src, l.src),
              "the inner mtu of " + subject + " " + between + " would be " + std::to_string(inner) +
                  ", too small for " +
                  (inner < 68 ? std::string("IPv4 (68)") : "its IPv6 addresses (1280)"),
              "raise the machines' 'mtu' (the underlay's): VXLAN takes " +
                  std::to_string(std::min(ma->mtu, mb->mtu) - most) + " bytes of it");
    }
  }
}

// What only one machine can do. A tcp check across machines connects to
// topo's listener on the target's machine (ServeChecks, run there by `topo
// test --machine`), and a connection is all its machine sees: a udp check (or
// one with `source`) needs to know what arrived there, and a check that must
// fail cannot tell a blocked connection from a listener not up yet. A program
// waits only for programs of its machine.
void CheckAcrossMachines(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  for (const DeclaredCheck& c : t.checks) {
    const bool listens = c.kind == ProbeKind::kUdp || (c.kind == ProbeKind::kTcp && c.listen);
    const Node* from = lab.FindNode(c.from);
    const Node* to = c.to_address ? NodeWithAddress(t, *c.to_address) : lab.FindNode(c.to);
    if (!listens || !from || !to || from->placement == to->placement) continue;
    const bool what_arrived = c.kind == ProbeKind::kUdp || c.source;
    if (!what_arrived && c.expect_success) continue;
    const std::string check = std::string(ProbeKindName(c.kind)) + " check from " + Quote(c.from) +
                              " (machine " + Quote(from->placement) + ") to " + Quote(to->name) +
                              " (machine " + Quote(to->placement) + ")";
    if (what_arrived) {
      ErrorAt(diags, Prefer(c.source ? c.source_src : c.to_src, c.src),
              check + " needs to know what topo's listener on the other machine saw arrive",
              "check from a node on machine " + Quote(to->placement) +
                  ", or use a tcp check without 'source' (topo listens for it there)");
    } else {
      ErrorAt(diags, Prefer(c.to_src, c.src),
              check +
                  " expects failure, which cannot be told from topo's listener on the other "
                  "machine not being up yet",
              "check from a node on machine " + Quote(to->placement) +
                  ", or say 'listen: false' to a service of the lab");
    }
  }
  for (const Node& n : t.nodes) {
    for (const Program& p : n.programs) {
      for (size_t k = 0; k < p.after.size(); ++k) {
        auto split = SplitAfter(n, p.after[k]);
        const Node* on = split ? lab.FindNode(split->first) : nullptr;
        if (!on || on->placement == n.placement) continue;
        ErrorAt(diags, k < p.after_sources.size() ? p.after_sources[k] : p.src,
                "program " + Quote(p.name) + " of node " + Quote(n.name) + " (machine " +
                    Quote(n.placement) + ") waits for " + Quote(p.after[k]) + " on machine " +
                    Quote(on->placement),
                "a machine's part starts on its own: a program can wait only for programs of "
                "its machine");
      }
    }
  }
}

}  // namespace

void CheckMachines(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  CheckMachineEntries(t, diags);
  CheckPlacement(t, diags);
  CheckCrossLinks(lab, diags);
  if (!t.machines.empty()) CheckAcrossMachines(lab, diags);
}

}  // namespace topo::check_internal
