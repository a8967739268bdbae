// The typed topology: what a valid file describes, with every element remembering
// where it came from so later stages can still point at the source. Built from
// the YAML tree by Build() (build.h) and checked by Check() (check.h).
//
// Containers keep the file's order; that order is what makes plans deterministic.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostic.h"
#include "model/firewall.h"
#include "model/ifkind.h"
#include "model/impairment.h"
#include "model/ip.h"
#include "model/machines.h"
#include "model/name_index.h"
#include "model/pools.h"
#include "model/program.h"
#include "model/route.h"
#include "model/snat.h"
#include "model/source.h"
#include "model/vlan.h"

namespace topo {

// An `impair` mapping as written: its values, where it is, and where each key is.
struct ImpairmentSpec {
  Impairment value;
  Source src;                                        // the mapping (loc 0:0 when absent)
  std::vector<std::pair<std::string, Source>> keys;  // "delay" -> the value's source, in file order

  bool given() const { return !keys.empty(); }
  const Source* KeySource(const std::string& key) const;
};

// kSwitch: a Linux bridge in a namespace of its own; its ports are the ends of
// the links to it. kRoot: the host's own (root) network namespace; at most one.
enum class NodeKind { kHost, kRouter, kSwitch, kRoot };
const char* NodeKindName(NodeKind k);

struct Interface {
  std::string name;
  std::vector<Prefix> addresses;
  std::vector<Source> address_sources;  // parallel to addresses
  std::optional<MacAddress> mac;
  std::optional<int> mtu;  // from the link that wires this interface
  Source src;
  Source mac_src;  // the `mac` value, when given
  // A switch port that no `interfaces:` entry declares: the link to it implies
  // it (src is then the link endpoint's).
  bool implied = false;
  // The impairment of this interface's egress (long form `impair`), merged
  // over its link's `impair` when both are given.
  ImpairmentSpec impair;
  // An 802.1Q sub-interface: a name PARENT.ID (`eth0.10`) that no link names.
  // Build sets `vlan` (the id as written, possibly out of range: Check says
  // so) and `parent`; 0 and "" for every other interface.
  int vlan = 0;
  std::string parent;
  // A switch port's VLANs (`access`, or `trunk` with `native`), as written.
  PortVlans port_vlans;
  bool access_given = false, trunk_given = false, native_given = false;
  Source access_src, trunk_src, native_src;  // loc 0:0 when absent

  // `kind:` other than a link's end (model/ifkind.h): an interface the lab
  // makes in the node itself, which no link names. Build fills `virt` as
  // written (`remote` left empty when it names a node: `remote_node`, resolved
  // by Check); `members` are the node's interfaces that join a bond or VRF.
  VirtualSpec virt;
  std::string remote_node;
  std::vector<std::string> members;
  struct KindSources {
    Source kind, vni, local, remote, port, dev, parent, mode, table, members;
    std::vector<Source> member;  // parallel to members
  } kind_src;                    // loc 0:0 when absent

  // Automatic addressing (model/pools.h): `auto: false` opts the interface
  // out; `auto_addresses` counts the addresses at the end of `addresses` that
  // derive/ assigned from a pool (their sources point at the pool entry).
  bool auto_addressing = true;
  Source auto_src;  // the `auto` value (loc 0:0 when absent)
  size_t auto_addresses = 0;

