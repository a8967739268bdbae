// topo: validate, plan, bring up and tear down network labs described in YAML.
// Each verb lives in its own cli/<verb>.cc and returns its exit status; this
// file only wires them together, and enters the rootless sandbox
// (sandbox/sandbox.h) before any verb runs, while the process has a single
// thread.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include "model/diagnostic.h"

#include "cli/common.h"
#include "cli/log.h"
#include "lab/state.h"
#include "sandbox/sandbox.h"

namespace {

// How a verb uses the sandbox when topo runs without root (or --rootless).
enum class SandboxUse { kNone, kScoped, kHolderCreate, kHolderJoin };

// The verb is the first argument that is not an option: `topo -v up` too.
SandboxUse UseOf(int argc, char** argv) {
  int at = 1;
  while (at < argc && argv[at][0] == '-') ++at;
  if (at == argc) return SandboxUse::kNone;
  const std::string verb = argv[at];
  if (verb == "up") return SandboxUse::kHolderCreate;
  if (verb == "down" || verb == "status" || verb == "exec" || verb == "set-link" ||
      verb == "logs") {
    return SandboxUse::kHolderJoin;
  }
  if (verb == "run") return SandboxUse::kScoped;
  if (verb == "test") {
    for (int i = at + 1; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
      if (std::strcmp(argv[i], "--lab") == 0 || std::strncmp(argv[i], "--lab=", 6) == 0) {
        return SandboxUse::kHolderJoin;
      }
    }
    return SandboxUse::kScoped;
  }
  return SandboxUse::kNone;
}

// Takes --rootless out of argv (before any `--`); true when it was there or
// TOPO_ROOTLESS=1 is set.
bool TakeRootlessFlag(int* argc, char** argv) {
  bool found = false;
  int out = 1;
  bool after_dashes = false;
  for (int i = 1; i < *argc; ++i) {
    if (!after_dashes && std::strcmp(argv[i], "--rootless") == 0) {
      found = true;
      continue;
    }
    if (std::strcmp(argv[i], "--") == 0) after_dashes = true;
    argv[out++] = argv[i];
  }
  *argc = out;
  argv[out] = nullptr;
  const char* env = std::getenv("TOPO_ROOTLESS");
  return found || (env && std::strcmp(env, "1") == 0);
}

}  // namespace

// An exception no verb expects ends the process (std::terminate) rather than
// being reported as if it were understood.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  const bool rootless = TakeRootlessFlag(&argc, argv);
  CLI::App app{"topo: declarative network labs on Linux network namespaces"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "topo 0.1.0");
  app.footer(
      "Without root (or with --rootless, or TOPO_ROOTLESS=1), labs live in a sandbox of the "
      "user's own: see docs/ROOTLESS.md.");
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
      topo::cli::RegisterCapture(app),  topo::cli::RegisterLogs(app),
      topo::cli::RegisterGen(app),
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
  // Without root, the verbs that touch the kernel run in the sandbox.
  SandboxUse use = UseOf(argc, argv);
  // The last lab of the sandbox is gone (or `up` brought none up): end its holder.
  auto end_idle_holder = [&use] {
    if ((use == SandboxUse::kHolderCreate || use == SandboxUse::kHolderJoin) &&
        topo::StateStore().ListLabs().empty()) {
      topo::sandbox::EndHolderIfIdle();
    }
  };
  if (use != SandboxUse::kNone && (rootless || ::geteuid() != 0) &&
      !(::geteuid() == 0 && topo::sandbox::InUserNamespace())) {
    topo::Status s = use == SandboxUse::kScoped
                         ? topo::sandbox::EnterNew()
                         : topo::sandbox::JoinHolder(use == SandboxUse::kHolderCreate);
    if (!s.ok()) {
      topo::cli::PrintError(s.message());
      return topo::cli::kExitFailure;
    }
  } else {
    use = SandboxUse::kNone;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    end_idle_holder();
    int rc = app.exit(e);
    return rc == 0 ? 0 : topo::cli::kExitInvalid;
  }
  if (std::string error; !topo::cli::SetUpLogging(verbose, &error)) {
    std::cerr << "topo: error: " << error << "\n";
    end_idle_holder();
    return topo::cli::kExitInvalid;
  }
  // A closed stdout or stderr must not end a verb halfway (a lab half-built).
  topo::cli::IgnoreOutputSignals();
  // Each verb returns its exit status (README.md lists them).
  int rc = topo::cli::kExitInvalid;  // not kept: a subcommand is required
  for (const topo::cli::Verb& verb : registered) {
    if (verb.command->parsed()) {
      rc = verb.run();
      break;
    }
  }
  end_idle_holder();
  return rc;
}
