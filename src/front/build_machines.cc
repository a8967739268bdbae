// `machines:` and `underlay:` (model/machines.h): the machines a lab spans,
// their underlay addresses, placement rules and MTUs, and the UDP port of the
// VXLAN links between them. Tolerant like the rest of Build: what the schema
// rejects is skipped quietly; an address that does not parse is reported here.
#include <set>

#include "front/build.h"

namespace topo {
namespace {

bool IsMap(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }

Machine BuildMachine(const YAML::Node& key, const YAML::Node& body, const std::string& ptr,
                     DiagnosticList* diags) {
  Machine m;
  m.name = key.Scalar();
  m.src = SourceOf(key, ptr);
  if (!IsMap(body)) return m;
  const YAML::Node address = Field(body, ptr, "address", &m.address_src);
  if (IsScalar(address)) {
    m.address = ParseIp(address.Scalar());
    if (!m.address) {
      diags->Error(LocationOf(address), m.address_src.pointer,
                   "address '" + address.Scalar() + "' of machine '" + m.name +
                       "' is not a valid IPv4 or IPv6 address",
                   "write the address topo uses on that machine, without a prefix length, e.g. "
                   "10.77.0.1");
    }
  }
  const YAML::Node nodes = Field(body, ptr, "nodes", &m.nodes_src);
  if (nodes.IsDefined() && nodes.IsSequence()) {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!IsScalar(nodes[i])) continue;
      m.nodes.push_back(nodes[i].Scalar());
      m.node_sources.push_back(
          SourceOf(nodes[i], PointerJoin(m.nodes_src.pointer, std::to_string(i))));
    }
  }
  const YAML::Node mtu = Field(body, ptr, "mtu", &m.mtu_src);
  if (IsScalar(mtu)) {
    try {
      m.mtu = std::stoi(mtu.Scalar());
    } catch (const std::exception&) {  // the schema reports it
    }
  }
  return m;
}

}  // namespace

void BuildMachines(const Document& doc, Topology* t, DiagnosticList* diags) {
  const YAML::Node& root = doc.root;
  if (!IsMap(root)) return;
  const YAML::Node machines = Field(root, "", "machines", &t->machines_src);
  if (IsMap(machines)) {
    std::set<std::string> seen;
    for (const auto& kv : machines) {
      if (!IsScalar(kv.first) || !seen.insert(kv.first.Scalar()).second) continue;
      t->machines.push_back(
          BuildMachine(kv.first, kv.second, PointerJoin("/machines", kv.first.Scalar()), diags));
    }
  }
  const YAML::Node underlay = root["underlay"];
  if (IsMap(underlay)) {
    if (auto port = ParsePort(Field(underlay, "/underlay", "port", &t->underlay_port_src))) {
      t->underlay_port = *port;
    }
  }
}

}  // namespace topo
