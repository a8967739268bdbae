// Shared pieces of the command-line verbs: exit codes, loading a topology with
// diagnostics printed, turning a lab argument (name or file) into a lab name,
// and signal handling that turns SIGINT/SIGTERM (and the like) into a
// cancellation flag.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "kernel/backend.h"
#include "lab/lab.h"
#include "lab/session.h"
#include "model/topology.h"
#include "plan/plan.h"

namespace topo::cli {

// Exit codes, documented in README.md.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // the operation failed (the machine is as it was)
constexpr int kExitInvalid = 2;  // invalid topology or usage
constexpr int kExitLab = 3;      // test/run: the lab could not be brought up or torn down

// A verb as registered with the parser: when its subcommand was given, main
// calls `run` after parsing and returns its exit status.
struct Verb {
  CLI::App* command = nullptr;
  std::function<int()> run;
};

// --allow-host-route PREFIX (repeatable) for the verbs that validate a file:
// a root node's host routes inside PREFIX are exempt from the rules of
// model/host_routes.h (link-local and metadata ranges, half the address space
// or more). A value that is not a prefix is a usage error (exit 2).
void AddAllowHostRouteOption(CLI::App* cmd, std::vector<Prefix>* out);

// Loads through the session (lab/session.h) and prints its diagnostics
// (warnings too) with their summary to stderr. Returns nullopt when the
// topology is invalid (exit status kExitInvalid).
std::optional<Loaded> LoadOrReport(const LoadRequest& request);

// A lab argument may be a lab name or a topology file; "" means "the one lab that is up".
// Returns the lab name, or prints an error, sets *exit_code and returns nullopt.
// `machine` (--machine): that machine's part, LAB@MACHINE; a file of a lab
// across machines without it means the part of the machine topo runs on.
std::optional<std::string> ResolveLab(const std::string& arg,
                                      const std::optional<std::string>& prefix, bool allow_none,
                                      int* exit_code, const std::string& machine = "");

// --machine NAME, for the verbs that work on one machine's part of a lab
// across machines (`machines:`); without it, the machine whose address is
// assigned where topo runs.
void AddMachineOption(CLI::App* cmd, std::string* machine);
// `request` (of a lab that may span machines) made to find its machine
// where topo runs, through *probe (made here when needed).
void FindMachineWith(LoadRequest* request, std::unique_ptr<Backend>* probe);

std::unique_ptr<Backend> MakeBackend();

// SIGPIPE and SIGXFSZ are ignored, for every verb: a write to a closed pipe
// (`topo test LAB | head -n1`) then fails with EPIPE and the stream stops
// printing, and the verb goes on to finish or roll back. Called by main.
void IgnoreOutputSignals();

// SIGINT, SIGTERM, SIGHUP and every other signal whose default action would
// end the process halfway (SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, real-time
// signals...) set this flag instead: `up` rolls back, `test` and `run` tear
// the lab down. Programs topo starts get default dispositions back
// (kernel/exec.h's ResetSignalsForExec).
const std::atomic<bool>* InstallCancelHandlers();
// The last signal that set the flag (0: none).
int CancelSignal();

// What `up`, `test` and `run` share (cli/lab.cc). BringUp brings a loaded lab
// up (the session's BringUp) with progress. On failure it prints why, sets
// *exit_code to `failure_exit` (kExitInvalid: the file is invalid) and
// returns nullopt.
struct UpRun {
  Plan plan;
  Topology topology;
  double ms = 0;
};
// `before_programs`: see BringUpOptions (lab/session.h).
std::optional<UpRun> BringUp(Loaded loaded, const std::atomic<bool>* cancel, int failure_exit,
                             int* exit_code,
                             std::function<Status(const Plan&)> before_programs = nullptr);
// Loads the file (LoadOrReport, exit code kExitInvalid) and brings it up.
std::optional<UpRun> BringUp(const LoadRequest& request, const std::atomic<bool>* cancel,
                             int failure_exit, int* exit_code,
                             std::function<Status(const Plan&)> before_programs = nullptr);
// Removes a lab with progress (lab.h's Down), printing nothing. `fallback`:
// the plan compiled from the file `down FILE` was given; `cancel`: the flag
// of InstallCancelHandlers, for `down` itself (DownOptions: it ends the wait
// for the lab's lock, never a removal that has begun).
DownResult TakeDown(const std::string& lab, const Plan* fallback = nullptr,
                    const std::atomic<bool>* cancel = nullptr);
// After a verb finished what it had begun though a signal came meanwhile
// (`down`, `set-link`): says so on stderr. Nothing when no signal came.
void NoteSignalWhileFinishing(const std::string& what);
// Prints why a Down failed.
void PrintDownErrors(const DownResult& r);
// Prints, on stderr, what a Down could not verify: a damaged record, what was
// not the lab's and was left, what was removed by name only.
void PrintDownWarnings(const std::string& lab, const DownResult& r);
// TakeDown; prints and returns false on failure (exit code untouched).
bool TearDown(const std::string& lab);
// "ended 2 processes started outside the lab file", from what teardown ended.
std::string EndedProcesses(const TeardownReport& report);

void PrintError(const std::string& message);
// Refuses (prints why, returns false) unless running as root; `what` is "topo up" etc.
bool RequireRoot(const std::string& what);

Verb RegisterValidate(CLI::App& app);
Verb RegisterPlan(CLI::App& app);
Verb RegisterUp(CLI::App& app);
Verb RegisterDown(CLI::App& app);
Verb RegisterStatus(CLI::App& app);
Verb RegisterExec(CLI::App& app);
Verb RegisterLogs(CLI::App& app);
Verb RegisterGraph(CLI::App& app);
Verb RegisterSetLink(CLI::App& app);
Verb RegisterTest(CLI::App& app);
Verb RegisterRun(CLI::App& app);
Verb RegisterCapture(CLI::App& app);
Verb RegisterGen(CLI::App& app);

}  // namespace topo::cli
