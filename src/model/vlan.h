// 802.1Q VLANs: the ids a sub-interface (`eth0.10`) and a switch port (`access`,
// `trunk`, `native`) use, and how a sub-interface's name says its parent and id.
// Plain values shared by the topology, the plan and the backend.
#pragma once

#include <string>
#include <vector>

namespace topo {

inline constexpr int kMinVlan = 1;
inline constexpr int kMaxVlan = 4094;  // 0 and 4095 are reserved by 802.1Q

// The VLANs of one switch port on a VLAN-filtering bridge: at most one
// untagged VLAN (the port's pvid: `access`, or a trunk's `native`) and any
// number of tagged ones (a trunk's list). Both empty: the bridge's default
// (VLAN 1, untagged).
struct PortVlans {
  int untagged = 0;  // 0: none
  std::vector<int> tagged;

  bool empty() const { return untagged == 0 && tagged.empty(); }
  // "access 10" (untagged only), "trunk 10,20", "trunk 10,20 native 30".
  std::string ToString() const;
  bool operator==(const PortVlans&) const = default;
};

// Splits an interface name of the form PARENT.ID (ID decimal digits, PARENT
// not empty) into its parent and id: false for any other name. An id too big
// for an int is returned as kMaxVlan + 1 (out of range, as it is).
bool SplitVlanName(const std::string& name, std::string* parent, int* id);

}  // namespace topo
