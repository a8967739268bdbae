// topo: validate, plan, bring up and tear down network labs described in YAML.
// Each verb lives in its own cli/<verb>.cc and returns its exit status; this
// file only wires them together.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "model/diagnostic.h"

#include "cli/common.h"
#include "cli/log.h"

// An exception no verb expects ends the process (std::terminate) rather than
// being reported as if it were understood.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  CLI::App app{"topo: declarative network labs on Linux network namespaces"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "topo 0.1.0");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose,
               "Print each kernel action with its duration and result (as TOPO_LOG=debug)");
  app.fallthrough();  // -v also after the verb: `topo up -v lab.yaml`
  const std::vector<topo::cli::Verb> registered = {
      topo::cli::RegisterValidate(app), topo::cli::RegisterPlan(app),
      topo::cli::RegisterUp(app),       topo::cli::RegisterDown(app),
      topo::cli::RegisterStatus(app),   topo::cli::RegisterExec(app),
      topo::cli::RegisterGraph(app),    topo::cli::RegisterSetLink(app),
      topo::cli::RegisterTest(app),     topo::cli::RegisterRun(app),
  };
  std::vector<std::string> verbs;
  for (const CLI::App* sub : app.get_subcommands({})) verbs.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' &&
      std::find(verbs.begin(), verbs.end(), argv[1]) == verbs.end()) {
    std::cerr << "topo: error: unknown command '" << argv[1] << "'"
              << topo::DidYouMean(argv[1], verbs) << "; try `topo --help`\n";
    return topo::cli::kExitInvalid;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : topo::cli::kExitInvalid;
  }
  if (std::string error; !topo::cli::SetUpLogging(verbose, &error)) {
    std::cerr << "topo: error: " << error << "\n";
    return topo::cli::kExitInvalid;
  }
  // A closed stdout or stderr must not end a verb halfway (a lab half-built).
  topo::cli::IgnoreOutputSignals();
  // Each verb returns its exit status (README.md lists them).
  for (const topo::cli::Verb& verb : registered) {
    if (verb.command->parsed()) return verb.run();
  }
  return topo::cli::kExitInvalid;  // not reached: a subcommand is required
}
