// A Plan is the compiled form of a topology: an ordered list of kernel actions
// that, applied front to back, build the lab; each action has an inverse, and
// the inverses applied back to front remove it. A plan is plain data: it prints
// as text, JSON and an equivalent iproute2/iptables shell script, compares
// equal in tests, and is stored in the lab's journal so `down` can undo it
// without the topology file.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/ifkind.h"
#include "model/ip.h"
#include "model/program.h"
#include "model/snat.h"
#include "model/status.h"
#include "model/topology.h"
#include "model/vlan.h"

namespace topo {

enum class ActionKind {
  kCreateNamespace,  // ns
  kCreateVeth,       // ns:ifname <-> peer_ns:peer_ifname, each end created in its namespace
  kSetMtu,           // ns, ifname, mtu
  kSetMac,           // ns, ifname, mac
  kSetSysctl,        // ns, key, value
  kAddAddress,       // ns, ifname, address
  kSetLinkUp,        // ns, ifname
  kAddRoute,         // ns, route
  kAddSnat,          // ns, snat rules (all of the namespace's rules of one family, added at once)
  kCreateBridge,     // ns, ifname (the bridge), stp
  kSetMaster,        // ns, ifname (a port), master (the bridge it joins)
  kSetImpairment,    // ns, ifname, impairment (netem, and tbf for a rate, as the root qdisc)
  kCreateVlan,       // ns, ifname, parent, vlan: an 802.1Q sub-interface of parent
  kSetPortVlans,     // ns, ifname (a bridge port), port_vlans (replacing the default VLAN 1)
  kCreateInterface,  // ns, ifname, virt: an interface of a kind (dummy, vxlan, macvlan, ...)
  kWriteEtcFile,     // ns, key (file name), value (content) or peer_ns: /etc/netns/NS/KEY
  // What runs in a node (model/program.h); these come after every network
  // action, so teardown undoes them first.
  kMakeNodeDir,    // ns, node, key (a path in the node): a private directory, empty at up
  kWriteNodeFile,  // ns, node, key (a path in the node), value (content, substituted), mode
  // ns, node, program (substituted): started, journaled, waited for. Listed in
  // an order where each comes after what it waits for; program.after names
  // every such program as "NODE/PROGRAM", the previous one of its node first.
  kStartProgram,
};
const char* ActionKindName(ActionKind k);  // "create-namespace", ...

// An action's `ns` (or `peer_ns`) is "" for the root namespace, the one topo
// runs in (a node of kind root): the lab does not own it, so its objects are
// never removed with the lab's namespaces, except the ends of veth pairs whose
// other end is in one (and what lives on those ends).
struct Action {
  ActionKind kind = ActionKind::kCreateNamespace;
  std::string ns;    // the namespace that holds what this action creates
  std::string node;  // the node it belongs to, for messages
  std::string ifname;
  std::string peer_ns, peer_node, peer_ifname;  // kCreateVeth
  int mtu = 0;                                  // kSetMtu
  MacAddress mac;                               // kSetMac
  Prefix address;                               // kAddAddress
  std::string key, value;                       // kSetSysctl
  Route route;                                  // kAddRoute (dev resolved, family set)
  std::vector<SnatSpec> snat;                   // kAddSnat: one family, one comment ("topo:LAB")
  std::string master;                           // kSetMaster
  bool stp = false;                             // kCreateBridge
  bool vlan_filtering = false;                  // kCreateBridge
  std::string parent;                           // kCreateVlan
  int vlan = 0;                                 // kCreateVlan
  PortVlans port_vlans;                         // kSetPortVlans
  VirtualSpec virt;                             // kCreateInterface
  Impairment impairment;                        // kSetImpairment
  int mode = 0644;                              // kWriteNodeFile: permission bits
  ProgramSpec program;                          // kStartProgram
  // kWriteEtcFile: `key` is the file name ("hosts"), `value` its content; when
  // `peer_ns` is set instead, the file is a hard link to that namespace's
  // (identical hosts files are written once).

  // True when removing the action's namespace also removes what the action made,
  // so teardown can skip undoing it one by one. Files under /etc/netns outlive
  // the namespace. (For actions in the root namespace, see MootActions.)
  bool MootAfterNamespaceRemoval() const {
    return kind != ActionKind::kCreateNamespace && kind != ActionKind::kWriteEtcFile &&
           kind != ActionKind::kMakeNodeDir && kind != ActionKind::kWriteNodeFile &&
           kind != ActionKind::kStartProgram;
  }
  // True when what the action made lives wholly inside lab namespaces (neither
  // end in the root namespace), so removing those namespaces undoes it.
  bool UndoneByNamespaceRemoval() const {
    return MootAfterNamespaceRemoval() && !ns.empty() &&
           !(kind == ActionKind::kCreateVeth && peer_ns.empty());
  }
};

// How a namespace is shown to people: its name, or "(root)" for "".
std::string NamespaceLabel(const std::string& ns);

// One-line descriptions: "create veth server:vethS <-> router:veth-srv",
// and for the inverse "delete veth server:vethS <-> router:veth-srv".
std::string Describe(const Action& a);
std::string DescribeInverse(const Action& a);

struct Plan {
  std::string lab;       // prefix + topology name
  std::string topology;  // the topology's name
  std::string prefix;
  std::string source_file;              // where it was compiled from, for messages
  std::vector<std::string> namespaces;  // every namespace the lab owns, in creation order
  std::vector<Action> actions;
};

// For each action of `plan`, whether teardown can skip its inverse because
// removing the namespaces that `touched` actions created, or deleting a veth
// pair, removes what it made: everything inside a removed namespace; a veth
// pair with an end in one, unless its other end is in the root namespace
// (such a pair is deleted explicitly, so that the host end is gone when
// teardown returns rather than when the kernel gets round to freeing the
// namespace); and the addresses, MTU, MAC and link state of a root-side veth
// end. Routes, sysctls and SNAT rules in the root namespace are never moot.
std::vector<bool> MootActions(const Plan& plan, const std::vector<bool>& touched);

nlohmann::json ActionToJson(const Action& a);
Status ActionFromJson(const nlohmann::json& j, Action* out);
nlohmann::json PlanToJson(const Plan& plan);
Status PlanFromJson(const nlohmann::json& j, Plan* out);

// Human text: a numbered list of actions, grouped by stage.
std::string FormatPlanText(const Plan& plan);
// A bash script of the equivalent `ip`, `sysctl`, `iptables` and `tc` commands; with
// `teardown`, the script that removes the lab.
std::string FormatPlanShell(const Plan& plan, bool teardown);
// The shell commands of one action (and its inverse), for the script above.
std::vector<std::string> ActionToShell(const Action& a);
std::vector<std::string> InverseToShell(const Action& a);

// Whether the action's SNAT rules are IPv6 (ip6tables) or IPv4.
bool SnatIsIpv6(const Action& a);

}  // namespace topo
