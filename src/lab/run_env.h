// The environment `topo run` gives its command so that it can find the lab:
// TOPO_LAB, TOPO_PREFIX, TOPO_STATE_DIR, TOPO_JOURNAL, TOPO_TOPOLOGY,
// TOPO_NODES (the node names, space-separated) and TOPO_NS_<NODE> (each
// node's namespace; NODE upper-cased, every character other than a letter or
// digit made '_': node "edge-1" gives TOPO_NS_EDGE_1). Pure functions.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace topo {

// "edge-1" -> "TOPO_NS_EDGE_1".
std::string NamespaceVariable(const std::string& node);

// "KEY=value" entries. Two nodes whose variables would be the same name (a-b
// and a_b) keep the first; the second is named in *clashes.
std::vector<std::string> LabEnvironment(const Plan& plan, const std::string& state_dir,
                                        std::vector<std::string>* clashes);

}  // namespace topo
