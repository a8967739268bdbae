// The semantic checks of the `checks:` section: every reference resolves
// (`from` is a node, `to` a node with an address or an address), what needs
// topo's listener has somewhere to listen, source and target are of one
// family, timeouts are sensible and explicit names are unique.
#include <map>

#include "front/rules_internal.h"
#include "model/addressing.h"

namespace topo::check_internal {
namespace {

// Text that was probably meant as an address: digits, dots and colons only.
bool LooksLikeAddress(const std::string& s) {
  bool digit = false;
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != '.' && c != ':') return false;
    digit = digit || (c >= '0' && c <= '9');
  }
  return digit && (s.find('.') != std::string::npos || s.find(':') != std::string::npos);
}

std::string Seconds(int ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

// The target address of check `c`, or nullopt after reporting why there is none.
std::optional<IpAddress> CheckTarget(const LabIndex& lab, const DeclaredCheck& c,
                                     DiagnosticList* diags) {
  const Source& at = Prefer(c.to_src, c.src);
  if (c.to_address && c.family != 0) {
    ErrorAt(diags, Prefer(c.family_src, c.src),
            "'family' goes with a node name as 'to'; " + c.to_address->ToString() + " is " +
                FamilyName(c.to_address->family) + " already",
            "drop 'family', or name the node");
    return std::nullopt;
  }
  if (c.to_address) {
    if (IsLinkLocal6(*c.to_address)) {
      ErrorAt(diags, at,
              "check target " + c.to_address->ToString() +
                  " is link-local, which needs an interface to be reached",
              "check a global address of the node instead");
      return std::nullopt;
    }
    return c.to_address;
  }
  if (c.to.empty()) return std::nullopt;  // missing: the schema's to report
  const Node* n = lab.FindNode(c.to);
  if (!n) {
    if (LooksLikeAddress(c.to)) {
      ErrorAt(diags, at, Quote(c.to) + " is not a valid IPv4 or IPv6 address, nor a node name",
              "'to' is an address (2.2.2.2) or a node name");
    } else {
      ErrorAt(diags, at,
              "unknown node " + Quote(c.to) + DidYouMean(c.to, NodeNames(lab.topology())),
              "'to' is an address (2.2.2.2) or a node name");
    }
    return std::nullopt;
  }
  auto a = NodeAddress(*n, c.family);
  if (!a && c.family != 0) {
    ErrorAt(diags, at,
            "node " + Quote(n->name) + " has no " + FamilyName(c.family) +
                " address a check could go to",
            NodeAddress(*n) ? "it has addresses of the other family only: drop 'family'"
                            : "write the address to check instead of the node name");
  } else if (!a) {
    ErrorAt(diags, at, "node " + Quote(n->name) + " has no address a check could go to",
            "write the address to check instead of the node name");
  }
  return a;
}

void CheckOne(const LabIndex& lab, const DeclaredCheck& c, DiagnosticList* diags) {
  if (!c.from.empty() && !lab.FindNode(c.from)) {
    ErrorAt(diags, Prefer(c.from_src, c.src),
            "unknown node " + Quote(c.from) + DidYouMean(c.from, NodeNames(lab.topology())),
            "checks start from a node declared under 'nodes'");
  } else if (const Node* from = c.from.empty() ? nullptr : lab.FindNode(c.from);
             from && from->is_switch()) {
    ErrorAt(diags, Prefer(c.from_src, c.src),
            "a check cannot start from switch " + Quote(c.from) +
                ": a switch has no address to send from",
            "start it from a host or router linked to the switch");
  }
  if (c.tcp_and_udp) {
    ErrorAt(diags, c.src, "a check is either tcp or udp, not both",
            "write two checks to probe both");
  }
  if (c.timeout_ms < 1) {
    ErrorAt(diags, Prefer(c.timeout_src, c.src), "timeout is shorter than 1 ms");
  } else if (c.timeout_ms > 60'000) {
    ErrorAt(diags, Prefer(c.timeout_src, c.src),
            "timeout " + Seconds(c.timeout_ms) + " is longer than 60s",
            "checks are meant to be quick; at most 60s");
  }
  if (c.within_ms > 600'000) {
    ErrorAt(diags, Prefer(c.within_src, c.src),
            "within " + Seconds(c.within_ms) + " is longer than 600s",
            "a check waits at most 10 minutes for the lab to get there");
  }
  const bool needs_listener = c.kind == ProbeKind::kUdp || (c.kind == ProbeKind::kTcp && c.listen);
  if (!c.listen) {
    if (c.kind == ProbeKind::kUdp && !c.source) {
      ErrorAt(diags, Prefer(c.listen_src, c.src), "a udp check needs topo's listener at the target",
              "'listen: false' goes with tcp");
    } else if (c.source) {
      ErrorAt(diags, Prefer(c.listen_src, c.src),
              "checking the source address needs topo's listener at the target",
              "drop 'listen: false'");
    } else if (c.kind == ProbeKind::kPing) {
      ErrorAt(diags, Prefer(c.listen_src, c.src), "'listen' goes with tcp checks",
              "a ping is answered by the kernel");
    }
  }
  auto target = CheckTarget(lab, c, diags);
  if (!target) return;
  if (c.source && c.source->family != target->family) {
    ErrorAt(diags, Prefer(c.source_src, c.src),
            "source " + c.source->ToString() + " is " + FamilyName(c.source->family) +
                " but the target " + target->ToString() + " is " + FamilyName(target->family));
  }
  if (needs_listener && !IsLoopback(*target) && !NodeWithAddress(lab.topology(), *target)) {
    ErrorAt(
        diags, Prefer(c.to_src, c.src),
        "no node of the lab has address " + target->ToString() + ", so topo cannot listen there",
        c.kind == ProbeKind::kTcp ? "add 'listen: false' when a service outside topo answers"
                                  : "udp checks need topo's listener on an address of the lab");
  }
}

}  // namespace

void CheckDeclaredChecks(const LabIndex& lab, DiagnosticList* diags) {
  std::map<std::string, const DeclaredCheck*> names;
  for (const DeclaredCheck& c : lab.topology().checks) {
    CheckOne(lab, c, diags);
    if (c.name.empty()) continue;
    if (std::string problem = UnprintableProblem(c.name); !problem.empty()) {
      ErrorAt(diags, Prefer(c.name_src, c.src), "check name " + Quote(c.name) + ": " + problem,
              "check names are printed in results (and CI logs): use printable text");
    }
    auto [it, fresh] = names.emplace(c.name, &c);
    if (!fresh) {
      ErrorAt(diags, Prefer(c.name_src, c.src),
              "check name " + Quote(c.name) + " is already used at line " +
                  std::to_string(it->second->name_src.loc.line),
              "results are reported by name; give each check its own");
    }
  }
}

}  // namespace topo::check_internal
