// RecordingBackend is the Backend twin for unit tests: it keeps an in-memory
// model of namespaces, interfaces, addresses, routes and rules, records every
// call as one line of text ("create veth a:x <-> b:y"), and can be told to fail
// at the Nth mutating call, so apply, rollback and teardown can be tested
// exhaustively without privileges.
//
// The model starts with the root namespace "" (empty, every sysctl "0"), as a
// host whose namespace the lab may attach to. Sysctls behave as the kernel's
// (model/sysctl_aliases.h): net.ipv4.ip_forward is net.ipv4.conf.all.forwarding,
// and a change of the forwarding setting is written into every interface's. SNAT rules are kept as
// the typed values AddSnat was given; DeleteSnat removes equal ones, all or none (a missing rule
// fails the whole call with NotFound, as iptables-restore does). The first rule creates the nat
// table, which stays until RemoveNatTableIfEmpty. Firewall sets (port forwards, filter rules and
// policies) are kept the same way, per family and table (recording_firewall.cc).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kernel/backend.h"
#include "support/fail_nth.h"

namespace topo {

struct Plan;

class RecordingBackend : public Backend {
 public:
  RecordingBackend();

  // Make the `n`th mutating call (0-based, counted from construction) fail with
  // `error`. -1 disables.
  void FailAt(int n, std::string error = "injected failure") { fail_.Set(n, std::move(error)); }
  const std::vector<std::string>& calls() const { return calls_; }
  int mutating_calls() const { return fail_.calls(); }
  // True when the model holds nothing: every namespace and /etc/netns file is
  // gone, and the root namespace is as it started (no interfaces, routes or
  // rules; sysctls "0").
  bool Empty() const;
  // The namespaces other than the root namespace.
  std::set<std::string> Namespaces() const;
  // The nat table rules of a namespace, IPv4 or IPv6, in the order they were
  // added, as iptables words ("POSTROUTING -s ... -j MASQUERADE"); and a sysctl's value.
  std::vector<std::string> Rules(const std::string& ns, bool ipv6 = false) const;
  bool HasNatTable(const std::string& ns, bool ipv6 = false) const;
  // The firewall rules of a family and table ("filter", "nat"), as iptables
  // words after the chain ("FORWARD -p tcp ... -j ACCEPT"), and a chain's
  // policy ("ACCEPT" unless set).
  std::vector<std::string> FirewallRules(const std::string& ns, int family,
                                         const std::string& table) const;
  std::string Policy(const std::string& ns, int family, const std::string& chain) const;
  // Someone sets a chain's policy ("FORWARD", "ACCEPT") by hand, as `iptables -P` does.
  void SetPolicyByHand(const std::string& ns, int family, const std::string& chain,
                       const std::string& target);
  std::string Sysctl(const std::string& ns, const std::string& key) const;
  // An interface that exists in the root namespace before the lab (collision tests).
  void AddHostInterface(const std::string& ifname, const std::vector<std::string>& addresses = {});
  // A route of the host, written as `ip route` prints it ("10.9.0.0/16 via
  // 10.0.0.1 dev eth0 metric 5", "unreachable 10.0.0.0/8"); Inspect returns it typed.
  void AddHostRoute(const std::string& route);

  // A namespace made behind topo's back, for collision tests.
  void AddForeignNamespace(const std::string& ns);
  // A process started in `ns` behind the lab's back (`topo exec`, `ip netns
  // exec`): EndProcesses ends it. Deleting a namespace that still has one
  // leaves the namespace alive without a name, as the kernel does: leaked().
  void AddProcess(const std::string& ns) { ++processes_[ns]; }
  int leaked() const { return leaked_; }
  // Each EndProcesses call, as "end processes in a, b" (not in calls()).
  const std::vector<std::string>& process_ends() const { return process_ends_; }
  // A nat table rule someone else added ("POSTROUTING -o eth0 -j ACCEPT"):
  // DeleteSnat never matches it. It creates the table, as iptables-nft does.
  void AddForeignNatRule(const std::string& ns, bool ipv6, const std::string& rule);

  // Another namespace takes the name of `ns` (which goes): a new identity.
  void ReplaceNamespace(const std::string& ns) { namespaces_[ns] = Ns{}; }
  // Another interface takes the name of `ifname` in `ns`: a new ifindex.
  void ReplaceInterface(const std::string& ns, const std::string& ifname) {
    namespaces_[ns].ifaces[ifname] = Iface{};
  }

