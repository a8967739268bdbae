// The checks on interfaces of a `kind:` (rules_internal.h, model/ifkind.h):
// only on hosts and routers, never a link's end, only the keys of their kind;
// VXLAN's vni, port, local (one of the node's addresses), remote (an address
// of the same family, or a node with a VXLAN of the same VNI) and dev;
// macvlan and ipvlan's parent and mode; bond and VRF members and settings.
// Whether the kernel has a kind is not a question for the file: `up` asks
// the kernel, and names the option it lacks.
#include <map>
#include <set>

#include "front/rules_internal.h"

namespace topo::check_internal {
namespace {

using Sources = Interface::KindSources;

struct KeyRule {
  const char* key;
  const Source Sources::*src;
  std::vector<IfKind> kinds;  // the kinds that take it
};

const std::vector<KeyRule>& KeyRules() {
  static const std::vector<KeyRule> kRules = {
      {"vni", &Sources::vni, {IfKind::kVxlan}},
      {"local", &Sources::local, {IfKind::kVxlan}},
      {"remote", &Sources::remote, {IfKind::kVxlan}},
      {"port", &Sources::port, {IfKind::kVxlan}},
      {"dev", &Sources::dev, {IfKind::kVxlan}},
      {"parent", &Sources::parent, {IfKind::kMacvlan, IfKind::kIpvlan}},
      {"mode", &Sources::mode, {IfKind::kMacvlan, IfKind::kIpvlan, IfKind::kBond}},
      {"members", &Sources::members, {IfKind::kBond, IfKind::kVrf}},
      {"table", &Sources::table, {IfKind::kVrf}},
  };
  return kRules;
}

bool Given(const Source& s) { return s.loc.line != 0; }

std::string KindsOf(const std::vector<IfKind>& kinds) {
  std::string out;
  for (size_t k = 0; k < kinds.size(); ++k) {
    out += (k == 0                  ? ""
            : k + 1 == kinds.size() ? " and "
                                    : ", ") +
           std::string(IfKindName(kinds[k]));
  }
  return out;
}

// An interface of `n` that another may stand on (a parent, a dev, a
// member): declared, not the loopback, not `self`.
const Interface* Underlay(const Node& n, const Interface& self, const std::string& name) {
  const Interface* u = n.FindInterface(name);
  return u && u != &self && u->name != "lo" ? u : nullptr;
}

void CheckUnderlay(const Node& n, const Interface& i, const std::string& name, const Source& src,
                   const char* what, DiagnosticList* diags) {
  if (Underlay(n, i, name)) return;
  std::string hint = "name one of the node's interfaces";
  const std::string closest = ClosestMatch(name, InterfaceNames(n, false));
  if (name == "lo") {
    hint = "the loopback cannot carry it; name a link's end";
  } else if (!closest.empty() && closest != i.name) {
    hint = "did you mean " + Quote(closest) + "?";
  }
  ErrorAt(diags, src,
          std::string(what) + " " + Quote(name) + " of " + Quote(Qualified(n, i)) +
              " is not an interface of node " + Quote(n.name),
          hint);
}

bool NodeHasAddress(const Node& n, const IpAddress& a) {
  for (const Interface& i : n.interfaces)
    for (const Prefix& p : i.addresses)
      if (p.addr == a) return true;
  return false;
}

void CheckVxlan(const LabIndex& lab, const Node& n, const Interface& i, DiagnosticList* diags) {
  const VirtualSpec& v = i.virt;
  const Sources& src = i.kind_src;
  if (!Given(src.vni)) {
    ErrorAt(diags, src.kind, "vxlan " + Quote(Qualified(n, i)) + " has no 'vni'",
            "give the VXLAN network identifier, e.g. vni: 100");
  } else if (v.vni < kMinVni || v.vni > kMaxVni) {
    ErrorAt(diags, src.vni,
            "vni " + std::to_string(v.vni) + " of " + Quote(Qualified(n, i)) + " is out of range",
            "a VXLAN network identifier is 1 to 16777215");
  }
  if (Given(src.port) && (v.port < 1 || v.port > 65535)) {
    ErrorAt(diags, src.port,
            "port " + std::to_string(v.port) + " of " + Quote(Qualified(n, i)) + " is out of range",
            "a UDP port is 1 to 65535 (VXLAN's is 4789)");
  }
  if (v.local && !NodeHasAddress(n, *v.local)) {
    ErrorAt(diags, src.local,
            "local address " + v.local->ToString() + " of " + Quote(Qualified(n, i)) +
                " is not an address of node " + Quote(n.name),
            "VXLAN sends from one of the node's own addresses on the underlay");
  }
  if (!Given(src.remote)) {
    ErrorAt(diags, src.kind, "vxlan " + Quote(Qualified(n, i)) + " has no 'remote'",
            "give the far end's underlay address, or the name of the node with the other end");
  } else if (!i.remote_node.empty()) {
    const Node* peer = lab.FindNode(i.remote_node);
    if (!peer) {
      const std::string closest = ClosestMatch(i.remote_node, NodeNames(lab.topology()));
      ErrorAt(diags, src.remote,
              "remote " + Quote(i.remote_node) + " of " + Quote(Qualified(n, i)) +
                  " is neither an address nor a node",
              closest.empty() ? "write the far end's underlay address, e.g. 10.0.0.2"
                              : "did you mean " + Quote(closest) + "?");
    } else if (peer == &n) {
      ErrorAt(diags, src.remote,
              "vxlan " + Quote(Qualified(n, i)) + " names its own node as remote",
              "name the node with the other end of the tunnel");
    } else if (!v.remote) {
      ErrorAt(diags, src.remote,
              "node " + Quote(peer->name) + " has no vxlan with vni " + std::to_string(v.vni) +
                  " and a 'local' address, which remote " + Quote(peer->name) + " of " +
                  Quote(Qualified(n, i)) + " stands for",
              "give that node a vxlan interface with the same vni and a 'local' address, or "
              "write the remote address");
    }
  }
  if (v.local && v.remote && v.local->family != v.remote->family) {
    ErrorAt(diags, src.remote,
            "remote " + v.remote->ToString() + " of " + Quote(Qualified(n, i)) + " is " +
                FamilyName(v.remote->family) + " but local " + v.local->ToString() + " is " +
                FamilyName(v.local->family),
            "both ends of a VXLAN tunnel use one address family");
  }
  if (v.remote && NodeHasAddress(n, *v.remote)) {
    ErrorAt(diags, src.remote,
            "remote " + v.remote->ToString() + " of " + Quote(Qualified(n, i)) +
                " is an address of node " + Quote(n.name) + " itself",
            "the remote is the far end's underlay address");
  }
  if (!v.parent.empty()) CheckUnderlay(n, i, v.parent, src.dev, "dev", diags);
}

void CheckLower(const Node& n, const Interface& i, DiagnosticList* diags) {
  const VirtualSpec& v = i.virt;
  const Sources& src = i.kind_src;
  if (!Given(src.parent)) {
    ErrorAt(diags, src.kind,
            std::string(IfKindName(v.kind)) + " " + Quote(Qualified(n, i)) + " has no 'parent'",
            "name the node's interface it stands on, e.g. parent: eth0");
    return;
  }
  CheckUnderlay(n, i, v.parent, src.parent, "parent", diags);
  if (const Interface* p = Underlay(n, i, v.parent);
      p && p->is_virtual() && p->virt.kind != IfKind::kBond) {
    ErrorAt(diags, src.parent,
            std::string(IfKindName(v.kind)) + " " + Quote(Qualified(n, i)) + " stands on " +
                Quote(p->name) + ", a " + IfKindName(p->virt.kind),
            "put it on a link's end, a VLAN sub-interface or a bond");
  }
  if (v.kind == IfKind::kIpvlan && Given(i.mac_src)) {
    ErrorAt(diags, i.mac_src, "ipvlan " + Quote(Qualified(n, i)) + " cannot have a 'mac'",
            "an ipvlan interface uses its parent's MAC address; use macvlan for a MAC of its own");
  }
}

void CheckMode(const Node& n, const Interface& i, DiagnosticList* diags) {
  const std::vector<std::string>& modes = KindModes(i.virt.kind);
  if (modes.empty() || !Given(i.kind_src.mode)) return;
  for (const std::string& m : modes)
    if (m == i.virt.mode) return;
  std::string list;
  for (const std::string& m : modes) list += (list.empty() ? "" : ", ") + m;
  const std::string closest = ClosestMatch(i.virt.mode, modes);
  ErrorAt(
      diags, i.kind_src.mode,
      "unknown " + std::string(IfKindName(i.virt.kind)) + " mode " + Quote(i.virt.mode) + " on " +
          Quote(Qualified(n, i)),
      (closest.empty() ? "" : "did you mean " + Quote(closest) + "? ") + "the modes are " + list);
}

void CheckVrfTable(const Node& n, const Interface& i, DiagnosticList* diags) {
  const Sources& src = i.kind_src;
  if (!Given(src.table)) {
    ErrorAt(diags, src.kind, "vrf " + Quote(Qualified(n, i)) + " has no 'table'",
            "give the routing table of the VRF, e.g. table: 10");
  } else if (i.virt.table == 0 || i.virt.table == 253 || i.virt.table == 254 ||
             i.virt.table == 255) {
    ErrorAt(diags, src.table,
            "table " + std::to_string(i.virt.table) + " of vrf " + Quote(Qualified(n, i)) +
                " is not a table a VRF can own",
            "0 is not a table, and 253, 254 and 255 are the kernel's default, main and local "
            "tables: choose another, e.g. 10");
  }
}

// Bond and VRF members: interfaces of the node, each in one master at most;
// a bond's members carry no addresses (the bond does).
void CheckMembers(const Node& n, const Interface& i,
                  std::map<std::string, const Interface*>* master_of, DiagnosticList* diags) {
  const Sources& src = i.kind_src;
  if (i.members.empty() && i.virt.kind == IfKind::kBond) {
    ErrorAt(diags, Prefer(src.members, src.kind),
            "bond " + Quote(Qualified(n, i)) + " has no 'members'",
            "list the node's link ends it bonds, e.g. members: [eth0, eth1]");
  }
  for (size_t k = 0; k < i.members.size() && k < src.member.size(); ++k) {
    const std::string& m = i.members[k];
    const Interface* member = Underlay(n, i, m);
    if (!member) {
      CheckUnderlay(n, i, m, src.member[k], "member", diags);
      continue;
    }
    if (member->is_virtual()) {
      ErrorAt(diags, src.member[k],
              "member " + Quote(m) + " of " + Quote(Qualified(n, i)) + " is a " +
                  IfKindName(member->virt.kind),
              "members are the node's link ends or VLAN sub-interfaces");
      continue;
    }
    auto [it, inserted] = master_of->emplace(m, &i);
    if (!inserted) {
      ErrorAt(diags, src.member[k],
              "interface " + Quote(n.name + ":" + m) + " is already a member of " +
                  Quote(it->second->name),
              "an interface joins one bond or VRF");
      continue;
    }
    if (i.virt.kind == IfKind::kBond && !member->addresses.empty()) {
      ErrorAt(diags, src.member[k],
              "member " + Quote(m) + " of bond " + Quote(Qualified(n, i)) + " has addresses",
              "give the addresses to the bond " + Quote(i.name) + " instead");
    }
  }
}

void CheckInterface(const LabIndex& lab, const Node& n, const Interface& i,
                    std::map<std::string, const Interface*>* master_of, DiagnosticList* diags) {
  const IfKind kind = i.virt.kind;
  if (lab.PeerOf(n.name, i.name)) {
    ErrorAt(diags, i.kind_src.kind,
            std::string(IfKindName(kind)) + " interface " + Quote(Qualified(n, i)) +
                " cannot be a link's end",
            "a link makes its ends (veth); name another interface in the link, or drop 'kind'");
    return;
  }
  for (const KeyRule& r : KeyRules()) {
    const Source& s = i.kind_src.*r.src;
    if (!Given(s)) continue;
    bool takes = false;
    for (IfKind k : r.kinds) takes = takes || k == kind;
    if (!takes) {
      ErrorAt(diags, s,
              Quote(r.key) + " is for " + KindsOf(r.kinds) + " interfaces, and " +
                  Quote(Qualified(n, i)) + " is a " + IfKindName(kind),
              "remove it, or change 'kind'");
    }
  }
  if (i.impair.given()) {
    ErrorAt(diags, i.impair.src,
            std::string(IfKindName(kind)) + " interface " + Quote(Qualified(n, i)) +
                " cannot be impaired",
            "impair a link, or a link's end");
  }
  if (kind == IfKind::kWireguard && Given(i.mac_src)) {
    ErrorAt(diags, i.mac_src, "wireguard " + Quote(Qualified(n, i)) + " has no MAC address",
            "remove 'mac'");
  }
  switch (kind) {
    case IfKind::kVxlan:
      CheckVxlan(lab, n, i, diags);
      break;
    case IfKind::kMacvlan:
    case IfKind::kIpvlan:
      CheckLower(n, i, diags);
      CheckMode(n, i, diags);
      break;
    case IfKind::kBond:
      CheckMode(n, i, diags);
      CheckMembers(n, i, master_of, diags);
      break;
    case IfKind::kVrf:
      CheckVrfTable(n, i, diags);
      CheckMembers(n, i, master_of, diags);
      break;
    default:
      break;
  }
}

// What the kernel refuses between interfaces of one node: two VXLANs with one
// VNI and port, two VRFs with one table, a passthru macvlan beside another.
void CheckConflicts(const Node& n, DiagnosticList* diags) {
  std::map<std::pair<int, int>, const Interface*> vnis;
  std::map<unsigned, const Interface*> tables;
  std::map<std::string, std::vector<const Interface*>> macvlans;  // by parent
  for (const Interface& i : n.interfaces) {
    const VirtualSpec& v = i.virt;
    const Interface* first = nullptr;
    if (v.kind == IfKind::kVxlan && v.vni >= kMinVni && v.vni <= kMaxVni) {
      first = vnis.emplace(std::make_pair(v.vni, v.port), &i).first->second;
    } else if (v.kind == IfKind::kVrf && v.table != 0) {
      first = tables.emplace(v.table, &i).first->second;
    } else if (v.kind == IfKind::kMacvlan && !v.parent.empty()) {
      macvlans[v.parent].push_back(&i);
    }
    if (first && first != &i) {
      const bool vxlan = v.kind == IfKind::kVxlan;
      ErrorAt(diags, vxlan ? i.kind_src.vni : i.kind_src.table,
              (vxlan ? "vni " + std::to_string(v.vni) + " (port " + std::to_string(v.port) + ")"
                     : "table " + std::to_string(v.table)) +
                  " of " + Quote(Qualified(n, i)) + " is taken by " + Quote(first->name) +
                  " (line " + std::to_string(first->src.loc.line) + ")",
              "the kernel takes each once per node: choose another");
    }
  }
  for (const auto& [parent, list] : macvlans) {
    if (list.size() < 2) continue;
    for (const Interface* i : list) {
      if (i->virt.mode != "passthru") continue;
      ErrorAt(diags, i->kind_src.mode,
              "passthru macvlan " + Quote(Qualified(n, *i)) + " shares " + Quote(parent) +
                  " with another macvlan",
              "a passthru macvlan takes its parent alone; use mode bridge");
    }
  }
}

}  // namespace

void CheckInterfaceKinds(const LabIndex& lab, DiagnosticList* diags) {
  for (const Node& n : lab.topology().nodes) {
    std::map<std::string, const Interface*> master_of;
    bool any = false;
    for (const Interface& i : n.interfaces) {
      if (!i.is_virtual()) continue;
      any = true;
      if (n.is_switch() || n.is_root()) {
        ErrorAt(diags, i.kind_src.kind,
                std::string(IfKindName(i.virt.kind)) + " interface " + Quote(Qualified(n, i)) +
                    " on a node of kind " + NodeKindName(n.kind),
                n.is_root() ? "topo never adds interfaces to the host; put it on a host or router"
                            : "put interfaces of a kind on hosts and routers");
        continue;
      }
      CheckInterface(lab, n, i, &master_of, diags);
    }
    if (any) CheckConflicts(n, diags);
  }
}

}  // namespace topo::check_internal
