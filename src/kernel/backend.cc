#include "kernel/backend.h"

namespace topo {

bool RouteState::Matches(const RouteSpec& spec) const {
  if (!type.empty() || family != spec.family) return false;
  if (to.has_value() != spec.to.has_value()) return false;
  if (to && to->Network() != spec.to->Network()) return false;
  if (spec.metric && metric != std::optional<long>(*spec.metric)) return false;
  for (const NextHop& hop : nexthops) {
    if (spec.via && hop.via != spec.via) continue;
    if (!spec.dev.empty() && hop.dev != spec.dev) continue;
    return true;
  }
  return nexthops.empty() && !spec.via && spec.dev.empty();
}

std::string RouteState::ToString() const {
  std::string out;
  if (!type.empty()) out += type + " ";
  if (!to || to->length == 0) {
    out += "default";
  } else {
    out += to->addr.ToString();
    if (to->length != to->addr.max_prefix()) out += "/" + std::to_string(to->length);
  }
  for (const NextHop& hop : nexthops) {
    if (nexthops.size() > 1) out += " nexthop";
    if (hop.via) out += " via " + hop.via->ToString();
    if (!hop.dev.empty()) out += " dev " + hop.dev;
  }
  if (!proto.empty()) out += " proto " + proto;
  if (!scope.empty()) out += " scope " + scope;
  if (src) out += " src " + src->ToString();
  if (metric) out += " metric " + std::to_string(*metric);
  return out;
}

std::vector<Status> Backend::RemoveEtcFiles(const std::vector<EtcFileRemoval>& files) {
  std::vector<Status> out;
  out.reserve(files.size());
  for (const EtcFileRemoval& f : files) out.push_back(RemoveEtcFile(f.ns, f.name, f.note));
  return out;
}

}  // namespace topo
