#include "front/build.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace topo {

Source SourceOf(const YAML::Node& n, const std::string& pointer) {
  return Source{LocationOf(n), pointer};
}

YAML::Node Field(const YAML::Node& map, const std::string& pointer, const char* key, Source* src) {
  const YAML::Node n = map[key];
  *src = SourceOf(n, pointer + "/" + key);
  return n;
}

bool IsScalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }

namespace {

// yaml-cpp throws when a missing key's node (`map["absent"]`) is asked its type
// or assigned; these ask IsDefined() first.
bool IsMapNode(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
bool IsSeqNode(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }

std::optional<int> IntOf(const YAML::Node& n) {
  if (!IsScalar(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

class Builder {
 public:
  Builder(const Document& doc, DiagnosticList* diags) : doc_(doc), diags_(diags) {}

  Topology Run() {
    Topology t;
    const YAML::Node& root = doc_.root;
    t.src = SourceOf(root, "");
    if (!root.IsMap()) return t;
    if (IsScalar(root["name"])) t.name = root["name"].Scalar();
    if (IsScalar(root["prefix"])) t.prefix = root["prefix"].Scalar();
    t.name_src = SourceOf(root["name"], "/name");
    t.prefix_src = SourceOf(root["prefix"], "/prefix");
    const YAML::Node nodes = root["nodes"];
    if (IsMapNode(nodes)) {
      std::set<std::string> seen;
      for (const auto& kv : nodes) {
        if (!IsScalar(kv.first)) continue;
        const std::string name = kv.first.Scalar();
        if (!seen.insert(name).second) continue;  // duplicate key: reported by Load
        t.nodes.push_back(BuildNode(name, kv.first, kv.second, PointerJoin("/nodes", name)));
      }
    }
    const YAML::Node links = root["links"];
    if (IsSeqNode(links)) {
      for (size_t i = 0; i < links.size(); ++i) {
        BuildLink(links[i], PointerJoin("/links", std::to_string(i)), &t);
      }
    }
    return t;
  }

 private:
  Node BuildNode(const std::string& name, const YAML::Node& key, const YAML::Node& body,
                 const std::string& ptr) {
    Node n;
    n.name = name;
    n.src = SourceOf(key, ptr);
    if (!body.IsMap()) return n;
    if (IsScalar(body["kind"])) {
      const std::string& kind = body["kind"].Scalar();
      if (kind == "router") n.kind = NodeKind::kRouter;
      if (kind == "switch") n.kind = NodeKind::kSwitch;
      if (kind == "root") n.kind = NodeKind::kRoot;
    }
    if (const YAML::Node m = Field(body, ptr, "machine", &n.machine_src); IsScalar(m)) {
      n.machine = m.Scalar();
    }
    n.stp_src = SourceOf(body["stp"], ptr + "/stp");
    if (IsScalar(body["stp"])) n.stp = body["stp"].Scalar() == "true";
    const YAML::Node ifs = body["interfaces"];
    if (IsMapNode(ifs)) {
      std::set<std::string> seen;
      for (const auto& kv : ifs) {
        if (!IsScalar(kv.first) || !seen.insert(kv.first.Scalar()).second) continue;
        n.interfaces.push_back(BuildInterface(kv.first, kv.second,
                                              PointerJoin(ptr + "/interfaces", kv.first.Scalar())));
      }
    }
    const YAML::Node routes = body["routes"];
    if (IsSeqNode(routes)) {
      for (size_t i = 0; i < routes.size(); ++i) {
        if (auto r = BuildRoute(routes[i], PointerJoin(ptr + "/routes", std::to_string(i)))) {
          n.routes.push_back(*r);
        }
      }
    }
    const YAML::Node snat = body["snat"];
    if (IsSeqNode(snat)) {
      for (size_t i = 0; i < snat.size(); ++i) {
        if (auto s = BuildSnat(snat[i], PointerJoin(ptr + "/snat", std::to_string(i)))) {
          n.snat.push_back(*s);
        }
      }
    }
    const YAML::Node sysctls = body["sysctls"];
    if (IsMapNode(sysctls)) {
      std::set<std::string> seen;
      for (const auto& kv : sysctls) {
        if (!IsScalar(kv.first) || !IsScalar(kv.second)) continue;
        if (!seen.insert(kv.first.Scalar()).second) continue;
        std::string value = kv.second.Scalar();
        if (value == "true") value = "1";
        if (value == "false") value = "0";
        const std::string sysctl_ptr = PointerJoin(ptr + "/sysctls", kv.first.Scalar());
        n.sysctls.push_back(Sysctl{kv.first.Scalar(), value, SourceOf(kv.first, sysctl_ptr),
                                   SourceOf(kv.second, sysctl_ptr)});
      }
    }
    const YAML::Node dns = body["dns"];
    if (IsSeqNode(dns)) {
      for (size_t i = 0; i < dns.size(); ++i) {
        const YAML::Node d = dns[i];
        if (!IsScalar(d)) continue;
        const std::string p = PointerJoin(ptr + "/dns", std::to_string(i));
        if (auto a = ParseIp(d.Scalar())) {
          n.dns.push_back(*a);
          n.dns_sources.push_back(SourceOf(d, p));
        } else {
          diags_->Error(LocationOf(d), p,
                        "name server '" + d.Scalar() + "' is not a valid IPv4 or IPv6 address",
                        "write the server's address, e.g. 10.0.0.53");
        }
      }
    }
    BuildNodeFirewall(body, ptr, &n, diags_);
    BuildNodeRuntime(body, ptr, BaseDirectory(doc_), &n, diags_);
    return n;
  }

  // An `impair` mapping: every value that parses, and a located error for each
  // that does not. Unknown keys and wrong types are the schema's to report.
  ImpairmentSpec BuildImpairment(const YAML::Node& body, const std::string& ptr) {
    ImpairmentSpec spec;
    spec.src = SourceOf(body, ptr);
    if (!IsMapNode(body)) return spec;
    for (const auto& kv : body) {
      if (!IsScalar(kv.first) || !IsScalar(kv.second)) continue;
      const std::string key = kv.first.Scalar();
      bool known = false;
      for (const char* k : kImpairmentKeys) known = known || key == k;
      if (!known || spec.KeySource(key)) continue;
      const std::string p = PointerJoin(ptr, key);
      if (auto e = ParseImpairmentValue(key, kv.second.Scalar(), &spec.value)) {
        diags_->Error(LocationOf(kv.second), p, e->message, e->hint);
        continue;
      }
      spec.keys.emplace_back(key, SourceOf(kv.second, p));
    }
    return spec;
  }

  // A switch port's `access`, `trunk` and `native` (the schema has checked
  // their types; Check checks the ids and their combination).
  void BuildPortVlans(const YAML::Node& body, const std::string& ptr, Interface* i) {
    auto id = [](const YAML::Node& v) {
      long value = 0;
      for (char c : v.Scalar()) {
        if (c < '0' || c > '9') return -1;
        value = std::min<long>(value * 10 + (c - '0'), kMaxVlan + 1);
      }
      return static_cast<int>(value);
    };
    const YAML::Node access = body["access"];
    const YAML::Node trunk = body["trunk"];
    const YAML::Node native = body["native"];
    i->access_src = SourceOf(access, ptr + "/access");
    i->trunk_src = SourceOf(trunk, ptr + "/trunk");
    i->native_src = SourceOf(native, ptr + "/native");
    if (IsScalar(access)) {
      i->access_given = true;
      i->port_vlans.untagged = id(access);
    }
    if (IsSeqNode(trunk)) {
      i->trunk_given = true;
      for (const auto& t : trunk) {
        if (IsScalar(t)) i->port_vlans.tagged.push_back(id(t));
      }
    }
    if (IsScalar(native)) {
      i->native_given = true;
      if (!i->access_given) i->port_vlans.untagged = id(native);
    }
  }

  Interface BuildInterface(const YAML::Node& key, const YAML::Node& body, const std::string& ptr) {
    Interface i;
    i.name = key.Scalar();
    i.src = SourceOf(key, ptr);
    YAML::Node addrs;
    std::string addrs_ptr = ptr;
    if (body.IsSequence()) {
      addrs = body;
    } else if (body.IsMap()) {
      if (body["addresses"].IsDefined()) addrs = body["addresses"];
      addrs_ptr = ptr + "/addresses";
      if (body["impair"].IsDefined()) i.impair = BuildImpairment(body["impair"], ptr + "/impair");
      BuildPortVlans(body, ptr, &i);
      BuildInterfaceKind(body, ptr, &i, diags_);
      const YAML::Node mac = body["mac"];
      i.mac_src = SourceOf(mac, ptr + "/mac");
      if (IsScalar(mac)) {
        if (auto m = ParseMac(mac.Scalar())) {
          i.mac = *m;
        } else {
          diags_->Error(LocationOf(mac), ptr + "/mac",
                        "'" + mac.Scalar() + "' is not a MAC address",
                        "write six hex bytes separated by colons, e.g. 02:00:00:00:00:01");
        }
      }
    }
    if (IsSeqNode(addrs)) {
      for (size_t k = 0; k < addrs.size(); ++k) {
        const YAML::Node a = addrs[k];
        if (!IsScalar(a)) continue;
        std::string p = PointerJoin(addrs_ptr, std::to_string(k));
        std::string err;
        auto prefix = ParsePrefix(a.Scalar(), &err);
        if (!prefix) {
          std::string hint;
          if (ParseIp(a.Scalar())) {
            hint = "write it with its subnet, e.g. " + a.Scalar() +
                   (a.Scalar().find(':') == std::string::npos ? "/24" : "/64");
          }
          diags_->Error(LocationOf(a), p, "invalid address on interface '" + i.name + "': " + err,
                        hint);
          continue;
        }
        i.addresses.push_back(*prefix);
        i.address_sources.push_back(SourceOf(a, p));
      }
    }
    return i;
  }

  std::optional<Route> BuildRoute(const YAML::Node& body, const std::string& ptr) {
    if (!body.IsMap()) return std::nullopt;
    Route r;
    r.src = SourceOf(body, ptr);
    bool ok = true;
    const YAML::Node to = body["to"];
    const YAML::Node via = body["via"];
    r.to_src = SourceOf(to, ptr + "/to");
    r.via_src = SourceOf(via, ptr + "/via");
    r.dev_src = SourceOf(body["dev"], ptr + "/dev");
    if (IsScalar(via)) {
      if (auto a = ParseIp(via.Scalar())) {
        r.via = *a;
        r.family = a->family;
      } else {
        std::string hint = via.Scalar().find('/') != std::string::npos
                               ? "a gateway is a single address, without a prefix length"
                               : "";
        diags_->Error(LocationOf(via), ptr + "/via",
                      "gateway '" + via.Scalar() + "' is not a valid IPv4 or IPv6 address", hint);
        ok = false;
      }
    }
    if (IsScalar(to) && to.Scalar() != "default") {
      std::string err;
      auto p = ParsePrefix(to.Scalar(), &err);
      if (!p) {
        std::string hint;
        if (ParseIp(to.Scalar())) {
          hint = "a single host is written " + to.Scalar() +
                 (to.Scalar().find(':') == std::string::npos ? "/32" : "/128");
        }
        diags_->Error(LocationOf(to), ptr + "/to", "invalid route destination: " + err, hint);
        ok = false;
      } else if (p->HostBitsSet()) {
        diags_->Error(LocationOf(to), ptr + "/to",
                      "route destination '" + to.Scalar() + "' has host bits set",
                      "did you mean " + p->Network().ToString() + "?");
        ok = false;
      } else if (p->length == 0) {
        r.family = p->family();  // 0.0.0.0/0 or ::/0: a default route of that family
      } else {
        r.to = *p;
        r.family = p->family();
      }
    }
    if (IsScalar(body["dev"])) r.dev = body["dev"].Scalar();
    if (auto m = IntOf(body["metric"])) r.metric = *m;
    if (!ok) return std::nullopt;
    return r;
  }

  std::optional<SnatRule> BuildSnat(const YAML::Node& body, const std::string& ptr) {
    if (!body.IsMap()) return std::nullopt;
    SnatRule s;
    s.src = SourceOf(body, ptr);
    const YAML::Node source = body["source"];
    const YAML::Node to = body["to"];
    std::string err;
    if (source) {
      if (!IsScalar(source)) return std::nullopt;
      auto p = ParsePrefix(source.Scalar(), &err);
      if (!p) {
        diags_->Error(LocationOf(source), ptr + "/source", "invalid snat source: " + err);
        return std::nullopt;
      }
      s.source = p->Network();
    } else {
      // Any source: 0.0.0.0/0, or ::/0 when the rule translates to an IPv6 address.
      const std::optional<IpAddress> to_address =
          IsScalar(to) ? ParseIp(to.Scalar()) : std::nullopt;
      s.source = *ParsePrefix(to_address && !to_address->is_v4() ? "::/0" : "0.0.0.0/0", &err);
    }
    if (IsScalar(body["out"])) s.out = body["out"].Scalar();
    s.out_src = SourceOf(body["out"], ptr + "/out");
    s.to_src = SourceOf(to, ptr + "/to");
    if (IsScalar(to)) {
      auto a = ParseIp(to.Scalar());
      if (!a) {
        diags_->Error(LocationOf(to), ptr + "/to",
                      "snat address '" + to.Scalar() + "' is not a valid IPv4 or IPv6 address");
        return std::nullopt;
      }
      s.to = *a;
    }
    return s;
  }

  bool ParseEndpoint(const YAML::Node& n, const std::string& ptr, Endpoint* out) {
    if (!IsScalar(n)) return false;
    const std::string& s = n.Scalar();
    size_t colon = s.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == s.size() ||
        s.find(':', colon + 1) != std::string::npos) {
      diags_->Error(LocationOf(n), ptr,
                    "link endpoint '" + s + "' is not of the form node:interface",
                    "e.g. server:eth0");
      return false;
    }
    out->node = s.substr(0, colon);
    out->interface = s.substr(colon + 1);
    out->src = SourceOf(n, ptr);
    return true;
  }

  void BuildLink(const YAML::Node& body, const std::string& ptr, Topology* t) {
    Link l;
    l.src = SourceOf(body, ptr);
    YAML::Node ends;
    std::string ends_ptr = ptr;
    if (body.IsSequence()) {
      ends = body;
    } else if (body.IsMap()) {
      if (body["endpoints"].IsDefined()) ends = body["endpoints"];
      ends_ptr = ptr + "/endpoints";
      if (auto m = IntOf(body["mtu"])) l.mtu = *m;
      l.mtu_src = SourceOf(body["mtu"], ptr + "/mtu");
      l.vni_written = IntOf(Field(body, ptr, "vni", &l.vni_src));
      if (body["impair"].IsDefined()) l.impair = BuildImpairment(body["impair"], ptr + "/impair");
    }
    if (!IsSeqNode(ends) || ends.size() != 2) {
      ++t->unbuilt_links;  // the schema reports the shape
      return;
    }
    bool ok = ParseEndpoint(ends[0], ends_ptr + "/0", &l.a);
    ok = ParseEndpoint(ends[1], ends_ptr + "/1", &l.b) && ok;
    if (ok) {
      t->links.push_back(std::move(l));
    } else {
      ++t->unbuilt_links;
    }
  }

  const Document& doc_;
  DiagnosticList* diags_;
};

}  // namespace

Topology Build(const Document& doc, DiagnosticList* diags) {
  Topology t = Builder(doc, diags).Run();
  // A link to a switch implies the port: switches need not declare their interfaces.
  std::map<std::string, Node*> switches;
  for (Node& n : t.nodes) {
    if (n.is_switch()) switches.emplace(n.name, &n);
  }
  for (const Link& l : t.links) {
    if (switches.empty()) break;
    for (const Endpoint* e : {&l.a, &l.b}) {
      auto it = switches.find(e->node);
      if (it == switches.end() || e->interface == "lo") continue;
      Node* n = it->second;
      if (n->FindInterface(e->interface)) continue;
      Interface port;
      port.name = e->interface;
      port.src = e->src;
      port.implied = true;
      n->interfaces.push_back(std::move(port));
    }
  }
  // An interface PARENT.ID that no link names is an 802.1Q sub-interface.
  std::set<std::pair<std::string, std::string>> ends;
  for (const Link& l : t.links) {
    for (const Endpoint* e : {&l.a, &l.b}) ends.emplace(e->node, e->interface);
  }
  for (Node& n : t.nodes) {
    for (Interface& i : n.interfaces) {
      if (ends.count({n.name, i.name}) || i.is_virtual()) continue;
      SplitVlanName(i.name, &i.parent, &i.vlan);
    }
  }
  BuildAutomatic(doc, &t, diags);
  BuildMachines(doc, &t, diags);
  ResolveVxlanRemotes(&t);
  BuildChecks(doc, &t, diags);
  // Links carry the MTU; interfaces remember it so later stages need not look it up.
  for (const Link& l : t.links) {
    if (!l.mtu) continue;
    for (const Endpoint* e : {&l.a, &l.b}) {
      if (Node* n = t.FindNode(e->node)) {
        if (Interface* i = n->FindInterface(e->interface)) i->mtu = l.mtu;
      }
    }
  }
  return t;
}

}  // namespace topo
