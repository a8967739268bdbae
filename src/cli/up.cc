// topo up FILE [--prefix P|auto] [--machine NAME]: build the lab in the kernel, or change nothing.
#include <cstdio>
#include <iostream>

#include "cli/common.h"
#include "model/diagnostic.h"

namespace topo::cli {

Verb RegisterUp(CLI::App& app) {
  auto* cmd = app.add_subcommand("up", "Bring a lab up (rolled back completely on any failure)");
  struct Opts {
    std::string file;
    std::optional<std::string> prefix;
    std::vector<Prefix> allowed_host_routes;
    std::string machine;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("file", o->file, "Topology file")->required();
  cmd->add_option("--prefix", o->prefix,
                  "Namespace name prefix (overrides the file's); 'auto' picks a unique one");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  AddMachineOption(cmd, &o->machine);
  return {cmd, [o]() -> int {
            LoadRequest request;
            request.file = o->file;
            request.prefix = o->prefix;
            request.allowed_host_routes = o->allowed_host_routes;
            request.machine = o->machine;
            request.neighbour_warning = true;
            const std::atomic<bool>* cancel = InstallCancelHandlers();
            int code = kExitOk;
            auto run = BringUp(request, cancel, kExitFailure, &code);
            if (!run) return code;
            char buf[32];
            std::snprintf(buf, sizeof(buf), "%.1f", run->ms);
            std::cout << "lab '" << run->plan.lab
                      << "' is up: " << Counted(run->plan.namespaces.size(), "namespace") << ", "
                      << Counted(run->plan.actions.size(), "action") << " in " << buf << " ms\n";
            return kExitOk;
          }};
}

}  // namespace topo::cli
