// Semantic checks of impairments and names (check_internal.h): how impairment
// values relate to each other on each link end, `impair` where it cannot
// apply, and name servers.
#include <set>

#include "front/rules_internal.h"

namespace topo::check_internal {

namespace {

// Where the effective value of `key` for one link end was written: the
// interface's own `impair` when it sets the key, else the link's.
const Source& KeyAt(const std::string& key, const ImpairmentSpec& own, const ImpairmentSpec& link) {
  if (const Source* s = own.KeySource(key)) return *s;
  if (const Source* s = link.KeySource(key)) return *s;
  return own.given() ? own.src : link.src;
}

}  // namespace

void CheckImpairments(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  // A problem of a link's `impair` shows on both ends: report it once.
  std::set<std::pair<std::string, std::string>> reported;  // (pointer, message)
  const ImpairmentSpec none;
  for (const Link& l : t.links) {
    for (const Endpoint* e : {&l.a, &l.b}) {
      const Interface* i = lab.FindEndpoint(*e);
      const ImpairmentSpec& own = i ? i->impair : none;
      if (!own.given() && !l.impair.given()) continue;
      const Impairment effective = l.impair.value.Merged(own.value);
      for (const ImpairmentProblem& p : ImpairmentProblems(effective)) {
        const Source& at = KeyAt(p.key, own, l.impair);
        if (!reported.insert({at.pointer, p.message}).second) continue;
        if (p.warning) {
          WarningAt(diags, at, p.message, p.hint);
        } else {
          ErrorAt(diags, at, p.message, p.hint);
        }
      }
    }
  }
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (i.name == "lo" && i.impair.given()) {
        ErrorAt(diags, Prefer(i.impair.src, i.src), "'lo' cannot be impaired",
                "impairments shape what a link end sends: put them on a link, or on an "
                "interface that is a link end");
      }
    }
  }
}

void CheckDns(const LabIndex& lab, DiagnosticList* diags) {
  // glibc's resolver reads at most three `nameserver` lines (MAXNS).
  constexpr size_t kMaxNameServers = 3;
  for (const Node& n : lab.topology().nodes) {
    if (n.is_root() && !n.dns.empty()) {
      ErrorAt(diags, n.dns_sources.front(),
              "node " + Quote(n.name) + " of kind 'root' cannot have 'dns': it is the host itself",
              "topo never changes the host's /etc/resolv.conf; remove 'dns'");
      continue;
    }
    std::set<IpAddress> seen;
    for (size_t k = 0; k < n.dns.size(); ++k) {
      if (!seen.insert(n.dns[k]).second) {
        WarningAt(diags, n.dns_sources[k],
                  "name server " + n.dns[k].ToString() + " is listed twice for " + Quote(n.name));
      } else if (seen.size() > kMaxNameServers) {
        WarningAt(diags, n.dns_sources[k],
                  "name server " + n.dns[k].ToString() + " of " + Quote(n.name) +
                      " will not be used: the resolver reads at most " +
                      std::to_string(kMaxNameServers),
                  "list at most three name servers");
      }
    }
  }
}

}  // namespace topo::check_internal
