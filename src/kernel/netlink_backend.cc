#include "kernel/netlink_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "kernel/file_limit.h"
#include "kernel/iptables.h"
#include "kernel/netconf.h"
#include "kernel/netlink_links.h"
#include "kernel/netlink_qdisc.h"
#include "kernel/netns_files.h"
#include "kernel/processes.h"

namespace topo {

// A NETLINK_ROUTE socket whose error callback keeps the kernel's errno and
// extended-ack message, which libnl would otherwise fold into its own codes.
struct NetlinkBackend::Socket {
  nl_sock* sk = nullptr;
  int sys_errno = 0;
  std::string extack;

  ~Socket() {
    if (sk) nl_socket_free(sk);
  }
  void ClearError() {
    sys_errno = 0;
    extack.clear();
  }
};

namespace {

using Socket = NetlinkBackend::Socket;

// --- Errors ---------------------------------------------------------------

// libnl's codes back to the errno they stand for (the reverse of
// nl_syserr2nlerr), so messages read like the kernel's ("File exists").
int NlErrorToErrno(int nlerr) {
  switch (nlerr < 0 ? -nlerr : nlerr) {
    case NLE_EXIST:
      return EEXIST;
    case NLE_NODEV:
      return ENODEV;
    case NLE_OBJ_NOTFOUND:
      return ENOENT;
    case NLE_NOADDR:
      return EADDRNOTAVAIL;
    case NLE_INVAL:
      return EINVAL;
    case NLE_NOMEM:
      return ENOMEM;
    case NLE_PERM:
      return EPERM;
    case NLE_NOACCESS:
      return EACCES;
    case NLE_BUSY:
      return EBUSY;
    case NLE_RANGE:
      return ERANGE;
    case NLE_OPNOTSUPP:
      return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT:
      return EAFNOSUPPORT;
    case NLE_AGAIN:
      return EAGAIN;
    case NLE_INTR:
      return EINTR;
    case NLE_BAD_SOCK:
      return EBADF;
    default:
      return 0;
  }
}

// The Status of a failed libnl call `nlerr` on `s`.
Status NlStatus(const Socket& s, int nlerr) {
  int err = s.sys_errno != 0 ? s.sys_errno : NlErrorToErrno(nlerr);
  if (err == 0) return Status::IOError(nl_geterror(nlerr));
  Status st = Status::FromErrno("", err);
  if (s.extack.empty()) return st;
  std::string msg = st.message() + " (" + s.extack + ")";
  switch (st.code()) {
    case Status::Code::kNotFound:
      return Status::NotFound(msg, err);
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(msg, err);
    default:
      return Status::IOError(msg, err);
  }
}

// The NLMSGERR_ATTR_MSG of an error reply, if the kernel sent one.
std::string ExtackMessage(const nlmsgerr* e) {
  const auto* nlh =
      reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(e) - NLMSG_HDRLEN);
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return "";
  size_t offset = sizeof(nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) offset += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
  if (nlh->nlmsg_len < NLMSG_HDRLEN + offset) return "";
  int len = static_cast<int>(nlh->nlmsg_len - NLMSG_HDRLEN - offset);
  auto* attrs =
      reinterpret_cast<nlattr*>(const_cast<char*>(reinterpret_cast<const char*>(e)) + offset);
  nlattr* msg = nla_find(attrs, len, NLMSGERR_ATTR_MSG);
  if (!msg || nla_len(msg) <= 0) return "";
  std::string text(static_cast<const char*>(nla_data(msg)),
                   strnlen(static_cast<const char*>(nla_data(msg)), nla_len(msg)));
  return text;
}

int CaptureError(sockaddr_nl*, nlmsgerr* e, void* arg) {
  auto* s = static_cast<Socket*>(arg);
  s->sys_errno = -e->error;
  s->extack = ExtackMessage(e);
  return NL_STOP;  // libnl then returns its code for this errno
}

constexpr size_t kReceiveBuffer = 32768;

}  // namespace

namespace netlink_internal {

// nl_socket_get_cb() takes a reference, which is put back here, or the
// socket's own callbacks are never freed (found by LeakSanitizer).
nl_cb* CloneSocketCallbacks(nl_sock* sk) {
  nl_cb* own = nl_socket_get_cb(sk);
  nl_cb* cb = nl_cb_clone(own);
  nl_cb_put(own);
  return cb;
}

}  // namespace netlink_internal

using netlink_internal::CloneSocketCallbacks;

