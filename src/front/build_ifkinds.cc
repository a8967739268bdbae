// Build (build.h) for an interface's `kind:` and the settings of that kind
// (model/ifkind.h), kept as written with the source of every value. Wrong
// types and unknown keys are the schema's; addresses that do not parse are
// reported here. Ranges and cross references (vni, `local` among the node's
// addresses, `dev`, `parent`, members) are Check's (rules_ifkinds.cc).
#include <algorithm>
#include <charconv>

#include "front/build.h"

namespace topo {
namespace {

bool IsSeqNode(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }

// A decimal number (long enough for a VNI or a table), or nullopt.
std::optional<long long> NumberOf(const YAML::Node& n) {
  if (!IsScalar(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<IpAddress> AddressOf(const YAML::Node& n, const std::string& ptr,
                                   const std::string& what, DiagnosticList* diags) {
  if (!IsScalar(n)) return std::nullopt;
  if (auto a = ParseIp(n.Scalar())) return a;
  diags->Error(
      LocationOf(n), ptr, what + " '" + n.Scalar() + "' is not a valid IPv4 or IPv6 address",
      n.Scalar().find('/') != std::string::npos ? "write the address alone, without a prefix length"
                                                : "");
  return std::nullopt;
}

}  // namespace

void BuildInterfaceKind(const YAML::Node& body, const std::string& ptr, Interface* i,
                        DiagnosticList* diags) {
  Interface::KindSources& src = i->kind_src;
  auto at = [&](const char* key, Source* out) { return Field(body, ptr, key, out); };
  const YAML::Node kind = at("kind", &src.kind);
  if (!IsScalar(kind)) return;
  const std::optional<IfKind> k = ParseIfKind(kind.Scalar());
  if (!k) return;  // the schema names the kinds
  VirtualSpec& v = i->virt;
  v.kind = *k;
  if (auto n = NumberOf(at("vni", &src.vni))) {
    v.vni = static_cast<int>(std::clamp<long long>(*n, -1, kMaxVni + 1LL));
  }
  if (auto n = NumberOf(at("port", &src.port))) {
    v.port = static_cast<int>(std::clamp<long long>(*n, -1, 65536));
  }
  if (auto n = NumberOf(at("table", &src.table))) {
    v.table = *n < 0 || *n > 0xffffffffLL ? 0 : static_cast<unsigned>(*n);
  }
  v.local = AddressOf(at("local", &src.local), ptr + "/local", "vxlan local address", diags);
  const YAML::Node remote = at("remote", &src.remote);
  if (IsScalar(remote)) {
    const std::string& r = remote.Scalar();
    const bool looks_like_address = r.find_first_of(".:/") != std::string::npos;
    if (looks_like_address) {
      v.remote = AddressOf(remote, ptr + "/remote", "vxlan remote address", diags);
    } else {
      i->remote_node = r;  // a node of the lab: resolved by ResolveVxlanRemotes
    }
  }
  const YAML::Node dev = at("dev", &src.dev);
  const YAML::Node parent = at("parent", &src.parent);
  if (IsScalar(dev)) v.parent = dev.Scalar();
  if (IsScalar(parent)) v.parent = parent.Scalar();
  const YAML::Node mode = at("mode", &src.mode);
  if (IsScalar(mode)) {
    v.mode = mode.Scalar();
  } else if (!KindModes(v.kind).empty()) {
    v.mode = KindModes(v.kind).front();
  }
  const YAML::Node members = at("members", &src.members);
  if (IsSeqNode(members)) {
    for (size_t m = 0; m < members.size(); ++m) {
      if (!IsScalar(members[m])) continue;
      i->members.push_back(members[m].Scalar());
      src.member.push_back(SourceOf(members[m], ptr + "/members/" + std::to_string(m)));
    }
  }
}

void ResolveVxlanRemotes(Topology* t) {
  for (Node& n : t->nodes) {
    for (Interface& i : n.interfaces) {
      if (i.virt.kind != IfKind::kVxlan || i.remote_node.empty()) continue;
      const Node* peer = t->FindNode(i.remote_node);
      if (!peer) continue;
      for (const Interface& p : peer->interfaces) {
        if (p.virt.kind == IfKind::kVxlan && p.virt.vni == i.virt.vni && p.virt.local) {
          i.virt.remote = p.virt.local;
          break;
        }
      }
    }
  }
}

}  // namespace topo
