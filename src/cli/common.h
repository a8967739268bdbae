// Shared pieces of the command-line verbs: exit codes, loading a topology with
// diagnostics printed, turning a lab argument (name or file) into a lab name,
// and signal handling that turns SIGINT/SIGTERM into a cancellation flag.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "kernel/backend.h"
#include "model/topology.h"
#include "plan/plan.h"

namespace topo::cli {

// Exit codes, documented in README.md.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // the operation failed (the machine is as it was)
constexpr int kExitInvalid = 2;  // invalid topology or usage
constexpr int kExitLab = 3;      // test/run: the lab could not be brought up or torn down

// Set by each verb; main returns it.
extern int g_exit_code;

struct LoadOptions {
  std::string file;
  std::optional<std::string> prefix;
  bool json = false;                   // collect diagnostics as JSON instead of printing them
  nlohmann::json* json_out = nullptr;  // with json: where the diagnostics are appended
  bool quiet = false;                  // print nothing when valid
  bool strict = false;                 // warnings fail
  Topology* topology_out = nullptr;    // receives the validated topology, when given
};

// Loads, validates and compiles; prints diagnostics to stderr (warnings too).
// Returns nullopt (and sets the exit code) when the topology is invalid.
// A prefix of "auto" is replaced by a fresh random one (prefix.h).
std::optional<Plan> LoadPlan(const LoadOptions& options);
// Loads and validates only, for verbs that need the topology rather than the plan.
std::optional<Topology> LoadTopology(const LoadOptions& options);

// A lab argument may be a lab name or a topology file; "" means "the one lab that is up".
// Returns the lab name, or prints an error and returns nullopt.
std::optional<std::string> ResolveLab(const std::string& arg,
                                      const std::optional<std::string>& prefix, bool allow_none);

std::unique_ptr<Backend> MakeBackend();

// SIGINT, SIGTERM and SIGHUP set this flag instead of killing the process.
const std::atomic<bool>* InstallCancelHandlers();
// The last signal that set the flag (0: none).
int CancelSignal();

// What `up`, `test` and `run` share (cli_lab.cc). BringUp loads the file and
// brings the lab up with progress, storing its resolved checks with it; with
// --prefix auto it picks again if another process took the prefix meanwhile.
// On failure it prints why, sets the exit code to `failure_exit` (or
// kExitInvalid) and returns nullopt.
struct UpRun {
  Plan plan;
  Topology topology;
  double ms = 0;
};
std::optional<UpRun> BringUp(const LoadOptions& options, const std::atomic<bool>* cancel,
                             int failure_exit);
// Removes a lab with progress; prints and returns false on failure (exit code untouched).
bool TearDown(const std::string& lab);

void PrintError(const std::string& message);
// Refuses (message, exit 1) unless running as root; `what` is "topo up" etc.
bool RequireRoot(const std::string& what);

void RegisterValidate(CLI::App& app);
void RegisterPlan(CLI::App& app);
void RegisterUp(CLI::App& app);
void RegisterDown(CLI::App& app);
void RegisterStatus(CLI::App& app);
void RegisterExec(CLI::App& app);
void RegisterGraph(CLI::App& app);
void RegisterSetLink(CLI::App& app);
void RegisterTest(CLI::App& app);
void RegisterRun(CLI::App& app);
void RegisterCapture(CLI::App& app);

}  // namespace topo::cli