namespace {

// Opens a NETLINK_ROUTE socket in the calling thread's current namespace.
Status OpenSocket(std::unique_ptr<Socket>* out) {
  auto s = std::make_unique<Socket>();
  s->sk = nl_socket_alloc();
  if (!s->sk) return Status::IOError("cannot allocate a netlink socket", ENOMEM);
  if (int err = nl_connect(s->sk, NETLINK_ROUTE); err < 0) return NlStatus(*s, err);
  int one = 1;
  int fd = nl_socket_get_fd(s->sk);
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
  nl_socket_modify_err_cb(s->sk, NL_CB_CUSTOM, CaptureError, s.get());
  // One recvmsg per reply instead of a MSG_PEEK to size the buffer first: the
  // kernel never makes a message longer than the reader's buffer of 32 KiB.
  nl_socket_set_msg_buf_size(s->sk, kReceiveBuffer);
  nl_socket_disable_msg_peek(s->sk);
  *out = std::move(s);
  return Status::OK();
}

// Runs `call` (a libnl request on s) and turns its result into a Status.
template <typename F>
Status Request(Socket* s, F call) {
  s->ClearError();
  int err = call(s->sk);
  return err < 0 ? NlStatus(*s, err) : Status::OK();
}

// --- Values -----------------------------------------------------------------

int Family(int topo_family) { return topo_family == 6 ? AF_INET6 : AF_INET; }

// An nl_addr for an address with a prefix length (owned by the caller).
nl_addr* BuildAddr(const IpAddress& a, int prefix_len) {
  nl_addr* addr = nl_addr_build(Family(a.family), a.bytes.data(), a.size());
  if (addr) nl_addr_set_prefixlen(addr, prefix_len);
  return addr;
}

std::string AddrToString(nl_addr* a) {
  if (!a) return "";
  char buf[INET6_ADDRSTRLEN] = "";
  int family = nl_addr_get_family(a);
  if ((family == AF_INET || family == AF_INET6) &&
      inet_ntop(family, nl_addr_get_binary_addr(a), buf, sizeof(buf))) {
    return buf;
  }
  char other[128];
  return nl_addr2str(a, other, sizeof(other));
}

std::string MacToString(nl_addr* a) {
  if (!a) return "";
  const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(a));
  std::string out;
  for (unsigned i = 0; i < nl_addr_get_len(a); ++i) {
    char part[4];
    std::snprintf(part, sizeof(part), i ? ":%02x" : "%02x", b[i]);
    out += part;
  }
  return out;
}

std::string Trim(std::string s) {
  const char* space = " \t\n\r";
  s.erase(s.find_last_not_of(space) + 1);
  s.erase(0, std::min(s.size(), s.find_first_not_of(space)));
  return s;
}

// libnl would silently truncate a long name; the kernel's limit is IFNAMSIZ-1.
Status CheckIfname(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return Status::InvalidArgument("invalid interface name '" + ifname + "' (1 to " +
                                   std::to_string(IFNAMSIZ - 1) + " characters)");
  }
  return Status::OK();
}

// Sends an RTM_SETLINK / RTM_DELLINK naming the interface by IFLA_IFNAME.
Status LinkRequest(Socket* s, int type, const std::string& ifname, unsigned flags, unsigned change,
                   int mtu, const MacAddress* mac) {
  if (Status st = CheckIfname(ifname); !st.ok()) return st;
  nl_msg* msg = nlmsg_alloc_simple(type, 0);
  if (!msg) return Status::IOError("cannot allocate a netlink message", ENOMEM);
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_flags = flags;
  ifi.ifi_change = change;
  bool fits = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 &&
              nla_put_string(msg, IFLA_IFNAME, ifname.c_str()) == 0 &&
              (mtu <= 0 || nla_put_u32(msg, IFLA_MTU, static_cast<uint32_t>(mtu)) == 0) &&
              (!mac || nla_put(msg, IFLA_ADDRESS, 6, mac->bytes.data()) == 0);
  if (!fits) {
    nlmsg_free(msg);
    return Status::IOError("netlink message too large");
  }
  return Request(s, [&](nl_sock* sk) { return nl_send_sync(sk, msg); });  // frees msg
}

// Sends an RTM_GETLINK for the interface and reads the reply (the link, then
// the ack; or an error), discarding the link.
Status GetLink(Socket* s, const std::string& ifname) {
  if (Status st = CheckIfname(ifname); !st.ok()) return st;
  nl_msg* msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
  if (!msg) return Status::IOError("cannot allocate a netlink message", ENOMEM);
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_UNSPEC;
  if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) != 0 ||
      nla_put_string(msg, IFLA_IFNAME, ifname.c_str()) != 0) {
    nlmsg_free(msg);
    return Status::IOError("netlink message too large");
  }
  return Request(s, [&](nl_sock* sk) {
    int err = nl_send_auto(sk, msg);
    nlmsg_free(msg);
    if (err < 0) return err;
    nl_cb* cb = CloneSocketCallbacks(sk);
    if (!cb) return -NLE_NOMEM;
    bool got_link = false;
    nl_cb_set(
        cb, NL_CB_VALID, NL_CB_CUSTOM,
        [](nl_msg*, void* arg) {
          *static_cast<bool*>(arg) = true;
          return static_cast<int>(NL_OK);
        },
        &got_link);
    err = nl_recvmsgs(sk, cb);  // one message: the link, or the error
    nl_cb_put(cb);
    return err < 0 || !got_link ? err : nl_wait_for_ack(sk);
  });
}

// An IPv4 or IPv6 nl_addr as an IpAddress (nullopt for anything else).
std::optional<IpAddress> IpOf(nl_addr* a) {
  if (!a) return std::nullopt;
  IpAddress ip;
  int family = nl_addr_get_family(a);
  ip.family = family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0;
  if (ip.family == 0 || nl_addr_get_len(a) != ip.size()) return std::nullopt;
  std::memcpy(ip.bytes.data(), nl_addr_get_binary_addr(a), ip.size());
  return ip;
}

