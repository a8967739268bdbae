// topo set-link NODE:IF [--lab L] [--delay T] [--jitter T] [--loss P] [--duplicate P]
//   [--reorder P] [--corrupt P] [--rate R] [--clear] [--both]:
// change the impairments of a running lab's link end.
#include <iostream>

#include "cli/common.h"
#include "cli/test_hooks.h"
#include "lab/set_link.h"
#include "lab/state.h"

namespace topo::cli {

Verb RegisterSetLink(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "set-link", "Change the impairments of a link end (its outgoing packets) in a running lab");
  struct Opts {
    std::string endpoint, lab;
    std::optional<std::string> prefix;
    std::map<std::string, std::optional<std::string>> values;
    bool clear = false, both = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("endpoint", o->endpoint, "The link end, node:interface")->required();
  cmd->add_option("--lab", o->lab, "Lab the node belongs to (needed when several labs have it)");
  cmd->add_option("--prefix", o->prefix, "Prefix the node's lab was brought up with");
  const std::map<std::string, std::string> help = {
      {"delay", "Added delay, e.g. 50ms (0ms: none)"},
      {"jitter", "Random variation of the delay, e.g. 5ms"},
      {"loss", "Share of packets dropped, e.g. 1.5%"},
      {"duplicate", "Share of packets sent twice, e.g. 1%"},
      {"reorder", "Share of packets sent ahead of delayed ones, e.g. 25%"},
      {"corrupt", "Share of packets with a bit flipped, e.g. 0.1%"},
      {"rate", "Bandwidth cap, e.g. 10mbit (mbps: megabytes per second, as in tc)"}};
  for (const char* key : kImpairmentKeys) {
    cmd->add_option(std::string("--") + key, o->values[key], help.at(key));
  }
  cmd->add_flag("--clear", o->clear, "Remove every impairment first (then apply the ones given)");
  cmd->add_flag("--both", o->both, "Change both ends of the link (both directions)");
  return {cmd, [o]() -> int {
            SetLinkRequest req;
            req.lab = o->lab;
            req.prefix = o->prefix;
            req.endpoint = o->endpoint;
            req.clear = o->clear;
            req.both = o->both;
            bool any = o->clear, bad = false;
            for (const char* key : kImpairmentKeys) {
              const std::optional<std::string>& v = o->values[key];
              if (!v) continue;
              any = true;
              if (auto e = ParseImpairmentValue(key, *v, &req.changes)) {
                PrintError("--" + std::string(key) + " " + *v + ": " + e->message +
                           (e->hint.empty() ? "" : " (" + e->hint + ")"));
                bad = true;
              }
            }
            if (!any) {
              PrintError(
                  "nothing to change: give --delay, --jitter, --loss, --duplicate, --reorder, "
                  "--corrupt, --rate or --clear");
              bad = true;
            }
            if (bad) {
              return kExitInvalid;
            }
            if (!RequireRoot("topo set-link")) return kExitFailure;
            auto backend = MakeBackend();
            StateStore store;
            SetLinkResult r;
            InstallTestHooks(&req);
            // A signal ends the wait for the lab's lock (naming its holder); a
            // change that has begun finishes.
            req.cancel = InstallCancelHandlers();
            Status s = SetLink(req, *backend, store, &r);
            for (const std::string& w : r.warnings) std::cerr << "topo: warning: " << w << "\n";
            if (!s.ok()) {
              PrintError(s.message());
              return s.code() == Status::Code::kInvalidArgument ? kExitInvalid
                     : s.IsNotFound()                           ? kExitInvalid
                                                                : kExitFailure;
            }
            for (const LinkEndChange& c : r.changes) {
              std::cout << "lab '" << r.lab << "': " << c.node << ":" << c.ifname << " now "
                        << c.after.ToString() << " (was " << c.before.ToString() << ")\n";
            }
            NoteSignalWhileFinishing("the link was being changed");
            return kExitOk;
          }};
}

}  // namespace topo::cli
