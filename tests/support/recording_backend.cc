#include "support/recording_backend.h"

#include <algorithm>
#include <sstream>

#include "model/sysctl_aliases.h"
#include "plan/plan.h"

namespace topo {

namespace {
std::string RouteKey(const RouteSpec& r) {
  std::string s = r.DestinationString() + "/" + std::to_string(r.family);
  if (r.via) s += " via " + r.via->ToString();
  if (!r.dev.empty()) s += " dev " + r.dev;
  if (r.metric) s += " metric " + std::to_string(*r.metric);
  return s;
}
// A route as the kernel would report it after AddRoute.
RouteState StateOf(const RouteSpec& r) {
  RouteState st;
  st.to = r.to;
  st.family = r.family;
  if (r.via || !r.dev.empty()) st.nexthops.push_back({r.via, r.dev});
  if (r.metric) st.metric = *r.metric;
  return st;
}

// Parses `ip route` output ("[TYPE] DEST [via A] [dev D] [proto P] [scope S]
// [src A] [metric M]"); words it does not know are skipped.
RouteState ParseRouteText(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  in >> word;
  RouteState r;
  for (const char* type : {"unreachable", "prohibit", "blackhole", "throw", "local", "broadcast",
                           "anycast", "multicast", "nat"}) {
    if (word == type) {
      r.type = word;
      in >> word;
    }
  }
  r.family = text.find(':') != std::string::npos ? 6 : 4;
  if (word != "default") {
    std::string err;
    std::optional<Prefix> p = ParsePrefix(word, &err);
    if (!p) {
      if (std::optional<IpAddress> a = ParseIp(word)) p = Prefix{*a, a->max_prefix()};
    }
    if (p) {
      r.to = *p;
      r.family = p->family();
    }
  }
  std::string value;
  while (in >> word >> value) {
    if (word == "via" || word == "dev") {
      if (r.nexthops.empty()) r.nexthops.emplace_back();
      if (word == "via") r.nexthops.back().via = ParseIp(value);
      if (word == "dev") r.nexthops.back().dev = value;
    } else if (word == "proto") {
      r.proto = value;
    } else if (word == "scope") {
      r.scope = value;
    } else if (word == "src") {
      r.src = ParseIp(value);
    } else if (word == "metric") {
      r.metric = std::stol(value);
    }
  }
  return r;
}

}  // namespace

RecordingBackend::RecordingBackend() { namespaces_[""]; }

bool RecordingBackend::Empty() const {
  if (!etc_files_.empty() || leaked_ > 0) return false;
  if (namespaces_.size() != 1) return false;
  auto root = namespaces_.find("");
  if (root == namespaces_.end()) return false;
  const Ns& r = root->second;
  for (const auto& [name, i] : r.ifaces) {
    if (!i.host) return false;
  }
  for (const auto& [key, value] : r.sysctls) {
    if (value != "0") return false;
  }
  for (const auto& [table, rules] : r.fw_rules) {
    if (!rules.empty()) return false;
  }
  return r.routes.empty() && r.rules.empty() && r.rules6.empty() && r.nat_tables.empty() &&
         r.fw_tables.empty() && r.fw_policies.empty();
}

std::set<std::string> RecordingBackend::Namespaces() const {
  std::set<std::string> out;
  for (const auto& [name, ns] : namespaces_) {
    if (!name.empty()) out.insert(name);
  }
  return out;
}

std::vector<std::string> RecordingBackend::Rules(const std::string& ns, bool ipv6) const {
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) return {};
  std::vector<std::string> out;
  for (const NatRule& r : ipv6 ? it->second.rules6 : it->second.rules) out.push_back(r.text);
  return out;
}

bool RecordingBackend::HasNatTable(const std::string& ns, bool ipv6) const {
  auto it = namespaces_.find(ns);
  return it != namespaces_.end() && it->second.nat_tables.count(ipv6);
}

std::string RecordingBackend::Sysctl(const std::string& ns, const std::string& key) const {
  auto it = namespaces_.find(ns);
  if (it == namespaces_.end()) return "";
  auto kv = it->second.sysctls.find(CanonicalSysctlKey(key));
  return kv == it->second.sysctls.end() ? "0" : kv->second;
}

