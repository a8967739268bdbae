// Compile turns a valid Topology into a Plan. The order is the one the kernel
// needs and is fully determined by the file: namespaces, loopbacks up, (in
// labs that use IPv6) NamespaceSysctls, veth pairs, bridges (switches), MTU
// and MAC, VLAN sub-interfaces, interfaces of a kind (dummy, vxlan, ...) and
// bond/VRF members joining them, switch ports joining their bridge, sysctls
// (forwarding before NAT), addresses, links up, routes (after the addresses and links they
// depend on), SNAT, /etc/netns files; then what runs in the nodes: each
// node's private directories and files, and the programs (kStartProgram) in a
// stable order where each comes after the programs it waits for, with lab
// facts substituted (model/substitute.h). The same topology always gives the
// same plan. A node of kind root gets no namespace: its actions carry ns ""
// (the root namespace).
#pragma once

#include "model/topology.h"
#include "plan/plan.h"

namespace topo {

Plan Compile(const Topology& topology, const std::string& source_file = "");

// The sysctls the namespace of every host and router of a lab that uses
// IPv6 (an IPv6 address or route anywhere) gets before its interfaces exist:
// no duplicate address detection for the link-local addresses the kernel
// gives interfaces (topo adds its own addresses with IFA_F_NODAD). Otherwise
// a link-local stays tentative for a second or two after `up`, and a router
// cannot resolve a neighbour for the packets it forwards (a neighbour
// solicitation for another node's packet needs a link-local source address),
// so routed IPv6 is lost while direct neighbours and IPv4 work. The kernel
// skips DAD when both `default` (copied into each new interface) and `all`
// are 0; `all` is 0 in a new namespace unless net.core.devconf_inherit_init_net
// copies a host's that is not.
std::vector<std::pair<std::string, std::string>> NamespaceSysctls();

// The sysctls a node of this kind needs (a router forwards IPv4 and IPv6).
std::vector<std::pair<std::string, std::string>> KindSysctls(NodeKind kind);

}  // namespace topo
