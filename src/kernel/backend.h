// Backend is everything topo asks of the kernel, one operation per plan action
// kind plus its inverse. NetlinkBackend (netlink_backend.h) is the real one;
// RecordingBackend (recording_backend.h) records calls and can be told to fail,
// for unit tests of apply, rollback and teardown.
//
// Namespaces are named as in /run/netns; "" is the root namespace (the one the
// backend was created in), which always exists. Every operation names the
// namespace it works in. Inverse operations treat "already gone" as NotFound, which callers
// doing teardown accept as success. Backends are not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kernel/netns_files.h"
#include "model/firewall.h"
#include "model/ifkind.h"
#include "model/impairment.h"
#include "model/ip.h"
#include "model/route.h"
#include "model/snat.h"
#include "model/status.h"
#include "model/vlan.h"

namespace topo {

// What the kernel reports about one namespace, for `topo status`.
struct InterfaceState {
  std::string name;
  bool up = false;
  int mtu = 0;
  std::string mac;
  std::vector<std::string> addresses;  // "10.0.1.2/24", global scope only
  std::string kind;                    // the kernel's link kind: "veth", "vxlan", "" (loopback)
  // The root qdisc's kind ("" for the kernel's default: noqueue, pfifo_fast,
  // mq, fq_codel...), and what the qdiscs topo makes (netem at 1:, tbf at 1:
  // or beneath netem at 10:) do to packets, read back from the kernel.
  std::string qdisc;
  Impairment impairment;
};
// A route of a namespace's main table, as the kernel reports it.
struct RouteState {
  struct NextHop {
    std::optional<IpAddress> via;
    std::string dev;  // the interface's name ("if7" when it has none)
    bool operator==(const NextHop&) const = default;
  };
  std::string type;          // "" for unicast, else "unreachable", "blackhole", ...
  std::optional<Prefix> to;  // nullopt: default
  int family = 4;
  std::vector<NextHop> nexthops;
  std::string proto;  // "" for boot (the default), else "kernel", "static", ...
  std::string scope;  // "" for universe, else "link", "host", ...
  std::optional<IpAddress> src;
  std::optional<long> metric;  // absent when 0

  // Whether this is `spec` (a unicast route to the same destination with, for
  // each of via, dev and metric that `spec` gives, a next hop that matches).
  bool Matches(const RouteSpec& spec) const;
  // As `ip route` prints it: "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1".
  std::string ToString() const;
  bool operator==(const RouteState&) const = default;
};

struct NamespaceState {
  std::string name;
  bool exists = false;
  std::vector<InterfaceState> interfaces;
  std::vector<RouteState> routes;  // the main table
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual bool NamespaceExists(const std::string& ns) = 0;
  // The identity of the namespace NS as it is now ("DEV:INO" of its nsfs file,
  // from one fstat: O(1)), to tell the lab's namespace from another that took
  // its name. NotFound when there is none, or only an unmounted plain file
  // (what a removal cut short leaves); InvalidArgument when what has the name
  // is something else (a symlink, which is never followed).
  virtual Status NamespaceIdentity(const std::string& ns, std::string* id) = 0;
  // The ifindex the interface `ifname` of namespace NS has now, asked of the
  // kernel (never a cached value); NotFound when there is no such interface.
  virtual Status LinkIndex(const std::string& ns, const std::string& ifname, int* index) = 0;
  virtual Status CreateNamespace(const std::string& ns) = 0;
  // Removes the namespace's name; the kernel then frees it and all it holds.
  virtual Status DeleteNamespace(const std::string& ns) = 0;

  // Creates a veth pair with each end directly in its namespace.
  virtual Status CreateVeth(const std::string& ns, const std::string& ifname,
                            const std::string& peer_ns, const std::string& peer_ifname) = 0;
  virtual Status DeleteVeth(const std::string& ns, const std::string& ifname) = 0;

