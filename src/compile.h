// Compile turns a valid Topology into a Plan. The order is the one the kernel
// needs and is fully determined by the file: namespaces, loopbacks up, veth
// pairs, bridges (switches), MTU and MAC, switch ports joining their bridge,
// sysctls (forwarding before NAT), addresses, links up, routes (after the
// addresses and links they depend on), SNAT. The same topology always gives
// the same plan. A node of kind root gets no namespace: its actions carry
// ns "" (the root namespace).
#pragma once

#include "plan.h"
#include "topology.h"

namespace topo {

Plan Compile(const Topology& topology, const std::string& source_file = "");

// The sysctls a node of this kind needs (a router forwards IPv4 and IPv6).
std::vector<std::pair<std::string, std::string>> KindSysctls(NodeKind kind);

}  // namespace topo
