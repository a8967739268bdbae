#include "model/topology.h"

namespace topo {

const char* NodeKindName(NodeKind k) {
  switch (k) {
    case NodeKind::kHost:
      return "host";
    case NodeKind::kRouter:
      return "router";
    case NodeKind::kSwitch:
      return "switch";
    case NodeKind::kRoot:
      return "root";
  }
  return "?";
}

const Source* ImpairmentSpec::KeySource(const std::string& key) const {
  for (const auto& [k, at] : keys)
    if (k == key) return &at;
  return nullptr;
}

const Machine* Topology::FindMachine(const std::string& machine_name) const {
  for (const Machine& m : machines)
    if (m.name == machine_name) return &m;
  return nullptr;
}

const Interface* Node::FindInterface(const std::string& ifname) const {
  return interface_index.Find(interfaces, ifname);
}

Interface* Node::FindInterface(const std::string& ifname) {
  return const_cast<Interface*>(interface_index.Find(interfaces, ifname));
}

bool Node::vlan_filtering() const {
  if (!is_switch()) return false;
  for (const Interface& i : interfaces)
    if (!i.port_vlans.empty()) return true;
  return false;
}

const Program* Node::FindProgram(const std::string& program) const {
  for (const Program& p : programs)
    if (p.name == program) return &p;
  return nullptr;
}

const Node* Topology::FindNode(const std::string& n) const { return node_index.Find(nodes, n); }

Node* Topology::FindNode(const std::string& n) {
  return const_cast<Node*>(node_index.Find(nodes, n));
}

}  // namespace topo
