// topo down [LAB|FILE]: remove a lab; idempotent.
#include <iostream>

#include "cli/common.h"
#include "cli/progress.h"
#include "lab/lab.h"
#include "lab/prefix.h"
#include "lab/state.h"

namespace topo::cli {

void RegisterDown(CLI::App& app) {
  auto* cmd = app.add_subcommand("down", "Tear a lab down (by name or file; the only lab if none)");
  struct Opts {
    std::string lab;
    std::optional<std::string> prefix;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("lab", o->lab, "Lab name or topology file");
  cmd->add_option("--prefix", o->prefix, "Prefix the lab was brought up with");
  cmd->callback([o] {
    if (!RequireRoot("topo down")) return;
    if (IsAutoPrefix(o->prefix)) {
      PrintError("--prefix auto picks a new prefix; name the lab instead (`up` printed its name)");
      g_exit_code = kExitInvalid;
      return;
    }
    auto lab = ResolveLab(o->lab, o->prefix, /*allow_none=*/true);
    if (!lab) return;
    if (lab->empty()) {
      std::cout << "no lab is up; nothing to do\n";
      return;
    }
    auto backend = MakeBackend();
    StateStore store;
    LabRecord rec;
    Progress progress("down '" + *lab + "'",
                      store.ReadLab(*lab, &rec).ok() ? rec.plan.actions.size() : 0);
    DownOptions options;
    options.on_progress = [&](size_t done, size_t) { progress.Update(done); };
    DownResult r = Down(*lab, *backend, store, options);
    progress.Finish();
    if (!r.status.ok()) {
      PrintError(r.status.message());
      for (size_t i = 1; i < r.report.errors.size(); ++i) PrintError(r.report.errors[i]);
      g_exit_code = kExitFailure;
      return;
    }
    if (!r.was_up) {
      std::cout << "lab '" << *lab << "' is not up; nothing to do\n";
      // A near miss (a forgotten --prefix, a typo) should not pass for success unnoticed.
      std::vector<std::string> up = store.ListLabs();
      if (!up.empty()) {
        std::string names;
        for (const std::string& l : up) names += (names.empty() ? "" : ", ") + l;
        std::cerr << "topo: note: labs that are up: " << names << "\n";
      }
      return;
    }
    for (const std::string& g : r.report.already_gone) {
      std::cout << "already gone: " << g << "\n";
    }
    if (r.report.ended_processes > 0) std::cout << EndedProcesses(r.report) << "\n";
    std::cout << "lab '" << *lab << "' is down"
              << (r.was_complete ? "" : " (its `up` had not finished)") << ": " << r.report.undone
              << " removed, " << r.report.skipped << " went with their namespaces";
    if (!r.report.already_gone.empty()) {
      std::cout << ", " << r.report.already_gone.size() << " already gone";
    }
    std::cout << "\n";
  });
}

}  // namespace topo::cli
