// FaultInjectionBackend wraps another Backend and makes its Nth mutating call
// fail without reaching the wrapped backend, like LevelDB's fault-injecting Env.
// It lets tests inject failures at chosen points of a real-kernel `up`.
#pragma once

#include <string>

#include "kernel/backend.h"

namespace topo {

class FaultInjectionBackend : public Backend {
 public:
  FaultInjectionBackend(Backend* inner, int fail_at, std::string error = "injected failure")
      : inner_(inner), fail_at_(fail_at), error_(std::move(error)) {}

  int mutating_calls() const { return calls_; }

  bool NamespaceExists(const std::string& ns) override { return inner_->NamespaceExists(ns); }
  Status CreateNamespace(const std::string& ns) override {
    return Gate() ? Fail() : inner_->CreateNamespace(ns);
  }
  Status DeleteNamespace(const std::string& ns) override {
    return Gate() ? Fail() : inner_->DeleteNamespace(ns);
  }
  Status CreateVeth(const std::string& ns, const std::string& ifname, const std::string& peer_ns,
                    const std::string& peer_ifname) override {
    return Gate() ? Fail() : inner_->CreateVeth(ns, ifname, peer_ns, peer_ifname);
  }
  Status DeleteVeth(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : inner_->DeleteVeth(ns, ifname);
  }
  Status SetMtu(const std::string& ns, const std::string& ifname, int mtu) override {
    return Gate() ? Fail() : inner_->SetMtu(ns, ifname, mtu);
  }
  Status SetMac(const std::string& ns, const std::string& ifname, const MacAddress& mac) override {
    return Gate() ? Fail() : inner_->SetMac(ns, ifname, mac);
  }
  Status SetLinkUp(const std::string& ns, const std::string& ifname, bool up) override {
    return Gate() ? Fail() : inner_->SetLinkUp(ns, ifname, up);
  }
  Status AddAddress(const std::string& ns, const std::string& ifname, const Prefix& a) override {
    return Gate() ? Fail() : inner_->AddAddress(ns, ifname, a);
  }
  Status DeleteAddress(const std::string& ns, const std::string& ifname, const Prefix& a) override {
    return Gate() ? Fail() : inner_->DeleteAddress(ns, ifname, a);
  }
  Status SetSysctl(const std::string& ns, const std::string& key, const std::string& value,
                   std::string* previous) override {
    return Gate() ? Fail() : inner_->SetSysctl(ns, key, value, previous);
  }
  Status AddRoute(const std::string& ns, const Route& r) override {
    return Gate() ? Fail() : inner_->AddRoute(ns, r);
  }
  Status DeleteRoute(const std::string& ns, const Route& r) override {
    return Gate() ? Fail() : inner_->DeleteRoute(ns, r);
  }
  Status ApplyIptables(const std::string& ns, bool ipv6, const std::string& input) override {
    return Gate() ? Fail() : inner_->ApplyIptables(ns, ipv6, input);
  }
  Status Inspect(const std::string& ns, NamespaceState* out) override {
    return inner_->Inspect(ns, out);
  }
  Status CreateBridge(const std::string& ns, const std::string& ifname, bool stp) override {
    return Gate() ? Fail() : inner_->CreateBridge(ns, ifname, stp);
  }
  Status DeleteBridge(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : inner_->DeleteBridge(ns, ifname);
  }
  Status SetMaster(const std::string& ns, const std::string& ifname,
                   const std::string& master) override {
    return Gate() ? Fail() : inner_->SetMaster(ns, ifname, master);
  }
  Status ReadSysctl(const std::string& ns, const std::string& key, std::string* value) override {
    return inner_->ReadSysctl(ns, key, value);
  }
  Status NatTableExists(const std::string& ns, bool ipv6, bool* exists) override {
    return inner_->NatTableExists(ns, ipv6, exists);
  }
  Status RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) override {
    return Gate() ? Fail() : inner_->RemoveNatTableIfEmpty(ns, ipv6);
  }
  Status SetImpairment(const std::string& ns, const std::string& ifname,
                       const Impairment& impairment) override {
    return Gate() ? Fail() : inner_->SetImpairment(ns, ifname, impairment);
  }
  Status ClearImpairment(const std::string& ns, const std::string& ifname) override {
    return Gate() ? Fail() : inner_->ClearImpairment(ns, ifname);
  }
  Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                      const std::string& link_from_ns, std::string* note) override {
    return Gate() ? Fail() : inner_->WriteEtcFile(ns, name, content, link_from_ns, note);
  }
  Status RemoveEtcFile(const std::string& ns, const std::string& name,
                       const std::string& note) override {
    return Gate() ? Fail() : inner_->RemoveEtcFile(ns, name, note);
  }
  // Not a point of failure: it only makes teardown possible.
  Status EndProcesses(const std::vector<std::string>& namespaces, size_t* ended) override {
    return inner_->EndProcesses(namespaces, ended);
  }

 private:
  bool Gate() { return calls_++ == fail_at_; }
  Status Fail() const { return Status::IOError(error_); }

  Backend* inner_;
  int fail_at_;
  std::string error_;
  int calls_ = 0;
};

}  // namespace topo
