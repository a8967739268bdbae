// Helpers shared by the tests: reading files of the source tree, loading
// inline YAML through the whole front end, and root checks for integration tests.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "front/load.h"
#include "model/diagnostic.h"
#include "model/topology.h"
#include "plan/plan.h"

namespace topo::testing {

std::string SourcePath(const std::string& relative);  // TOPO_SOURCE_DIR/relative
std::string ReadFile(const std::string& path);

// True when `part` occurs in `text` (command output, a file, a message).
inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Loads and validates YAML text as if it were the file `name`; returns the
// topology when valid, and the diagnostics either way.
std::optional<Topology> ValidateText(const std::string& yaml, DiagnosticList* diags,
                                     const std::string& name = "test.yaml");
// Renders diagnostics as `topo validate` prints them (without the source lines).
std::string Brief(const DiagnosticList& diags);

// For integration tests: true when they can run (root). When they cannot, the
// test must call GTEST_SKIP() outside CI and FAIL() in CI: use TOPO_REQUIRE_ROOT().
bool IsRoot();
bool InCi();

// Runs a program (argv[0] is looked up in PATH, no shell) with extra
// environment entries ("KEY=value"); returns its exit code (128+signal if it
// was killed) and its stdout+stderr.
struct ProcessResult {
  int status = -1;
  std::string output;
};
// Runs argv (PATH searched) with `env` added, its stdout and stderr into one
// pipe read into `output`. With `closed_output` the pipe's read end is closed
// before the program starts (as `| head -n0` does), and SIGPIPE has its
// default action in it, as a shell starts it.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {}, bool closed_output = false);
// The same with `input` as its standard input (RunProcess gives it this process's).
ProcessResult RunProcessWithInput(const std::vector<std::string>& argv,
                                  const std::vector<std::string>& env, const std::string& input);
std::string TopoBinary();
// Starts argv (looked up in PATH) with extra environment entries, its output
// to /dev/null, and waits until it stops itself (a test hook's SIGSTOP, see
// src/cli/test_hooks.h): returns its pid, stopped, or -1 when it exited
// instead (reaped).
pid_t StartUntilStopped(const std::vector<std::string>& argv, const std::vector<std::string>& env);
// Starts argv the same way and returns its pid at once (-1 if fork failed);
// the caller waits for it.
pid_t StartProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env);
// A prefix unique to this process and call, for names of kernel objects: "t<pid>x<n>-".
std::string UniquePrefix();
// Compares `actual` with tests/golden/NAME; TOPO_UPDATE_GOLDEN=1 rewrites the file.
void ExpectGolden(const std::string& name, const std::string& actual);
// ExpectGolden of a plan's four forms: STEM.plan.txt, STEM.plan.json,
// STEM.up.sh and STEM.down.sh.
// Applies `plan` to a fresh RecordingBackend once per action, with that
// action failing: each time the rollback succeeds and leaves nothing (checked
// with gtest expectations).
void ExpectRollbackCleanAtEveryAction(const Plan& plan);

// A plan of lab "one" that only creates namespace "a".
Plan OneNamespacePlan();

void ExpectGoldenPlans(const std::string& stem, const Plan& plan);
// The plan of a shipped topology (a path under the source tree), which must
// validate without a single diagnostic.
Plan ShippedPlan(const std::string& path);
// What every UniquePrefix() of this process starts with ("t<pid>x").
std::string UniquePrefixStem();

}  // namespace topo::testing

#define TOPO_REQUIRE_ROOT()                                                       \
  do {                                                                            \
    if (!::topo::testing::IsRoot()) {                                             \
      if (::topo::testing::InCi()) FAIL() << "integration tests need root in CI"; \
      GTEST_SKIP() << "integration test needs root";                              \
    }                                                                             \
  } while (0)