  virtual Status SetMtu(const std::string& ns, const std::string& ifname, int mtu) = 0;
  virtual Status SetMac(const std::string& ns, const std::string& ifname,
                        const MacAddress& mac) = 0;
  // Bringing a link up returns once the kernel has acted on its carrier
  // (operstate up, IPv6 link-local address made), not up to a second later.
  virtual Status SetLinkUp(const std::string& ns, const std::string& ifname, bool up) = 0;

  // IPv6 addresses are added without duplicate address detection (usable at once).
  virtual Status AddAddress(const std::string& ns, const std::string& ifname,
                            const Prefix& address) = 0;
  virtual Status DeleteAddress(const std::string& ns, const std::string& ifname,
                               const Prefix& address) = 0;

  // Writes /proc/sys/<key> inside the namespace; *previous gets the old value.
  virtual Status SetSysctl(const std::string& ns, const std::string& key, const std::string& value,
                           std::string* previous) = 0;

  virtual Status AddRoute(const std::string& ns, const RouteSpec& route) = 0;
  virtual Status DeleteRoute(const std::string& ns, const RouteSpec& route) = 0;

  // SNAT rules in the namespace's nat table, chain POSTROUTING; all rules of
  // one call are of one family (InvalidArgument otherwise). AddSnat appends
  // them all or none. DeleteSnat deletes them all or none: NotFound, changing
  // nothing, when one of them is not there. NetlinkBackend runs
  // `iptables-restore --noflush` (or ip6tables-) inside the namespace.
  virtual Status AddSnat(const std::string& ns, const std::vector<SnatSpec>& rules) = 0;
  virtual Status DeleteSnat(const std::string& ns, const std::vector<SnatSpec>& rules) = 0;
  // Whether the rule is in the namespace's nat table (`topo status`).
  // NetlinkBackend runs `iptables -C` (or ip6tables) inside the namespace.
  virtual Status HasSnat(const std::string& ns, const SnatSpec& rule, bool* present) = 0;

  // Port forwards and filter rules (model/firewall.h), one family and table
  // per call. AddFirewall sets the set's policies and appends its rules, all
  // or none; DeleteFirewall deletes the rules and puts the policies back to
  // accept, all or none: NotFound, changing nothing, when a rule is not there.
  // InvalidArgument for a rule of another family or table. NetlinkBackend runs
  // `iptables-restore --noflush` (or ip6tables-) inside the namespace.
  virtual Status AddFirewall(const std::string& ns, const FirewallSet& set) = 0;
  virtual Status DeleteFirewall(const std::string& ns, const FirewallSet& set) = 0;
  // Whether the rule is in its table and chain (`topo status`): `iptables -C`.
  virtual Status HasFirewallRule(const std::string& ns, const FirewallRuleSpec& rule,
                                 bool* present) = 0;
  // The policy of a chain ("input", "forward", "output") of the filter table
  // of `family` (`topo status`): "accept" or "drop" (lower case, as
  // FirewallPolicy holds it); "accept" when the table is not there.
  // NetlinkBackend runs `iptables -S CHAIN` (or ip6tables).
  virtual Status ReadFirewallPolicy(const std::string& ns, int family, const std::string& chain,
                                    std::string* action) = 0;

  virtual Status Inspect(const std::string& ns, NamespaceState* out) = 0;

  // --- Switches ---
  // Creates a bridge device (spanning tree on or off; filtering by VLAN or
  // not) in the namespace.
  virtual Status CreateBridge(const std::string& ns, const std::string& ifname, bool stp,
                              bool vlan_filtering) = 0;
  virtual Status DeleteBridge(const std::string& ns, const std::string& ifname) = 0;
  // Makes `ifname` a port of the bridge `master`; an empty master releases it.
  virtual Status SetMaster(const std::string& ns, const std::string& ifname,
                           const std::string& master) = 0;