void RecordingBackend::AddHostInterface(const std::string& ifname,
                                        const std::vector<std::string>& addresses) {
  Iface& i = namespaces_[""].ifaces[ifname];
  i.host = true;
  i.up = true;
  i.addresses.insert(addresses.begin(), addresses.end());
}

void RecordingBackend::AddHostRoute(const std::string& route) {
  namespaces_[""].host_routes.push_back(ParseRouteText(route));
}

void RecordingBackend::AddForeignNamespace(const std::string& ns) { namespaces_[ns]; }

void RecordingBackend::AddForeignNatRule(const std::string& ns, bool ipv6,
                                         const std::string& rule) {
  Ns& n = namespaces_[ns];
  (ipv6 ? n.rules6 : n.rules).push_back({std::nullopt, rule});
  n.nat_tables.insert(ipv6);
}

Status RecordingBackend::Mutate(const std::string& call) {
  calls_.push_back(call);
  return fail_.Next() ? fail_.Failure() : Status::OK();
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

Status RecordingBackend::NamespaceIdentity(const std::string& ns, std::string* id) {
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  if (n->id == 0) n->id = ++last_identity_;
  *id = "0:" + std::to_string(n->id);
  return Status::OK();
}

Status RecordingBackend::LinkIndex(const std::string& ns, const std::string& ifname, int* index) {
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  if (i->index == 0) i->index = static_cast<int>(++last_identity_);
  *index = i->index;
  return Status::OK();
}

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
  if (auto p = processes_.find(ns); p != processes_.end()) {
    leaked_ += p->second;
    processes_.erase(p);
  }
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
  Status s = Mutate("create veth " + NamespaceLabel(ns) + ":" + ifname + " <-> " +
                    NamespaceLabel(peer_ns) + ":" + peer_ifname);
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
  Status s = Mutate("delete veth " + NamespaceLabel(ns) + ":" + ifname);
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  std::string peer = i->peer;
  // The kernel deletes an interface's VLAN sub-interfaces with it.
  auto erase = [](Ns* n, const std::string& name) {
    for (auto it = n->ifaces.begin(); it != n->ifaces.end();) {
      it = it->second.vlan_parent == name ? n->ifaces.erase(it) : std::next(it);
    }
    n->ifaces.erase(name);
  };
  erase(FindNs(ns), ifname);
  size_t colon = peer.find(':');
  if (colon != std::string::npos) {
    if (Ns* p = FindNs(peer.substr(0, colon))) erase(p, peer.substr(colon + 1));
  }
  return Status::OK();
}

Status RecordingBackend::SetMtu(const std::string& ns, const std::string& ifname, int mtu) {
  Status s = Mutate("set mtu " + NamespaceLabel(ns) + ":" + ifname + " " + std::to_string(mtu));
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->mtu = mtu;
  return Status::OK();
}

