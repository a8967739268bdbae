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
    StateStore store;
    // `down FILE` without the --prefix of its `up`: the lab of FILE under another prefix.
    if (!o->prefix && *lab != o->lab && !store.LabExists(*lab)) {
      std::vector<std::string> others = LabsFromFile(store, *lab, o->lab);
      if (others.size() == 1) {
        std::cerr << "topo: note: lab '" << *lab << "' is not up; taking '" << others[0]
                  << "', brought up from '" << o->lab << "' under another prefix\n";
        *lab = others[0];
      } else if (others.size() > 1) {
        std::string names;
        for (const std::string& l : others) names += (names.empty() ? "" : ", ") + l;
        PrintError("lab '" + *lab + "' is not up, but several labs were brought up from '" +
                   o->lab + "' (" + names + "); name one: topo down " + others[0]);
        g_exit_code = kExitInvalid;
        return;
      }
    }
    auto backend = MakeBackend();
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