  bool NamespaceExists(const std::string& ns) override;
  Status NamespaceIdentity(const std::string& ns, std::string* id) override;
  Status LinkIndex(const std::string& ns, const std::string& ifname, int* index) override;
  Status CreateNamespace(const std::string& ns) override;
  Status DeleteNamespace(const std::string& ns) override;
  Status CreateVeth(const std::string& ns, const std::string& ifname, const std::string& peer_ns,
                    const std::string& peer_ifname) override;
  Status DeleteVeth(const std::string& ns, const std::string& ifname) override;
  Status SetMtu(const std::string& ns, const std::string& ifname, int mtu) override;
  Status SetMac(const std::string& ns, const std::string& ifname, const MacAddress& mac) override;
  Status SetLinkUp(const std::string& ns, const std::string& ifname, bool up) override;
  Status AddAddress(const std::string& ns, const std::string& ifname,
                    const Prefix& address) override;
  Status DeleteAddress(const std::string& ns, const std::string& ifname,
                       const Prefix& address) override;
  Status SetSysctl(const std::string& ns, const std::string& key, const std::string& value,
                   std::string* previous) override;
  Status AddRoute(const std::string& ns, const RouteSpec& route) override;
  Status DeleteRoute(const std::string& ns, const RouteSpec& route) override;
  Status AddSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override;
  Status DeleteSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override;
  Status HasSnat(const std::string& ns, const SnatSpec& rule, bool* present) override;
  Status Inspect(const std::string& ns, NamespaceState* out) override;
  Status CreateBridge(const std::string& ns, const std::string& ifname, bool stp,
                      bool vlan_filtering) override;
  Status SetPortVlans(const std::string& ns, const std::string& ifname,
                      const PortVlans& vlans) override;
  Status ClearPortVlans(const std::string& ns, const std::string& ifname,
                        const PortVlans& vlans) override;
  Status ReadPortVlans(const std::string& ns, const std::string& ifname, PortVlans* out) override;
  Status CreateVlan(const std::string& ns, const std::string& ifname, const std::string& parent,
                    int id) override;
  Status DeleteVlan(const std::string& ns, const std::string& ifname) override;
  Status CreateInterface(const std::string& ns, const std::string& ifname,
                         const VirtualSpec& spec) override;
  Status DeleteInterface(const std::string& ns, const std::string& ifname) override;
  // Makes CreateInterface of `kind` fail as a kernel without it does.
  void LackKind(IfKind kind) { lacking_.insert(kind); }
  Status DeleteBridge(const std::string& ns, const std::string& ifname) override;
  Status SetMaster(const std::string& ns, const std::string& ifname,
                   const std::string& master) override;
  Status ReadSysctl(const std::string& ns, const std::string& key, std::string* value) override;
  Status NatTableExists(const std::string& ns, bool ipv6, bool* exists) override;
  Status AddFirewall(const std::string& ns, const FirewallSet& set) override;
  Status DeleteFirewall(const std::string& ns, const FirewallSet& set) override;
  Status HasFirewallRule(const std::string& ns, const FirewallRuleSpec& rule,
                         bool* present) override;
  Status ReadFirewallPolicy(const std::string& ns, int family, const std::string& chain,
                            std::string* action) override;
  Status TableExists(const std::string& ns, int family, const std::string& table,
                     bool* exists) override;
  Status RemoveTableIfEmpty(const std::string& ns, int family, const std::string& table) override;
  Status RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) override;
  Status SetImpairment(const std::string& ns, const std::string& ifname,
                       const Impairment& impairment) override;
  Status ClearImpairment(const std::string& ns, const std::string& ifname) override;
  Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                      const std::string& link_from_ns, std::string* note) override;
  Status RemoveEtcFile(const std::string& ns, const std::string& name,
                       const std::string& note) override;
  Status EndProcesses(const std::vector<std::string>& namespaces, size_t* ended) override;

  // The impairment on ns:ifname ("none" when there is none), and the files
  // written under /etc/netns ("NS/NAME" -> content), for assertions.
  std::string ImpairmentOf(const std::string& ns, const std::string& ifname);
  const std::map<std::string, std::string>& etc_files() const { return etc_files_; }

 private:
  struct Iface {
    bool up = false;
    int mtu = 1500;
    std::string mac;
    std::set<std::string> addresses;
    std::string peer;  // "ns:ifname"
    int index = 0;     // its ifindex, given when first asked (LinkIndex)
    bool bridge = false;
    bool stp = false;
    bool vlan_filtering = false;
    std::string master;
    std::string vlan_parent;  // a VLAN sub-interface's parent
    int vlan = 0;
    std::string kind;        // CreateInterface's kind ("vxlan", ...), or empty
    std::set<int> tagged;    // a port's VLANs: tagged, and the untagged one (pvid)
    int untagged = 1;        // a port's VLAN 1 until SetPortVlans
    bool host = false;       // there before the lab (AddHostInterface)
    std::string impairment;  // Impairment::ToString(), or empty
    Impairment impairment_value;
  };
  // A nat table rule: one AddSnat added, or a foreign one (no `snat`).
  struct NatRule {
    std::optional<SnatSpec> snat;
    std::string text;  // as Rules() shows it
  };
  struct Ns {
    unsigned long id = 0;  // its inode, given when first asked (NamespaceIdentity)
    std::map<std::string, Iface> ifaces;
    std::map<std::string, std::string> sysctls;
    std::map<std::string, RouteState> routes;  // by RouteKey
    std::vector<RouteState> host_routes;       // there before the lab (AddHostRoute)
    std::vector<NatRule> rules, rules6;        // iptables, ip6tables
    std::set<bool> nat_tables;  // ipv6 or not: made by the first rule, as iptables-nft does
    // Firewall rules and policies by table label ("ip filter", "ip6 nat"),
    // and the filter tables made (a nat table is in nat_tables).
    std::map<std::string, std::vector<FirewallRuleSpec>> fw_rules;
    std::map<std::string, std::string> fw_policies;  // "ip filter FORWARD" -> "DROP"
    std::set<std::string> fw_tables;
    bool NatEmpty(bool ipv6) const;
  };

  // Records the call; returns the injected failure when it is this call's turn.
  Status Mutate(const std::string& call);
  Ns* FindNs(const std::string& ns);
  Iface* FindIface(const std::string& ns, const std::string& ifname);
  // The nat table rules of `rules`' family in `ns`, after checking that the
  // rules are of one family; `call` is recorded first.
  Status SnatTable(const std::string& call, const std::string& ns,
                   const std::vector<SnatSpec>& rules, std::vector<NatRule>** table, bool* ipv6);

  std::map<std::string, Ns> namespaces_;
  std::set<IfKind> lacking_;
  std::map<std::string, std::string> etc_files_;  // outlive namespaces, as on the host
  std::vector<std::string> calls_;
  std::map<std::string, int> processes_;  // stray processes by namespace
  int leaked_ = 0;
  unsigned long last_identity_ = 0;  // the last namespace inode or ifindex given
  std::vector<std::string> process_ends_;
  FailNth fail_;
};

}  // namespace topo