Status RecordingBackend::SetMac(const std::string& ns, const std::string& ifname,
                                const MacAddress& mac) {
  Status s = Mutate("set mac " + NamespaceLabel(ns) + ":" + ifname + " " + mac.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->mac = mac.ToString();
  return Status::OK();
}

Status RecordingBackend::SetLinkUp(const std::string& ns, const std::string& ifname, bool up) {
  Status s = Mutate("set link " + NamespaceLabel(ns) + ":" + ifname + (up ? " up" : " down"));
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->up = up;
  return Status::OK();
}

Status RecordingBackend::AddAddress(const std::string& ns, const std::string& ifname,
                                    const Prefix& address) {
  Status s = Mutate("add address " + NamespaceLabel(ns) + ":" + ifname + " " + address.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  if (!i->addresses.insert(address.ToString()).second) return Status::AlreadyExists("File exists");
  return Status::OK();
}

Status RecordingBackend::DeleteAddress(const std::string& ns, const std::string& ifname,
                                       const Prefix& address) {
  Status s =
      Mutate("delete address " + NamespaceLabel(ns) + ":" + ifname + " " + address.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i || !i->addresses.erase(address.ToString())) {
    return Status::NotFound("Cannot assign requested address");
  }
  return Status::OK();
}

Status RecordingBackend::SetSysctl(const std::string& ns, const std::string& key,
                                   const std::string& value, std::string* previous) {
  Status s = Mutate("set sysctl " + NamespaceLabel(ns) + " " + key + "=" + value);
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  // As the kernel: aliases are one setting, and a change of the forwarding
  // setting is written into every interface's (model/sysctl_aliases.h).
  auto it = n->sysctls.find(CanonicalSysctlKey(key));
  const std::string old = it == n->sysctls.end() ? "0" : it->second;
  if (previous) *previous = old;
  n->sysctls[CanonicalSysctlKey(key)] = value;
  if (old != value) {
    std::vector<std::string> interfaces;
    for (const auto& [name, unused] : n->ifaces) interfaces.push_back(name);
    for (const std::string& k : PropagatedSysctlKeys(key, interfaces)) n->sysctls[k] = value;
  }
  return Status::OK();
}

Status RecordingBackend::AddRoute(const std::string& ns, const RouteSpec& route) {
  Status s = Mutate("add route " + NamespaceLabel(ns) + " " + RouteKey(route));
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  if (!n->routes.emplace(RouteKey(route), StateOf(route)).second) {
    return Status::AlreadyExists("File exists");
  }
  return Status::OK();
}

Status RecordingBackend::DeleteRoute(const std::string& ns, const RouteSpec& route) {
  Status s = Mutate("delete route " + NamespaceLabel(ns) + " " + RouteKey(route));
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n || !n->routes.erase(RouteKey(route))) return Status::NotFound("No such process");
  return Status::OK();
}

Status RecordingBackend::SnatTable(const std::string& call, const std::string& ns,
                                   const std::vector<SnatSpec>& rules, std::vector<NatRule>** table,
                                   bool* ipv6) {
  std::string list;
  for (const SnatSpec& r : rules) list += (list.empty() ? " " : ", ") + r.ToString();
  Status s = Mutate(call + " " + NamespaceLabel(ns) + list);
  if (!s.ok()) return s;
  for (const SnatSpec& r : rules) {
    if (r.family() != rules[0].family()) {
      return Status::InvalidArgument("snat rules of different families");
    }
  }
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  *ipv6 = !rules.empty() && rules[0].family() == 6;
  *table = *ipv6 ? &n->rules6 : &n->rules;
  return Status::OK();
}

Status RecordingBackend::AddSnat(const std::string& ns, const std::vector<SnatSpec>& rules) {
  std::vector<NatRule>* table = nullptr;
  bool ipv6 = false;
  if (Status s = SnatTable("add snat", ns, rules, &table, &ipv6); !s.ok()) return s;
  for (const SnatSpec& r : rules) {
    std::string text = "POSTROUTING";
    for (const std::string& word : SnatRuleWords(r)) text += " " + word;
    table->push_back({r, text});
  }
  if (!rules.empty()) FindNs(ns)->nat_tables.insert(ipv6);
  return Status::OK();
}

Status RecordingBackend::DeleteSnat(const std::string& ns, const std::vector<SnatSpec>& rules) {
  std::vector<NatRule>* table = nullptr;
  bool ipv6 = false;
  if (Status s = SnatTable("delete snat", ns, rules, &table, &ipv6); !s.ok()) return s;
  // All or nothing, as iptables-restore commits a table at once.
  std::vector<NatRule> left = *table;
  for (const SnatSpec& r : rules) {
    auto it = std::find_if(left.begin(), left.end(), [&](const NatRule& n) { return n.snat == r; });
    if (it == left.end()) {
      return Status::NotFound("Bad rule (does a matching rule exist in that chain?)");
    }
    left.erase(it);
  }
  *table = std::move(left);
  return Status::OK();
}

Status RecordingBackend::HasSnat(const std::string& ns, const SnatSpec& rule, bool* present) {
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  const std::vector<NatRule>& table = rule.family() == 6 ? n->rules6 : n->rules;
  *present =
      std::any_of(table.begin(), table.end(), [&](const NatRule& r) { return r.snat == rule; });
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
    st.kind = i.bridge                 ? "bridge"
              : !i.vlan_parent.empty() ? "vlan"
              : !i.kind.empty()        ? i.kind
              : !i.peer.empty()        ? "veth"
                                       : "";
    if (!i.impairment_value.IsNone()) {
      st.qdisc = i.impairment_value.NeedsNetem() ? "netem" : "tbf";
      st.impairment = i.impairment_value;
    }
    out->interfaces.push_back(st);
  }
  for (const auto& [key, route] : n->routes) out->routes.push_back(route);
  out->routes.insert(out->routes.end(), n->host_routes.begin(), n->host_routes.end());
  return Status::OK();
}