// A kernel route as plain values (ToString renders it as iproute2 does);
// nullopt for a route that is neither IPv4 nor IPv6.
std::optional<RouteState> RouteStateOf(rtnl_route* r, const std::map<int, std::string>& names) {
  RouteState out;
  int family = rtnl_route_get_family(r);
  if (family != AF_INET && family != AF_INET6) return std::nullopt;
  out.family = family == AF_INET6 ? 6 : 4;
  if (rtnl_route_get_type(r) != RTN_UNICAST) {
    char buf[32];
    out.type = nl_rtntype2str(rtnl_route_get_type(r), buf, sizeof(buf));
  }
  nl_addr* dst = rtnl_route_get_dst(r);
  if (dst && nl_addr_get_prefixlen(dst) != 0) {
    std::optional<IpAddress> a = IpOf(dst);
    if (!a) return std::nullopt;
    out.to = Prefix{*a, static_cast<int>(nl_addr_get_prefixlen(dst))};
  }
  int nexthops = rtnl_route_get_nnexthops(r);
  for (int i = 0; i < nexthops; ++i) {
    rtnl_nexthop* nh = rtnl_route_nexthop_n(r, i);
    RouteState::NextHop hop;
    hop.via = IpOf(rtnl_route_nh_get_gateway(nh));
    if (int index = rtnl_route_nh_get_ifindex(nh)) {
      auto it = names.find(index);
      hop.dev = it != names.end() ? it->second : "if" + std::to_string(index);
    }
    out.nexthops.push_back(std::move(hop));
  }
  if (int proto = rtnl_route_get_protocol(r); proto != RTPROT_BOOT) {
    char buf[32];
    out.proto = rtnl_route_proto2str(proto, buf, sizeof(buf));
  }
  if (int scope = rtnl_route_get_scope(r); scope != RT_SCOPE_UNIVERSE) {
    char buf[32];
    out.scope = rtnl_scope2str(scope, buf, sizeof(buf));
  }
  out.src = IpOf(rtnl_route_get_pref_src(r));
  if (uint32_t metric = rtnl_route_get_priority(r)) out.metric = metric;
  return out;
}

// Dumps every route, handing each to `each` as it is read (one route object
// alive at a time: the router of star 10000 has 40000 routes, which as
// libnl objects took ~3 KB a node). Unlike rtnl_route_alloc_cache, which folds
// IPv6 routes with the same prefix on different devices (fe80::/64 on each
// link) into one object and loses all but one, this sees every kernel route.
int DumpRoutes(nl_sock* sk, const std::function<void(rtnl_route*)>& each) {
  rtmsg rtm = {};
  rtm.rtm_family = AF_UNSPEC;
  int err = nl_send_simple(sk, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
  if (err < 0) return err;
  nl_cb* cb = CloneSocketCallbacks(sk);
  if (!cb) return -NLE_NOMEM;
  auto on_valid = [](nl_msg* msg, void* arg) -> int {
    nl_msg_parse(
        msg,
        [](nl_object* obj, void* f) {
          (*static_cast<const std::function<void(rtnl_route*)>*>(f))(
              reinterpret_cast<rtnl_route*>(obj));
        },
        arg);
    return NL_OK;
  };
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid,
            const_cast<std::function<void(rtnl_route*)>*>(&each));
  err = nl_recvmsgs(sk, cb);
  nl_cb_put(cb);
  return err < 0 ? err : 0;
}

// The RTM_NEWLINK messages the kernel echoes back for a request sent with
// NLM_F_ECHO: name, index and (for a veth) the peer's index.
struct EchoedLink {
  std::string name;
  int index = 0;
  int peer_index = 0;
  bool peer_in_other_ns = false;  // IFLA_LINK_NETNSID was given
};
struct EchoedLinks {
  std::vector<EchoedLink> links;
  bool acked = false;
};

int OnEchoedLink(nl_msg* msg, void* arg) {
  nlmsghdr* h = nlmsg_hdr(msg);
  if (h->nlmsg_type != RTM_NEWLINK || !nlmsg_valid_hdr(h, sizeof(ifinfomsg))) return NL_OK;
  nlattr* tb[IFLA_MAX + 1];
  if (nlmsg_parse(h, sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0 || !tb[IFLA_IFNAME]) {
    return NL_OK;
  }
  EchoedLink l;
  l.name = nla_get_string(tb[IFLA_IFNAME]);
  l.index = static_cast<const ifinfomsg*>(nlmsg_data(h))->ifi_index;
  if (tb[IFLA_LINK]) l.peer_index = static_cast<int>(nla_get_u32(tb[IFLA_LINK]));
  l.peer_in_other_ns = tb[IFLA_LINK_NETNSID] != nullptr;
  static_cast<EchoedLinks*>(arg)->links.push_back(std::move(l));
  return NL_OK;
}

// nl_send_sync, keeping the messages the kernel sends before its
// acknowledgement (the NLM_F_ECHO copy). Frees msg.
int SendWithEcho(nl_sock* sk, nl_msg* msg, EchoedLinks* out) {
  int err = nl_send_auto(sk, msg);
  nlmsg_free(msg);
  if (err < 0) return err;
  nl_cb* cb = CloneSocketCallbacks(sk);
  if (!cb) return -NLE_NOMEM;
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, OnEchoedLink, out);
  out->acked = false;
  nl_cb_set(
      cb, NL_CB_ACK, NL_CB_CUSTOM,
      [](nl_msg*, void* arg) -> int {
        static_cast<EchoedLinks*>(arg)->acked = true;
        return NL_STOP;
      },
      out);
  // nl_recvmsgs returns after each message that is not part of a dump: read
  // until the acknowledgement (or an error).
  while (err >= 0 && !out->acked) err = nl_recvmsgs(sk, cb);
  nl_cb_put(cb);
  return err < 0 ? err : 0;
}

}  // namespace

