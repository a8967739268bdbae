// topo validate FILE...: report every problem in each file; exit 0 valid, 2 invalid.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "lab/session.h"

namespace topo::cli {

Verb RegisterValidate(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Check topology files and report every problem");
  struct Opts {
    std::vector<std::string> files;
    bool json = false, strict = false;
    std::optional<std::string> prefix;
    std::vector<Prefix> allowed_host_routes;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("files", o->files, "Topology files")->required();
  cmd->add_flag("--json", o->json, "Print diagnostics as a JSON array");
  cmd->add_flag("--strict", o->strict, "Treat warnings as errors");
  cmd->add_option("--prefix", o->prefix, "Namespace name prefix (overrides the file's)");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  return {
      cmd, [o]() -> int {
        int rc = kExitOk;
        nlohmann::json all = nlohmann::json::array();
        for (const std::string& f : o->files) {
          LoadRequest request;
          request.file = f;
          request.prefix = o->prefix;
          request.strict = o->strict;
          request.allowed_host_routes = o->allowed_host_routes;
          Loaded loaded = LoadLab(request);
          if (!loaded.error.empty()) {
            PrintError(loaded.error);
            rc = kExitInvalid;
            continue;
          }
          if (o->json) {
            for (auto& d : DiagnosticsToJson(loaded.diags)) all.push_back(d);
          } else {
            std::cerr << loaded.Report();
          }
          const std::optional<Plan>& plan = loaded.plan;
          if (!plan) {
            rc = kExitInvalid;
          } else if (!o->json) {
            size_t nodes = plan->namespaces.size();
            for (const Action& a : plan->actions) {
              if (a.ns.empty() || (a.kind == ActionKind::kCreateVeth && a.peer_ns().empty())) {
                ++nodes;  // the root node, which has no namespace of its own
                break;
              }
            }
            std::cout << loaded.file << ": ok (lab '" << plan->lab << "', " << nodes << " nodes)\n";
          }
        }
        if (o->json)
          std::cout << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return rc;
      }};
}

}  // namespace topo::cli
