// topo capture NODE:IF [--lab LAB | --prefix P] [-w FILE] [-c COUNT] [--duration T]
// [--filter EXPR]: the packets of one interface of a lab that is up, as pcap.
#include <algorithm>
#include <cctype>
#include <iostream>

#include "capture/capture.h"
#include "cli/common.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "model/diagnostic.h"

namespace topo::cli {

namespace {

// The interfaces the lab made in namespace `ns` (its veth ends, bridges, VLAN
// sub-interfaces, interfaces of a kind, lo).
std::vector<std::string> InterfacesIn(const Plan& plan, const std::string& ns) {
  std::vector<std::string> names;
  if (!ns.empty()) names.emplace_back("lo");
  for (const Action& a : plan.actions) {
    if (a.kind != ActionKind::kCreateVeth && a.kind != ActionKind::kCreateBridge &&
        a.kind != ActionKind::kCreateVlan && a.kind != ActionKind::kCreateInterface) {
      continue;
    }
    if (a.ns == ns) names.push_back(a.ifname);
    if (a.kind == ActionKind::kCreateVeth && a.peer_ns() == ns) names.push_back(a.peer_ifname());
  }
  return names;
}

// "500ms", "10s", "2m", "1h" -> milliseconds; nullopt when it is none of these.
std::optional<int64_t> ParseDurationMs(const std::string& text) {
  size_t end = 0;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) {
    ++end;
  }
  if (end == 0 || end > 12) return std::nullopt;
  double n = 0;
  try {
    n = std::stod(text.substr(0, end));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const std::string unit = text.substr(end);
  const double scale = unit == "ms"  ? 1
                       : unit == "s" ? 1e3
                       : unit == "m" ? 6e4
                       : unit == "h" ? 3.6e6
                                     : 0;
  if (scale == 0) return std::nullopt;
  return static_cast<int64_t>(n * scale);
}

}  // namespace

Verb RegisterCapture(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "capture", "Capture the packets of one interface of a lab as pcap (to stdout, or -w FILE)");
  struct Opts {
    std::string endpoint, lab, output = "-", filter, duration;
    std::optional<std::string> prefix;
    std::optional<uint64_t> count;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("endpoint", o->endpoint, "NODE:IF, e.g. router:eth0")->required();
  cmd->add_option("--lab", o->lab, "Lab the node belongs to (needed when several labs have it)");
  cmd->add_option("--prefix", o->prefix, "Prefix the node's lab was brought up with");
  cmd->add_option("-w,--write", o->output, "pcap file to write; - (the default): standard output");
  cmd->add_option("-c,--count", o->count, "Stop after this many packets");
  cmd->add_option("--duration", o->duration, "Stop after this long, e.g. 10s or 500ms");
  cmd->add_option("--filter", o->filter, "Keep only packets matching this pcap-filter expression");
  return {cmd, [o]() -> int {
            const size_t colon = o->endpoint.find(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == o->endpoint.size()) {
              PrintError("'" + o->endpoint + "' is not an interface of the form node:interface");
              return kExitInvalid;
            }
            CaptureOptions options;
            options.ifname = o->endpoint.substr(colon + 1);
            options.output = o->output;
            options.count = o->count;
            options.filter = o->filter;
            if (!o->duration.empty()) {
              options.duration_ms = ParseDurationMs(o->duration);
              if (!options.duration_ms) {
                PrintError("--duration '" + o->duration +
                           "' is not a duration (e.g. 500ms, 10s, 2m, 1h)");
                return kExitInvalid;
              }
            }
            if (!RequireRoot("topo capture")) return kExitFailure;
            StateStore store;
            std::string lab, node;
            Status s = FindNodeNamespace(store, o->lab, o->endpoint.substr(0, colon), &lab,
                                         &options.ns, o->prefix, &node);
            LabRecord rec;
            if (s.ok()) s = store.ReadLab(lab, &rec);
            if (s.ok()) {
              std::vector<std::string> names = InterfacesIn(rec.plan, options.ns);
              if (std::find(names.begin(), names.end(), options.ifname) == names.end()) {
                s = Status::NotFound("node '" + node + "' has no interface '" + options.ifname +
                                     "' in lab '" + lab + "'" + DidYouMean(options.ifname, names));
              }
            }
            if (!s.ok()) {
              PrintError(s.message());
              return s.IsNotFound() ? kExitInvalid : kExitFailure;
            }
            const std::string where = node + ":" + options.ifname;
            options.cancel = InstallCancelHandlers();
            options.on_ready = [&] {
              std::cerr << "topo: capturing on " << where << " of lab '" << lab << "'"
                        << (o->filter.empty() ? "" : " (" + o->filter + ")") << "\n";
            };
            CaptureResult result;
            s = Capture(options, &result);
            if (!s.ok()) {
              PrintError(s.message());
              return s.code() == Status::Code::kInvalidArgument ? kExitInvalid : kExitFailure;
            }
            std::cerr << "topo: " << Counted(result.packets, "packet") << " captured on " << where;
            if (result.dropped > 0)
              std::cerr << " (" << result.dropped << " dropped by the kernel)";
            std::cerr << "\n";
            return kExitOk;
          }};
}

}  // namespace topo::cli
