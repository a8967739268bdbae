// Internals of the semantic checks (check.h): one function per concern, and the
// small helpers they share. Split over check.cc (names, sysctls), check_links.cc
// (links, addresses, MTUs, MACs), check_routes.cc (routes, snat) and
// check_impair.cc (impairments, name servers). Not part
// of the library's interface; include check.h instead.
//
// Every function appends to `diags` and reports every problem it sees; none
// stops early, and none assumes another has passed (Build may have skipped
// parts the schema rejected).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo::check_internal {

// The topology with the lookups the checks need, indexed once so that large
// labs are checked in O(n log n).
class LabIndex {
 public:
  explicit LabIndex(const Topology& t);

  const Topology& topology() const { return t_; }
  const Node* FindNode(const std::string& name) const;
  // The interface a link endpoint names, or nullptr when the node or interface is unknown.
  const Interface* FindEndpoint(const Endpoint& e) const;
  // The other end of the (first) link that wires node:ifname, or nullptr.
  const Endpoint* PeerOf(const std::string& node, const std::string& ifname) const;

 private:
  const Topology& t_;
  std::unordered_map<std::string, const Node*> nodes_;
  std::map<std::pair<std::string, std::string>, const Endpoint*> peers_;
};

void CheckNames(const LabIndex& lab, DiagnosticList* diags);
void CheckSysctls(const LabIndex& lab, DiagnosticList* diags);
void CheckLinks(const LabIndex& lab, DiagnosticList* diags);
void CheckAddresses(const LabIndex& lab, DiagnosticList* diags);
void CheckLinkSubnets(const LabIndex& lab, DiagnosticList* diags);
void CheckMtus(const LabIndex& lab, DiagnosticList* diags);
void CheckMacs(const LabIndex& lab, DiagnosticList* diags);
void CheckRoutes(const LabIndex& lab, DiagnosticList* diags);
void CheckSnat(const LabIndex& lab, DiagnosticList* diags);
// rules_firewall.cc: port forwards and firewall rules.
void CheckFirewall(const LabIndex& lab, DiagnosticList* diags);
// check_kinds.cc: switches (layer 2) and the root node.
void CheckSwitches(const LabIndex& lab, DiagnosticList* diags);
void CheckRootNodes(const LabIndex& lab, DiagnosticList* diags);
// rules_host.cc: the routes the root node adds to the host, against the
// rules that need only the file (model/host_routes.h).
void CheckHostRoutes(const Topology& t, const Node& root, DiagnosticList* diags);
// The interfaces that node:ifname reaches at layer 2: its link's other end,
// or, when that is a switch port, every other host or router interface
// linked to that switch (and to switches linked to it).
std::vector<const Endpoint*> SegmentNeighbours(const LabIndex& lab, const std::string& node,
                                               const std::string& ifname);
// rules_vlans.cc: 802.1Q sub-interfaces and switch port VLANs.
void CheckVlans(const LabIndex& lab, DiagnosticList* diags);
// rules_ifkinds.cc: interfaces of a `kind:` (dummy, vxlan, macvlan, ...).
void CheckInterfaceKinds(const LabIndex& lab, DiagnosticList* diags);
// rules_machines.cc: machines, placement, and links between machines.
void CheckMachines(const LabIndex& lab, DiagnosticList* diags);
void CheckImpairments(const LabIndex& lab, DiagnosticList* diags);
void CheckDns(const LabIndex& lab, DiagnosticList* diags);
void CheckDeclaredChecks(const LabIndex& lab, DiagnosticList* diags);  // check_checks.cc
// rules_programs.cc: dirs, files and programs of nodes, and checks' `tcp: PROGRAM`.
void CheckPrograms(const LabIndex& lab, DiagnosticList* diags);
// Why `path` is not a path topo may give a node's files, private dirs or
// readiness ("" when it is fine); `allow_root` accepts "/" and any place (cwd).
std::string NodePathProblem(const std::string& path, bool allow_root = false);

// 'name', with control bytes shown as \xNN so a hostile name cannot garble output.
std::string Quote(std::string_view s);
// Free text from the file that topo prints (check names, sysctl values) holds
// only what a terminal shows as written: "" if so, else why not (control
// characters such as ESC or newline, invalid UTF-8, bidirectional overrides).
// Tabs pass with `allow_tabs`.
std::string UnprintableProblem(std::string_view s, bool allow_tabs = false);
// The specific source (a route's `via`) when it is known, else the fallback (the route).
const Source& Prefer(const Source& specific, const Source& fallback);
void ErrorAt(DiagnosticList* diags, const Source& src, std::string message, std::string hint = "");
void WarningAt(DiagnosticList* diags, const Source& src, std::string message,
               std::string hint = "");

std::string FamilyName(int family);  // "IPv4" or "IPv6"
std::vector<std::string> NodeNames(const Topology& t);
std::vector<std::string> InterfaceNames(const Node& n, bool with_lo = true);
// "server:vethS", as endpoints are written.
std::string Qualified(const Node& n, const Interface& i);

// An address that can identify an interface on a link: not unspecified,
// loopback, multicast or link-local (model/ip.h).
bool IsRoutable(const IpAddress& a);

}  // namespace topo::check_internal
