// topo plan FILE [--json | --format shell [--teardown]]: print the compiled plan.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common.h"

namespace topo::cli {

Verb RegisterPlan(CLI::App& app) {
  auto* cmd = app.add_subcommand("plan", "Print the ordered actions that `up` would perform");
  struct Opts {
    std::string file, format = "text";
    bool json = false, teardown = false;
    std::optional<std::string> prefix;
    std::vector<Prefix> allowed_host_routes;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("file", o->file, "Topology file")->required();
  cmd->add_option("--format", o->format, "text, json or shell")
      ->check(CLI::IsMember({"text", "json", "shell"}));
  cmd->add_flag("--json", o->json, "Same as --format json");
  cmd->add_flag("--teardown", o->teardown, "With --format shell: the script that removes the lab");
  cmd->add_option("--prefix", o->prefix, "Namespace name prefix (overrides the file's)");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  return {cmd, [o]() -> int {
            if (o->json && o->format != "text" && o->format != "json") {
              PrintError("--json and --format " + o->format + " contradict each other");
              return kExitInvalid;
            }
            std::string format = o->json ? "json" : o->format;
            if (o->teardown && format != "shell") {
              PrintError(
                  "--teardown goes with --format shell (the text and JSON plans list each "
                  "action's inverse already)");
              return kExitInvalid;
            }
            LoadRequest request;
            request.file = o->file;
            request.prefix = o->prefix;
            request.allowed_host_routes = o->allowed_host_routes;
            std::optional<Loaded> loaded = LoadOrReport(request);
            if (!loaded) return kExitInvalid;
            const std::optional<Plan>& plan = loaded->plan;
            if (format == "json") {
              std::cout << PlanToJson(*plan).dump(2, ' ', false,
                                                  nlohmann::json::error_handler_t::replace)
                        << "\n";
            } else if (format == "shell") {
              std::cout << FormatPlanShell(*plan, o->teardown);
            } else {
              std::cout << FormatPlanText(*plan);
            }
            return kExitOk;
          }};
}

}  // namespace topo::cli
