// topo test FILE [--prefix P|auto] [--json] [--junit OUT]: bring the lab up, run
// its declared checks, tear it down (always, also on SIGINT/SIGTERM), and exit
// 0 only if every check passed. `topo test --lab NAME` runs the checks stored
// with a lab that is already up, and leaves it up.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "checks/checks.h"
#include "checks/report.h"
#include "cli/common.h"
#include "cli/pcap.h"
#include "lab/prefix.h"
#include "lab/state.h"
#include "model/diagnostic.h"

namespace topo::cli {
namespace {

struct TestOpts {
  std::string file, lab, junit;
  std::optional<std::string> prefix;
  bool json = false;
  PcapFlags pcap;
};

// Runs the checks, prints them, writes the JUnit file; returns the exit code
// the results call for (0 or 1), or kExitLab when they could not run.
int RunAndReport(const TestOpts& o, const std::string& lab, const std::vector<CheckSpec>& specs,
                 const std::atomic<bool>* cancel, std::ofstream* junit) {
  RunChecksOptions ro;
  ro.cancel = cancel;
  std::vector<CheckResult> results;
  auto start = std::chrono::steady_clock::now();
  Status s = RunChecks(specs, ro, &results);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!s.ok()) {
    if (!s.IsInterrupted()) PrintError(s.message());
    return kExitLab;
  }
  CheckSummary sum = Summarize(results, seconds);
  if (o.json) {
    std::cout << CheckResultsToJson(lab, specs, results, seconds).dump(2) << "\n";
  } else {
    for (size_t i = 0; i < specs.size(); ++i) {
      std::cout << FormatCheckLine(specs[i], results[i]) << "\n";
    }
    std::cout << FormatCheckSummary(lab, sum) << "\n";
  }
  if (junit->is_open()) {
    *junit << CheckResultsToJUnit(lab, specs, results, seconds);
    junit->flush();
    if (!*junit) {
      PrintError("could not write " + o.junit);
      return kExitLab;
    }
  }
  return sum.failed == 0 ? kExitOk : kExitFailure;
}

void TestLabThatIsUp(const TestOpts& o, std::ofstream* junit) {
  if (!RequireRoot("topo test")) return;
  std::string lab = o.prefix ? *o.prefix + o.lab : o.lab;
  StateStore store;
  if (!StateStore::IsSafeLabName(lab)) {
    PrintError("'" + lab + "' is not a lab name");
    g_exit_code = kExitInvalid;
    return;
  }
  if (!store.LabExists(lab)) {
    PrintError("lab '" + lab + "' is not up");
    g_exit_code = kExitLab;
    return;
  }
  std::string text;
  Status s = store.ReadLabFile(lab, "checks.json", &text);
  if (s.IsNotFound()) {
    PrintError("lab '" + lab + "' declares no checks (its file has no 'checks:' section)");
    g_exit_code = kExitInvalid;
    return;
  }
  std::vector<CheckSpec> specs;
  if (s.ok()) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    s = CheckSpecsFromJson(j, &specs);
  }
  if (!s.ok()) {
    PrintError("cannot read the checks of lab '" + lab + "': " + s.message());
    g_exit_code = kExitLab;
    return;
  }
  LabRecord rec;
  LabPcaps pcaps;
  if (!store.ReadLab(lab, &rec).ok() || !pcaps.Start(o.pcap, rec.plan)) {
    g_exit_code = kExitLab;
    return;
  }
  const std::atomic<bool>* cancel = InstallCancelHandlers();
  g_exit_code = RunAndReport(o, lab, specs, cancel, junit);
  pcaps.Finish(g_exit_code != kExitOk);
  if (CancelSignal() != 0) g_exit_code = 128 + CancelSignal();
}

void TestFile(const TestOpts& o, std::ofstream* junit) {
  LoadOptions lo;
  lo.file = o.file;
  lo.prefix = o.prefix;
  // A first, silent look: a file without checks is refused before anything is built.
  {
    LoadOptions quiet = lo;
    nlohmann::json ignored = nlohmann::json::array();
    quiet.json = true;
    quiet.json_out = &ignored;
    Topology t;
    quiet.topology_out = &t;
    if (LoadPlan(quiet) && t.checks.empty()) {
      PrintError(o.file + " declares no checks; add a 'checks:' section (see docs/format.md)");
      g_exit_code = kExitInvalid;
      return;
    }
    g_exit_code = kExitOk;
  }
  const std::atomic<bool>* cancel = InstallCancelHandlers();
  auto run = BringUp(lo, cancel, kExitLab);
  if (!run) {
    if (CancelSignal() != 0) g_exit_code = 128 + CancelSignal();
    if (junit->is_open()) {  // no results: leave no empty report behind
      junit->close();
      std::remove(o.junit.c_str());
    }
    return;
  }
  std::cerr << "topo: lab '" << run->plan.lab << "' is up ("
            << Counted(run->plan.actions.size(), "action") << "); running "
            << Counted(run->topology.checks.size(), "check") << "\n";
  LabPcaps pcaps;
  int code = kExitLab;
  if (pcaps.Start(o.pcap, run->plan)) {
    code = RunAndReport(o, run->plan.lab, ResolveChecks(run->topology), cancel, junit);
  }
  pcaps.Finish(code != kExitOk);
  if (!TearDown(run->plan.lab)) code = kExitLab;
  if (CancelSignal() != 0) code = 128 + CancelSignal();
  g_exit_code = code;
}

}  // namespace

void RegisterTest(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "test", "Bring a lab up, run its declared checks, tear it down; exit 0 iff all pass");
  auto o = std::make_shared<TestOpts>();
  cmd->add_option("file", o->file, "Topology file (with a 'checks:' section)");
  cmd->add_option("--lab", o->lab, "Run the checks of this lab, which is up, and leave it up");
  cmd->add_option("--prefix", o->prefix,
                  "Namespace name prefix (overrides the file's); 'auto' picks a unique one");
  cmd->add_flag("--json", o->json, "Print the results as JSON");
  cmd->add_option("--junit", o->junit, "Also write the results as JUnit XML to this file");
  AddPcapOptions(cmd, &o->pcap);
  cmd->callback([o] {
    if (!o->lab.empty() && IsAutoPrefix(o->prefix)) {
      PrintError("--prefix auto picks a new prefix; with --lab, name the lab that is up");
      g_exit_code = kExitInvalid;
      return;
    }
    if (o->file.empty() == o->lab.empty()) {
      PrintError("give a topology file or --lab NAME (one of them)");
      g_exit_code = kExitInvalid;
      return;
    }
    std::ofstream junit;
    if (!o->junit.empty()) {
      junit.open(o->junit, std::ios::out | std::ios::trunc);
      if (!junit) {
        PrintError("cannot write " + o->junit);
        g_exit_code = kExitInvalid;
        return;
      }
    }
    if (o->lab.empty()) {
      TestFile(*o, &junit);
    } else {
      TestLabThatIsUp(*o, &junit);
    }
  });
}

}  // namespace topo::cli
