// The shapes of gen.h as graphs: which nodes (in order), which links (in
// order, each end `node:interface`), which nodes are the hosts the checks
// connect, and the longest path between two hosts in routers crossed. Shape
// checks its sizes and says the allowed range when they are out of it.
//
// Naming, in every shape: hosts `hI` with one interface `eth0`; a router's or
// switch's interface is named after the node at its other end (`r1:h1`,
// `r2:r3`), so each name says where it leads.
#pragma once

#include <string>
#include <vector>

#include "gen/gen.h"
#include "model/status.h"

namespace topo::gen {

struct GenNode {
  std::string name;
  const char* kind;  // "host", "router", "switch"
};

struct GenLink {
  std::string a, ia, b, ib;
};

struct Graph {
  std::vector<GenNode> nodes;
  std::vector<GenLink> links;
  std::vector<std::string> hosts;    // in node order: the first and last are the checks' ends
  std::vector<std::string> routers;  // in node order
  bool has_switches = false;
  size_t segment_members = 0;  // interfaces on the (single) switch segment
  long longest_path = 0;       // routers between the two farthest hosts
};

// Builds options.shape at options.n, or says why not.
Status BuildShape(const Options& options, Graph* graph);

}  // namespace topo::gen
