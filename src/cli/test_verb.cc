// topo test FILE [--prefix P|auto] [--json] [--junit OUT]: bring the lab up, run
// its declared checks, tear it down (always, also on SIGINT/SIGTERM), and exit
// 0 only if every check passed. `topo test --lab NAME` runs the checks stored
// with a lab that is already up, and leaves it up.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "checks/checks.h"
#include "checks/report.h"
#include "cli/common.h"
#include "cli/pcap.h"
#include "front/load.h"
#include "kernel/output_file.h"
#include "lab/prefix.h"
#include "lab/session.h"
#include "lab/state.h"
#include "model/diagnostic.h"

namespace topo::cli {
namespace {

struct TestOpts {
  std::string file, lab, junit;
  std::optional<std::string> prefix;
  bool json = false;
  std::vector<Prefix> allowed_host_routes;
  PcapFlags pcap;
  std::string machine;
};

// Serves, while this machine's checks run, the tcp checks of other machines
// whose targets are here (ServeChecks), from a thread of its own.
class ServeWhileRunning {
 public:
  ServeWhileRunning(std::vector<CheckSpec> served, const RunChecksOptions& options)
      : served_(std::move(served)) {
    if (served_.empty()) return;
    std::cerr << "topo: listening here for " << Counted(served_.size(), "check")
              << " of other machines\n";
    thread_ = std::thread(
        [this, options] { status_ = ServeChecks(served_, options, &busy_, &results_); });
  }
  ~ServeWhileRunning() {
    busy_ = false;
    if (thread_.joinable()) thread_.join();
  }
  // This machine's checks are done: waits for the serving to end and says
  // what came of it; false when it failed, or a listener could not open here.
  bool Finish() {
    busy_ = false;
    if (!thread_.joinable()) return true;
    thread_.join();
    if (!status_.ok()) {
      if (!status_.IsInterrupted()) PrintError(status_.message());
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < results_.size(); ++i) {
      const std::string what =
          "check '" + results_[i].name + "' of machine '" + served_[i].from_machine + "'";
      std::cerr << "topo: listened for " << what << ": " << results_[i].detail << "\n";
      ok &= results_[i].listening;
    }
    return ok;
  }

