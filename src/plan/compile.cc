#include "plan/compile.h"

#include <algorithm>

#include "plan/compile_internal.h"

#include "model/program_graph.h"
#include "model/substitute.h"

namespace topo {

std::vector<std::pair<std::string, std::string>> KindSysctls(NodeKind kind) {
  if (kind == NodeKind::kRouter) {
    return {{"net.ipv4.ip_forward", "1"}, {"net.ipv6.conf.all.forwarding", "1"}};
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> NamespaceSysctls() {
  return {{"net.ipv6.conf.default.accept_dad", "0"}};
}

namespace {

// Not 0.0.0.0/8 (nor ::), loopback, multicast, 240.0.0.0/4 or link-local.
bool InHostsFile(const IpAddress& a) {
  if (a.is_v4() && (a.bytes[0] == 0 || a.bytes[0] >= 240)) return false;
  return !IsUnspecified(a) && !IsLoopback(a) && !IsMulticast(a) && !IsLinkLocal6(a);
}

bool UsesIpv6(const Topology& t) {
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        if (p.family() == 6) return true;
      }
    }
    for (const Route& r : n.routes) {
      if (r.family == 6) return true;
    }
  }
  return false;
}

Action Base(ActionKind kind, const Topology& t, const Node& n) {
  Action a;
  a.kind = kind;
  a.node = n.name;
  a.ns = t.NamespaceOfNode(n);
  return a;
}

// The node's own addresses of `family` at which a forward with interface
// `in` is reached: those of `in` (none when the node does not declare it: a
// host's own interface of a root node), or of every interface without it;
// each once, in the file's order.
std::vector<IpAddress> ForwardAddresses(const Node& n, const std::string& in, int family) {
  std::vector<IpAddress> out;
  for (const Interface& i : n.interfaces) {
    if (!in.empty() && i.name != in) continue;
    for (const Prefix& p : i.addresses) {
      if (p.family() == family && std::find(out.begin(), out.end(), p.addr) == out.end())
        out.push_back(p.addr);
    }
  }
  return out;
}

// A port forward's rules: PREROUTING for what arrives at the node, then one
// OUTPUT rule per own address it is reached at, so that the node's own
// connections to that address and port are forwarded too.
void AddForwardRules(const Node& n, const FirewallRuleSpec& forward, FirewallSet* set) {
  set->rules.push_back(forward);
  for (const IpAddress& a : ForwardAddresses(n, forward.in, forward.family)) {
    FirewallRuleSpec own = forward;
    own.chain = "output";
    own.in.clear();
    own.to = Prefix{a, a.max_prefix()};
    set->rules.push_back(std::move(own));
  }
}

// A node's port forwards and filter rules: one action per family and table,
// each committed at once; the nat table first, so that forwarded packets
// then meet the filter. A filter rule without addresses goes to both
// families; the policies too.
void AddFirewallActions(const Topology& t, const Node& n, const std::string& comment,
                        std::vector<Action>* out) {
  for (int family : {4, 6}) {
    for (const std::string table : {"nat", "filter"}) {
      Action a = Base(ActionKind::kAddFirewall, t, n);
      a.mutable_firewall().family = family;
      a.mutable_firewall().table = table;
      for (const FirewallRule& r : table == "nat" ? n.port_forwards : n.firewall) {
        if (r.family != family && r.family != 0) continue;
        FirewallRuleSpec spec = r;  // the plain values, without the source positions
        spec.family = family;
        spec.comment = comment;
        if (table == "nat") {
          AddForwardRules(n, spec, &a.mutable_firewall());
        } else {
          a.mutable_firewall().rules.push_back(spec);
        }
      }
      if (table == "filter") {
        for (const FirewallPolicy& p : n.firewall_policy)
          a.mutable_firewall().policies.push_back(p);
      }
      if (!a.firewall().rules.empty() || !a.firewall().policies.empty())
        out->push_back(std::move(a));
    }
  }
}

// `a`, which makes interface `i` of `n`, then the action giving it its MAC
// when the file gives one.
void PushMaking(std::vector<Action>* out, Action a, const Topology& t, const Node& n,
                const Interface& i) {
  out->push_back(std::move(a));
  if (!i.mac) return;
  Action m = Base(ActionKind::kSetMac, t, n);
  m.ifname = i.name;
  m.set_mac(*i.mac);
  out->push_back(std::move(m));
}

// `text` with the lab's facts substituted; validation has made sure it can
// be (should it not, the text is kept as written).
std::string Substituted(const Topology& t, const Node& n, const std::string& text) {
  if (!HasPlaceholder(text)) return text;
  std::string out;
  if (Substitute(text, t, n, &out)) return text;
  return out;
}

// The program as the plan holds it: lab facts substituted in its argv, env
// values and readiness command, and `after` made complete: the previous
// program of its node first, then its own entries as "NODE/PROGRAM".
// `whole`: the lab whose facts are substituted (`t`, or the lab `t` is a part of).
ProgramSpec CompiledProgram(const Topology& t, const Topology& whole, ProgramRef ref) {
  const Node& n = t.nodes[ref.node];
  const Program& p = n.programs[ref.program];
  ProgramSpec spec = p;  // the plain values, without the sources
  for (std::string& arg : spec.argv) arg = Substituted(whole, n, arg);
  for (auto& [name, value] : spec.env) value = Substituted(whole, n, value);
  for (std::string& arg : spec.ready.command) arg = Substituted(whole, n, arg);
  spec.after.clear();
  for (const ProgramDependency& d : Dependencies(t, ref)) {
    const Node& on = t.nodes[d.on.node];
    std::string entry = on.name + "/" + on.programs[d.on.program].name;
    if (std::find(spec.after.begin(), spec.after.end(), entry) == spec.after.end()) {
      spec.after.push_back(std::move(entry));
    }
  }
  return spec;
}

}  // namespace

