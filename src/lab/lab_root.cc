// RootClashes (lab.h): what `up` refuses before touching the host when a lab
// attaches to the root namespace. The host's interfaces, addresses and routes
// come from Backend::Inspect(""); the lab's root-side objects from the plan's
// actions with ns "".
#include "lab/lab.h"

#include <set>

#include "lab/sysctl_owners.h"

namespace topo {
namespace {

bool RouteOverlaps(const std::optional<Prefix>& lab, int family, const RouteState& host) {
  if (family != host.family) return false;
  if (!lab || !host.to) return !lab && !host.to;  // a default route clashes only with another
  return lab->Overlaps(*host.to);
}

std::string Subject(const Prefix& p, const std::string& ifname) {
  return "host-side address " + p.ToString() + " on '" + ifname + "'";
}

// What a lab's host route to `net` would take from the host besides the
// routes it overlaps: the host's own addresses in it, and the gateways of the
// host's routes (the default route's above all), which would then be reached
// through the lab.
std::vector<std::string> Covered(const Prefix& net, const std::string& subject,
                                 const NamespaceState& host) {
  std::vector<std::string> out;
  for (const InterfaceState& i : host.interfaces) {
    for (const std::string& text : i.addresses) {
      std::string err;
      std::optional<Prefix> q = ParsePrefix(text, &err);
      if (!q || IsLoopback(q->addr) || IsLinkLocal6(q->addr) || !net.Contains(q->addr)) continue;
      out.push_back(subject + " covers the host's address " + text + " on " + i.name);
    }
  }
  for (const RouteState& r : host.routes) {
    for (const RouteState::NextHop& nh : r.nexthops) {
      if (!nh.via || IsLinkLocal6(*nh.via) || !net.Contains(*nh.via)) continue;
      out.push_back(subject + " covers " + nh.via->ToString() +
                    ", the gateway of the host's route " + r.ToString());
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> RootClashes(const Plan& plan, Backend& backend, const StateStore& store) {
  std::vector<std::string> problems;
  std::vector<const Action*> root;
  for (const Action& a : plan.actions) {
    if (a.ns.empty() || (a.kind == ActionKind::kCreateVeth && a.peer_ns().empty())) {
      root.push_back(&a);
    }
  }
  if (root.empty()) return problems;
  NamespaceState host;
  if (Status s = backend.Inspect("", &host); !s.ok()) {
    problems.push_back("cannot inspect the root namespace: " + s.message());
    return problems;
  }
  const std::vector<RouteState>& routes = host.routes;
  for (const Action* a : root) {
    switch (a->kind) {
      case ActionKind::kCreateVeth:
        for (const auto& [ns, ifname] :
             {std::pair{a->ns, a->ifname}, std::pair{a->peer_ns(), a->peer_ifname()}}) {
          if (!ns.empty()) continue;
          for (const InterfaceState& i : host.interfaces) {
            if (i.name != ifname) continue;
            problems.push_back("interface '" + ifname +
                               "' already exists in the root namespace (root-side interface "
                               "names are used as written; rename it in the file)");
          }
        }
        break;
      case ActionKind::kAddAddress: {
        const Prefix& p = a->address();
        if (IsLinkLocal6(p.addr)) break;
        bool clash = false;
        for (const InterfaceState& i : host.interfaces) {
          for (const std::string& text : i.addresses) {
            std::string err;
            std::optional<Prefix> q = ParsePrefix(text, &err);
            if (!q || q->family() != p.family() || IsLinkLocal6(q->addr) || IsLoopback(q->addr) ||
                !p.Overlaps(*q)) {
              continue;
            }
            problems.push_back(Subject(p, a->ifname) + " overlaps " + text + " on " + i.name +
                               ", which the host already has");
            clash = true;
          }
        }
        if (clash) break;
        for (const RouteState& r : routes) {
          if (!r.to || IsLinkLocal6(r.to->addr) || !RouteOverlaps(p.Network(), p.family(), r)) {
            continue;
          }
          problems.push_back(Subject(p, a->ifname) + " overlaps the host's route " + r.ToString());
          clash = true;
        }
        if (clash || IsLinkLocal6(p.addr)) break;
        for (std::string& c : Covered(p.Network(), Subject(p, a->ifname), host)) {
          problems.push_back(std::move(c));
        }
        break;
      }
      case ActionKind::kAddRoute: {
        const RouteSpec& lr = a->route();
        const std::string subject =
            "host-side route " + lr.DestinationString() +
            (lr.is_default() ? " (" + std::string(lr.family == 6 ? "IPv6" : "IPv4") + ")" : "");
        bool clash = false;
        for (const RouteState& r : routes) {
          if (r.to && IsLinkLocal6(r.to->addr)) continue;
          if (!RouteOverlaps(lr.to, lr.family, r)) continue;
          problems.push_back(subject + " overlaps the host's route " + r.ToString());
          clash = true;
        }
        // Shadowing the default route's gateway, or the host's own addresses,
        // takes the host's traffic as surely as an overlapping route.
        // A default route takes only what no other route of the host takes
        // (validate refuses it unless --allow-host-route lets it).
        if (clash || !lr.to) break;
        for (std::string& c : Covered(lr.to->Network(), subject, host)) {
          problems.push_back(std::move(c));
        }
        break;
      }
      default:
        break;
    }
  }
  // Root-side interfaces another lab has registered, made or not yet: the
  // store's lock is held from this check to this lab's registration.
  std::set<std::string> wanted;
  for (const Action* a : root) {
    if (a->kind != ActionKind::kCreateVeth) continue;
    wanted.insert(a->ns.empty() ? a->ifname : a->peer_ifname());
  }
  for (const std::string& lab : wanted.empty() ? std::vector<std::string>{} : store.ListLabs()) {
    LabRecord rec;
    if (lab == plan.lab || !store.ReadLab(lab, &rec).ok()) continue;
    for (const Action& other : rec.plan.actions) {
      if (other.kind != ActionKind::kCreateVeth) continue;
      for (const auto& [ns, ifname] :
           {std::pair{other.ns, other.ifname}, std::pair{other.peer_ns(), other.peer_ifname()}}) {
        if (ns.empty() && wanted.count(ifname)) {
          problems.push_back("interface '" + ifname + "' of the root namespace belongs to lab '" +
                             lab + "'");
        }
      }
    }
  }
  // A root sysctl another lab (of any state directory) has set to another
  // value; the same value is shared, and restored by the last owner.
  SysctlOwners owners(SysctlOwners::DefaultDir(), store.dir(), plan.lab);
  for (std::string& p : owners.Conflicts(plan)) problems.push_back(std::move(p));
  return problems;
}

}  // namespace topo
