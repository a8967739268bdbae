// The machines of a lab that spans several (`machines:`), and what a link
// between two of them needs: a VXLAN pair over the machines' underlay, whose
// encapsulation takes room from the underlay's MTU. Plain values; which node
// is on which machine is decided by place/place.h and kept in the Topology
// (Node::placement, Link::vni).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/ip.h"
#include "model/source.h"

namespace topo {

inline constexpr int kDefaultUnderlayMtu = 1500;

// One entry of `machines:`: its name, the underlay address topo uses there,
// its placement rule (node names or fnmatch globs) and the underlay's MTU.
struct Machine {
  std::string name;
  std::optional<IpAddress> address;
  std::vector<std::string> nodes;    // the rule, as written
  std::vector<Source> node_sources;  // parallel to nodes
  int mtu = kDefaultUnderlayMtu;
  Source src;                              // the name (the key)
  Source address_src, nodes_src, mtu_src;  // loc 0:0 when absent
};

// The bytes VXLAN adds to every packet over an underlay of this family:
// outer IP (20 or 40), UDP (8), VXLAN (8) and the inner Ethernet header (14).
int VxlanOverhead(int underlay_family);

// How a node came to be on its machine.
enum class PlacedBy { kNone, kNode, kRule, kAuto };
const char* PlacedByName(PlacedBy p);  // "", "machine", "rule", "automatic"

}  // namespace topo
