// Placement of a lab's nodes on its machines (`machines:`, model/machines.h),
// and the VNI of every link between two machines. A pure function of the
// Topology: the same file always gives the same placement and VNIs.
//
// A node's `machine:` wins; then the machines' `nodes:` rules (names or
// fnmatch globs); the rest, but for nodes of kind root (which must be placed
// explicitly), are placed automatically: in breadth-first order over the
// links, each on the machine it has most links to, no machine getting more
// than ceil(N/M) of the N automatically placed nodes. Place reports nothing:
// what it cannot decide (an unknown machine, a node two machines' rules
// claim, a root node no one places) it leaves unplaced, and the rules of
// front/ (rules_machines.cc) say why, with MatchingRules.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "model/topology.h"

namespace topo {

// Whether a `nodes:` entry (a name or an fnmatch glob) matches `node`.
bool RuleMatches(const std::string& rule, const std::string& node);

struct RuleMatch {
  size_t machine;  // index into Topology::machines
  size_t rule;     // index into that machine's nodes
};
// The first rule of each machine that matches `node`, in machine order.
std::vector<RuleMatch> MatchingRules(const Topology& t, const std::string& node);

// The VNI a link of lab `lab` (prefix + name) gets unless written or taken:
// 1 to kMaxVni, from a hash of the lab name and the link's endpoints.
int DerivedVni(const std::string& lab, const Link& l);

// The largest inner MTU of a link between machines `a` and `b`: the smaller
// underlay MTU less the VXLAN overhead of the underlay's family.
int InnerMtu(const Machine& a, const Machine& b);

// Sets every node's `placement` and `placed_by`, every link's `vni` (0 for
// links within one machine), and the MTU of the ends of links between
// machines that give none (InnerMtu). Nothing, in a lab without machines.
void Place(Topology* t);

}  // namespace topo
