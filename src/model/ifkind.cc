#include "model/ifkind.h"

#include <array>
#include <utility>

namespace topo {
namespace {

struct KindInfo {
  IfKind kind;
  const char* name;
  const char* config;
};

constexpr std::array<KindInfo, 8> kKinds = {{
    {IfKind::kVeth, "veth", "CONFIG_VETH"},
    {IfKind::kDummy, "dummy", "CONFIG_DUMMY"},
    {IfKind::kVxlan, "vxlan", "CONFIG_VXLAN"},
    {IfKind::kMacvlan, "macvlan", "CONFIG_MACVLAN"},
    {IfKind::kIpvlan, "ipvlan", "CONFIG_IPVLAN"},
    {IfKind::kBond, "bond", "CONFIG_BONDING"},
    {IfKind::kVrf, "vrf", "CONFIG_NET_VRF"},
    {IfKind::kWireguard, "wireguard", "CONFIG_WIREGUARD"},
}};

}  // namespace

const char* IfKindName(IfKind k) {
  for (const KindInfo& i : kKinds)
    if (i.kind == k) return i.name;
  return "?";
}

std::optional<IfKind> ParseIfKind(const std::string& name) {
  for (const KindInfo& i : kKinds)
    if (name == i.name) return i.kind;
  return std::nullopt;
}

const char* KindConfig(IfKind k) {
  for (const KindInfo& i : kKinds)
    if (i.kind == k) return i.config;
  return "?";
}

const std::vector<std::string>& KindModes(IfKind k) {
  static const std::vector<std::string> kNone;
  static const std::vector<std::string> kMacvlanModes = {"bridge", "private", "vepa", "passthru"};
  static const std::vector<std::string> kIpvlanModes = {"l2", "l3", "l3s"};
  static const std::vector<std::string> kBondModes = {"balance-rr", "active-backup", "balance-xor",
                                                      "broadcast",  "802.3ad",       "balance-tlb",
                                                      "balance-alb"};
  switch (k) {
    case IfKind::kMacvlan:
      return kMacvlanModes;
    case IfKind::kIpvlan:
      return kIpvlanModes;
    case IfKind::kBond:
      return kBondModes;
    default:
      return kNone;
  }
}

std::string VirtualSpec::ToString() const {
  std::string out = IfKindName(kind);
  switch (kind) {
    case IfKind::kVxlan:
      out += " vni " + std::to_string(vni);
      if (local) out += " local " + local->ToString();
      if (remote) out += " remote " + remote->ToString();
      out += " port " + std::to_string(port);
      if (!parent.empty()) out += " dev " + parent;
      if (socket_here) out += " from the machine";
      break;
    case IfKind::kMacvlan:
    case IfKind::kIpvlan:
      out += " on " + parent + " mode " + mode;
      break;
    case IfKind::kBond:
      out += " mode " + mode;
      break;
    case IfKind::kVrf:
      out += " table " + std::to_string(table);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace topo
