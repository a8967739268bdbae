// topo logs NODE [PROGRAM] [-f]: the output of a node's programs, from the
// logs the lab keeps (lab/node_runtime.h). Without PROGRAM, every program of
// the node, in the order written, each line prefixed with the program's name;
// with -f, then follows them until Ctrl-C or until the lab goes.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/common.h"
#include "lab/lab.h"
#include "lab/node_runtime.h"
#include "lab/state.h"
#include "model/diagnostic.h"

namespace topo::cli {
namespace {

// One followed log: what was printed so far, and an unfinished last line.
struct Followed {
  std::string name, path, partial;
  off_t offset = 0;
};

// Prints what was appended to the log since the last call, line by line with
// `prefix`; a last line without its newline waits unless `flush`.
void PrintNew(Followed& f, const std::string& prefix, bool flush) {
  int fd = ::open(f.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  char buf[65536];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, f.offset);
    if (n <= 0) break;
    f.offset += n;
    f.partial.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t start = 0, nl;
  while ((nl = f.partial.find('\n', start)) != std::string::npos) {
    std::cout << prefix << std::string_view(f.partial).substr(start, nl - start + 1);
    start = nl + 1;
  }
  f.partial.erase(0, start);
  if (flush && !f.partial.empty()) {
    std::cout << prefix << f.partial << "\n";
    f.partial.clear();
  }
  std::cout.flush();
}

}  // namespace

Verb RegisterLogs(CLI::App& app) {
  auto* cmd = app.add_subcommand("logs", "Show the output of a node's programs");
  struct Opts {
    std::string node, program, lab;
    std::optional<std::string> prefix;
    bool follow = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("node", o->node, "Node name")->required();
  cmd->add_option("program", o->program, "Program name (default: every program of the node)");
  cmd->add_option("--lab", o->lab, "Lab the node belongs to (needed when several labs have it)");
  cmd->add_option("--prefix", o->prefix, "Prefix the node's lab was brought up with");
  cmd->add_flag("-f,--follow", o->follow, "Keep printing what they write, until Ctrl-C");
  return {cmd, [o]() -> int {
            if (!RequireRoot("topo logs")) return kExitFailure;
            StateStore store;
            std::string lab, ns, node;
            Status s = FindNodeNamespace(store, o->lab, o->node, &lab, &ns, o->prefix, &node);
            LabRecord rec;
            if (s.ok()) s = store.ReadLab(lab, &rec);
            if (!s.ok()) {
              PrintError(s.message());
              return kExitFailure;
            }
            std::vector<Followed> logs;
            std::vector<std::string> names;
            for (const Action& a : rec.plan.actions) {
              if (a.kind != ActionKind::kStartProgram || a.node != node) continue;
              names.push_back(a.program().name);
              if (!o->program.empty() && a.program().name != o->program) continue;
              logs.push_back({a.program().name,
                              ProgramLogPath(store.LabDir(lab), node, a.program().name), "", 0});
            }
            if (names.empty()) {
              PrintError("node '" + node + "' of lab '" + lab + "' runs no programs");
              return kExitFailure;
            }
            if (logs.empty()) {
              PrintError("node '" + node + "' has no program '" + o->program + "'" +
                         DidYouMean(o->program, names));
              return kExitInvalid;
            }
            const bool prefixed = o->program.empty() && names.size() > 1;
            auto prefix = [&](const Followed& f) { return prefixed ? f.name + " | " : ""; };
            for (Followed& f : logs) PrintNew(f, prefix(f), !o->follow);
            if (!o->follow) return kExitOk;
            const std::atomic<bool>* cancel = InstallCancelHandlers();
            while (!cancel->load() && store.LabExists(lab)) {
              std::this_thread::sleep_for(std::chrono::milliseconds(100));
              for (Followed& f : logs) PrintNew(f, prefix(f), false);
            }
            for (Followed& f : logs) PrintNew(f, prefix(f), true);
            return kExitOk;
          }};
}

}  // namespace topo::cli