NetlinkBackend::Namespace::Namespace() = default;
NetlinkBackend::Namespace::~Namespace() = default;
NetlinkBackend::Namespace::Namespace(Namespace&&) noexcept = default;

NetlinkBackend::NetlinkBackend(std::string netns_dir) : dir_(std::move(netns_dir)) {
  home_fd_.Reset(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
}

NetlinkBackend::~NetlinkBackend() = default;

Status NetlinkBackend::RoomForOneMore() const {
  // A socket per namespace, at most kOpenNamespaceFds of their fds, one per
  // held one, and a margin for everything else topo opens meanwhile (state
  // files, a child's pipes, the journal).
  return EnsureOpenFiles(ns_.size() + 1 + std::min(ns_.size() + 1, kOpenNamespaceFds) +
                         held_.size() + 256);
}

Status NetlinkBackend::RootSocket(Socket** out) {
  if (!root_sock_) {
    if (Status s = OpenSocket(&root_sock_); !s.ok()) return s;
  }
  *out = root_sock_.get();
  return Status::OK();
}

Status NetlinkBackend::Get(const std::string& ns, Namespace** out) {
  held_.clear();
  auto it = ns_.find(ns);
  if (it == ns_.end()) {
    if (!home_fd_.valid()) {
      return Status::IOError("cannot open /proc/thread-self/ns/net at construction");
    }
    if (Status s = RoomForOneMore(); !s.ok()) return s;
    Namespace n;
    if (ns.empty()) {  // the root namespace: the one this thread is in
      n.fd.Reset(fcntl(home_fd_.get(), F_DUPFD_CLOEXEC, 0));
      if (!n.fd.valid()) return Status::FromErrno("dup", errno);
      if (Status s = OpenSocket(&n.sock); !s.ok()) return s;
      *out = &ns_.emplace(ns, std::move(n)).first->second;
      return Status::OK();
    }
    if (Status s = OpenNetns(ns, &n.fd, dir_); !s.ok()) return s;
    NetnsGuard guard;
    if (Status s = guard.Enter(n.fd.get(), home_fd_.get()); !s.ok()) return s;
    Status opened = OpenSocket(&n.sock);
    if (Status s = guard.Leave(); !s.ok()) return s;
    if (!opened.ok()) return opened;
    it = ns_.emplace(ns, std::move(n)).first;
    KeepFd(ns);
  } else if (!it->second.fd.valid()) {  // released by KeepFd: open it again by name
    if (Status s = OpenNetns(ns, &it->second.fd, dir_); !s.ok()) return s;
    KeepFd(ns);
  }
  *out = &it->second;
  return Status::OK();
}

void NetlinkBackend::KeepFd(const std::string& ns) {
  if (ns.empty()) return;  // the root namespace's stays
  open_fds_.push_back(ns);
  while (open_fds_.size() > kOpenNamespaceFds) {
    // The oldest goes; the newest few (those of the operation under way) stay.
    auto it = ns_.find(open_fds_.front());
    if (it != ns_.end()) it->second.fd.Reset();
    open_fds_.pop_front();
  }
}

Status NetlinkBackend::Ifindex(Namespace* n, const std::string& ifname, int* index) {
  if (auto it = n->ifindex.find(ifname); it != n->ifindex.end()) {
    *index = it->second;
    return Status::OK();
  }
  if (Status s = CheckIfname(ifname); !s.ok()) return s;
  rtnl_link* link = nullptr;
  Status s = Request(n->sock.get(), [&](nl_sock* sk) {
    return rtnl_link_get_kernel(sk, 0, ifname.c_str(), &link);
  });
  if (!s.ok()) return s;
  *index = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);
  n->ifindex[ifname] = *index;
  return Status::OK();
}

bool NetlinkBackend::NamespaceExists(const std::string& ns) {
  return ns.empty() || NetnsExists(ns, dir_);
}

Status NetlinkBackend::NamespaceIdentity(const std::string& ns, std::string* id) {
  if (ns.empty()) return Status::InvalidArgument("the root namespace has no name to check");
  return NetnsIdentity(ns, id, dir_);
}

Status NetlinkBackend::LinkIndex(const std::string& ns, const std::string& ifname, int* index) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  n->ifindex.erase(ifname);  // the kernel's answer now, not what was learned before
  return Ifindex(n, ifname, index);
}

Status NetlinkBackend::Call(const std::string& ns, const std::function<int(nl_sock*)>& call) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  return Request(n->sock.get(), call);
}

Status NetlinkBackend::CreateNamespace(const std::string& ns) {
  held_.clear();
  ns_.erase(ns);
  if (Status s = RoomForOneMore(); !s.ok()) return s;
  Namespace n;
  Status s = CreateNetns(
      ns, dir_, [&n] { return OpenSocket(&n.sock); }, &n.fd);
  if (!s.ok()) return s;
  ns_.emplace(ns, std::move(n));
  KeepFd(ns);
  return Status::OK();
}

Status NetlinkBackend::DeleteNamespace(const std::string& ns) {
  // Unmounting goes much faster while something still holds the namespace
  // (the kernel then has nothing to free at that moment), so an fd on it is
  // kept until the next operation that is not a deletion: a run of deletions,
  // as in teardown, releases all the namespaces together at its end.
  if (ns.empty()) return Status::InvalidArgument("the root namespace cannot be deleted");
  UniqueFd hold;
  if (!RoomForOneMore().ok()) held_.clear();  // then release the held ones early
  if (auto it = ns_.find(ns); it != ns_.end()) {
    hold = std::move(it->second.fd);
    ns_.erase(it);
  }
  if (!hold.valid()) OpenNetns(ns, &hold, dir_);  // best effort: only a speed-up
  Status s = DeleteNetns(ns, dir_);
  if (hold.valid()) held_.push_back(std::move(hold));
  return s;
}

