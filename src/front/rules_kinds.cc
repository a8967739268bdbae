// The checks particular to node kinds: switches (layer 2: no addresses,
// routes or snat; the bridge's name is reserved; the nodes on one switch
// segment share a subnet) and the root node (at most one per machine; it does not own
// the host's loopback). Also the layer-2 neighbourhood the other checks use:
// the interfaces a frame sent on an interface can reach, through switches.
#include <algorithm>
#include <map>
#include <set>

#include "front/rules.h"
#include "front/rules_internal.h"

namespace topo::check_internal {
namespace {

const char* kL2Hint =
    "a switch is layer 2: put addresses, routes and snat on the hosts and "
    "routers linked to it";

// The switch segments: each switch node's name -> a representative of the
// group of switches linked to each other (they form one layer-2 segment).
std::map<std::string, std::string> SwitchSegments(const LabIndex& lab) {
  std::map<std::string, std::string> parent;
  for (const Node& n : lab.topology().nodes) {
    if (n.is_switch()) parent[n.name] = n.name;
  }
  auto find = [&](std::string x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const Link& l : lab.topology().links) {
    if (parent.count(l.a.node) && parent.count(l.b.node)) parent[find(l.a.node)] = find(l.b.node);
  }
  for (auto& [name, rep] : parent) rep = find(name);
  return parent;
}

// One attachment of a non-switch node to a switch segment.
struct Attachment {
  const Endpoint* sw;   // the switch end
  const Endpoint* end;  // the host or router end
  const Interface* iface;
  const Link* link;
};

// Segment representative -> the non-switch interfaces linked to it, in link order.
std::map<std::string, std::vector<Attachment>> SegmentMembers(
    const LabIndex& lab, const std::map<std::string, std::string>& segments) {
  std::map<std::string, std::vector<Attachment>> members;
  for (const Link& l : lab.topology().links) {
    for (auto [sw, other] : {std::pair{&l.a, &l.b}, std::pair{&l.b, &l.a}}) {
      auto seg = segments.find(sw->node);
      if (seg == segments.end() || segments.count(other->node)) continue;
      const Interface* i = lab.FindEndpoint(*other);
      if (!i) continue;
      // On a switch that filters by VLAN, a port's untagged VLAN is a segment
      // of its own (a trunk without a native VLAN carries no untagged one).
      std::string key = seg->second;
      const Node* sn = lab.FindNode(sw->node);
      if (sn && sn->vlan_filtering()) {
        const Interface* port = sn->FindInterface(sw->interface);
        int untagged = !port || port->port_vlans.empty() ? 1 : port->port_vlans.untagged;
        if (untagged == 0) continue;
        key += "#" + std::to_string(untagged);
      }
      members[key].push_back({sw, other, i, &l});
    }
  }
  return members;
}

std::vector<Prefix> Routable(const Interface& i, int family) {
  std::vector<Prefix> out;
  for (const Prefix& p : i.addresses) {
    if (p.family() == family && IsRoutable(p.addr)) out.push_back(p);
  }
  return out;
}

bool ShareSubnet(const std::vector<Prefix>& xs, const std::vector<Prefix>& ys) {
  for (const Prefix& x : xs) {
    for (const Prefix& y : ys) {
      if (x.Contains(y.addr) && y.Contains(x.addr)) return true;
    }
  }
  return false;
}

// A bridge numbers its ports 1 to 1023 (the kernel's BR_MAX_PORTS is 1024,
// port 0 reserved): one more port fails to join at `up`.
constexpr size_t kMaxSwitchPorts = 1023;

void CheckSwitchNode(const Node& n, DiagnosticList* diags) {
  if (n.interfaces.size() > kMaxSwitchPorts) {
    ErrorAt(diags, n.interfaces[kMaxSwitchPorts].src,
            "switch " + Quote(n.name) + " has " + std::to_string(n.interfaces.size()) +
                " ports, more than the kernel's limit of " + std::to_string(kMaxSwitchPorts),
            "join several switches with a link between them: they form one segment");
  }
  for (const Interface& i : n.interfaces) {
    if (i.name == kBridgeName) {
      ErrorAt(diags, i.src,
              "interface name '" + std::string(kBridgeName) + "' on switch " + Quote(n.name) +
                  " is taken by the switch's bridge device",
              "name the port something else, e.g. p1");
    }
    for (size_t k = 0; k < i.addresses.size() && k < i.address_sources.size(); ++k) {
      ErrorAt(diags, i.address_sources[k],
              "address " + i.addresses[k].ToString() + " on switch " + Quote(n.name) +
                  ": a switch's ports have no addresses",
              kL2Hint);
    }
  }
  if (!n.routes.empty()) {
    ErrorAt(diags, n.routes.front().src,
            "routes on switch " + Quote(n.name) + ", which does not route", kL2Hint);
  }
  if (!n.snat.empty()) {
    ErrorAt(diags, n.snat.front().src, "snat on switch " + Quote(n.name) + ", which does not route",
            kL2Hint);
  }
}

}  // namespace

std::vector<const Endpoint*> SegmentNeighbours(const LabIndex& lab, const std::string& node,
                                               const std::string& ifname) {
  const Endpoint* peer = lab.PeerOf(node, ifname);
  if (!peer) return {};
  const Node* pn = lab.FindNode(peer->node);
  if (!pn || !pn->is_switch()) return {peer};
  const std::map<std::string, std::string> segments = SwitchSegments(lab);
  const auto members = SegmentMembers(lab, segments);
  std::vector<const Endpoint*> out;
  auto it = members.end();
  for (auto m = members.begin(); m != members.end(); ++m) {
    for (const Attachment& a : m->second) {
      if (a.end->node == node && a.end->interface == ifname) it = m;
    }
  }
  if (it == members.end()) return out;
  for (const Attachment& m : it->second) {
    if (m.end->node != node || m.end->interface != ifname) out.push_back(m.end);
  }
  return out;
}

void CheckSwitches(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  bool any = false;
  for (const Node& n : t.nodes) {
    if (n.is_switch()) {
      any = true;
      CheckSwitchNode(n, diags);
    } else if (n.stp_src.loc.line > 0) {
      ErrorAt(
          diags, n.stp_src,
          "'stp' applies only to switches, and " + Quote(n.name) + " is a " + NodeKindName(n.kind),
          "remove it, or set kind: switch");
    }
  }
  if (!any) return;
  // The hosts and routers on one segment share one subnet (per family).
  const auto segments = SwitchSegments(lab);
  for (const auto& [segment, members] : SegmentMembers(lab, segments)) {
    for (int family : {4, 6}) {
      const Attachment* first = nullptr;
      std::vector<Prefix> reference;
      for (const Attachment& m : members) {
        std::vector<Prefix> mine = Routable(*m.iface, family);
        if (mine.empty()) continue;
        if (!first) {
          first = &m;
          reference = mine;
          continue;
        }
        if (ShareSubnet(reference, mine)) continue;
        const std::string where = m.sw->node == first->sw->node
                                      ? "on switch " + Quote(m.sw->node)
                                      : "on switches " + Quote(m.sw->node) + " and " +
                                            Quote(first->sw->node) + " (one segment)";
        WarningAt(diags, m.link->src,
                  m.end->ToString() + " (" + mine[0].ToString() + ") and " +
                      first->end->ToString() + " (" + reference[0].ToString() + ") are " + where +
                      " but in different subnets",
                  "nodes on one switch share a layer-2 segment and normally one subnet; put a "
                  "router between subnets");
      }
    }
  }
}

void CheckRootNodes(const LabIndex& lab, DiagnosticList* diags) {
  // One per machine: each machine's host has one root namespace.
  std::map<std::string, const Node*> roots;
  for (const Node& n : lab.topology().nodes) {
    if (!n.is_root()) continue;
    auto [it, first] = roots.emplace(n.placement, &n);
    if (!first) {
      const Node* root = it->second;
      ErrorAt(diags, n.src,
              "node " + Quote(n.name) + " is a second node of kind root (" + Quote(root->name) +
                  " at line " + std::to_string(root->src.loc.line) + " is the first" +
                  (n.placement.empty() ? "" : " on machine " + Quote(n.placement)) + ")",
              "the host has one root namespace; link every host-side interface to one node");
      continue;
    }
    if (const Interface* lo = n.FindInterface("lo")) {
      ErrorAt(diags, lo->src,
              "the root node " + Quote(n.name) +
                  " cannot declare 'lo': the host's loopback is "
                  "not the lab's to configure",
              "its interfaces are the host-side ends of links; remove 'lo'");
    }
    CheckHostRoutes(lab.topology(), n, diags);
  }
}

}  // namespace topo::check_internal
