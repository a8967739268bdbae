// Build turns a loaded YAML tree into the typed Topology. It is tolerant: parts
// the schema already rejected (wrong types, unknown keys) are skipped quietly,
// so Build can run after a failed schema check and still find more problems.
// What only Build can see, values that do not parse (addresses, prefixes, MACs,
// link endpoints), it reports with the value's location.
#pragma once

#include "front/load.h"
#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo {

Topology Build(const Document& doc, DiagnosticList* diags);

// Helpers shared by build.cc and build_checks.cc.
// The source of node `n` at JSON pointer `pointer`.
Source SourceOf(const YAML::Node& n, const std::string& pointer);
// Whether `n` is present and a scalar (yaml-cpp throws when an absent node is asked).
bool IsScalar(const YAML::Node& n);

// The `checks:` section (build_checks.cc), called by Build.
void BuildChecks(const Document& doc, Topology* topology, DiagnosticList* diags);

}  // namespace topo
