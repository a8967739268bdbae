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

// Compile of a lab across machines gives the whole lab on one machine (links
// between machines are veths, as any other).
//
// One machine's part of a lab across machines (`machines:`, place/place.h),
// compile_machine.cc: the nodes placed on `machine`, the links between them,
// and for each link to another machine this machine's end as a VXLAN
// interface (VNI the link's, local and remote the machines' addresses, port
// `underlay: port`), made from the namespace topo runs in, where its socket
// stays, and moved into its node's. The hosts file names every node of the
// lab. The plan's lab is PartName(lab, machine).
Plan CompileMachine(const Topology& topology, const std::string& machine,
                    const std::string& source_file = "");
// How a machine's part of a lab is named in the state directory: "LAB@MACHINE".
std::string PartName(const std::string& lab, const std::string& machine);

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