Status NetlinkBackend::CreateVeth(const std::string& ns, const std::string& ifname,
                                  const std::string& peer_ns, const std::string& peer_ifname) {
  if (Status s = CheckIfname(ifname); !s.ok()) return s;
  if (Status s = CheckIfname(peer_ifname); !s.ok()) return s;
  Namespace* a = nullptr;
  Namespace* b = nullptr;
  if (Status s = Get(ns, &a); !s.ok()) return s;
  if (Status s = Get(peer_ns, &b); !s.ok()) return s;

  // Sent on the socket inside `ns`, so the link is created there and the peer
  // goes straight to `peer_ns`. With NLM_F_ECHO (kernel 6.3 and later) the
  // kernel returns the new link, which gives both ifindexes: no RTM_GETLINK
  // is needed when addresses and routes are added later.
  rtnl_link* link = rtnl_link_veth_alloc();
  if (!link) return Status::IOError("cannot allocate a veth link", ENOMEM);
  rtnl_link* peer = rtnl_link_veth_get_peer(link);
  rtnl_link_set_name(link, ifname.c_str());
  rtnl_link_set_name(peer, peer_ifname.c_str());
  rtnl_link_set_ns_fd(peer, b->fd.get());
  // One queue each way, which is what a veth ends up using anyway; left
  // unsaid, the kernel allocates one per CPU and then trims them to one, and
  // each trim waits for an expedited RCU grace period (twice per pair).
  for (rtnl_link* end : {link, peer}) {
    rtnl_link_set_num_tx_queues(end, 1);
    rtnl_link_set_num_rx_queues(end, 1);
  }
  nl_msg* msg = nullptr;
  int built = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
  rtnl_link_put(peer);
  rtnl_link_put(link);  // frees the peer too
  if (built < 0) return Status::IOError(std::string("veth request: ") + nl_geterror(built));
  nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ECHO;
  EchoedLinks echoed;
  Status s = Request(a->sock.get(), [&](nl_sock* sk) { return SendWithEcho(sk, msg, &echoed); });
  if (!s.ok()) return s;
  // Every echoed link lives in `ns` (the socket's namespace); the veth's
  // IFLA_LINK is its peer's index, in `peer_ns`.
  for (const EchoedLink& l : echoed.links) a->ifindex[l.name] = l.index;
  for (const EchoedLink& l : echoed.links) {
    if (l.name == ifname && l.peer_index > 0 && (l.peer_in_other_ns == (a != b))) {
      b->ifindex[peer_ifname] = l.peer_index;
    }
  }
  return Status::OK();
}

Status NetlinkBackend::DeleteVeth(const std::string& ns, const std::string& ifname) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  Status s = LinkRequest(n->sock.get(), RTM_DELLINK, ifname, 0, 0, 0, nullptr);
  // The peer went too, in a namespace not named here: forget every index.
  for (auto& [name, other] : ns_) other.ifindex.clear();
  return s;
}

Status NetlinkBackend::ChangeLink(const std::string& ns, const std::string& ifname, unsigned flags,
                                  unsigned change, int mtu, const MacAddress* mac) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  return LinkRequest(n->sock.get(), RTM_SETLINK, ifname, flags, change, mtu, mac);
}

Status NetlinkBackend::SetMtu(const std::string& ns, const std::string& ifname, int mtu) {
  if (mtu <= 0) return Status::InvalidArgument("invalid mtu " + std::to_string(mtu));
  return ChangeLink(ns, ifname, 0, 0, mtu, nullptr);
}

Status NetlinkBackend::SetMac(const std::string& ns, const std::string& ifname,
                              const MacAddress& mac) {
  return ChangeLink(ns, ifname, 0, 0, 0, &mac);
}

Status NetlinkBackend::SetLinkUp(const std::string& ns, const std::string& ifname, bool up) {
  Status s = ChangeLink(ns, ifname, up ? IFF_UP : 0, IFF_UP, 0, nullptr);
  if (!s.ok() || !up || ifname == "lo") return s;
  // Bringing up the second end of a veth pair turns the carrier on, but the
  // kernel acts on that (operstate up, IPv6 link-local address) in its
  // link-watch work, which it puts off for up to a second when the device's
  // ifindex equals its peer's (common: fresh namespaces number from 1).
  // Until then the interface says NO-CARRIER and IPv6 has no link-local
  // address to do neighbour discovery with. An RTM_GETLINK for the device
  // makes the kernel handle its pending event at once (rtnl_getlink calls
  // linkwatch_sync_dev; where a kernel does not, this changes nothing).
  Namespace* n = nullptr;
  if (s = Get(ns, &n); !s.ok()) return s;
  return GetLink(n->sock.get(), ifname);
}

// Runs `call` with the interface's index, looked up again once when a cached
// index has gone stale (the interface was re-created: ENODEV).
template <typename F>
Status NetlinkBackend::OnInterface(const std::string& ns, const std::string& ifname, F call) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  Status s;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool cached = n->ifindex.count(ifname) > 0;
    int index = 0;
    if (s = Ifindex(n, ifname, &index); !s.ok()) return s;
    s = call(n->sock.get(), index);
    if (s.sys_errno() != ENODEV || !cached) break;
    n->ifindex.erase(ifname);
  }
  return s;
}