Status RecordingBackend::CreateBridge(const std::string& ns, const std::string& ifname, bool stp,
                                      bool vlan_filtering) {
  Status s = Mutate("create bridge " + NamespaceLabel(ns) + ":" + ifname + (stp ? " stp" : "") +
                    (vlan_filtering ? " vlan_filtering" : ""));
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  if (n->ifaces.count(ifname)) return Status::AlreadyExists("File exists");
  Iface& i = n->ifaces[ifname];
  i.bridge = true;
  i.stp = stp;
  i.vlan_filtering = vlan_filtering;
  return Status::OK();
}

Status RecordingBackend::SetPortVlans(const std::string& ns, const std::string& ifname,
                                      const PortVlans& vlans) {
  Status s = Mutate("set vlans " + NamespaceLabel(ns) + ":" + ifname + " " + vlans.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  Iface* m = i->master.empty() ? nullptr : FindIface(ns, i->master);
  if (!m || !m->vlan_filtering) return Status::InvalidArgument("Operation not supported");
  i->tagged = {vlans.tagged.begin(), vlans.tagged.end()};
  i->untagged = vlans.untagged;
  return Status::OK();
}

Status RecordingBackend::ClearPortVlans(const std::string& ns, const std::string& ifname,
                                        const PortVlans& vlans) {
  Status s = Mutate("clear vlans " + NamespaceLabel(ns) + ":" + ifname + " " + vlans.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  bool any = vlans.untagged && i->untagged == vlans.untagged;
  for (int id : vlans.tagged) any = i->tagged.erase(id) > 0 || any;
  if (vlans.untagged && i->untagged == vlans.untagged) i->untagged = 0;
  return any ? Status::OK() : Status::NotFound("No such file or directory");
}

Status RecordingBackend::ReadPortVlans(const std::string& ns, const std::string& ifname,
                                       PortVlans* out) {
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  *out = PortVlans{};
  out->untagged = i->untagged;
  for (int id : i->tagged) {
    if (id != i->untagged) out->tagged.push_back(id);
  }
  return Status::OK();
}

Status RecordingBackend::CreateVlan(const std::string& ns, const std::string& ifname,
                                    const std::string& parent, int id) {
  Status s = Mutate("create vlan " + NamespaceLabel(ns) + ":" + ifname + " on " + parent + " id " +
                    std::to_string(id));
  if (!s.ok()) return s;
  if (id < kMinVlan || id > kMaxVlan)
    return Status::InvalidArgument("Numerical result out of range");
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  Iface* p = FindIface(ns, parent);
  if (!p) return Status::NotFound("No such device");
  if (n->ifaces.count(ifname)) return Status::AlreadyExists("File exists");
  for (const auto& [name, other] : n->ifaces) {
    if (other.vlan_parent == parent && other.vlan == id)
      return Status::AlreadyExists("File exists");
  }
  Iface& i = n->ifaces[ifname];
  i.mtu = p->mtu;
  i.vlan_parent = parent;
  i.vlan = id;
  return Status::OK();
}

Status RecordingBackend::DeleteVlan(const std::string& ns, const std::string& ifname) {
  Status s = Mutate("delete vlan " + NamespaceLabel(ns) + ":" + ifname);
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i || i->vlan_parent.empty()) return Status::NotFound("No such device");
  FindNs(ns)->ifaces.erase(ifname);
  return Status::OK();
}

Status RecordingBackend::CreateInterface(const std::string& ns, const std::string& ifname,
                                         const VirtualSpec& spec) {
  Status s =
      Mutate("create interface " + NamespaceLabel(ns) + ":" + ifname + " " + spec.ToString());
  if (!s.ok()) return s;
  if (lacking_.count(spec.kind)) {
    return Status::IOError(std::string("the kernel lacks ") + KindConfig(spec.kind), EOPNOTSUPP);
  }
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  if (n->ifaces.count(ifname)) return Status::AlreadyExists("File exists");
  if (!spec.parent.empty() && !FindIface(ns, spec.parent))
    return Status::NotFound("No such device");
  n->ifaces[ifname].kind = IfKindName(spec.kind);
  return Status::OK();
}

Status RecordingBackend::DeleteInterface(const std::string& ns, const std::string& ifname) {
  Status s = Mutate("delete interface " + NamespaceLabel(ns) + ":" + ifname);
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i || i->kind.empty()) return Status::NotFound("No such device");
  for (auto& [name, member] : FindNs(ns)->ifaces) {
    if (member.master == ifname) member.master.clear();
  }
  FindNs(ns)->ifaces.erase(ifname);
  return Status::OK();
}

