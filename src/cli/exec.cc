// topo exec NODE [--lab NAME] -- CMD ARGS...: run a command inside a node's namespace.
#include "kernel/exec.h"
#include "cli/common.h"
#include "kernel/netns.h"
#include "lab/lab.h"
#include "lab/node_runtime.h"
#include "lab/state.h"

namespace topo::cli {

Verb RegisterExec(CLI::App& app) {
  auto* cmd = app.add_subcommand("exec", "Run a command in a node's namespace, as `ip netns exec`");
  struct Opts {
    std::string node, lab;
    std::optional<std::string> prefix;
    std::vector<std::string> argv;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("node", o->node, "Node name")->required();
  cmd->add_option("--lab", o->lab, "Lab the node belongs to (needed when several labs have it)");
  cmd->add_option("--prefix", o->prefix, "Prefix the node's lab was brought up with");
  cmd->add_option("command", o->argv, "Command and arguments (after --)")->required();
  return {cmd, [o]() -> int {
            if (!RequireRoot("topo exec")) return kExitFailure;
            // CLI11 hands over the "--" separator when it follows the node name.
            if (!o->argv.empty() && o->argv.front() == "--") o->argv.erase(o->argv.begin());
            StateStore store;
            std::string lab, ns, node;
            Status s = FindNodeNamespace(store, o->lab, o->node, &lab, &ns, o->prefix, &node);
            if (s.ok()) {
              // The node's whole view: its private directories and files too.
              LabRecord rec;
              s = store.ReadLab(lab, &rec);
              if (s.ok()) {
                s = ExecInNodeView(MakeNodeView(rec.plan, store.LabDir(lab), node, ns), o->argv);
              }
            }
            PrintError(s.message());
            return s.IsNotFound() ? 127 : kExitFailure;
          }};
}

}  // namespace topo::cli
