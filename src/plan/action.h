// One kernel action of a plan (plan.h): its kind, where it acts (namespace,
// node, interface) and its kind's own values. An action is plain data that
// copies, moves and prints like a struct; to stay small (a plan holds one per
// namespace, link end, address, route and file: about ten a node), only the
// fields every kind uses are members, and a kind's own values (a veth's peer,
// a route, a program, ...) live in one payload, allocated only when the kind
// needs more than a few bytes.
//
// Reading a value the action's kind does not carry gives the value's default
// (0, "", an empty route), as the fields of a plain struct did. Writing one
// (set_X, mutable_X) is a programming error that throws std::logic_error
// naming the kind and the value: set `kind` first, then the kind's values.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "model/firewall.h"
#include "model/ifkind.h"
#include "model/impairment.h"
#include "model/ip.h"
#include "model/program.h"
#include "model/route.h"
#include "model/snat.h"
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
  kAddFirewall,      // ns, firewall: one family and table's forwards or filter rules and policies
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

// A value on the heap that copies deeply: a payload too big to hold inline.
template <typename T>
class Boxed {
 public:
  Boxed() : p_(std::make_unique<T>()) {}
  Boxed(const Boxed& o) : p_(std::make_unique<T>(*o.p_)) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& o) {
    if (this != &o) p_ = std::make_unique<T>(*o.p_);
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  ~Boxed() = default;
  const T& get() const { return *p_; }
  T& get() { return *p_; }

 private:
  std::unique_ptr<T> p_;
};

// The payloads of the kinds that need more than their common fields.
namespace action_payload {
struct Peer {  // kCreateVeth: the other end
  std::string ns, node, ifname;
};
struct Text {  // kSetSysctl, kWriteEtcFile, kMakeNodeDir, kWriteNodeFile
  std::string key, value;
  std::string link_ns;  // kWriteEtcFile: a hard link to this namespace's file
  int mode = 0644;      // kWriteNodeFile
};
struct Bridge {  // kCreateBridge
  bool stp = false, vlan_filtering = false;
};
struct Vlan {  // kCreateVlan
  std::string parent;
  int id = 0;
};
struct Master {  // kSetMaster
  std::string name;
};
}  // namespace action_payload

// An action's `ns` (or `peer_ns`) is "" for the root namespace, the one topo
// runs in (a node of kind root): the lab does not own it, so its objects are
// never removed with the lab's namespaces, except the ends of veth pairs whose
// other end is in one (and what lives on those ends).
struct Action {
  ActionKind kind = ActionKind::kCreateNamespace;
  std::string ns;    // the namespace that holds what this action creates
  std::string node;  // the node it belongs to, for messages
  std::string ifname;

  // kCreateVeth: the other end. peer_ns is also kWriteEtcFile's: when set
  // instead of `value`, the file is a hard link to that namespace's
  // (identical hosts files are written once).
  const std::string& peer_ns() const;
  const std::string& peer_node() const;
  const std::string& peer_ifname() const;
  void set_peer_ns(std::string peer_ns);  // kCreateVeth, kWriteEtcFile
  void set_peer_node(std::string peer_node);
  void set_peer_ifname(std::string peer_ifname);

  int mtu() const;  // kSetMtu
  void set_mtu(int mtu);
  MacAddress mac() const;  // kSetMac
  void set_mac(const MacAddress& mac);
  const Prefix& address() const;  // kAddAddress
  void set_address(const Prefix& address);

  // kSetSysctl (key, value), kWriteEtcFile (file name, content),
  // kMakeNodeDir (path), kWriteNodeFile (path, content, mode: permission bits).
  const std::string& key() const;
  const std::string& value() const;
  int mode() const;  // 0644 unless set
  void set_key(std::string key);
  void set_value(std::string value);
  void set_mode(int mode);  // kWriteNodeFile

  const RouteSpec& route() const;  // kAddRoute (dev resolved, family set)
  RouteSpec& mutable_route();
  // kAddSnat: one family, one comment ("topo:LAB").
  const std::vector<SnatSpec>& snat() const;
  std::vector<SnatSpec>& mutable_snat();
  // kAddFirewall: rules of one comment ("topo:LAB").
  const FirewallSet& firewall() const;
  FirewallSet& mutable_firewall();

  const std::string& master() const;  // kSetMaster
  void set_master(std::string master);
  bool stp() const;  // kCreateBridge
  bool vlan_filtering() const;
  void set_bridge(bool stp, bool vlan_filtering);
  const std::string& parent() const;  // kCreateVlan
  int vlan() const;
  void set_vlan(std::string parent, int vlan);
  const PortVlans& port_vlans() const;  // kSetPortVlans
  PortVlans& mutable_port_vlans();
  const VirtualSpec& virt() const;  // kCreateInterface
  VirtualSpec& mutable_virt();
  const Impairment& impairment() const;  // kSetImpairment
  Impairment& mutable_impairment();
  const ProgramSpec& program() const;  // kStartProgram
  ProgramSpec& mutable_program();

  // True when removing the action's namespace also removes what the action made,
  // so teardown can skip undoing it one by one. Files under /etc/netns outlive
  // the namespace. (For actions in the root namespace, see MootActions.)
  // The VXLAN end of a link between machines keeps its UDP socket (and its
  // VNI on the port) in the machine's namespace until the kernel frees the
  // removed namespace, some time later; it is deleted explicitly so that an
  // `up` right after `down` finds the VNI free.
  bool MootAfterNamespaceRemoval() const {
    return kind != ActionKind::kCreateNamespace && kind != ActionKind::kWriteEtcFile &&
           kind != ActionKind::kMakeNodeDir && kind != ActionKind::kWriteNodeFile &&
           kind != ActionKind::kStartProgram &&
           !(kind == ActionKind::kCreateInterface && virt().socket_here);
  }
  // True when what the action made lives wholly inside lab namespaces (neither
  // end in the root namespace), so removing those namespaces undoes it.
  bool UndoneByNamespaceRemoval() const {
    return MootAfterNamespaceRemoval() && !ns.empty() &&
           !(kind == ActionKind::kCreateVeth && peer_ns().empty());
  }

  // Every kind's payload; which one an action holds follows from its kind.
  // Small ones are inline, the others boxed.
  using Payload =
      std::variant<std::monostate, int, MacAddress, Prefix, action_payload::Bridge,
                   Boxed<action_payload::Peer>, Boxed<action_payload::Text>, Boxed<RouteSpec>,
                   Boxed<std::vector<SnatSpec>>, Boxed<FirewallSet>, Boxed<action_payload::Master>,
                   Boxed<action_payload::Vlan>, Boxed<PortVlans>, Boxed<VirtualSpec>,
                   Boxed<Impairment>, Boxed<ProgramSpec>>;

 private:
  template <typename Stored>
  const Stored* Find() const;
  template <typename T>
  const T& BoxedOrDefault() const;
  // The payload, made (default) if absent; throws when the kind has another.
  template <typename Stored>
  Stored& Need(const char* what);

  Payload payload_;
};

}  // namespace topo
