// CheckHostRoutes (rules_internal.h): the host routes a root node would add
// that take over the host's routing whatever the host has (model/host_routes.h).
#include <string>
#include <vector>

#include "front/rules_internal.h"
#include "model/host_routes.h"

namespace topo::check_internal {
namespace {

// A route the root node adds to the host: a `routes:` entry, or the subnet
// of one of its addresses (the kernel adds that route with the address).
struct HostRoute {
  Prefix to;
  std::string what;  // "host route 10.0.0.0/8", "host-side address 10.0.0.1/8 on 'veth0'"
  const Source* src = nullptr;
  bool is_address = false;
};

std::string Flag(const Prefix& p) { return "--allow-host-route " + p.Network().ToString(); }

}  // namespace

void CheckHostRoutes(const Topology& t, const Node& root, DiagnosticList* diags) {
  std::vector<HostRoute> routes;
  for (const Route& r : root.routes) {
    HostRoute h;
    h.to = r.to ? r.to->Network() : DefaultPrefix(r.family);
    h.what = "host route " + r.DestinationString();
    h.src = &Prefer(r.to_src, r.src);
    routes.push_back(h);
  }
  for (const Interface& i : root.interfaces) {
    for (size_t k = 0; k < i.addresses.size(); ++k) {
      HostRoute h;
      h.to = i.addresses[k].Network();
      h.what = "host-side address " + i.addresses[k].ToString() + " on " + Quote(i.name);
      h.src = k < i.address_sources.size() ? &i.address_sources[k] : &i.src;
      h.is_address = true;
      routes.push_back(h);
    }
  }
  const std::string hint_flag =
      "route only the lab's own prefixes through it; if the lab is "
      "meant to take the host's traffic, run topo with ";
  std::vector<const HostRoute*> checked;
  for (const HostRoute& h : routes) {
    if (HostRouteAllowed(h.to, t.allowed_host_routes)) continue;
    // Half the space or more on its own (a default route, a /1): that alone is the problem.
    if (h.to.length <= 1) {
      ErrorAt(diags, *h.src,
              h.what + " of the root node " + Quote(root.name) +
                  (h.to.length == 0
                       ? " is a default route for the host: it would take over the host's routing"
                       : " covers half of the " + FamilyName(h.to.family()) +
                             " address space: it would take over the host's default route"),
              hint_flag + Flag(h.to));
      continue;
    }
    checked.push_back(&h);
    // An IPv6 link-local address is reached through its interface only: it
    // diverts nothing, and every interface has one anyway.
    if (h.is_address && h.to.family() == 6) continue;
    if (std::optional<Prefix> range = ReservedHostRange(h.to)) {
      ErrorAt(diags, *h.src,
              h.what + " of the root node " + Quote(root.name) + " reaches into " +
                  range->ToString() + " (" + ReservedHostRangeWhat(*range) +
                  "): the host's traffic there would go into the lab",
              "a lab may not divert the host's link-local traffic; if it is meant to, run topo "
              "with " +
                  Flag(h.to));
    }
  }
  // Smaller routes that add up to half the space (0.0.0.0/2 + 64.0.0.0/2).
  for (int family : {4, 6}) {
    std::vector<Prefix> so_far;
    std::string list;
    for (const HostRoute* h : checked) {
      if (h->to.family() != family) continue;
      so_far.push_back(h->to);
      list += (list.empty() ? "" : ", ") + h->to.ToString();
      if (!CoverHalfTheSpace(so_far, family)) continue;
      ErrorAt(diags, *h->src,
              "the host routes of the root node " + Quote(root.name) + " (" + list +
                  ") cover half of the " + FamilyName(family) +
                  " address space or more: they would take over the host's default route",
              hint_flag + Flag(DefaultPrefix(family)));
      break;
    }
  }
}

}  // namespace topo::check_internal
