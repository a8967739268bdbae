#include "recording_backend.h"

namespace topo {

namespace {
std::string RouteKey(const Route& r) {
  std::string s = r.DestinationString() + "/" + std::to_string(r.family);
  if (r.via) s += " via " + r.via->ToString();
  if (!r.dev.empty()) s += " dev " + r.dev;
  if (r.metric) s += " metric " + std::to_string(*r.metric);
  return s;
}
}  // namespace

std::set<std::string> RecordingBackend::Namespaces() const {
  std::set<std::string> out;
  for (const auto& [name, ns] : namespaces_) out.insert(name);
  return out;
}

void RecordingBackend::AddForeignNamespace(const std::string& ns) { namespaces_[ns]; }

Status RecordingBackend::Mutate(const std::string& call) {
  calls_.push_back(call);
  int n = mutating_calls_++;
  if (n == fail_at_) return Status::IOError(fail_error_);
  return Status::OK();
}

RecordingBackend::Ns* RecordingBackend::FindNs(const std::string& ns) {
  auto it = namespaces_.find(ns);
  return it == namespaces_.end() ? nullptr : &it->second;
}

RecordingBackend::Iface* RecordingBackend::FindIface(const std::string& ns,
                                                     const std::string& ifname) {
  Ns* n = FindNs(ns);
  if (!n) return nullptr;
  auto it = n->ifaces.find(ifname);
  return it == n->ifaces.end() ? nullptr : &it->second;
}

bool RecordingBackend::NamespaceExists(const std::string& ns) { return FindNs(ns) != nullptr; }

Status RecordingBackend::CreateNamespace(const std::string& ns) {
  Status s = Mutate("create namespace " + ns);
  if (!s.ok()) return s;
  if (FindNs(ns)) return Status::AlreadyExists("File exists");
  namespaces_[ns].ifaces["lo"].mtu = 65536;
  return Status::OK();
}

Status RecordingBackend::DeleteNamespace(const std::string& ns) {
  Status s = Mutate("delete namespace " + ns);
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  // Removing a namespace destroys its veths, and with them their peers.
  for (const auto& [name, iface] : n->ifaces) {
    if (iface.peer.empty()) continue;
    size_t colon = iface.peer.find(':');
    std::string pns = iface.peer.substr(0, colon), pif = iface.peer.substr(colon + 1);
    if (pns != ns) {
      if (Ns* p = FindNs(pns)) p->ifaces.erase(pif);
    }
  }
  namespaces_.erase(ns);
  return Status::OK();
}

Status RecordingBackend::CreateVeth(const std::string& ns, const std::string& ifname,
                                    const std::string& peer_ns, const std::string& peer_ifname) {
  Status s = Mutate("create veth " + ns + ":" + ifname + " <-> " + peer_ns + ":" + peer_ifname);
  if (!s.ok()) return s;
  Ns* a = FindNs(ns);
  Ns* b = FindNs(peer_ns);
  if (!a || !b) return Status::NotFound("No such file or directory");
  if (a->ifaces.count(ifname) || b->ifaces.count(peer_ifname)) {
    return Status::AlreadyExists("File exists");
  }
  a->ifaces[ifname].peer = peer_ns + ":" + peer_ifname;
  b->ifaces[peer_ifname].peer = ns + ":" + ifname;
  return Status::OK();
}

Status RecordingBackend::DeleteVeth(const std::string& ns, const std::string& ifname) {
  Status s = Mutate("delete veth " + ns + ":" + ifname);
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  std::string peer = i->peer;
  FindNs(ns)->ifaces.erase(ifname);
  size_t colon = peer.find(':');
  if (colon != std::string::npos) {
    if (Ns* p = FindNs(peer.substr(0, colon))) p->ifaces.erase(peer.substr(colon + 1));
  }
  return Status::OK();
}

Status RecordingBackend::SetMtu(const std::string& ns, const std::string& ifname, int mtu) {
  Status s = Mutate("set mtu " + ns + ":" + ifname + " " + std::to_string(mtu));
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->mtu = mtu;
  return Status::OK();
}

Status RecordingBackend::SetMac(const std::string& ns, const std::string& ifname,
                                const MacAddress& mac) {
  Status s = Mutate("set mac " + ns + ":" + ifname + " " + mac.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->mac = mac.ToString();
  return Status::OK();
}

Status RecordingBackend::SetLinkUp(const std::string& ns, const std::string& ifname, bool up) {
  Status s = Mutate("set link " + ns + ":" + ifname + (up ? " up" : " down"));
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->up = up;
  return Status::OK();
}

Status RecordingBackend::AddAddress(const std::string& ns, const std::string& ifname,
                                    const Prefix& address) {
  Status s = Mutate("add address " + ns + ":" + ifname + " " + address.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  if (!i->addresses.insert(address.ToString()).second) return Status::AlreadyExists("File exists");
  return Status::OK();
}

Status RecordingBackend::DeleteAddress(const std::string& ns, const std::string& ifname,
                                       const Prefix& address) {
  Status s = Mutate("delete address " + ns + ":" + ifname + " " + address.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i || !i->addresses.erase(address.ToString())) {
    return Status::NotFound("Cannot assign requested address");
  }
  return Status::OK();
}

Status RecordingBackend::SetSysctl(const std::string& ns, const std::string& key,
                                   const std::string& value, std::string* previous) {
  Status s = Mutate("set sysctl " + ns + " " + key + "=" + value);
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  auto it = n->sysctls.find(key);
  if (previous) *previous = it == n->sysctls.end() ? "0" : it->second;
  n->sysctls[key] = value;
  return Status::OK();
}

Status RecordingBackend::AddRoute(const std::string& ns, const Route& route) {
  Status s = Mutate("add route " + ns + " " + RouteKey(route));
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  if (!n->routes.insert(RouteKey(route)).second) return Status::AlreadyExists("File exists");
  return Status::OK();
}

Status RecordingBackend::DeleteRoute(const std::string& ns, const Route& route) {
  Status s = Mutate("delete route " + ns + " " + RouteKey(route));
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n || !n->routes.erase(RouteKey(route))) return Status::NotFound("No such process");
  return Status::OK();
}

Status RecordingBackend::ApplyIptables(const std::string& ns, bool ipv6,
                                       const std::string& restore_input) {
  Status s = Mutate(std::string(ipv6 ? "ip6tables-restore " : "iptables-restore ") + ns);
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  n->rules.push_back(restore_input);
  return Status::OK();
}

Status RecordingBackend::Inspect(const std::string& ns, NamespaceState* out) {
  *out = NamespaceState{};
  out->name = ns;
  Ns* n = FindNs(ns);
  if (!n) return Status::OK();
  out->exists = true;
  for (const auto& [name, i] : n->ifaces) {
    InterfaceState st{name, i.up, i.mtu, i.mac, {i.addresses.begin(), i.addresses.end()}};
    out->interfaces.push_back(st);
  }
  out->routes.assign(n->routes.begin(), n->routes.end());
  return Status::OK();
}

Status RecordingBackend::SetImpairment(const std::string& ns, const std::string& ifname,
                                       const Impairment& impairment) {
  Status s = Mutate("impair " + ns + ":" + ifname + " " + impairment.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->impairment = impairment.ToString();
  return Status::OK();
}

Status RecordingBackend::ClearImpairment(const std::string& ns, const std::string& ifname) {
  Status s = Mutate("clear impairment " + ns + ":" + ifname);
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  if (i->impairment.empty()) return Status::NotFound("No such file or directory");
  i->impairment.clear();
  return Status::OK();
}

std::string RecordingBackend::ImpairmentOf(const std::string& ns, const std::string& ifname) {
  Iface* i = FindIface(ns, ifname);
  return i && !i->impairment.empty() ? i->impairment : "none";
}

Status RecordingBackend::WriteEtcFile(const std::string& ns, const std::string& name,
                                      const std::string& content, const std::string& link_from_ns,
                                      std::string* note) {
  Status s = Mutate("write /etc/netns/" + ns + "/" + name +
                    (link_from_ns.empty() ? "" : " as a link to " + link_from_ns));
  if (!s.ok()) return s;
  const std::string key = ns + "/" + name;
  if (etc_files_.count(key)) return Status::AlreadyExists("File exists");
  std::string text = content;
  if (!link_from_ns.empty()) {
    auto from = etc_files_.find(link_from_ns + "/" + name);
    if (from == etc_files_.end()) return Status::NotFound("No such file or directory");
    text = from->second;
  }
  etc_files_[key] = text;
  *note = "made:";
  return Status::OK();
}

Status RecordingBackend::RemoveEtcFile(const std::string& ns, const std::string& name,
                                       const std::string&) {
  Status s = Mutate("remove /etc/netns/" + ns + "/" + name);
  if (!s.ok()) return s;
  if (!etc_files_.erase(ns + "/" + name)) return Status::NotFound("No such file or directory");
  return Status::OK();
}

}  // namespace topo
