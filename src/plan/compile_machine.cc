// One machine's part of a lab across machines (compile.h): its nodes, the
// links within it, and its ends of the links to other machines as VXLAN
// interfaces.
#include "plan/compile.h"
#include "plan/compile_internal.h"

namespace topo {
namespace compile_internal {

std::optional<Action> VxlanEnd(const Topology& t, const Topology& whole, const Link& l) {
  const Node* a = t.FindNode(l.a.node);
  const Node* b = t.FindNode(l.b.node);
  if ((a == nullptr) == (b == nullptr)) return std::nullopt;
  const Node& here = a ? *a : *b;
  const Endpoint& end = a ? l.a : l.b;
  const Node* far = whole.FindNode(a ? l.b.node : l.a.node);
  const Machine* mine = whole.FindMachine(here.placement);
  const Machine* theirs = far ? whole.FindMachine(far->placement) : nullptr;
  if (!mine || !theirs) return std::nullopt;  // validation has said so
  Action out;
  out.kind = ActionKind::kCreateInterface;
  out.node = here.name;
  out.ns = t.NamespaceOfNode(here);
  out.ifname = end.interface;
  out.virt.kind = IfKind::kVxlan;
  out.virt.vni = l.vni;
  out.virt.local = mine->address;
  out.virt.remote = theirs->address;
  out.virt.port = whole.underlay_port;
  out.virt.socket_here = true;
  return out;
}

}  // namespace compile_internal

std::string PartName(const std::string& lab, const std::string& machine) {
  return lab + "@" + machine;
}

Plan CompileMachine(const Topology& t, const std::string& machine, const std::string& source_file) {
  Topology part;
  part.name = t.name;
  part.prefix = t.prefix;
  part.machines = t.machines;
  part.underlay_port = t.underlay_port;
  for (const Node& n : t.nodes) {
    if (n.placement == machine) part.nodes.push_back(n);
  }
  for (const Link& l : t.links) {
    const Node* a = t.FindNode(l.a.node);
    const Node* b = t.FindNode(l.b.node);
    if ((a && a->placement == machine) || (b && b->placement == machine)) {
      part.links.push_back(l);
    }
  }
  Plan plan = compile_internal::CompileOf(part, t, source_file);
  plan.lab = PartName(t.LabName(), machine);
  return plan;
}

}  // namespace topo
