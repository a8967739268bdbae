// Questions about a topology's addresses that several layers ask (the
// validation rules, the declared checks): which address stands for a node,
// and which node holds an address. Pure functions of the Topology.
#pragma once

#include <optional>

#include "model/ip.h"
#include "model/topology.h"

namespace topo {

// The address that stands for node `n` (a check towards it goes there): its
// first IPv4 address that is not loopback, link-local or multicast (lo
// included, interfaces in file order), else its first such IPv6 address.
// With `family` 4 or 6, its first such address of that family only.
std::optional<IpAddress> NodeAddress(const Node& n, int family = 0);
// The node that has address `a` on one of its interfaces (nullptr: none).
// Loopback addresses (127.0.0.0/8, ::1) are not looked up: each namespace has its own.
const Node* NodeWithAddress(const Topology& t, const IpAddress& a);

}  // namespace topo