  bool is_vlan() const { return vlan != 0 || !parent.empty(); }
  bool is_virtual() const { return virt.kind != IfKind::kVeth; }
  // Whether addresses[k] was assigned from a pool rather than written.
  bool IsAutoAddress(size_t k) const { return k + auto_addresses >= addresses.size(); }
};

// A route as written: its plain values (route.h) and where each came from.
struct Route : RouteSpec {
  Source src;
  // The individual values, for diagnostics that point at one of them (loc 0:0 when absent).
  Source to_src, via_src, dev_src;
  // Computed by `routes: auto` (derive/routes.h); src is that `routes: auto`.
  bool automatic = false;
};

// An SNAT rule as written: its plain values (snat.h; no comment yet) and
// where they came from.
struct SnatRule : SnatSpec {
  Source src;
  Source out_src, to_src;  // the `out` and `to` values (loc 0:0 when absent)
};

// A port forward (`forward:`) or filter rule (`firewall: rules:`) as written:
// its plain values (firewall.h; no comment yet) and where they came from. A
// filter rule with no address has family 0: it applies to both families.
struct FirewallRule : FirewallRuleSpec {
  Source src;
  Source from_src, to_src, proto_src, port_src, sport_src, in_src, out_src;  // loc 0:0 when absent
};

// A chain's policy as written (`firewall: policy:`).
struct FirewallPolicyEntry : FirewallPolicy {
  Source src;  // the value
};

struct Sysctl {
  std::string key;  // "net.ipv4.ip_forward"
  std::string value;
  Source src;        // the key
  Source value_src;  // the value
};

// A private directory of a node (`dirs:`): its own, empty at `up`.
struct NodeDir {
  std::string path;  // absolute, as the node's programs see it
  Source src;
};

// A file of a node (`files:`): its content (inline, or read at load time from
// `from`, a file next to the topology), its permission bits, and whether lab
// facts are substituted into it (model/substitute.h) when the plan is compiled.
struct NodeFile {
  std::string path;  // absolute, as the node's programs see it
  std::string content;
  int mode = 0644;
  bool substitute = true;
  std::string from;                        // as written ("" for inline content)
  Source src;                              // the path (the key)
  Source content_src, from_src, mode_src;  // loc 0:0 when absent
};

// A program as written: its plain values (model/program.h; `after` as
// written, "NODE/PROGRAM" or "PROGRAM") and where each came from.
struct Program : ProgramSpec {
  Source src;  // the entry of `programs`
  Source name_src, run_src, cwd_src, user_src, ready_src, stop_timeout_src;
  std::vector<Source> argv_sources;           // parallel to argv
  std::vector<Source> env_sources;            // parallel to env (the values)
  std::vector<Source> after_sources;          // parallel to after
  std::vector<std::string> ready_kinds;       // the conditions given ("tcp", "file")
  Source ready_value_src, ready_timeout_src;  // the condition's value, `timeout`
  std::vector<Source> ready_command_sources;  // parallel to ready.command
  bool name_given = false;                    // false: the name is the basename of run[0]
};

struct Node {
  std::string name;
  NodeKind kind = NodeKind::kHost;
  std::vector<Interface> interfaces;
  std::vector<Route> routes;
  std::vector<SnatRule> snat;
  std::vector<FirewallRule> port_forwards;           // `forward:`, in order
  std::vector<FirewallRule> firewall;                // `firewall: rules:`, in order
  std::vector<FirewallPolicyEntry> firewall_policy;  // `firewall: policy:`
  std::vector<Sysctl> sysctls;
  // `routes: auto` on the node; `routes_given`: the node has a `routes` key
  // (a list there replaces the top-level `routes: auto`).
  bool routes_auto = false;
  bool routes_given = false;
  Source routes_src;                // the `routes` value (loc 0:0 when absent)
  bool stp = false;                 // kSwitch: spanning tree on the bridge
  std::vector<IpAddress> dns;       // name servers for /etc/netns/NS/resolv.conf
  std::vector<Source> dns_sources;  // parallel to dns
  // What runs in the node (hosts and routers only): private directories,
  // files, and programs in the order written.
  std::vector<NodeDir> dirs;
  std::vector<NodeFile> files;
  std::vector<Program> programs;
  Source src;
  Source stp_src;  // the `stp` value (loc 0:0 when absent)
  // In a lab of several machines: the node's `machine:` as written, and the
  // machine place/ put it on ("" in a one-machine lab), and why.
  std::string machine;
  Source machine_src;  // loc 0:0 when absent
  std::string placement;
  PlacedBy placed_by = PlacedBy::kNone;

  bool forwards() const { return kind == NodeKind::kRouter; }
  bool is_switch() const { return kind == NodeKind::kSwitch; }
  bool is_root() const { return kind == NodeKind::kRoot; }
  // kSwitch: some port has VLANs, so the bridge filters by VLAN.
  bool vlan_filtering() const;
  const Interface* FindInterface(const std::string& ifname) const;
  Interface* FindInterface(const std::string& ifname);
  const Program* FindProgram(const std::string& program) const;
  // FindInterface's index (model/name_index.h: `interfaces` is only
  // appended to); not part of the lab, and a copy starts without it.
  NameIndex interface_index;
};

struct Endpoint {
  std::string node;
  std::string interface;
  Source src;
  std::string ToString() const { return node + ":" + interface; }
};

struct Link {
  Endpoint a, b;
  std::optional<int> mtu;
  Source src;
  Source mtu_src;         // the `mtu` value, when given
  ImpairmentSpec impair;  // both directions (long form `impair`)
  // `vni` as written, and the VNI of a link between two machines (a VXLAN
  // pair), written or assigned by place/; 0 for a link within one machine.
  std::optional<int> vni_written;
  Source vni_src;  // loc 0:0 when absent
  int vni = 0;

