// What `topo up`, `topo test` and `topo run` share: bringing a lab up (with
// progress, --prefix auto, and the lab's checks stored with it) and tearing it
// down again. See BringUp and TearDown in cli_common.h.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "checks/checks.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "lab/lab.h"
#include "lab/prefix.h"
#include "lab/state.h"

namespace topo::cli {

std::optional<UpRun> BringUp(const LoadOptions& options, const std::atomic<bool>* cancel,
                             int failure_exit) {
  // With --prefix auto, another process may take the drawn prefix between the
  // draw and `up`'s lock; `up` then refuses and a new one is drawn.
  for (int attempt = 0;; ++attempt) {
    UpRun run;
    LoadOptions lo = options;
    lo.topology_out = &run.topology;
    auto plan = LoadPlan(lo);
    if (!plan) return std::nullopt;
    if (!RequireRoot("topo up")) {
      g_exit_code = failure_exit;
      return std::nullopt;
    }
    auto backend = MakeBackend();
    StateStore store;
    Progress progress("up '" + plan->lab + "'", plan->actions.size());
    UpOptions uo;
    uo.cancel = cancel;
    // Test hook: TOPO_TEST_STOP_AFTER=N stops the process (SIGSTOP) after N
    // completed actions, so crash tests can SIGKILL it at an exact point.
    size_t stop_after = 0;
    if (const char* stop = std::getenv("TOPO_TEST_STOP_AFTER")) {
      stop_after = std::strtoul(stop, nullptr, 10);
    }
    uo.on_action = [&](size_t i, const Action&) {
      progress.Update(i + 1);
      if (stop_after != 0 && i + 1 == stop_after) ::raise(SIGSTOP);
    };
    auto start = std::chrono::steady_clock::now();
    UpResult r = Up(*plan, *backend, store, uo);
    progress.Finish();
    run.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!r.status.ok()) {
      if (IsAutoPrefix(options.prefix) && r.status.IsAlreadyExists() && !r.apply.rolled_back &&
          attempt < 3) {
        continue;
      }
      PrintError(r.status.message());
      if (r.apply.rolled_back) {
        if (r.apply.rollback.ended_processes > 0) {
          std::cerr << "topo: " << EndedProcesses(r.apply.rollback) << "\n";
        }
        if (r.apply.rollback.ok()) {
          std::cerr << "topo: rolled back " << r.apply.applied
                    << " completed actions; the machine is as it was\n";
        } else {
          for (const std::string& e : r.apply.rollback.errors) PrintError("rollback: " + e);
          std::cerr << "topo: run `topo down " << plan->lab << "` to finish the cleanup\n";
        }
      }
      g_exit_code = failure_exit;
      return std::nullopt;
    }
    if (!run.topology.checks.empty()) {
      const std::string checks = CheckSpecsToJson(ResolveChecks(run.topology)).dump(1) + "\n";
      if (Status s = store.WriteLabFile(plan->lab, "checks.json", checks); !s.ok()) {
        std::cerr << "topo: warning: could not store the lab's checks (`topo test --lab` will "
                     "not find them): "
                  << s.message() << "\n";
      }
    }
    run.plan = std::move(*plan);
    return run;
  }
}

std::string EndedProcesses(const TeardownReport& report) {
  size_t n = report.ended_processes;
  return "ended " + std::to_string(n) + (n == 1 ? " process" : " processes") +
         " started outside the lab file";
}

bool TearDown(const std::string& lab) {
  auto backend = MakeBackend();
  StateStore store;
  LabRecord rec;
  size_t total = store.ReadLab(lab, &rec).ok() ? rec.plan.actions.size() : 0;
  Progress progress("down '" + lab + "'", total);
  DownOptions options;
  options.on_progress = [&](size_t done, size_t) { progress.Update(done); };
  DownResult r = Down(lab, *backend, store, options);
  progress.Finish();
  if (r.report.ended_processes > 0) {
    std::cerr << "topo: lab '" << lab << "': " << EndedProcesses(r.report) << "\n";
  }
  if (r.status.ok()) return true;
  PrintError(r.status.message());
  for (size_t i = 1; i < r.report.errors.size(); ++i) PrintError(r.report.errors[i]);
  std::cerr << "topo: run `topo down " << lab << "` to finish the cleanup\n";
  return false;
}

}  // namespace topo::cli