Status RecordingBackend::DeleteBridge(const std::string& ns, const std::string& ifname) {
  Status s = Mutate("delete bridge " + NamespaceLabel(ns) + ":" + ifname);
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i || !i->bridge) return Status::NotFound("No such device");
  Ns* n = FindNs(ns);
  for (auto& [name, port] : n->ifaces) {
    if (port.master == ifname) port.master.clear();
  }
  n->ifaces.erase(ifname);
  return Status::OK();
}

Status RecordingBackend::SetMaster(const std::string& ns, const std::string& ifname,
                                   const std::string& master) {
  Status s = Mutate("set master " + NamespaceLabel(ns) + ":" + ifname + " " +
                    (master.empty() ? "none" : master));
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  if (!master.empty()) {
    Iface* m = FindIface(ns, master);
    if (!m) return Status::NotFound("No such device");
    if (!m->bridge && m->kind != "bond" && m->kind != "vrf") {
      return Status::InvalidArgument("Operation not supported");
    }
  }
  i->master = master;
  return Status::OK();
}

Status RecordingBackend::NatTableExists(const std::string& ns, bool ipv6, bool* exists) {
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  *exists = n->nat_tables.count(ipv6) > 0;
  return Status::OK();
}

Status RecordingBackend::RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) {
  Status s = Mutate(std::string("remove empty ") + (ipv6 ? "ip6" : "ip") + " nat table " +
                    NamespaceLabel(ns));
  if (!s.ok()) return s;
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  if (n->NatEmpty(ipv6)) n->nat_tables.erase(ipv6);
  return Status::OK();
}

Status RecordingBackend::ReadSysctl(const std::string& ns, const std::string& key,
                                    std::string* value) {
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  auto it = n->sysctls.find(CanonicalSysctlKey(key));
  *value = it == n->sysctls.end() ? "0" : it->second;
  return Status::OK();
}

Status RecordingBackend::SetImpairment(const std::string& ns, const std::string& ifname,
                                       const Impairment& impairment) {
  Status s = Mutate("impair " + ns + ":" + ifname + " " + impairment.ToString());
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  i->impairment = impairment.ToString();
  i->impairment_value = impairment;
  return Status::OK();
}

Status RecordingBackend::ClearImpairment(const std::string& ns, const std::string& ifname) {
  Status s = Mutate("clear impairment " + ns + ":" + ifname);
  if (!s.ok()) return s;
  Iface* i = FindIface(ns, ifname);
  if (!i) return Status::NotFound("No such device");
  if (i->impairment.empty()) return Status::NotFound("No such file or directory");
  i->impairment.clear();
  i->impairment_value = Impairment{};
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

Status RecordingBackend::EndProcesses(const std::vector<std::string>& namespaces, size_t* ended) {
  std::string call = "end processes in";
  *ended = 0;
  for (size_t i = 0; i < namespaces.size(); ++i) {
    call += (i ? ", " : " ") + namespaces[i];
    if (auto p = processes_.find(namespaces[i]); p != processes_.end()) {
      *ended += p->second;
      processes_.erase(p);
    }
  }
  process_ends_.push_back(call);
  return Status::OK();
}

}  // namespace topo
