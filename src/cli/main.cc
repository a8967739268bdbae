// topo: validate, plan, bring up and tear down network labs described in YAML.
// Each verb lives in its own cli/<verb>.cc and returns its exit status; this
// file only wires them together.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <memory>

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
  std::vector<topo::cli::Verb> registered = {
      topo::cli::RegisterValidate(app), topo::cli::RegisterPlan(app),
      topo::cli::RegisterUp(app),       topo::cli::RegisterDown(app),
      topo::cli::RegisterStatus(app),   topo::cli::RegisterExec(app),
      topo::cli::RegisterGraph(app),    topo::cli::RegisterSetLink(app),
      topo::cli::RegisterTest(app),     topo::cli::RegisterRun(app),
      topo::cli::RegisterCapture(app),
  };
  // `topo help VERB` is `topo VERB --help`.
  auto* help = app.add_subcommand("help", "Show the help of a command: topo help up");
  auto help_verb = std::make_shared<std::string>();
  help->add_option("command", *help_verb, "The command");
  registered.push_back(
      {help, [&app, help_verb]() -> int {
         if (help_verb->empty()) {
           // Not app.help(), which shows the help of the selected subcommand.
           std::cout << app.get_formatter()->make_help(&app, "topo", CLI::AppFormatMode::Normal);
           return topo::cli::kExitOk;
         }
         std::vector<std::string> names;
         for (const CLI::App* sub : app.get_subcommands({})) {
           if (sub->get_name() == *help_verb) {
             std::cout << sub->help();
             return topo::cli::kExitOk;
           }
           if (sub->get_name() != "help") names.push_back(sub->get_name());
         }
         std::cerr << "topo: error: unknown command '" << *help_verb << "'"
                   << topo::DidYouMean(*help_verb, names) << "; try `topo --help`\n";
         return topo::cli::kExitInvalid;
       }});
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
  // Each verb returns its exit status (README.md lists them).
  for (const topo::cli::Verb& verb : registered) {
    if (verb.command->parsed()) return verb.run();
  }
  return topo::cli::kExitInvalid;  // not reached: a subcommand is required
}
