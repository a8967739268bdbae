// topo up FILE [--prefix P]: build the lab in the kernel, or change nothing.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "cli_common.h"
#include "lab.h"
#include "state.h"

namespace topo::cli {

void RegisterUp(CLI::App& app) {
  auto* cmd = app.add_subcommand("up", "Bring a lab up (rolled back completely on any failure)");
  struct Opts {
    std::string file;
    std::optional<std::string> prefix;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("file", o->file, "Topology file")->required();
  cmd->add_option("--prefix", o->prefix, "Namespace name prefix (overrides the file's)");
  cmd->callback([o] {
    LoadOptions lo;
    lo.file = o->file;
    lo.prefix = o->prefix;
    auto plan = LoadPlan(lo);
    if (!plan || !RequireRoot("topo up")) return;
    const std::atomic<bool>* cancel = InstallCancelHandlers();
    auto backend = MakeBackend();
    StateStore store;
    auto start = std::chrono::steady_clock::now();
    UpOptions uo;
    uo.cancel = cancel;
    // Test hook: TOPO_TEST_STOP_AFTER=N stops the process (SIGSTOP) after N
    // completed actions, so crash tests can SIGKILL it at an exact point.
    if (const char* stop = std::getenv("TOPO_TEST_STOP_AFTER")) {
      size_t n = std::strtoul(stop, nullptr, 10);
      uo.on_action = [n](size_t i, const Action&) {
        if (i + 1 == n) ::raise(SIGSTOP);
      };
    }
    UpResult r = Up(*plan, *backend, store, uo);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!r.status.ok()) {
      PrintError(r.status.message());
      if (r.apply.rolled_back) {
        if (r.apply.rollback.ok()) {
          std::cerr << "topo: rolled back " << r.apply.applied
                    << " completed actions; the machine is as it was\n";
        } else {
          for (const std::string& e : r.apply.rollback.errors) PrintError("rollback: " + e);
          std::cerr << "topo: run `topo down " << plan->lab << "` to finish the cleanup\n";
        }
      }
      g_exit_code = kExitFailure;
      return;
    }
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f", ms);
    std::cout << "lab '" << plan->lab << "' is up: " << plan->namespaces.size() << " namespaces, "
              << plan->actions.size() << " actions in " << buf << " ms\n";
  });
}

}  // namespace topo::cli
