// Interface kinds beyond the veth end of a link (an interface's `kind:`):
// dummy, VXLAN, macvlan, ipvlan, bond, VRF and WireGuard, with the settings
// each takes. Plain values shared by the topology, the plan and the backend;
// the kernel may lack some kinds, which it says when one is created
// (KindConfig names the option it needs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/ip.h"

namespace topo {

// kVeth is every interface without `kind:`: a link's end, the loopback, or an
// 802.1Q sub-interface (model/vlan.h).
enum class IfKind { kVeth, kDummy, kVxlan, kMacvlan, kIpvlan, kBond, kVrf, kWireguard };

// "veth", "dummy", "vxlan", "macvlan", "ipvlan", "bond", "vrf", "wireguard":
// as the file writes them, and as the kernel names the link kind.
const char* IfKindName(IfKind k);
std::optional<IfKind> ParseIfKind(const std::string& name);
// The kernel option a kind needs ("CONFIG_VXLAN"), for the refusal when it
// answers that it has no such kind of device.
const char* KindConfig(IfKind k);

inline constexpr int kMinVni = 1;
inline constexpr int kMaxVni = 16777215;  // 24 bits
inline constexpr int kVxlanPort = 4789;   // IANA

// The modes macvlan, ipvlan and bond take (the file's spelling); the first
// of each list is the default.
const std::vector<std::string>& KindModes(IfKind k);

// One interface of a kind other than kVeth, as the plan and the backend
// carry it. Which fields mean something depends on `kind`:
//   vxlan:   vni, local, remote, port, parent (the underlay device, `dev`),
//            socket_here
//   macvlan: parent, mode (bridge|private|vepa|passthru)
//   ipvlan:  parent, mode (l2|l3|l3s)
//   bond:    mode (balance-rr|active-backup|balance-xor|broadcast|802.3ad|
//            balance-tlb|balance-alb); its members join it by set-master
//   vrf:     table; its members join it by set-master
//   dummy, wireguard: nothing
struct VirtualSpec {
  IfKind kind = IfKind::kVeth;
  int vni = 0;
  std::optional<IpAddress> local, remote;
  int port = kVxlanPort;
  std::string parent;
  std::string mode;
  unsigned table = 0;
  // vxlan: created in the namespace topo runs in (a machine's, see
  // model/machines.h), where its UDP socket stays, and moved into the
  // interface's namespace in the same request: the end of a link between
  // machines.
  bool socket_here = false;

  // "vxlan vni 100 local 10.0.0.1 remote 10.0.0.2 port 4789 dev eth0",
  // "macvlan on eth0 mode bridge", "dummy": the plan's text.
  std::string ToString() const;
  bool operator==(const VirtualSpec&) const = default;
};

}  // namespace topo
