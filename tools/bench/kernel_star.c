// kernel-star: the kernel's own cost of a star lab, with nothing of topo's in
// it, to tell the kernel's super-linear terms from topo's (docs/PERFORMANCE.md,
// "Where the time goes past a thousand nodes").
//
//   kernel-star N [PREFIX]        (root; PREFIX defaults to "ks<pid>-")
//
// It does what `topo up` and the fast `topo down` of `topo-bench star N` ask
// of the kernel, one request at a time, each acknowledged:
//   names     N+1 network namespaces (unshare, then a bind mount of the new
//             namespace onto /run/netns/PREFIX{r,h1..hN}, as `ip netns add`);
//   veths     in the router's namespace, a veth pair per host, the peer
//             created straight into the host's namespace (IFLA_NET_NS_FD);
//   router    an address (/30) on each router end, and the end up;
//   hosts     in each host: the address, the link up, a default route;
//   dump      one dump of the router's links (RTM_GETLINK, NLM_F_DUMP), what
//             `topo status` reads of a namespace: every veth end in it
//             carries its peer's netns id, which the kernel finds by a walk
//             of the router's netns ids (peernet2id), so the dump is
//             quadratic in N (not counted in `up`);
//   down      unmount and unlink every name, holding each namespace open
//             until all are unmounted (what topo's fast down does);
// and prints one line: N and the seconds of each phase. Everything it makes
// carries PREFIX and is removed by exact name, also when a phase fails.
// Interface indexes are chosen (router end 2+i, host end 2) so no request has
// to look one up.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { kBuf = 4096 };

struct req {
  union {
    struct nlmsghdr h;
    char raw[kBuf];
  };
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct rtattr* attr(struct req* r, unsigned short type, const void* data, size_t len) {
  struct rtattr* a = (struct rtattr*)(r->raw + NLMSG_ALIGN(r->h.nlmsg_len));
  a->rta_type = type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}
static void end_nest(struct req* r, struct rtattr* a) {
  a->rta_len = (unsigned short)(r->raw + r->h.nlmsg_len - (char*)a);
}

// Sends the request and waits for its acknowledgement; 0 or -errno.
static int talk(int sock, struct req* r) {
  static unsigned seq;
  r->h.nlmsg_seq = ++seq;
  r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  if (send(sock, &r->h, r->h.nlmsg_len, 0) < 0) return -errno;
  char buf[kBuf];
  ssize_t n = recv(sock, buf, sizeof buf, 0);
  if (n < 0) return -errno;
  struct nlmsghdr* h = (struct nlmsghdr*)buf;
  if (h->nlmsg_type != NLMSG_ERROR) return -EPROTO;
  return ((struct nlmsgerr*)NLMSG_DATA(h))->error;
}

static void start(struct req* r, unsigned short type, unsigned short flags, size_t body) {
  memset(r, 0, sizeof *r);
  r->h.nlmsg_len = (unsigned)NLMSG_LENGTH(body);
  r->h.nlmsg_type = type;
  r->h.nlmsg_flags = flags;
}

static int add_veth(int sock, int index, const char* name, int peer_ns) {
  struct req r;
  start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
  ((struct ifinfomsg*)NLMSG_DATA(&r.h))->ifi_index = index;
  attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  struct rtattr* info = attr(&r, IFLA_LINKINFO, NULL, 0);
  attr(&r, IFLA_INFO_KIND, "veth", 5);
  struct rtattr* data = attr(&r, IFLA_INFO_DATA, NULL, 0);
  struct rtattr* peer = attr(&r, VETH_INFO_PEER, NULL, 0);
  struct ifinfomsg pi = {.ifi_index = 2};
  memcpy(r.raw + r.h.nlmsg_len, &pi, sizeof pi);
  r.h.nlmsg_len += NLMSG_ALIGN(sizeof pi);
  attr(&r, IFLA_IFNAME, "eth0", 5);
  uint32_t fd = (uint32_t)peer_ns;
  attr(&r, IFLA_NET_NS_FD, &fd, sizeof fd);
  end_nest(&r, peer);
  end_nest(&r, data);
  end_nest(&r, info);
  return talk(sock, &r);
}

static int add_address(int sock, int index, uint32_t addr) {
  struct req r;
  start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifaddrmsg));
  struct ifaddrmsg* m = NLMSG_DATA(&r.h);
  m->ifa_family = AF_INET, m->ifa_prefixlen = 30, m->ifa_index = (unsigned)index;
  uint32_t a = htonl(addr);
  attr(&r, IFA_LOCAL, &a, 4);
  attr(&r, IFA_ADDRESS, &a, 4);
  return talk(sock, &r);
}

static int set_up(int sock, int index) {
  struct req r;
  start(&r, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));
  struct ifinfomsg* m = NLMSG_DATA(&r.h);
  m->ifi_index = index, m->ifi_flags = IFF_UP, m->ifi_change = IFF_UP;
  return talk(sock, &r);
}

