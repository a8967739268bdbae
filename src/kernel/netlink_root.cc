// What NetlinkBackend (netlink_backend.h) needs to undo exactly what a lab
// changed in a namespace it does not own (the root namespace): the nat table
// iptables-nft leaves behind, looked at from inside the namespace. (Reading a
// sysctl before it changes is ReadSysctl, next to SetSysctl.)
#include "kernel/netlink_backend.h"
#include "kernel/nft_table.h"

namespace topo {

Status NetlinkBackend::NatTableExists(const std::string& ns, bool ipv6, bool* exists) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  NetnsGuard guard;
  if (Status s = guard.Enter(n->fd.get(), home_fd_.get()); !s.ok()) return s;
  Status s = NftTableExists(ipv6 ? 6 : 4, "nat", exists);
  if (Status left = guard.Leave(); !left.ok()) return left;
  return s;
}

Status NetlinkBackend::RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  NetnsGuard guard;
  if (Status s = guard.Enter(n->fd.get(), home_fd_.get()); !s.ok()) return s;
  bool removed = false;
  Status s = NftRemoveTableIfEmpty(ipv6 ? 6 : 4, "nat", &removed);
  if (Status left = guard.Leave(); !left.ok()) return left;
  return s;
}

}  // namespace topo