Status NetlinkBackend::ChangeAddress(const std::string& ns, const std::string& ifname,
                                     const Prefix& address, bool add) {
  if (address.family() != 4 && address.family() != 6) {
    return Status::InvalidArgument("address has no family");
  }
  return OnInterface(ns, ifname, [&](Socket* sock, int index) {
    rtnl_addr* a = rtnl_addr_alloc();
    nl_addr* local = BuildAddr(address.addr, address.length);
    if (!a || !local) {
      if (a) rtnl_addr_put(a);
      if (local) nl_addr_put(local);
      return Status::IOError("cannot allocate a netlink address", ENOMEM);
    }
    rtnl_addr_set_ifindex(a, index);
    rtnl_addr_set_local(a, local);
    rtnl_addr_set_prefixlen(a, address.length);
    nl_addr_put(local);
    if (address.family() == 6) rtnl_addr_set_flags(a, IFA_F_NODAD);
    Status s = Request(sock, [&](nl_sock* sk) {
      return add ? rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL) : rtnl_addr_delete(sk, a, 0);
    });
    rtnl_addr_put(a);
    return s;
  });
}

Status NetlinkBackend::AddAddress(const std::string& ns, const std::string& ifname,
                                  const Prefix& address) {
  return ChangeAddress(ns, ifname, address, true);
}

Status NetlinkBackend::DeleteAddress(const std::string& ns, const std::string& ifname,
                                     const Prefix& address) {
  return ChangeAddress(ns, ifname, address, false);
}

Status SysctlPath(const std::string& key, std::string* path) {
  if (key.empty() || key.front() == '.' || key.front() == '/' ||
      key.find("..") != std::string::npos) {
    return Status::InvalidArgument("invalid sysctl key '" + key + "'");
  }
  std::string rel = key;
  if (rel.find('/') != std::string::npos) {
    *path = "/proc/sys/" + rel;
    return Status::OK();
  }
  // Per-interface directories are named after the interface, which may hold
  // dots (e0.100): everything between the directory and the last dot (setting
  // names have none) is the interface's name, kept as it is.
  for (const char* dir : {"net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh.",
                          "net.mpls.conf."}) {
    const std::string d = dir;
    const size_t last = key.rfind('.');
    if (key.rfind(d, 0) == 0 && last > d.size()) {
      std::string head = d;
      std::replace(head.begin(), head.end(), '.', '/');
      *path =
          "/proc/sys/" + head + key.substr(d.size(), last - d.size()) + "/" + key.substr(last + 1);
      return Status::OK();
    }
  }
  std::replace(rel.begin(), rel.end(), '.', '/');
  *path = "/proc/sys/" + rel;
  return Status::OK();
}

Status NetlinkBackend::OpenSysctl(const std::string& ns, const std::string& key, int flags,
                                  UniqueFd* fd, std::string* path) {
  if (Status s = SysctlPath(key, path); !s.ok()) return s;
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  // The file must be opened inside the namespace; it keeps belonging to it.
  int open_errno = 0;
  {
    NetnsGuard guard;
    if (Status s = guard.Enter(n->fd.get(), home_fd_.get()); !s.ok()) return s;
    fd->Reset(open(path->c_str(), flags | O_CLOEXEC));
    open_errno = errno;
    if (Status s = guard.Leave(); !s.ok()) return s;
  }
  if (!fd->valid()) return Status::FromErrno(*path, open_errno);
  return Status::OK();
}

namespace {

// The value of an open /proc/sys file, without surrounding whitespace.
Status ReadSysctlValue(int fd, const std::string& path, std::string* value) {
  char buf[4096];
  ssize_t got = pread(fd, buf, sizeof(buf) - 1, 0);
  if (got < 0) return Status::FromErrno("read " + path, errno);
  *value = Trim(std::string(buf, static_cast<size_t>(got)));
  return Status::OK();
}

}  // namespace

Status NetlinkBackend::ReadSysctl(const std::string& ns, const std::string& key,
                                  std::string* value) {
  // The forwarding settings every router has, through netlink: each open of a
  // /proc/sys/net path costs the kernel a walk of every namespace's dentry
  // (kernel/netconf.h). Anything else, or a kernel that does not answer, reads
  // the file.
  if (std::optional<NetconfKey> nc = NetconfKeyOf(key)) {
    Namespace* n = nullptr;
    // Its socket is all this needs: a namespace whose fd KeepFd released is
    // not opened again.
    if (auto it = ns_.find(ns); it != ns_.end() && it->second.sock) {
      n = &it->second;
    } else if (Status s = Get(ns, &n); !s.ok()) {
      return s;
    }
    int v = 0;
    if (Request(n->sock.get(), [&](nl_sock* sk) { return ReadNetconf(sk, *nc, &v); }).ok()) {
      *value = std::to_string(v);
      return Status::OK();
    }
  }
  UniqueFd fd;
  std::string path;
  if (Status s = OpenSysctl(ns, key, O_RDONLY, &fd, &path); !s.ok()) return s;
  return ReadSysctlValue(fd.get(), path, value);
}