static int add_default(int sock, uint32_t via) {
  struct req r;
  start(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct rtmsg));
  struct rtmsg* m = NLMSG_DATA(&r.h);
  m->rtm_family = AF_INET, m->rtm_table = RT_TABLE_MAIN, m->rtm_protocol = RTPROT_BOOT;
  m->rtm_scope = RT_SCOPE_UNIVERSE, m->rtm_type = RTN_UNICAST;
  uint32_t g = htonl(via);
  attr(&r, RTA_GATEWAY, &g, 4);
  return talk(sock, &r);
}

// A netlink socket in the namespace open at `ns` (sockets keep the namespace
// they were made in).
// Dumps every link of the socket's namespace; the number of links, or -errno.
static int dump_links(int sock) {
  struct req r;
  start(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, sizeof(struct ifinfomsg));
  r.h.nlmsg_seq = 0x5eed;
  if (send(sock, &r.h, r.h.nlmsg_len, 0) < 0) return -errno;
  static char buf[1 << 16];
  int links = 0;
  for (;;) {
    ssize_t len = recv(sock, buf, sizeof buf, 0);
    if (len < 0) return -errno;
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)len);
         h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_DONE) return links;
      if (h->nlmsg_type == NLMSG_ERROR) return ((struct nlmsgerr*)NLMSG_DATA(h))->error;
      if (h->nlmsg_type == RTM_NEWLINK) ++links;
    }
  }
}

static int socket_in(int ns, int home) {
  if (setns(ns, CLONE_NEWNET) != 0) return -1;
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (setns(home, CLONE_NEWNET) != 0) {
    perror("setns home");
    exit(1);
  }
  return s;
}

static const char* g_prefix;
static int g_made;  // names made so far: 0 is the router, i the host hi

static void name_of(int i, char* out, size_t len) {
  if (i == 0)
    snprintf(out, len, "/run/netns/%sr", g_prefix);
  else
    snprintf(out, len, "/run/netns/%sh%d", g_prefix, i);
}

static void remove_names(void) {
  char path[256];
  for (int i = 0; i < g_made; ++i) {
    name_of(i, path, sizeof path);
    umount2(path, MNT_DETACH);
    unlink(path);
  }
  g_made = 0;
}

static void fail(const char* what, int err) {
  fprintf(stderr, "kernel-star: %s: %s\n", what, strerror(err < 0 ? -err : err));
  remove_names();
  exit(1);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: kernel-star N [PREFIX]\n");
    return 2;
  }
  const int n = atoi(argv[1]);
  char own[32];
  snprintf(own, sizeof own, "ks%d-", (int)getpid());
  g_prefix = argc > 2 ? argv[2] : own;
  if (n < 1 || n > 16000) {
    fprintf(stderr, "kernel-star: N must be 1 to 16000\n");
    return 2;
  }
  mkdir("/run/netns", 0755);
  if (mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) != 0) {
    if (errno != EINVAL || mount("/run/netns", "/run/netns", "none", MS_BIND | MS_REC, NULL) != 0 ||
        mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) != 0) {
      fail("make /run/netns a shared mount", errno);
    }
  }
  int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int* ns = calloc((size_t)n + 1, sizeof(int));
  if (home < 0 || !ns) fail("start", errno);

  double t0 = now();
  char path[256];
  for (int i = 0; i <= n; ++i) {
    if (unshare(CLONE_NEWNET) != 0) fail("unshare", errno);
    name_of(i, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0) fail(path, errno);
    close(fd);
    ++g_made;
    if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) != 0) fail(path, errno);
    ns[i] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (ns[i] < 0 || setns(home, CLONE_NEWNET) != 0) fail("setns", errno);
  }
  double t1 = now();
  int router = socket_in(ns[0], home);
  if (router < 0) fail("router socket", errno);
  int e;
  for (int i = 1; i <= n; ++i) {
    char name[16];
    snprintf(name, sizeof name, "h%d", i);
    if ((e = add_veth(router, 1 + i, name, ns[i])) != 0) fail("veth", e);
  }
  double t2 = now();
  // Link k = i-1 is 10.0.0.0 + 4k/30: .1 the router's end, .2 the host's.
  const uint32_t base = 10u << 24;
  for (int i = 1; i <= n; ++i) {
    if ((e = add_address(router, 1 + i, base + 4u * (uint32_t)(i - 1) + 1)) != 0) fail("addr", e);
    if ((e = set_up(router, 1 + i)) != 0) fail("up", e);
  }
  double t3 = now();
  for (int i = 1; i <= n; ++i) {
    int s = socket_in(ns[i], home);
    if (s < 0) fail("host socket", errno);
    const uint32_t link = base + 4u * (uint32_t)(i - 1);
    if ((e = add_address(s, 2, link + 2)) != 0) fail("host addr", e);
    if ((e = set_up(s, 2)) != 0) fail("host up", e);
    if ((e = add_default(s, link + 1)) != 0) fail("host route", e);
    close(s);
  }
  double t4 = now();
  if ((e = dump_links(router)) != n + 1) fail("dump", e < 0 ? e : EPROTO);
  double t4d = now();
  close(router);
  remove_names();
  for (int i = 0; i <= n; ++i) close(ns[i]);
  double t5 = now();
  printf("N=%d names=%.3f veths=%.3f router=%.3f hosts=%.3f up=%.3f down=%.3f dump=%.3f\n", n,
         t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, t5 - t4d, t4d - t4);
  free(ns);
  return 0;
}