  bool crosses_machines() const { return vni != 0; }
};

// A declared check (the `checks:` section): a probe from one node towards an
// address or another node, and whether it is expected to get through. Kept as
// written; checks.h resolves node names to addresses and namespaces.
enum class ProbeKind { kPing, kTcp, kUdp };
const char* ProbeKindName(ProbeKind k);  // "ping", "tcp", "udp"

struct DeclaredCheck {
  std::string name;                     // as written ("" when not given)
  std::string from;                     // a node
  std::string to;                       // a node name or an address, as written
  std::optional<IpAddress> to_address;  // when `to` parses as an address
  ProbeKind kind = ProbeKind::kPing;
  int port = 0;  // tcp/udp; 0 with udp: any free port, chosen when the check runs
  // `tcp: PROGRAM` / `udp: PROGRAM`: a program of node `to` whose readiness
  // is that port. Build sets `port` (and `listen` false unless written) when
  // the program is found; Check reports it when not.
  std::string port_program;
  bool tcp_and_udp = false;         // both were given (an error Check reports)
  std::optional<IpAddress> source;  // the packet must arrive from this address
  bool expect_success = true;
  bool listen = true;  // topo listens at the target (false: the lab runs its own service)
  int timeout_ms = 1000;
  int within_ms = 0;  // `within`: retried until it passes, for at most this long (0: once)
  // `family: 4|6` with `to` a node name: that node's first address of this
  // family (0: the first address, IPv4 before IPv6).
  int family = 0;
  Source src;
  Source name_src, from_src, to_src, port_src, source_src, listen_src, timeout_src, within_src;
  Source family_src;
};

struct Topology {
  std::string name;
  std::string prefix;  // prepended to node names to form namespace names
  std::vector<Node> nodes;
  std::vector<Link> links;
  std::vector<DeclaredCheck> checks;
  // Automatic addressing and routes (model/pools.h): the top-level `pools`,
  // and `routes: auto` for every host and router without `routes` of its own.
  Pools pools;
  bool routes_auto = false;
  Source routes_auto_src;  // the top-level `routes` value (loc 0:0 when absent)
  Source src;
  Source name_src, prefix_src;  // the `name` and `prefix` values (loc 0:0 when absent)
  // Host routes exempt from the rules of model/host_routes.h (the CLI's
  // --allow-host-route PREFIX), set by Validate.
  std::vector<Prefix> allowed_host_routes;
  // `machines:` (model/machines.h), empty for a lab on one machine, and
  // `underlay: port`, the UDP port of the VXLAN links between them.
  std::vector<Machine> machines;
  Source machines_src;  // loc 0:0 when absent
  int underlay_port = kVxlanPort;
  Source underlay_port_src;  // loc 0:0 when absent
  // Entries of `links` that Build could not make into a Link (already reported):
  // with any, Check cannot tell which interfaces are meant to be connected.
  size_t unbuilt_links = 0;

  const Node* FindNode(const std::string& name) const;
  Node* FindNode(const std::string& name);
  // FindNode's index (model/name_index.h: `nodes` is only appended to); not
  // part of the lab, and a copy starts without it.
  NameIndex node_index;
  const Machine* FindMachine(const std::string& machine_name) const;
  // The lab's identity: prefix + name. Two copies of a lab differ by prefix.
  std::string LabName() const { return prefix + name; }
  std::string NamespaceOf(const std::string& node) const { return prefix + node; }
  // The namespace a node's objects live in: "" (the root namespace) for the
  // node of kind root, else NamespaceOf(node).
  std::string NamespaceOfNode(const Node& n) const {
    return n.is_root() ? std::string() : NamespaceOf(n.name);
  }
};

// The name of the bridge device inside a switch's namespace.
inline constexpr char kBridgeName[] = "br0";

}  // namespace topo