 private:
  std::vector<CheckSpec> served_;
  std::vector<ServedResult> results_;
  std::atomic<bool> busy_{true};  // this machine's checks still run
  Status status_;
  std::thread thread_;
};

// Runs the checks, prints them, writes the JUnit file; returns the exit code
// the results call for (0 or 1), or kExitLab when they could not run. The
// checks of other machines that topo listens for here are served meanwhile.
int RunAndReport(const TestOpts& o, const std::string& lab, std::vector<CheckSpec> specs,
                 const std::atomic<bool>* cancel) {
  RunChecksOptions ro;
  ro.cancel = cancel;
  ServeWhileRunning served(TakeServed(&specs), ro);
  std::vector<CheckResult> results;
  auto start = std::chrono::steady_clock::now();
  Status s = RunChecks(specs, ro, &results);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool served_ok = served.Finish();
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
  if (!o.junit.empty()) {  // written now that there is something to write
    Status w = WriteOutputFile(o.junit, CheckResultsToJUnit(lab, specs, results, seconds));
    if (!w.ok()) {
      PrintError("could not write the JUnit report: " + w.message());
      return kExitLab;
    }
  }
  return sum.failed == 0 && served_ok ? kExitOk : kExitFailure;
}

int TestLabThatIsUp(const TestOpts& o) {
  if (!RequireRoot("topo test")) return kExitFailure;
  std::string lab = o.prefix ? *o.prefix + o.lab : o.lab;
  StateStore store;
  if (!StateStore::IsSafeLabName(lab)) {
    PrintError("'" + lab + "' is not a lab name");
    return kExitInvalid;
  }
  if (!store.LabExists(lab)) {
    PrintError("lab '" + lab + "' is not up");
    return kExitLab;
  }
  std::string text;
  Status s = store.ReadLabFile(lab, "checks.json", &text);
  if (s.IsNotFound()) {
    PrintError("lab '" + lab + "' declares no checks (its file has no 'checks:' section)");
    return kExitInvalid;
  }
  std::vector<CheckSpec> specs;
  if (s.ok()) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    s = CheckSpecsFromJson(j, &specs);
  }
  if (!s.ok()) {
    PrintError("cannot read the checks of lab '" + lab + "': " + s.message());
    return kExitLab;
  }
  LabRecord rec;
  LabPcaps pcaps;
  if (!store.ReadLab(lab, &rec).ok() || !pcaps.Start(o.pcap, rec.plan)) {
    return kExitLab;
  }
  const std::atomic<bool>* cancel = InstallCancelHandlers();
  int code = RunAndReport(o, lab, specs, cancel);
  pcaps.Finish(code != kExitOk);
  return CancelSignal() != 0 ? 128 + CancelSignal() : code;
}

int TestFile(const TestOpts& o) {
  LoadRequest request;
  request.file = o.file;
  request.prefix = o.prefix;
  request.allowed_host_routes = o.allowed_host_routes;
  request.machine = o.machine;
  request.machine_here = true;
  std::unique_ptr<Backend> probe;
  FindMachineWith(&request, &probe);
  request.neighbour_warning = true;
  Loaded loaded = LoadLab(request);
  // A file without checks is refused before anything is built.
  if (loaded.ok() && loaded.topology->checks.empty()) {
    PrintError(InputName(o.file) +
               " declares no checks; add a 'checks:' section (see docs/format.md)");
    return kExitInvalid;
  }
  if (!loaded.error.empty()) {
    PrintError(loaded.error);
    return kExitInvalid;
  }
  std::cerr << loaded.Report();
  if (!loaded.ok()) {
    return kExitInvalid;
  }
  const std::string machine = loaded.machine;
  // A machine's part that is up already (the parts of a lab across machines
  // come up one by one, each on its machine): its checks, and it stays up.
  if (!machine.empty() && StateStore().LabExists(loaded.plan->lab)) {
    if (!RequireRoot("topo test")) return kExitFailure;
    const std::atomic<bool>* cancel = InstallCancelHandlers();
    LabRecord rec;
    LabPcaps pcaps;
    StateStore store;
    if (!store.ReadLab(loaded.plan->lab, &rec).ok() || !pcaps.Start(o.pcap, rec.plan)) {
      return kExitLab;
    }
    int code = RunAndReport(o, loaded.plan->lab, ResolveChecks(*loaded.topology, machine), cancel);
    pcaps.Finish(code != kExitOk);
    return CancelSignal() != 0 ? 128 + CancelSignal() : code;
  }
  const std::atomic<bool>* cancel = InstallCancelHandlers();
  int failed = kExitOk;
  LabPcaps pcaps;  // started before the lab's programs, if it has any
  auto run = BringUp(std::move(loaded), cancel, kExitLab, &failed, pcaps.BeforePrograms(o.pcap));
  if (!run) {  // no report written; packets captured before a program failed are kept
    pcaps.Finish(true);
    return CancelSignal() != 0 ? 128 + CancelSignal() : failed;
  }
  // A lab across machines: the checks from this machine's nodes (and those
  // of other machines that topo listens for here).
  const std::vector<CheckSpec> specs = ResolveChecks(run->topology, machine);
  const size_t own = std::count_if(specs.begin(), specs.end(), [](auto& s) { return !s.serve; });
  std::cerr << "topo: lab '" << run->plan.lab << "' is up ("
            << Counted(run->plan.actions.size(), "action") << "); running " << Counted(own, "check")
            << "\n";
  int code = kExitLab;
  if (pcaps.StartIfNot(o.pcap, run->plan)) {
    code = RunAndReport(o, run->plan.lab, specs, cancel);
  }
  pcaps.Finish(code != kExitOk);
  if (!TearDown(run->plan.lab)) code = kExitLab;
  if (CancelSignal() != 0) code = 128 + CancelSignal();
  return code;
}

}  // namespace

Verb RegisterTest(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "test", "Bring a lab up, run its declared checks, tear it down; exit 0 iff all pass");
  auto o = std::make_shared<TestOpts>();
  cmd->add_option("file", o->file, "Topology file (with a 'checks:' section)");
  cmd->add_option("--lab", o->lab, "Run the checks of this lab, which is up, and leave it up");
  cmd->add_option("--prefix", o->prefix,
                  "Namespace name prefix (overrides the file's); 'auto' picks a unique one");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  AddMachineOption(cmd, &o->machine);
  cmd->add_flag("--json", o->json, "Print the results as JSON");
  cmd->add_option("--junit", o->junit, "Also write the results as JUnit XML to this file");
  AddPcapOptions(cmd, &o->pcap);
  return {cmd, [o]() -> int {
            if (!o->lab.empty() && IsAutoPrefix(o->prefix)) {
              PrintError("--prefix auto picks a new prefix; with --lab, name the lab that is up");
              return kExitInvalid;
            }
            if (o->file.empty() == o->lab.empty()) {
              PrintError("give a topology file or --lab NAME (one of them)");
              return kExitInvalid;
            }
            // A bad --junit path is refused before the lab is built; the
            // file itself is written only once there are results.
            if (!o->junit.empty()) {
              if (Status s = CheckOutputFile(o->junit); !s.ok()) {
                PrintError("cannot write the JUnit report: " + s.message());
                return kExitInvalid;
              }
            }
            return o->lab.empty() ? TestFile(*o) : TestLabThatIsUp(*o);
          }};
}

}  // namespace topo::cli
