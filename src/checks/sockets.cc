// The shared sockets of the checks (sockets.h).
#include "checks/sockets.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>

namespace topo::probe {

socklen_t MakeSockAddr(const IpAddress& a, int port, SockAddr* out) {
  std::memset(out, 0, sizeof(*out));
  if (a.is_v4()) {
    out->in.sin_family = AF_INET;
    out->in.sin_port = htons(static_cast<uint16_t>(port));
    std::memcpy(&out->in.sin_addr, a.bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  out->in6.sin6_family = AF_INET6;
  out->in6.sin6_port = htons(static_cast<uint16_t>(port));
  std::memcpy(&out->in6.sin6_addr, a.bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

IpAddress FromSockAddr(const SockAddr& s) {
  IpAddress a;
  if (s.sa.sa_family == AF_INET) {
    a.family = 4;
    std::memcpy(a.bytes.data(), &s.in.sin_addr, 4);
  } else if (s.sa.sa_family == AF_INET6) {
    a.family = 6;
    std::memcpy(a.bytes.data(), &s.in6.sin6_addr, 16);
    // An IPv4 peer of a dual-stack socket shows as ::ffff:a.b.c.d.
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a.bytes.data(), kMapped, 12) == 0) {
      a.family = 4;
      std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
      std::fill(a.bytes.begin() + 4, a.bytes.end(), 0);
    }
  }
  return a;
}

std::string Endpoint(const IpAddress& a, int port) {
  return a.is_v4() ? a.ToString() + ":" + std::to_string(port)
                   : "[" + a.ToString() + "]:" + std::to_string(port);
}

std::string AcrossToken(const std::string& check_name) {
  // FNV-1a, 64 bits: the same on every machine and build, unlike std::hash.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : check_name) h = (h ^ c) * 0x100000001b3ULL;
  static const char kHex[] = "0123456789abcdef";
  std::string token = "topx";  // never a random token's "topo"
  for (int i = 0; i < 12; ++i) token += kHex[(h >> (4 * i)) & 0xf];
  return token;
}

void OpenListener(Listener* l) {
  const int af = l->addr.is_v4() ? AF_INET : AF_INET6;
  UniqueFd fd(::socket(af, l->proto | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const std::string where =
      "cannot listen on " + Endpoint(l->addr, l->port) + " in node '" + l->node + "': ";
  if (!fd.valid()) {
    l->error = where + std::strerror(errno);
    return;
  }
  int one = 1;
  if (l->proto == SOCK_STREAM) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (af == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  SockAddr sa;
  socklen_t len = MakeSockAddr(l->addr, l->port, &sa);
  if (::bind(fd.get(), &sa.sa, len) != 0 ||
      (l->proto == SOCK_STREAM && ::listen(fd.get(), SOMAXCONN) != 0)) {
    l->error = where + std::strerror(errno);
    if (errno == EADDRINUSE && l->proto == SOCK_STREAM) {
      l->error += " (add 'listen: false' if the lab runs its own service there)";
    }
    return;
  }
  len = sizeof(sa);
  if (::getsockname(fd.get(), &sa.sa, &len) == 0) l->port = ntohs(sa.in.sin_port);
  l->fd = std::move(fd);
}

Status InEachNamespace(const std::vector<std::string>& namespaces, const std::string& netns_dir,
                       const std::function<void(const std::string& ns)>& open) {
  Status status;
  // The host's namespace (ns ""): this thread's, taken by identity, never by name.
  UniqueFd host_fd;
  for (const std::string& ns : namespaces) {
    if (!ns.empty() || host_fd.valid()) continue;
    host_fd.Reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!host_fd.valid()) return Status::FromErrno("open /proc/thread-self/ns/net", errno);
  }
  // setns() moves only the calling thread: a helper thread does it, so the
  // caller's thread never leaves its namespace.
  std::thread helper([&] {
    for (const std::string& ns : namespaces) {
      UniqueFd ns_fd;
      if (ns.empty()) {
        ns_fd.Reset(::dup(host_fd.get()));
        status = ns_fd.valid() ? Status::OK() : Status::FromErrno("dup", errno);
      } else {
        status = OpenNetns(ns, &ns_fd, netns_dir);
      }
      NetnsGuard guard;
      if (status.ok()) status = guard.Enter(ns_fd.get());
      if (!status.ok()) {
        status = Status::NotFound("cannot run checks in " +
                                  (ns.empty() ? "the host's namespace" : "namespace '" + ns + "'") +
                                  ": " + status.message() + " (is the lab up?)");
        return;
      }
      open(ns);
      status = guard.Leave();
      if (!status.ok()) return;
    }
  });
  helper.join();
  return status;
}

}  // namespace topo::probe
