// topo plan FILE [--json | --format shell [--teardown]] [--machine NAME]:
// print the compiled plan; of a lab across machines without --machine, every
// machine's part, each under a "# machine NAME" heading (JSON: an object of
// the parts by machine).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "plan/compile.h"

namespace topo::cli {
namespace {

std::string Formatted(const Plan& plan, const std::string& format, bool teardown) {
  if (format == "json") {
    return PlanToJson(plan).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return format == "shell" ? FormatPlanShell(plan, teardown) : FormatPlanText(plan);
}

}  // namespace

Verb RegisterPlan(CLI::App& app) {
  auto* cmd = app.add_subcommand("plan", "Print the ordered actions that `up` would perform");
  struct Opts {
    std::string file, format = "text";
    bool json = false, teardown = false;
    std::optional<std::string> prefix;
    std::vector<Prefix> allowed_host_routes;
    std::string machine;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("file", o->file, "Topology file")->required();
  cmd->add_option("--format", o->format, "text, json or shell")
      ->check(CLI::IsMember({"text", "json", "shell"}));
  cmd->add_flag("--json", o->json, "Same as --format json");
  cmd->add_flag("--teardown", o->teardown, "With --format shell: the script that removes the lab");
  cmd->add_option("--prefix", o->prefix, "Namespace name prefix (overrides the file's)");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  cmd->add_option("--machine", o->machine,
                  "A lab across machines: this machine's part (default: every part)");
  return {
      cmd, [o]() -> int {
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
        request.machine = o->machine;
        std::optional<Loaded> loaded = LoadOrReport(request);
        if (!loaded) return kExitInvalid;
        const Topology& t = *loaded->topology;
        if (t.machines.empty() || !loaded->machine.empty()) {
          std::cout << Formatted(*loaded->plan, format, o->teardown);
          return kExitOk;
        }
        nlohmann::json parts = nlohmann::json::object();
        for (const Machine& m : t.machines) {
          const Plan part = CompileMachine(t, m.name, loaded->file);
          if (format == "json") {
            parts[m.name] = PlanToJson(part);
          } else {
            std::cout << (&m == &t.machines.front() ? "" : "\n") << "# machine " << m.name << "\n"
                      << Formatted(part, format, o->teardown);
          }
        }
        if (format == "json") {
          std::cout << parts.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        }
        return kExitOk;
      }};
}

}  // namespace topo::cli