std::string HostsFile(const Topology& t) {
  std::string out =
      "# hosts of lab '" + t.LabName() + "', written by topo and removed by `topo down`\n";
  out += "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        if (InHostsFile(p.addr)) out += p.addr.ToString() + "\t" + n.name + "\n";
      }
    }
  }
  return out;
}

std::string ResolvConf(const Topology& t, const Node& n) {
  std::string out = "# resolv.conf of node '" + n.name + "' of lab '" + t.LabName() +
                    "', written by topo and removed by `topo down`\n";
  for (const IpAddress& a : n.dns) out += "nameserver " + a.ToString() + "\n";
  return out;
}

Plan Compile(const Topology& t, const std::string& source_file) {
  return compile_internal::CompileOf(t, t, source_file);
}

namespace compile_internal {

Plan CompileOf(const Topology& t, const Topology& whole, const std::string& source_file) {
  Plan plan;
  plan.lab = t.LabName();
  plan.topology = t.name;
  plan.prefix = t.prefix;
  plan.source_file = source_file;
  std::vector<Action>& out = plan.actions;
  // At most this many actions: reserved, so the vector is not copied as it grows.
  size_t most = t.links.size();
  for (const Node& n : t.nodes) {
    most += 2 + NamespaceSysctls().size() + KindSysctls(n.kind).size() + n.sysctls.size() +
            n.routes.size();
    most += n.snat.empty() ? 0 : 2;
    most += n.port_forwards.empty() && n.firewall.empty() && n.firewall_policy.empty() ? 0 : 4;
    most += n.dirs.size() + n.files.size() + n.programs.size();
    for (const Interface& i : n.interfaces) {
      most += 2 + (i.mtu ? 1 : 0) + (i.mac ? 1 : 0) + i.addresses.size() + i.members.size();
    }
  }
  out.reserve(most);
  plan.namespaces.reserve(t.nodes.size());

  // The root namespace (a node of kind root) is the host's: the lab neither
  // creates nor removes it, and leaves its loopback alone.
  std::string root_node;
  for (const Node& n : t.nodes) {
    if (n.is_root()) {
      root_node = n.name;
      continue;
    }
    plan.namespaces.push_back(t.NamespaceOf(n.name));
    out.push_back(Base(ActionKind::kCreateNamespace, t, n));
  }
  for (const Node& n : t.nodes) {
    if (n.is_root()) continue;
    Action a = Base(ActionKind::kSetLinkUp, t, n);
    a.ifname = "lo";
    out.push_back(std::move(a));
  }
  // Before any veth exists, so that every interface's link-local address is
  // usable as soon as the link is up (see NamespaceSysctls). Only in labs that
  // use IPv6; not for switches, which carry no addresses.
  const bool ipv6 = UsesIpv6(t);
  for (const Node& n : t.nodes) {
    if (!ipv6 || n.is_root() || n.is_switch()) continue;
    for (const auto& [key, value] : NamespaceSysctls()) {
      Action a = Base(ActionKind::kSetSysctl, t, n);
      a.set_key(key);
      a.set_value(value);
      out.push_back(std::move(a));
    }
  }
  auto ns_of = [&](const std::string& node) {
    return !root_node.empty() && node == root_node ? std::string() : t.NamespaceOf(node);
  };
  for (const Link& l : t.links) {
    // A part's end of a link between machines: a VXLAN end. (The whole
    // lab, both ends here, is the lab on one machine: a veth.)
    if (std::optional<Action> a = l.crosses_machines() ? VxlanEnd(t, whole, l) : std::nullopt) {
      out.push_back(std::move(*a));
      continue;
    }
    Action a;
    a.kind = ActionKind::kCreateVeth;
    a.node = l.a.node;
    a.ns = ns_of(l.a.node);
    a.ifname = l.a.interface;
    a.set_peer_node(l.b.node);
    a.set_peer_ns(ns_of(l.b.node));
    a.set_peer_ifname(l.b.interface);
    out.push_back(std::move(a));
  }
  for (const Node& n : t.nodes) {
    if (!n.is_switch()) continue;
    Action a = Base(ActionKind::kCreateBridge, t, n);
    a.ifname = kBridgeName;
    a.set_bridge(n.stp, n.vlan_filtering());
    out.push_back(std::move(a));
  }
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (i.is_vlan() || i.is_virtual()) continue;  // made below
      if (i.mtu) {
        Action a = Base(ActionKind::kSetMtu, t, n);
        a.ifname = i.name;
        a.set_mtu(*i.mtu);
        out.push_back(std::move(a));
      }
      if (i.mac) {
        Action a = Base(ActionKind::kSetMac, t, n);
        a.ifname = i.name;
        a.set_mac(*i.mac);
        out.push_back(std::move(a));
      }
    }
  }
  // 802.1Q sub-interfaces, on their parents (a sub-interface takes its
  // parent's MTU when it is made).
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (!i.is_vlan()) continue;
      Action a = Base(ActionKind::kCreateVlan, t, n);
      a.ifname = i.name;
      a.set_vlan(i.parent, i.vlan);
      PushMaking(&out, std::move(a), t, n, i);
    }
  }
  // Interfaces of a kind (model/ifkind.h): those that stand on nothing
  // (dummy, bond, vrf, wireguard) first, then those on another interface,
  // which may be a bond; then bond and VRF members join them, before any
  // link is up (a bond takes only members that are down).
  for (bool lower : {false, true}) {
    for (const Node& n : t.nodes) {
      for (const Interface& i : n.interfaces) {
        if (!i.is_virtual() || i.virt.parent.empty() == lower) continue;
        Action a = Base(ActionKind::kCreateInterface, t, n);
        a.ifname = i.name;
        a.mutable_virt() = i.virt;
        PushMaking(&out, std::move(a), t, n, i);
      }
    }
  }
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      for (const std::string& member : i.members) {
        Action a = Base(ActionKind::kSetMaster, t, n);
        a.ifname = member;
        a.set_master(i.name);
        out.push_back(std::move(a));
      }
    }
  }
  for (const Link& l : t.links) {
    for (const Endpoint* e : {&l.a, &l.b}) {
      const Node* n = t.FindNode(e->node);
      if (!n) continue;  // the far end of a link to another machine
      const Interface* i = n->FindInterface(e->interface);
      Impairment effective = l.impair.value.Merged(i ? i->impair.value : Impairment{});
      if (effective.IsNone()) continue;
      Action a = Base(ActionKind::kSetImpairment, t, *n);
      a.ifname = e->interface;
      a.mutable_impairment() = effective;
      out.push_back(std::move(a));
    }
  }
  for (const Node& n : t.nodes) {
    if (!n.is_switch()) continue;
    for (const Interface& i : n.interfaces) {
      if (i.name == "lo") continue;
      Action a = Base(ActionKind::kSetMaster, t, n);
      a.ifname = i.name;
      a.set_master(kBridgeName);
      out.push_back(std::move(a));
    }
    for (const Interface& i : n.interfaces) {
      if (i.port_vlans.empty()) continue;
      Action a = Base(ActionKind::kSetPortVlans, t, n);
      a.ifname = i.name;
      a.mutable_port_vlans() = i.port_vlans;
      out.push_back(std::move(a));
    }
  }
  for (const Node& n : t.nodes) {
    auto sysctls = KindSysctls(n.kind);
    for (const Sysctl& s : n.sysctls) sysctls.emplace_back(s.key, s.value);
    for (const auto& [key, value] : sysctls) {
      Action a = Base(ActionKind::kSetSysctl, t, n);
      a.set_key(key);
      a.set_value(value);
      out.push_back(std::move(a));
    }
  }
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        Action a = Base(ActionKind::kAddAddress, t, n);
        a.ifname = i.name;
        a.set_address(p);
        out.push_back(std::move(a));
      }
    }
  }
  for (const Node& n : t.nodes) {
    if (n.is_switch()) {
      Action a = Base(ActionKind::kSetLinkUp, t, n);
      a.ifname = kBridgeName;
      out.push_back(std::move(a));
    }
    for (const Interface& i : n.interfaces) {
      if (i.name == "lo") continue;
      Action a = Base(ActionKind::kSetLinkUp, t, n);
      a.ifname = i.name;
      out.push_back(std::move(a));
    }
  }
  for (const Node& n : t.nodes) {
    for (const Route& r : n.routes) {
      Action a = Base(ActionKind::kAddRoute, t, n);
      a.mutable_route() = static_cast<const RouteSpec&>(r);  // without the source positions
      out.push_back(std::move(a));
    }
  }
  for (const Node& n : t.nodes) {
    if (n.snat.empty()) continue;
    // One action per namespace and family: the kernel adds each at once.
    for (int family : {4, 6}) {
      Action a = Base(ActionKind::kAddSnat, t, n);
      for (const SnatRule& r : n.snat) {
        if (r.family() != family) continue;
        SnatSpec spec = r;  // the plain values, without the source positions
        spec.comment = "topo:" + plan.lab;
        a.mutable_snat().push_back(spec);
      }
      if (a.snat().empty()) continue;
      out.push_back(std::move(a));
    }
  }
  for (const Node& n : t.nodes) AddFirewallActions(t, n, "topo:" + plan.lab, &out);
  // Names: every namespace gets the same hosts file (written once, then hard
  // links), and nodes with name servers a resolv.conf.
  // The root node is the host itself: its /etc files are never touched.
  const std::string hosts = HostsFile(whole);
  const Node* first = nullptr;
  for (const Node& n : t.nodes) {
    if (n.is_root()) continue;
    Action a = Base(ActionKind::kWriteEtcFile, t, n);
    a.set_key("hosts");
    if (first == nullptr) {
      first = &n;
      a.set_value(hosts);
    } else {
      a.set_peer_ns(t.NamespaceOf(first->name));
    }
    out.push_back(std::move(a));
  }
  for (const Node& n : t.nodes) {
    if (n.dns.empty() || n.is_root()) continue;
    Action a = Base(ActionKind::kWriteEtcFile, t, n);
    a.set_key("resolv.conf");
    a.set_value(ResolvConf(t, n));
    out.push_back(std::move(a));
  }
  // What runs in the nodes, once the network is complete: each node's private
  // directories and files, then the programs in an order where each comes
  // after those it waits for.
  for (const Node& n : t.nodes) {
    for (const NodeDir& d : n.dirs) {
      Action a = Base(ActionKind::kMakeNodeDir, t, n);
      a.set_key(d.path);
      out.push_back(std::move(a));
    }
    for (const NodeFile& f : n.files) {
      Action a = Base(ActionKind::kWriteNodeFile, t, n);
      a.set_key(f.path);
      a.set_value(f.substitute ? Substituted(whole, n, f.content) : f.content);
      a.set_mode(f.mode);
      out.push_back(std::move(a));
    }
  }
  for (const ProgramRef& ref : StartOrder(t)) {
    Action a = Base(ActionKind::kStartProgram, t, t.nodes[ref.node]);
    a.mutable_program() = CompiledProgram(t, whole, ref);
    out.push_back(std::move(a));
  }
  return plan;
}

}  // namespace compile_internal

}  // namespace topo
