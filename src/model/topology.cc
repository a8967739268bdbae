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
  for (const Interface& i : interfaces)
    if (i.name == ifname) return &i;
  return nullptr;
}

Interface* Node::FindInterface(const std::string& ifname) {
  for (Interface& i : interfaces)
    if (i.name == ifname) return &i;
  return nullptr;
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

const Node* Topology::FindNode(const std::string& n) const {
  for (const Node& node : nodes)
    if (node.name == n) return &node;
  return nullptr;
}

Node* Topology::FindNode(const std::string& n) {
  for (Node& node : nodes)
    if (node.name == n) return &node;
  return nullptr;
}

}  // namespace topo
