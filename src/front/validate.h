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
  // The host's neighbour-table limits (gc_thresh3 for IPv4 and IPv6; 0: not
  // known, no warning). A lab that may need more gets a warning
  // (derive/neighbours.h); the CLI fills them for `up`, `test` and `run`.
  size_t neighbour_limit_v4 = 0, neighbour_limit_v6 = 0;
};

std::optional<Topology> Validate(const Document& doc, const ValidateOptions& options,
                                 DiagnosticList* diags);

// Load + Validate a file in one call; diagnostics are sorted by position.
std::optional<Topology> LoadAndValidate(const std::string& path, const ValidateOptions& options,
                                        Document* doc, DiagnosticList* diags);

}  // namespace topo
