// topo down [LAB|FILE] [--machine NAME]: remove a lab (or a machine's part); idempotent.
#include <iostream>

#include "cli/common.h"
#include "lab/lab.h"
#include "lab/prefix.h"
#include "lab/session.h"
#include "lab/state.h"

namespace topo::cli {

Verb RegisterDown(CLI::App& app) {
  auto* cmd = app.add_subcommand("down", "Tear a lab down (by name or file; the only lab if none)");
  struct Opts {
    std::string lab;
    std::optional<std::string> prefix;
    std::string machine;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("lab", o->lab, "Lab name or topology file");
  cmd->add_option("--prefix", o->prefix, "Prefix the lab was brought up with");
  AddMachineOption(cmd, &o->machine);
  return {cmd, [o]() -> int {
            if (!RequireRoot("topo down")) return kExitFailure;
            // A signal ends the wait for the lab's lock (naming its holder); once
            // the removal has begun, `down` finishes it.
            const std::atomic<bool>* cancel = InstallCancelHandlers();
            if (IsAutoPrefix(o->prefix)) {
              PrintError(
                  "--prefix auto picks a new prefix; name the lab instead (`up` printed its name)");
              return kExitInvalid;
            }
            int code = kExitOk;
            auto lab = ResolveLab(o->lab, o->prefix, /*allow_none=*/true, &code, o->machine);
            if (!lab) return code;
            if (lab->empty()) {
              std::cout << "no lab is up; nothing to do\n";
              return kExitOk;
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
                return kExitInvalid;
              }
            }
            // `down FILE`: the plan compiled again, for a record whose plan.json is lost.
            std::optional<Plan> fallback;
            if (*lab != o->lab) {
              LoadRequest request;
              request.file = o->lab;
              request.prefix = o->prefix;
              request.machine = o->machine;
              std::unique_ptr<Backend> probe;
              FindMachineWith(&request, &probe);
              Loaded loaded = LoadLab(request);
              if (loaded.plan && loaded.plan->lab == *lab) fallback = std::move(loaded.plan);
            }
            DownResult r = TakeDown(*lab, fallback ? &*fallback : nullptr, cancel);
            PrintDownWarnings(*lab, r);
            if (r.was_up) NoteSignalWhileFinishing("lab '" + *lab + "' was being removed");
            if (!r.status.ok()) {
              PrintDownErrors(r);
              return kExitFailure;
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
              return kExitOk;
            }
            for (const std::string& g : r.report.already_gone) {
              std::cout << "already gone: " << g << "\n";
            }
            if (r.report.ended_processes > 0) std::cout << EndedProcesses(r.report) << "\n";
            std::cout << "lab '" << *lab << "' is down"
                      << (!r.damage.empty() ? " (as far as its damaged record says)"
                          : r.was_complete  ? ""
                                            : " (its `up` had not finished)")
                      << ": " << r.report.undone << " removed, " << r.report.skipped
                      << " went with their namespaces";
            if (!r.report.already_gone.empty()) {
              std::cout << ", " << r.report.already_gone.size() << " already gone";
            }
            std::cout << "\n";
            return kExitOk;
          }};
}

}  // namespace topo::cli
