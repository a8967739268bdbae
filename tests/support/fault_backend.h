// FaultInjectionBackend wraps another Backend and makes its Nth mutating call
// fail without reaching the wrapped backend, like LevelDB's fault-injecting Env.
// It lets tests inject failures at chosen points of a real-kernel `up`. Reads
// (NamespaceExists, Inspect, ReadSysctl, NatTableExists) pass straight through
// BackendWrapper, and so does EndProcesses (it only makes teardown possible);
// only the mutating operations are overridden.
#pragma once

#include <string>

#include "kernel/backend_wrapper.h"
#include "support/fail_nth.h"

namespace topo {

class FaultInjectionBackend : public BackendWrapper {
 public:
  FaultInjectionBackend(Backend* inner, int fail_at, std::string error = "injected failure")
      : BackendWrapper(inner), fail_(fail_at, std::move(error)) {}

  int mutating_calls() const { return fail_.calls(); }

  Status CreateNamespace(const std::string& ns) override {
    return Gate() ? Fail() : BackendWrapper::CreateNamespace(ns);
  }
  Status DeleteNamespace(const std::string& ns) override {
    return Gate() ? Fail() : BackendWrapper::DeleteNamespace(ns);
  }
  Status CreateVeth(const std::string& ns, const std::string& ifname, const std::string& peer_ns,
                    const std::string& peer_ifname) override {
    return Gate() ? Fail() : BackendWrapper::CreateVeth(ns, ifname, peer_ns, peer_ifname);
  }
  Status DeleteVeth(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : BackendWrapper::DeleteVeth(ns, ifname);
  }
  Status SetMtu(const std::string& ns, const std::string& ifname, int mtu) override {
    return Gate() ? Fail() : BackendWrapper::SetMtu(ns, ifname, mtu);
  }
  Status SetMac(const std::string& ns, const std::string& ifname, const MacAddress& mac) override {
    return Gate() ? Fail() : BackendWrapper::SetMac(ns, ifname, mac);
  }
  Status SetLinkUp(const std::string& ns, const std::string& ifname, bool up) override {
    return Gate() ? Fail() : BackendWrapper::SetLinkUp(ns, ifname, up);
  }
  Status AddAddress(const std::string& ns, const std::string& ifname, const Prefix& a) override {
    return Gate() ? Fail() : BackendWrapper::AddAddress(ns, ifname, a);
  }
  Status DeleteAddress(const std::string& ns, const std::string& ifname, const Prefix& a) override {
    return Gate() ? Fail() : BackendWrapper::DeleteAddress(ns, ifname, a);
  }
  Status SetSysctl(const std::string& ns, const std::string& key, const std::string& value,
                   std::string* previous) override {
    return Gate() ? Fail() : BackendWrapper::SetSysctl(ns, key, value, previous);
  }
  Status AddRoute(const std::string& ns, const RouteSpec& r) override {
    return Gate() ? Fail() : BackendWrapper::AddRoute(ns, r);
  }
  Status DeleteRoute(const std::string& ns, const RouteSpec& r) override {
    return Gate() ? Fail() : BackendWrapper::DeleteRoute(ns, r);
  }
  Status AddSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override {
    return Gate() ? Fail() : BackendWrapper::AddSnat(ns, rules);
  }
  Status DeleteSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override {
    return Gate() ? Fail() : BackendWrapper::DeleteSnat(ns, rules);
  }
  Status CreateBridge(const std::string& ns, const std::string& ifname, bool stp,
                      bool vlan_filtering) override {
    return Gate() ? Fail() : BackendWrapper::CreateBridge(ns, ifname, stp, vlan_filtering);
  }
  Status SetPortVlans(const std::string& ns, const std::string& ifname,
                      const PortVlans& vlans) override {
    return Gate() ? Fail() : BackendWrapper::SetPortVlans(ns, ifname, vlans);
  }
  Status ClearPortVlans(const std::string& ns, const std::string& ifname,
                        const PortVlans& vlans) override {
    return Gate() ? Fail() : BackendWrapper::ClearPortVlans(ns, ifname, vlans);
  }
  Status CreateVlan(const std::string& ns, const std::string& ifname, const std::string& parent,
                    int id) override {
    return Gate() ? Fail() : BackendWrapper::CreateVlan(ns, ifname, parent, id);
  }
  Status DeleteVlan(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : BackendWrapper::DeleteVlan(ns, ifname);
  }
  Status CreateInterface(const std::string& ns, const std::string& ifname,
                         const VirtualSpec& spec) override {
    return Gate() ? Fail() : BackendWrapper::CreateInterface(ns, ifname, spec);
  }
  Status DeleteInterface(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : BackendWrapper::DeleteInterface(ns, ifname);
  }
  Status DeleteBridge(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : BackendWrapper::DeleteBridge(ns, ifname);
  }
  Status SetMaster(const std::string& ns, const std::string& ifname,
                   const std::string& master) override {
    return Gate() ? Fail() : BackendWrapper::SetMaster(ns, ifname, master);
  }
  Status RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) override {
    return Gate() ? Fail() : BackendWrapper::RemoveNatTableIfEmpty(ns, ipv6);
  }
  Status SetImpairment(const std::string& ns, const std::string& ifname,
                       const Impairment& impairment) override {
    return Gate() ? Fail() : BackendWrapper::SetImpairment(ns, ifname, impairment);
  }
  Status ClearImpairment(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : BackendWrapper::ClearImpairment(ns, ifname);
  }
  Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                      const std::string& link_from_ns, std::string* note) override {
    return Gate() ? Fail() : BackendWrapper::WriteEtcFile(ns, name, content, link_from_ns, note);
  }
  Status RemoveEtcFile(const std::string& ns, const std::string& name,
                       const std::string& note) override {
    return Gate() ? Fail() : BackendWrapper::RemoveEtcFile(ns, name, note);
  }

 private:
  bool Gate() { return fail_.Next(); }
  Status Fail() const { return fail_.Failure(); }

  FailNth fail_;
};

}  // namespace topo
