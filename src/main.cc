// topo: validate, plan, bring up and tear down network labs described in YAML.
// Each verb lives in its own cli_<verb>.cc; this file only wires them together.
#include <CLI/CLI.hpp>

#include "cli_common.h"

int main(int argc, char** argv) {
  CLI::App app{"topo: declarative network labs on Linux network namespaces"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "topo 0.1.0");
  topo::cli::RegisterValidate(app);
  topo::cli::RegisterPlan(app);
  topo::cli::RegisterUp(app);
  topo::cli::RegisterDown(app);
  topo::cli::RegisterStatus(app);
  topo::cli::RegisterExec(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : topo::cli::kExitInvalid;
  }
  return topo::cli::g_exit_code;
}
