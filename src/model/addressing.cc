#include "model/addressing.h"

namespace topo {
namespace {

// Not 0.0.0.0/8 (nor ::), loopback, multicast or link-local.
bool Usable(const IpAddress& a) {
  if (a.is_v4() && a.bytes[0] == 0) return false;
  return !IsUnspecified(a) && !IsLoopback(a) && !IsMulticast(a) && !IsLinkLocal6(a);
}

}  // namespace

std::optional<IpAddress> NodeAddress(const Node& n, int only) {
  for (int family : {4, 6}) {
    if (only != 0 && family != only) continue;
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        if (p.family() == family && Usable(p.addr)) return p.addr;
      }
    }
  }
  return std::nullopt;
}

const Node* NodeWithAddress(const Topology& t, const IpAddress& a) {
  if (IsLoopback(a)) return nullptr;
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        if (p.addr == a) return &n;
      }
    }
  }
  return nullptr;
}

}  // namespace topo
