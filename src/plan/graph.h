// Graph draws a topology: nodes shaped by kind, links labelled at each end with
// the interface name and its addresses, and in the middle with what the link
// itself carries (MTU, and impairments once links have them). A VXLAN tunnel
// between two nodes is a dashed edge labelled with its VNI; interfaces no
// link names (dummies, VLAN sub-interfaces, ...) are in their node's label.
// Two notations: Graphviz DOT (`dot -Tsvg` turns it into a picture) and Mermaid (`graph LR`,
// which Markdown renderers such as GitHub's draw).
//
// Pure functions of the topology: the same topology always gives the same
// text, byte for byte, with nodes and links in the file's order.
#pragma once

#include <string>
#include <vector>

#include "model/topology.h"

namespace topo {

std::string GraphToDot(const Topology& topology);
std::string GraphToMermaid(const Topology& topology);

// How a node of each kind is drawn. A new kind is one entry in the table in graph.cc.
struct KindStyle {
  NodeKind kind;
  const char* dot_attributes;  // "shape=box, style=rounded"
  const char* mermaid_open;    // the Mermaid shape around the label: "(" ... ")"
  const char* mermaid_close;
};
const KindStyle& StyleOf(NodeKind kind);

// What a link's middle label says, one item a line: "mtu 9000". Link properties
// that are not about one end (impairments: delay, loss, rate) belong here.
std::vector<std::string> LinkNotes(const Link& link);

}  // namespace topo