Status NetlinkBackend::SetSysctl(const std::string& ns, const std::string& key,
                                 const std::string& value, std::string* previous) {
  UniqueFd fd;
  std::string path;
  if (Status s = OpenSysctl(ns, key, O_RDWR, &fd, &path); !s.ok()) return s;
  if (previous) {
    if (Status s = ReadSysctlValue(fd.get(), path, previous); !s.ok()) return s;
  }
  std::string text = value + "\n";
  ssize_t put = pwrite(fd.get(), text.data(), text.size(), 0);
  if (put < 0) return Status::FromErrno("write " + path, errno);
  if (static_cast<size_t>(put) != text.size()) {
    return Status::IOError("write " + path + ": short write");
  }
  return Status::OK();
}

Status NetlinkBackend::ChangeRoute(const std::string& ns, const RouteSpec& route, bool add) {
  int family = Family(route.family);
  if ((route.to && route.to->family() != route.family) ||
      (route.via && route.via->family != route.family)) {
    return Status::InvalidArgument("route mixes IPv4 and IPv6 addresses");
  }
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  Status s;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool cached = !route.dev.empty() && n->ifindex.count(route.dev) > 0;
    int index = 0;
    if (!route.dev.empty()) {
      if (s = Ifindex(n, route.dev, &index); !s.ok()) return s;
    }

    rtnl_route* r = rtnl_route_alloc();
    if (!r) return Status::IOError("cannot allocate a netlink route", ENOMEM);
    rtnl_route_set_family(r, family);
    rtnl_route_set_table(r, RT_TABLE_MAIN);
    rtnl_route_set_type(r, RTN_UNICAST);
    // Like `ip route add` (proto boot); deletion matches any protocol.
    rtnl_route_set_protocol(r, add ? RTPROT_BOOT : RTPROT_UNSPEC);
    IpAddress zero;
    zero.family = route.family == 6 ? 6 : 4;
    nl_addr* dst = route.to ? BuildAddr(route.to->addr, route.to->length) : BuildAddr(zero, 0);
    int set = dst ? rtnl_route_set_dst(r, dst) : -NLE_NOMEM;
    if (dst) nl_addr_put(dst);
    if (set < 0) {
      rtnl_route_put(r);
      return Status::IOError(std::string("route destination: ") + nl_geterror(set));
    }
    if (route.metric) rtnl_route_set_priority(r, static_cast<uint32_t>(*route.metric));
    if (route.via || index) {
      rtnl_nexthop* nh = rtnl_route_nh_alloc();
      if (index) rtnl_route_nh_set_ifindex(nh, index);
      if (route.via) {
        nl_addr* gw = BuildAddr(*route.via, route.via->max_prefix());
        rtnl_route_nh_set_gateway(nh, gw);
        nl_addr_put(gw);
      }
      rtnl_route_add_nexthop(r, nh);  // the route owns it now
    }
    s = Request(n->sock.get(), [&](nl_sock* sk) {
      return add ? rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL) : rtnl_route_delete(sk, r, 0);
    });
    rtnl_route_put(r);
    if (s.sys_errno() != ENODEV || !cached) break;
    n->ifindex.erase(route.dev);
  }
  return s;
}

Status NetlinkBackend::AddRoute(const std::string& ns, const RouteSpec& route) {
  return ChangeRoute(ns, route, true);
}

Status NetlinkBackend::DeleteRoute(const std::string& ns, const RouteSpec& route) {
  return ChangeRoute(ns, route, false);
}

Status NetlinkBackend::AddSnat(const std::string& ns, const std::vector<SnatSpec>& rules) {
  return ChangeSnat(ns, rules, false);
}

Status NetlinkBackend::DeleteSnat(const std::string& ns, const std::vector<SnatSpec>& rules) {
  return ChangeSnat(ns, rules, true);
}

Status NetlinkBackend::HasSnat(const std::string& ns, const SnatSpec& rule, bool* present) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  return IptablesHasRule(n->fd.get(), rule, present);
}

Status NetlinkBackend::ChangeSnat(const std::string& ns, const std::vector<SnatSpec>& rules,
                                  bool remove) {
  std::string input;
  if (Status s = SnatRestoreInput(rules, remove, &input); !s.ok()) return s;
  if (rules.empty()) return Status::OK();
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  return IptablesRestore(n->fd.get(), rules[0].family() == 6, input);
}

Status NetlinkBackend::AddFirewall(const std::string& ns, const FirewallSet& set) {
  return ChangeFirewall(ns, set, false);
}

Status NetlinkBackend::DeleteFirewall(const std::string& ns, const FirewallSet& set) {
  return ChangeFirewall(ns, set, true);
}

Status NetlinkBackend::HasFirewallRule(const std::string& ns, const FirewallRuleSpec& rule,
                                       bool* present) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  return IptablesHasRule(n->fd.get(), rule, present);
}

Status NetlinkBackend::ReadFirewallPolicy(const std::string& ns, int family,
                                          const std::string& chain, std::string* action) {
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  return IptablesPolicy(n->fd.get(), family == 6, chain, action);
}

Status NetlinkBackend::ChangeFirewall(const std::string& ns, const FirewallSet& set, bool remove) {
  std::string input;
  if (Status s = FirewallRestoreInput(set, remove, &input); !s.ok()) return s;
  if (set.rules.empty() && set.policies.empty()) return Status::OK();
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  return IptablesRestore(n->fd.get(), set.family == 6, input);
}

