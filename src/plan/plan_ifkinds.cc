#include "plan/plan_ifkinds.h"

#include <utility>

#include <nlohmann/json.hpp>

namespace topo::plan_internal {

void VirtualToJson(const VirtualSpec& v, nlohmann::json* j) {
  nlohmann::json& o = *j;
  o["if_kind"] = IfKindName(v.kind);
  if (v.kind == IfKind::kVxlan) {
    o["vni"] = v.vni;
    o["port"] = v.port;
    if (v.local) o["local"] = v.local->ToString();
    if (v.remote) o["remote"] = v.remote->ToString();
    if (v.socket_here) o["socket_here"] = true;
  }
  if (!v.parent.empty()) o["parent"] = v.parent;
  if (!v.mode.empty()) o["if_mode"] = v.mode;
  if (v.table) o["table"] = v.table;
}

Status VirtualFromJson(const nlohmann::json& j, VirtualSpec* out) {
  VirtualSpec v;
  const std::optional<IfKind> kind = ParseIfKind(j.value("if_kind", ""));
  if (!kind || *kind == IfKind::kVeth)
    return Status::InvalidArgument("malformed plan: bad interface kind");
  v.kind = *kind;
  v.vni = j.value("vni", 0);
  v.port = j.value("port", kVxlanPort);
  for (auto [key, field] : {std::pair{"local", &v.local}, std::pair{"remote", &v.remote}}) {
    if (!j.contains(key)) continue;
    *field = ParseIp(j[key].get<std::string>());
    if (!*field)
      return Status::InvalidArgument(std::string("malformed plan: bad vxlan ") + key + " address");
  }
  v.socket_here = j.value("socket_here", false);
  v.parent = j.value("parent", "");
  v.mode = j.value("if_mode", "");
  v.table = j.value("table", 0u);
  *out = std::move(v);
  return Status::OK();
}

std::string VirtualShellArgs(const VirtualSpec& v, const std::string& ifname,
                             std::string (*quote)(const std::string&)) {
  const bool lower = v.kind == IfKind::kMacvlan || v.kind == IfKind::kIpvlan;
  std::string out = lower ? "link " + quote(v.parent) + " " : "";
  out += "name " + quote(ifname) + " type " + IfKindName(v.kind);
  switch (v.kind) {
    case IfKind::kVxlan:
      out += " id " + std::to_string(v.vni);
      if (v.local) out += " local " + v.local->ToString();
      if (v.remote) out += " remote " + v.remote->ToString();
      out += " dstport " + std::to_string(v.port);
      if (!v.parent.empty()) out += " dev " + quote(v.parent);
      break;
    case IfKind::kMacvlan:
    case IfKind::kIpvlan:
    case IfKind::kBond:
      out += " mode " + quote(v.mode);
      break;
    case IfKind::kVrf:
      out += " table " + std::to_string(v.table);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace topo::plan_internal
