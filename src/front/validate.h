// Validate is the whole front end after Load: the JSON Schema check, Build,
// and the semantic checks, collecting every diagnostic. A topology comes out
// only when there are no errors (warnings are allowed; --strict is the CLI's
// business).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "front/load.h"
#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo {

struct ValidateOptions {
  // Replaces the file's `prefix` (the CLI's --prefix) before names are checked.
  std::optional<std::string> prefix;
  // Host routes of a root node exempt from the rules of model/host_routes.h
  // (the CLI's --allow-host-route PREFIX, repeatable).
  std::vector<Prefix> allowed_host_routes;
  // Resource bounds for LoadAndValidate's loading step.
  LoadLimits limits;
};

std::optional<Topology> Validate(const Document& doc, const ValidateOptions& options,
                                 DiagnosticList* diags);

// Load + Validate a file in one call; diagnostics are sorted by position.
std::optional<Topology> LoadAndValidate(const std::string& path, const ValidateOptions& options,
                                        Document* doc, DiagnosticList* diags);

}  // namespace topo
