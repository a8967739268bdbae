#include "model/addressing.h"

namespace topo {
namespace {

// Not 0.0.0.0/8 (nor ::), loopback, multicast or link-local.
bool Usable(const IpAddress& a) {
  if (a.is_v4() && a.bytes[0] == 0) return false;
  return !IsUnspecified(a) && !IsLoopback(a) && !IsMulticast(a) && !IsLinkLocal6(a);
}

}  // namespace

std::optional<IpAddress> NodeAddress(const Node& n, int family) {
  for (int f : {4, 6}) {
    if (family != 0 && f != family) continue;
    for (const Interface& i : n.interfaces) {
      for (const Prefix& p : i.addresses) {
        if (p.family() == f && Usable(p.addr)) return p.addr;
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
