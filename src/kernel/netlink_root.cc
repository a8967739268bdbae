// What NetlinkBackend (netlink_backend.h) needs to undo exactly what a lab
// changed in a namespace it does not own (the root namespace): the nat and
// filter tables iptables-nft leaves behind, looked at from inside the namespace. (Reading a
// sysctl before it changes is ReadSysctl, next to SetSysctl.)
#include "kernel/netlink_backend.h"
#include "kernel/nft_table.h"

namespace topo {

Status NetlinkBackend::NatTableExists(const std::string& ns, bool ipv6, bool* exists) {
  return TableExists(ns, ipv6 ? 6 : 4, "nat", exists);
}

Status NetlinkBackend::RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) {
  return RemoveTableIfEmpty(ns, ipv6 ? 6 : 4, "nat");
}

Status NetlinkBackend::TableExists(const std::string& ns, int family, const std::string& table,
                                   bool* exists) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  NetnsGuard guard;
  if (Status s = guard.Enter(n->fd.get(), home_fd_.get()); !s.ok()) return s;
  Status s = NftTableExists(family, table, exists);
  if (Status left = guard.Leave(); !left.ok()) return left;
  return s;
}

Status NetlinkBackend::RemoveTableIfEmpty(const std::string& ns, int family,
                                          const std::string& table) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  NetnsGuard guard;
  if (Status s = guard.Enter(n->fd.get(), home_fd_.get()); !s.ok()) return s;
  bool removed = false;
  Status s = NftRemoveTableIfEmpty(family, table, &removed);
  if (Status left = guard.Leave(); !left.ok()) return left;
  return s;
}

}  // namespace topo
