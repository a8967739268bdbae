// The JSON Schema of the topology format (schemas/topology.schema.json, compiled
// into the library) and the first validation stage: checking a loaded YAML tree
// against it with valijson. Every violation becomes a located diagnostic; the
// stage never stops at the first one.
#pragma once

#include <yaml-cpp/yaml.h>

#include "model/diagnostic.h"

namespace topo {

extern const char* const kTopologySchemaJson;

// Appends one diagnostic per schema violation, located at the offending YAML node.
// Returns true when the tree conforms.
bool CheckSchema(const YAML::Node& root, DiagnosticList* diags);

}  // namespace topo
