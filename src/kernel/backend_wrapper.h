// BackendWrapper forwards every Backend operation to a target backend, as
// LevelDB's EnvWrapper does for Env: a backend that changes a few operations
// (injects faults, counts, logs) derives from it and overrides only those.
// The wrapper owns nothing; the target must outlive it. RemoveEtcFiles is
// the one exception: Backend's default runs it through this wrapper's
// RemoveEtcFile, one file at a time, so that an override of that sees each.
#pragma once

#include <string>
#include <vector>

#include "kernel/backend.h"

namespace topo {

class BackendWrapper : public Backend {
 public:
  explicit BackendWrapper(Backend* target) : target_(target) {}

  Backend* target() const { return target_; }

  bool NamespaceExists(const std::string& ns) override { return target_->NamespaceExists(ns); }
  Status NamespaceIdentity(const std::string& ns, std::string* id) override {
    return target_->NamespaceIdentity(ns, id);
  }
  Status LinkIndex(const std::string& ns, const std::string& ifname, int* index) override {
    return target_->LinkIndex(ns, ifname, index);
  }
  Status CreateNamespace(const std::string& ns) override { return target_->CreateNamespace(ns); }
  Status DeleteNamespace(const std::string& ns) override { return target_->DeleteNamespace(ns); }
  Status CreateVeth(const std::string& ns, const std::string& ifname, const std::string& peer_ns,
                    const std::string& peer_ifname) override {
    return target_->CreateVeth(ns, ifname, peer_ns, peer_ifname);
  }
  Status DeleteVeth(const std::string& ns, const std::string& ifname) override {
    return target_->DeleteVeth(ns, ifname);
  }
  Status SetMtu(const std::string& ns, const std::string& ifname, int mtu) override {
    return target_->SetMtu(ns, ifname, mtu);
  }
  Status SetMac(const std::string& ns, const std::string& ifname, const MacAddress& mac) override {
    return target_->SetMac(ns, ifname, mac);
  }
  Status SetLinkUp(const std::string& ns, const std::string& ifname, bool up) override {
    return target_->SetLinkUp(ns, ifname, up);
  }
  Status AddAddress(const std::string& ns, const std::string& ifname,
                    const Prefix& address) override {
    return target_->AddAddress(ns, ifname, address);
  }
  Status DeleteAddress(const std::string& ns, const std::string& ifname,
                       const Prefix& address) override {
    return target_->DeleteAddress(ns, ifname, address);
  }
  Status SetSysctl(const std::string& ns, const std::string& key, const std::string& value,
                   std::string* previous) override {
    return target_->SetSysctl(ns, key, value, previous);
  }
  Status AddRoute(const std::string& ns, const RouteSpec& route) override {
    return target_->AddRoute(ns, route);
  }
  Status DeleteRoute(const std::string& ns, const RouteSpec& route) override {
    return target_->DeleteRoute(ns, route);
  }
  Status AddSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override {
    return target_->AddSnat(ns, rules);
  }
  Status DeleteSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override {
    return target_->DeleteSnat(ns, rules);
  }
  Status HasSnat(const std::string& ns, const SnatSpec& rule, bool* present) override {
    return target_->HasSnat(ns, rule, present);
  }
  Status Inspect(const std::string& ns, NamespaceState* out) override {
    return target_->Inspect(ns, out);
  }
  Status CreateBridge(const std::string& ns, const std::string& ifname, bool stp,
                      bool vlan_filtering) override {
    return target_->CreateBridge(ns, ifname, stp, vlan_filtering);
  }
  Status SetPortVlans(const std::string& ns, const std::string& ifname,
                      const PortVlans& vlans) override {
    return target_->SetPortVlans(ns, ifname, vlans);
  }
  Status ClearPortVlans(const std::string& ns, const std::string& ifname,
                        const PortVlans& vlans) override {
    return target_->ClearPortVlans(ns, ifname, vlans);
  }
  Status CreateVlan(const std::string& ns, const std::string& ifname, const std::string& parent,
                    int id) override {
    return target_->CreateVlan(ns, ifname, parent, id);
  }
  Status DeleteVlan(const std::string& ns, const std::string& ifname) override {
    return target_->DeleteVlan(ns, ifname);
  }
  Status ReadPortVlans(const std::string& ns, const std::string& ifname, PortVlans* out) override {
    return target_->ReadPortVlans(ns, ifname, out);
  }
  Status CreateInterface(const std::string& ns, const std::string& ifname,
                         const VirtualSpec& spec) override {
    return target_->CreateInterface(ns, ifname, spec);
  }
  Status DeleteInterface(const std::string& ns, const std::string& ifname) override {
    return target_->DeleteInterface(ns, ifname);
  }
  Status DeleteBridge(const std::string& ns, const std::string& ifname) override {
    return target_->DeleteBridge(ns, ifname);
  }
  Status SetMaster(const std::string& ns, const std::string& ifname,
                   const std::string& master) override {
    return target_->SetMaster(ns, ifname, master);
  }
  Status ReadSysctl(const std::string& ns, const std::string& key, std::string* value) override {
    return target_->ReadSysctl(ns, key, value);
  }
  Status AddFirewall(const std::string& ns, const FirewallSet& set) override {
    return target_->AddFirewall(ns, set);
  }
  Status DeleteFirewall(const std::string& ns, const FirewallSet& set) override {
    return target_->DeleteFirewall(ns, set);
  }
  Status HasFirewallRule(const std::string& ns, const FirewallRuleSpec& rule,
                         bool* present) override {
    return target_->HasFirewallRule(ns, rule, present);
  }
  Status ReadFirewallPolicy(const std::string& ns, int family, const std::string& chain,
                            std::string* action) override {
    return target_->ReadFirewallPolicy(ns, family, chain, action);
  }
  Status TableExists(const std::string& ns, int family, const std::string& table,
                     bool* exists) override {
    return target_->TableExists(ns, family, table, exists);
  }
  Status RemoveTableIfEmpty(const std::string& ns, int family, const std::string& table) override {
    return target_->RemoveTableIfEmpty(ns, family, table);
  }
  Status NatTableExists(const std::string& ns, bool ipv6, bool* exists) override {
    return target_->NatTableExists(ns, ipv6, exists);
  }
  Status RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) override {
    return target_->RemoveNatTableIfEmpty(ns, ipv6);
  }
  Status SetImpairment(const std::string& ns, const std::string& ifname,
                       const Impairment& impairment) override {
    return target_->SetImpairment(ns, ifname, impairment);
  }
  Status ClearImpairment(const std::string& ns, const std::string& ifname) override {
    return target_->ClearImpairment(ns, ifname);
  }
  Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                      const std::string& link_from_ns, std::string* note) override {
    return target_->WriteEtcFile(ns, name, content, link_from_ns, note);
  }
  Status RemoveEtcFile(const std::string& ns, const std::string& name,
                       const std::string& note) override {
    return target_->RemoveEtcFile(ns, name, note);
  }
  Status EndProcesses(const std::vector<std::string>& namespaces, size_t* ended) override {
    return target_->EndProcesses(namespaces, ended);
  }

 private:
  Backend* target_;
};

}  // namespace topo
