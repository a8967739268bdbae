// What NetlinkBackend (netlink_backend.h) needs to undo exactly what a lab
// changed in a namespace it does not own (the root namespace): reading a
// sysctl before it is changed, and the nat table iptables-nft leaves behind.
// Files and sockets are opened from inside the namespace (they then keep
// belonging to it), as SetSysctl does.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "netlink_backend.h"
#include "nft_table.h"

namespace topo {

Status NetlinkBackend::ReadSysctl(const std::string& ns, const std::string& key,
                                  std::string* value) {
  if (key.empty() || key.front() == '.' || key.front() == '/' ||
      key.find("..") != std::string::npos) {
    return Status::InvalidArgument("invalid sysctl key '" + key + "'");
  }
  std::string rel = key;
  if (rel.find('/') == std::string::npos) std::replace(rel.begin(), rel.end(), '.', '/');
  const std::string path = "/proc/sys/" + rel;
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  UniqueFd fd;
  int open_errno = 0;
  {
    NetnsGuard guard;
    if (Status s = guard.Enter(n->fd.get(), home_fd_.get()); !s.ok()) return s;
    fd.Reset(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    open_errno = errno;
    if (Status s = guard.Leave(); !s.ok()) return s;
  }
  if (!fd.valid()) return Status::FromErrno(path, open_errno);
  char buf[4096];
  ssize_t got = pread(fd.get(), buf, sizeof(buf) - 1, 0);
  if (got < 0) return Status::FromErrno("read " + path, errno);
  std::string text(buf, static_cast<size_t>(got));
  const char* space = " \t\n\r";
  text.erase(text.find_last_not_of(space) + 1);
  text.erase(0, std::min(text.size(), text.find_first_not_of(space)));
  *value = text;
  return Status::OK();
}

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
