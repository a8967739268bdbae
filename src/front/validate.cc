#include "front/validate.h"

#include "derive/addresses.h"
#include "derive/neighbours.h"
#include "derive/routes.h"
#include "front/build.h"
#include "front/rules.h"
#include "front/schema.h"
#include "place/place.h"

namespace topo {

std::optional<Topology> Validate(const Document& doc, const ValidateOptions& options,
                                 DiagnosticList* diags) {
  CheckSchema(doc.root, diags);
  Topology t = Build(doc, diags);
  if (options.prefix) t.prefix = *options.prefix;
  t.allowed_host_routes = options.allowed_host_routes;
  // Automatic addresses before the rules that look at addresses; automatic
  // routes once the lab is known to be well formed.
  AssignAddresses(&t, diags);
  // After the interfaces links imply exist (the inner MTU goes on them),
  // before the rules, which look at which links cross machines.
  Place(&t);
  CheckAutoRoutes(t, diags);
  Check(t, diags);
  if (!diags->has_errors()) ComputeRoutes(&t, diags);
  if (diags->has_errors()) return std::nullopt;
  WarnNeighbourLimits(t, {options.neighbour_limit_v4, options.neighbour_limit_v6}, diags);
  return t;
}

std::optional<Topology> LoadAndValidate(const std::string& path, const ValidateOptions& options,
                                        Document* doc, DiagnosticList* diags) {
  std::optional<Topology> t;
  if (LoadFile(path, doc, diags, options.limits)) t = Validate(*doc, options, diags);
  diags->Sort();
  if (diags->has_errors()) return std::nullopt;
  return t;
}

}  // namespace topo
