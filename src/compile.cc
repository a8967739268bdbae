#include "compile.h"

namespace topo {

std::vector<std::pair<std::string, std::string>> KindSysctls(NodeKind kind) {
  if (kind == NodeKind::kRouter) {
    return {{"net.ipv4.ip_forward", "1"}, {"net.ipv6.conf.all.forwarding", "1"}};
  }
  return {};
}

namespace {

Action Base(ActionKind kind, const Topology& t, const Node& n) {
  Action a;
  a.kind = kind;
  a.node = n.name;
  a.ns = t.NamespaceOf(n.name);
  return a;
}

}  // namespace

Plan Compile(const Topology& t, const std::string& source_file) {
  Plan plan;
  plan.lab = t.LabName();
  plan.topology = t.name;
  plan.prefix = t.prefix;
  plan.source_file = source_file;
  std::vector<Action>& out = plan.actions;
  // At most this many actions: reserved, so the vector is not copied as it grows.
  size_t most = t.links.size();
  for (const Node& n : t.nodes) {
    most += 2 + KindSysctls(n.kind).size() + n.sysctls.size() + n.routes.size();
    most += n.snat.empty() ? 0 : 2;
    for (const Interface& i : n.interfaces) {
      most += 1 + (i.mtu ? 1 : 0) + (i.mac ? 1 : 0) + i.addresses.size();
    }
  }
  out.reserve(most);
  plan.namespaces.reserve(t.nodes.size());

  for (const Node& n : t.nodes) {
    plan.namespaces.push_back(t.NamespaceOf(n.name));
    out.push_back(Base(ActionKind::kCreateNamespace, t, n));
  }
  for (const Node& n : t.nodes) {
    Action a = Base(ActionKind::kSetLinkUp, t, n);
    a.ifname = "lo";
    out.push_back(a);
  }
  for (const Link& l : t.links) {
    const Node* na = t.FindNode(l.a.node);
    Action a = Base(ActionKind::kCreateVeth, t, *na);
    a.ifname = l.a.interface;
    a.peer_node = l.b.node;
    a.peer_ns = t.NamespaceOf(l.b.node);
    a.peer_ifname = l.b.interface;
    out.push_back(a);
  }
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (i.mtu) {
        Action a = Base(ActionKind::kSetMtu, t, n);
        a.ifname = i.name;
        a.mtu = *i.mtu;
        out.push_back(a);
      }
      if (i.mac) {
        Action a = Base(ActionKind::kSetMac, t, n);
        a.ifname = i.name;
        a.mac = *i.mac;
        out.push_back(a);
      }
    }
  }
  for (const Node& n : t.nodes) {
    auto sysctls = KindSysctls(n.kind);
    for (const Sysctl& s : n.sysctls) sysctls.emplace_back(s.key, s.value);
    for (const auto& [key, value] : sysctls) {
      Action a = Base(ActionKind::kSetSysctl, t, n);
      a.key = key;
      a.value = value;
      out.push_back(a);
    }
  }
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        Action a = Base(ActionKind::kAddAddress, t, n);
        a.ifname = i.name;
        a.address = p;
        out.push_back(a);
      }
    }
  }
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (i.name == "lo") continue;
      Action a = Base(ActionKind::kSetLinkUp, t, n);
      a.ifname = i.name;
      out.push_back(a);
    }
  }
  for (const Node& n : t.nodes) {
    for (const Route& r : n.routes) {
      Action a = Base(ActionKind::kAddRoute, t, n);
      a.route = r;
      a.route.src = {};
      out.push_back(a);
    }
  }
  for (const Node& n : t.nodes) {
    if (n.snat.empty()) continue;
    // One action per namespace and family: each becomes one iptables-restore run.
    for (int family : {4, 6}) {
      Action a = Base(ActionKind::kAddSnat, t, n);
      for (const SnatRule& r : n.snat) {
        if (r.source.family() != family) continue;
        SnatRule copy = r;
        copy.src = {};
        a.snat.push_back(copy);
      }
      if (a.snat.empty()) continue;
      a.comment = "topo:" + plan.lab;
      out.push_back(a);
    }
  }
  return plan;
}

}  // namespace topo
