// The checks on VLANs (rules_internal.h): 802.1Q sub-interfaces (`eth0.10`:
// an id in range, a parent that is a link end of the same host or router, one
// sub-interface per id and parent) and switch ports' `access`, `trunk` and
// `native` (switch ports only, ids in range, access or trunk but not both).
#include <map>
#include <set>

#include "front/rules_internal.h"

namespace topo::check_internal {
namespace {

const char kRangeHint[] = "802.1Q VLAN ids are 1 to 4094";

bool InRange(int id) { return id >= kMinVlan && id <= kMaxVlan; }

void CheckSubInterfaces(const LabIndex& lab, const Node& n, DiagnosticList* diags) {
  std::map<std::pair<std::string, int>, const Interface*> seen;  // (parent, id) -> first
  for (const Interface& i : n.interfaces) {
    if (!i.is_vlan()) continue;
    if (n.is_switch() || n.is_root()) {
      ErrorAt(diags, i.src,
              "VLAN sub-interface " + Quote(Qualified(n, i)) + " on a node of kind " +
                  NodeKindName(n.kind),
              n.is_switch() ? "give the switch's ports VLANs with 'access' or 'trunk'"
                            : "put VLAN sub-interfaces on hosts and routers");
      continue;
    }
    if (!InRange(i.vlan)) {
      ErrorAt(diags, i.src,
              "VLAN id " + std::to_string(i.vlan) + " of " + Quote(Qualified(n, i)) +
                  " is out of range",
              kRangeHint);
      continue;
    }
    const Interface* parent = n.FindInterface(i.parent);
    if (!parent || parent->name == "lo" || parent->is_vlan() || !lab.PeerOf(n.name, i.parent)) {
      ErrorAt(diags, i.src,
              "VLAN sub-interface " + Quote(Qualified(n, i)) + " needs " + Quote(i.parent) +
                  ", an end of a link of node " + Quote(n.name),
              i.parent == "lo"
                  ? std::string("the loopback carries no VLANs; tag them on a link's end")
              : !parent ? "declare " + Quote(i.parent) + " under nodes." + n.name +
                              ".interfaces and link it, or link " + Quote(i.name) + " itself"
                        : "an interface PARENT.ID that no link names is VLAN ID tagged on PARENT, "
                          "which must be a link's end");
      continue;
    }
    auto [it, inserted] = seen.emplace(std::make_pair(i.parent, i.vlan), &i);
    if (!inserted) {
      ErrorAt(diags, i.src,
              "VLAN " + std::to_string(i.vlan) + " on " + Quote(n.name + ":" + i.parent) +
                  " is already " + Quote(it->second->name) + " (line " +
                  std::to_string(it->second->src.loc.line) + ")",
              "an interface carries each VLAN once; remove one of them");
    }
    if (i.impair.given()) {
      ErrorAt(diags, i.impair.src,
              "VLAN sub-interface " + Quote(Qualified(n, i)) + " cannot be impaired",
              "impair its parent " + Quote(i.parent) + " or the link");
    }
  }
}

void CheckPortVlans(const Node& n, const Interface& i, DiagnosticList* diags) {
  if (!i.access_given && !i.trunk_given && !i.native_given) return;
  const Source& any = i.access_given ? i.access_src : i.trunk_given ? i.trunk_src : i.native_src;
  if (!n.is_switch()) {
    ErrorAt(diags, any,
            "'access', 'trunk' and 'native' are for switch ports, and " + Quote(n.name) + " is a " +
                NodeKindName(n.kind),
            "to tag VLAN 10 on a host or router's eth0, declare an interface eth0.10");
    return;
  }
  if (i.name == "lo") return;  // reported by CheckSwitches
  if (i.access_given && (i.trunk_given || i.native_given)) {
    ErrorAt(diags, i.trunk_given ? i.trunk_src : i.native_src,
            "port " + Quote(Qualified(n, i)) + " is both an access port and a trunk",
            "an access port carries one VLAN untagged; a trunk carries 'trunk' tagged and "
            "'native' untagged: choose one");
    return;
  }
  if (i.native_given && !i.trunk_given) {
    ErrorAt(diags, i.native_src, "'native' on " + Quote(Qualified(n, i)) + " without 'trunk'",
            "for one untagged VLAN write 'access: ID'");
    return;
  }
  // Ids out of range the schema has reported.
  std::set<int> tagged;
  for (int id : i.port_vlans.tagged) {
    if (!InRange(id)) continue;
    if (!tagged.insert(id).second) {
      ErrorAt(diags, i.trunk_src,
              "VLAN " + std::to_string(id) + " is listed twice in the trunk of " +
                  Quote(Qualified(n, i)),
              "list each VLAN once");
    }
  }
  if (i.native_given && tagged.count(i.port_vlans.untagged)) {
    ErrorAt(diags, i.native_src,
            "native VLAN " + std::to_string(i.port_vlans.untagged) + " of " +
                Quote(Qualified(n, i)) + " is also in its trunk",
            "a VLAN is either tagged or untagged on a port: remove it from 'trunk'");
  }
  if (i.trunk_given && i.port_vlans.tagged.empty()) {
    ErrorAt(diags, i.trunk_src, "empty trunk on " + Quote(Qualified(n, i)),
            "list the VLANs the port carries tagged, e.g. [10, 20]");
  }
}

}  // namespace

void CheckVlans(const LabIndex& lab, DiagnosticList* diags) {
  for (const Node& n : lab.topology().nodes) {
    CheckSubInterfaces(lab, n, diags);
    for (const Interface& i : n.interfaces) CheckPortVlans(n, i, diags);
  }
}

}  // namespace topo::check_internal
