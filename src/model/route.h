// A static route as plain values: what topo asks the kernel to add or delete
// (Backend::AddRoute) and, with source positions added, a topology's Route
// (topology.h). No positions, no YAML: the kernel interface takes these.
#pragma once

#include <optional>
#include <string>

#include "model/ip.h"

namespace topo {

struct RouteSpec {
  std::optional<Prefix> to;  // nullopt means "default"
  int family = 4;            // 4 or 6: from `to` or `via`; a default route without `via` is IPv4
  std::optional<IpAddress> via;
  std::string dev;
  std::optional<int> metric;

  bool is_default() const { return !to.has_value(); }
  // "default" or the prefix.
  std::string DestinationString() const { return to ? to->ToString() : "default"; }
};

}  // namespace topo