Status NetlinkBackend::Inspect(const std::string& ns, NamespaceState* out) {
  *out = NamespaceState();
  out->name = ns;
  if (!NamespaceExists(ns)) return Status::OK();
  Namespace* n = nullptr;
  if (Status s = Get(ns, &n); !s.ok()) return s;
  out->exists = true;

  nl_cache* links = nullptr;
  nl_cache* addrs = nullptr;
  Status s = Request(n->sock.get(),
                     [&](nl_sock* sk) { return rtnl_link_alloc_cache(sk, AF_UNSPEC, &links); });
  if (s.ok()) {
    s = Request(n->sock.get(), [&](nl_sock* sk) { return rtnl_addr_alloc_cache(sk, &addrs); });
  }
  std::map<int, QdiscReading> qdiscs;
  if (s.ok()) {
    s = Request(n->sock.get(), [&](nl_sock* sk) { return ReadQdiscs(sk, &qdiscs); });
  }
  if (s.ok()) {
    std::map<int, std::string> names;
    std::map<int, InterfaceState> by_index;
    for (nl_object* o = nl_cache_get_first(links); o; o = nl_cache_get_next(o)) {
      auto* link = reinterpret_cast<rtnl_link*>(o);
      InterfaceState st;
      st.name = rtnl_link_get_name(link) ? rtnl_link_get_name(link) : "";
      st.up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
      st.mtu = static_cast<int>(rtnl_link_get_mtu(link));
      st.mac = MacToString(rtnl_link_get_addr(link));
      if (const char* kind = rtnl_link_get_type(link)) st.kind = kind;
      if (auto q = qdiscs.find(rtnl_link_get_ifindex(link)); q != qdiscs.end()) {
        st.qdisc = q->second.root_kind;
        st.impairment = q->second.impairment;
      }
      names[rtnl_link_get_ifindex(link)] = st.name;
      by_index[rtnl_link_get_ifindex(link)] = std::move(st);
    }
    for (nl_object* o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
      auto* a = reinterpret_cast<rtnl_addr*>(o);
      if (rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE) continue;
      auto it = by_index.find(rtnl_addr_get_ifindex(a));
      if (it == by_index.end()) continue;
      it->second.addresses.push_back(AddrToString(rtnl_addr_get_local(a)) + "/" +
                                     std::to_string(rtnl_addr_get_prefixlen(a)));
    }
    for (auto& [index, st] : by_index) out->interfaces.push_back(std::move(st));
    nl_cache_free(links);
    nl_cache_free(addrs);
    links = addrs = nullptr;
    const std::function<void(rtnl_route*)> each = [&](rtnl_route* r) {
      if (rtnl_route_get_table(r) != RT_TABLE_MAIN) return;
      if (rtnl_route_get_flags(r) & RTM_F_CLONED) return;
      if (std::optional<RouteState> st = RouteStateOf(r, names)) out->routes.push_back(*st);
    };
    s = Request(n->sock.get(), [&](nl_sock* sk) { return DumpRoutes(sk, each); });
  }
  if (links) nl_cache_free(links);
  if (addrs) nl_cache_free(addrs);
  return s;
}

// --- Impairments and /etc/netns files ------------------------------------------

Status NetlinkBackend::SetImpairment(const std::string& ns, const std::string& ifname,
                                     const Impairment& impairment) {
  return OnInterface(ns, ifname, [&](Socket* sock, int index) {
    // Replace, never change: netem keeps some settings a change does not name.
    Status s = Request(sock, [&](nl_sock* sk) { return DeleteRootQdisc(sk, index); });
    if (!s.ok() && !s.IsNotFound() && s.sys_errno() != EINVAL) return s;
    const bool netem = impairment.NeedsNetem();
    if (netem) {
      s = Request(sock, [&](nl_sock* sk) { return AddNetemRoot(sk, index, impairment); });
      if (s.sys_errno() == ENOENT) {
        return Status::IOError(
            "this kernel has no netem qdisc (sch_netem), which delay, jitter, loss, duplicate, "
            "reorder and corrupt need; try `modprobe sch_netem` (a rate alone needs only tbf)",
            ENOENT);
      }
    } else {
      s = Status::OK();
    }
    if (s.ok()) {
      s = Request(sock, [&](nl_sock* sk) { return AddTbf(sk, index, impairment, netem); });
    }
    if (!s.ok()) Request(sock, [&](nl_sock* sk) { return DeleteRootQdisc(sk, index); });
    return s;
  });
}

Status NetlinkBackend::ClearImpairment(const std::string& ns, const std::string& ifname) {
  return OnInterface(ns, ifname, [&](Socket* sock, int index) {
    Status s = Request(sock, [&](nl_sock* sk) { return DeleteRootQdisc(sk, index); });
    // The kernel's default qdisc (handle 0) cannot be deleted: there was no impairment.
    if (!s.ok() && s.sys_errno() == EINVAL) return Status::NotFound(s.message(), ENOENT);
    return s;
  });
}

Status NetlinkBackend::WriteEtcFile(const std::string& ns, const std::string& name,
                                    const std::string& content, const std::string& link_from_ns,
                                    std::string* note) {
  return topo::WriteEtcFile(ns, name, content, link_from_ns, note);
}

Status NetlinkBackend::RemoveEtcFile(const std::string& ns, const std::string& name,
                                     const std::string& note) {
  return topo::RemoveEtcFile(ns, name, note);
}

std::vector<Status> NetlinkBackend::RemoveEtcFiles(const std::vector<EtcFileRemoval>& files) {
  return topo::RemoveEtcFiles(files);
}

Status NetlinkBackend::EndProcesses(const std::vector<std::string>& namespaces, size_t* ended) {
  return EndProcessesInNamespaces(namespaces, dir_, ended);
}

}  // namespace topo