  // Gives a port of a VLAN-filtering bridge `vlans` in place of the VLAN it
  // joined in (1, untagged). ClearPortVlans removes `vlans` from the port
  // (NotFound when it had none of them).
  virtual Status SetPortVlans(const std::string& ns, const std::string& ifname,
                              const PortVlans& vlans) = 0;
  virtual Status ClearPortVlans(const std::string& ns, const std::string& ifname,
                                const PortVlans& vlans) = 0;
  // A port's VLANs as the kernel has them (tagged sorted; the pvid as
  // untagged), for status. Changes nothing.
  virtual Status ReadPortVlans(const std::string& ns, const std::string& ifname,
                               PortVlans* out) = 0;

  // --- VLAN sub-interfaces ---
  // Creates `ifname`, VLAN `id` (802.1Q) on `parent`, in the namespace.
  virtual Status CreateVlan(const std::string& ns, const std::string& ifname,
                            const std::string& parent, int id) = 0;
  virtual Status DeleteVlan(const std::string& ns, const std::string& ifname) = 0;

  // --- Interfaces of a kind (model/ifkind.h) ---
  // Creates `ifname` of `spec.kind` in the namespace (a VXLAN, macvlan or
  // ipvlan on spec.parent). A kernel without the kind is refused with the
  // option it lacks ("the kernel lacks CONFIG_BONDING"), and EOPNOTSUPP.
  virtual Status CreateInterface(const std::string& ns, const std::string& ifname,
                                 const VirtualSpec& spec) = 0;
  virtual Status DeleteInterface(const std::string& ns, const std::string& ifname) = 0;

  // Reads /proc/sys/<key> inside the namespace (the value before SetSysctl
  // changes it, journaled so a crash cannot lose it).
  virtual Status ReadSysctl(const std::string& ns, const std::string& key, std::string* value) = 0;

  // Whether the namespace's `nat` table (ip6 with `ipv6`) exists. With
  // iptables-nft the first rule creates it and deleting the rule leaves it,
  // empty; RemoveNatTableIfEmpty then removes it, only when nothing at all is
  // left in it (OK, changing nothing, otherwise).
  virtual Status NatTableExists(const std::string& ns, bool ipv6, bool* exists) = 0;
  virtual Status RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) = 0;
  // The same for any iptables table ("filter", "nat") of family 4 or 6.
  virtual Status TableExists(const std::string& ns, int family, const std::string& table,
                             bool* exists) = 0;
  virtual Status RemoveTableIfEmpty(const std::string& ns, int family,
                                    const std::string& table) = 0;
  // Makes `impairment` the whole of what the interface's egress does to
  // packets (replacing any earlier impairment). ClearImpairment removes it;
  // NotFound when there was none.
  virtual Status SetImpairment(const std::string& ns, const std::string& ifname,
                               const Impairment& impairment) = 0;
  virtual Status ClearImpairment(const std::string& ns, const std::string& ifname) = 0;

  // Writes /etc/netns/NS/NAME (see netns_files.h): `content`, or a hard link to
  // LINK_FROM_NS's file of that name. *note gets what RemoveEtcFile needs.
  virtual Status WriteEtcFile(const std::string& ns, const std::string& name,
                              const std::string& content, const std::string& link_from_ns,
                              std::string* note) = 0;
  virtual Status RemoveEtcFile(const std::string& ns, const std::string& name,
                               const std::string& note) = 0;
  // Removes many such files at once (teardown's): one status per file, in
  // order. This default calls RemoveEtcFile for each (and so does every
  // BackendWrapper, so that a wrapper overriding RemoveEtcFile sees each);
  // NetlinkBackend deals with a directory at a time (netns_files.h).
  virtual std::vector<Status> RemoveEtcFiles(const std::vector<EtcFileRemoval>& files);

  // Ends every process whose network namespace is one of `namespaces`
  // (matched by namespace identity, see processes.h): SIGTERM, a grace
  // period, SIGKILL, and waits for them to exit, so that removing the names
  // then frees the namespaces. *ended gets how many there were. Called by
  // teardown once for all of a lab's namespaces, before they are removed.
  virtual Status EndProcesses(const std::vector<std::string>& namespaces, size_t* ended) = 0;
};

}  // namespace topo
