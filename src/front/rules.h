// Check runs the semantic checks on a built Topology: everything a schema
// cannot say (cross references, names the kernel would reject, addressing and
// routing mistakes). It reports every problem it finds, errors and warnings,
// each at the place in the file that causes it.
#pragma once

#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo {

void Check(const Topology& topology, DiagnosticList* diags);

// Name rules shared with other stages. Each returns "" when the name is
// acceptable, or the reason it is not ("is longer than 15 bytes").
std::string InterfaceNameProblem(const std::string& name);
std::string NamespaceNameProblem(const std::string& name);

}  // namespace topo
