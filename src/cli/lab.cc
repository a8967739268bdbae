// What `topo up`, `topo test` and `topo run` share: bringing a lab up through
// the session (lab/session.h) with progress, and tearing it down again. See
// BringUp and TearDown in cli/common.h.
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/common.h"
#include "cli/log.h"
#include "cli/test_hooks.h"
#include "lab/lab.h"
#include "lab/session.h"
#include "lab/state.h"
#include "model/diagnostic.h"

namespace topo::cli {

std::optional<UpRun> BringUp(Loaded loaded, const std::atomic<bool>* cancel, int failure_exit,
                             int* exit_code, std::function<Status(const Plan&)> before_programs) {
  if (!RequireRoot("topo up")) {
    *exit_code = failure_exit;
    return std::nullopt;
  }
  auto backend = MakeBackend();
  StateStore store;
  OperationLog log("up", store);
  BringUpOptions options;
  options.cancel = cancel;
  options.on_attempt = [&](const Plan& plan) { log.Start(plan.lab, plan.actions.size()); };
  options.observer = &log;
  options.before_programs = std::move(before_programs);
  InstallTestHooks(&options);
  BringUpResult r = BringUp(&loaded, *backend, store, options);
  log.Finish(r.status.ok() ? "" : r.status.message());
  if (!r.status.ok()) {
    PrintError(r.status.message());
    const ApplyResult& apply = r.up.apply;
    if (apply.rolled_back) {
      if (apply.rollback.ended_processes > 0) {
        std::cerr << "topo: " << EndedProcesses(apply.rollback) << "\n";
      }
      if (apply.rollback.ok()) {
        std::cerr << "topo: rolled back " << apply.applied
                  << " completed actions; the machine is as it was\n";
      } else {
        for (const std::string& e : apply.rollback.errors) PrintError("rollback: " + e);
        std::cerr << "topo: run `topo down " << loaded.plan->lab << "` to finish the cleanup\n";
      }
    }
    *exit_code = failure_exit;
    return std::nullopt;
  }
  if (!r.warning.empty()) std::cerr << "topo: warning: " << r.warning << "\n";
  UpRun run;
  run.plan = std::move(*loaded.plan);
  run.topology = std::move(*loaded.topology);
  run.ms = r.ms;
  return run;
}

std::optional<UpRun> BringUp(const LoadRequest& request, const std::atomic<bool>* cancel,
                             int failure_exit, int* exit_code,
                             std::function<Status(const Plan&)> before_programs) {
  // A lab across machines: this machine's part, which must be here.
  LoadRequest here = request;
  std::unique_ptr<Backend> probe;
  FindMachineWith(&here, &probe);
  here.machine_here = true;
  std::optional<Loaded> loaded = LoadOrReport(here);
  if (!loaded) {
    *exit_code = kExitInvalid;
    return std::nullopt;
  }
  return BringUp(std::move(*loaded), cancel, failure_exit, exit_code, std::move(before_programs));
}

DownResult TakeDown(const std::string& lab, const Plan* fallback, const std::atomic<bool>* cancel) {
  auto backend = MakeBackend();
  StateStore store;
  OperationLog log("down", store, lab);  // starts at the first event, which knows the total
  DownOptions options;
  options.observer = &log;
  InstallTestHooks(&options);
  options.fallback_plan = fallback;
  options.cancel = cancel;
  DownResult r = Down(lab, *backend, store, options);
  log.Finish(r.status.ok() ? "" : r.status.message());
  return r;
}

void PrintDownErrors(const DownResult& r) {
  PrintError(r.status.message());
  for (size_t i = 1; i < r.report.errors.size(); ++i) PrintError(r.report.errors[i]);
}

void PrintDownWarnings(const std::string& lab, const DownResult& r) {
  auto warn = [](const std::string& text) {
    std::cerr << "topo: warning: " << EscapeForTerminal(text) << "\n";
  };
  if (!r.damage.empty()) {
    std::string what;
    for (const std::string& d : r.damage) what += (what.empty() ? "" : "; ") + d;
    warn("the record of lab '" + lab + "' was damaged (" + what +
         "): everything it still names was looked for and removed where found");
    if (!r.plan_known) {
      warn("lab '" + lab +
           "': with plan.json lost, only its namespaces and their /etc/netns files are known; "
           "what it changed on the host (a node of kind root: interfaces, addresses, routes, "
           "sysctls, SNAT rules) could not be verified (`topo down FILE` with its topology "
           "file compiles the plan again)");
    }
  }
  if (r.ended_children > 0) {
    warn("lab '" + lab + "': " + std::to_string(r.ended_children) +
         (r.ended_children == 1 ? " program" : " programs") +
         " an earlier topo ran for it (iptables-restore of an `up` or `down` that was killed) "
         "still ran; ended before anything was removed");
  }
  for (const std::string& n : r.report.not_ours) warn(n);
  for (const std::string& n : r.report.unverified_left) {
    warn(n + " may be the lab's but nothing verifies it (no identity survives); left as it is");
  }
  if (!r.report.unverified.empty()) {
    std::string names;
    const size_t shown = std::min<size_t>(r.report.unverified.size(), 5);
    for (size_t i = 0; i < shown; ++i) names += (i ? ", " : "") + r.report.unverified[i];
    if (r.report.unverified.size() > shown) {
      names += " and " + std::to_string(r.report.unverified.size() - shown) + " more";
    }
    std::cerr << "topo: note: removed by name, with no identity recorded to check it against: "
              << EscapeForTerminal(names) << "\n";
  }
}

std::string EndedProcesses(const TeardownReport& report) {
  size_t n = report.ended_processes;
  return "ended " + std::to_string(n) + (n == 1 ? " process" : " processes") +
         " started outside the lab file";
}

bool TearDown(const std::string& lab) {
  DownResult r = TakeDown(lab);
  PrintDownWarnings(lab, r);
  if (r.report.ended_processes > 0) {
    std::cerr << "topo: lab '" << lab << "': " << EndedProcesses(r.report) << "\n";
  }
  if (r.status.ok()) return true;
  PrintDownErrors(r);
  std::cerr << "topo: run `topo down " << lab << "` to finish the cleanup\n";
  return false;
}

}  // namespace topo::cli
