// NetlinkBackend is the real Backend: it talks rtnetlink to the kernel in
// process through libnl-route-3, and never spawns `ip`, `sysctl` or a shell.
// The one program it runs is iptables-restore / ip6tables-restore (with
// --noflush, input on stdin) inside the namespace, for SNAT and firewall rules
// (iptables.h).
//
// Namespaces are the `ip netns` kind (see netns.h) under `netns_dir`. The
// backend keeps, per namespace it has touched, an fd of the namespace and a
// netlink socket opened inside it (so no request needs a setns), plus the
// ifindexes it learnt; DeleteNamespace drops them. Veth pairs are created
// with one request on the socket of the first end's namespace, the peer placed
// directly in its own: nothing ever appears in the namespace the backend was
// constructed in. The kernel echoes the new link back (NLM_F_ECHO, kernel 6.3
// and later), which gives both ends' ifindexes, so adding addresses and routes
// later costs no RTM_GETLINK; on older kernels an index is looked up once.
//
// DeleteNamespace removes the name at once; the backend keeps an fd on the
// namespace until its next operation that is not a DeleteNamespace (or its
// destruction), because unmounting many namespaces is far faster while they
// are still held. The kernel frees a namespace in the background anyway, so
// callers could not observe the difference, except by its speed.
//
// Errors: the Status message is the kernel's own text ("File exists", "No
// such device"), with the kernel's extended-ack text in parentheses when it
// gives one; callers prefix what they were doing. Deleting something already
// gone returns NotFound. Not thread-safe; use from one thread, which must stay
// in the namespace the backend was constructed in.
//
// It holds a netlink socket per namespace it has touched, and the fds of the
// last kOpenNamespaceFds namespaces (older ones are opened again by name when
// needed), and raises the open-file limit as it goes (kernel/file_limit.h): an
// operation that would pass the limit topo can reach fails with that limit
// named, before the kernel is asked. (Where the hard limit cannot be raised,
// 20000 here, two fds per namespace stopped star 10000 at 10%.)
//
// The namespace "" is the one the backend was constructed in (the root
// namespace, for a node of kind root). Bridges live in netlink_bridge.cc;
// sysctl reads and the nat table clean-up in netlink_root.cc.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "kernel/backend.h"
#include "kernel/netns.h"

struct nl_sock;

namespace topo {

// The /proc/sys file of a sysctl key: dots are separators (a key that already
// uses '/' is taken as a path), except inside the interface name of a
// per-interface key, which /proc/sys keeps as it is:
// net.ipv4.conf.e0.100.forwarding is /proc/sys/net/ipv4/conf/e0.100/forwarding.
Status SysctlPath(const std::string& key, std::string* path);

class NetlinkBackend : public Backend {
 public:
  explicit NetlinkBackend(std::string netns_dir = kDefaultNetnsDir);
  ~NetlinkBackend() override;
  NetlinkBackend(const NetlinkBackend&) = delete;
  NetlinkBackend& operator=(const NetlinkBackend&) = delete;

  bool NamespaceExists(const std::string& ns) override;
  Status NamespaceIdentity(const std::string& ns, std::string* id) override;
  Status LinkIndex(const std::string& ns, const std::string& ifname, int* index) override;
  Status CreateNamespace(const std::string& ns) override;
  Status DeleteNamespace(const std::string& ns) override;

  Status CreateVeth(const std::string& ns, const std::string& ifname, const std::string& peer_ns,
                    const std::string& peer_ifname) override;
  Status DeleteVeth(const std::string& ns, const std::string& ifname) override;

  Status SetMtu(const std::string& ns, const std::string& ifname, int mtu) override;
  Status SetMac(const std::string& ns, const std::string& ifname, const MacAddress& mac) override;
  Status SetLinkUp(const std::string& ns, const std::string& ifname, bool up) override;

  Status AddAddress(const std::string& ns, const std::string& ifname,
                    const Prefix& address) override;
  Status DeleteAddress(const std::string& ns, const std::string& ifname,
                       const Prefix& address) override;

  Status SetSysctl(const std::string& ns, const std::string& key, const std::string& value,
                   std::string* previous) override;

  Status AddRoute(const std::string& ns, const RouteSpec& route) override;
  Status DeleteRoute(const std::string& ns, const RouteSpec& route) override;

  // Through iptables-restore (iptables.h).
  Status AddSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override;
  Status DeleteSnat(const std::string& ns, const std::vector<SnatSpec>& rules) override;
  Status HasSnat(const std::string& ns, const SnatSpec& rule, bool* present) override;

  Status Inspect(const std::string& ns, NamespaceState* out) override;

  Status CreateBridge(const std::string& ns, const std::string& ifname, bool stp,
                      bool vlan_filtering) override;
  Status SetPortVlans(const std::string& ns, const std::string& ifname,
                      const PortVlans& vlans) override;
  Status ClearPortVlans(const std::string& ns, const std::string& ifname,
                        const PortVlans& vlans) override;
  Status ReadPortVlans(const std::string& ns, const std::string& ifname,
                       PortVlans* out) override;  // netlink_port_vlans.cc
  Status CreateVlan(const std::string& ns, const std::string& ifname, const std::string& parent,
                    int id) override;
  Status DeleteVlan(const std::string& ns, const std::string& ifname) override;
  // Through libnl's rtnl_link_{vxlan,macvlan,ipvlan,bond,vrf}_* (netlink_ifkinds.cc).
  Status CreateInterface(const std::string& ns, const std::string& ifname,
                         const VirtualSpec& spec) override;
  Status DeleteInterface(const std::string& ns, const std::string& ifname) override;
  Status DeleteBridge(const std::string& ns, const std::string& ifname) override;
  Status SetMaster(const std::string& ns, const std::string& ifname,
                   const std::string& master) override;
  Status ReadSysctl(const std::string& ns, const std::string& key, std::string* value) override;
  Status NatTableExists(const std::string& ns, bool ipv6, bool* exists) override;
  Status AddFirewall(const std::string& ns, const FirewallSet& set) override;
  Status DeleteFirewall(const std::string& ns, const FirewallSet& set) override;
  Status HasFirewallRule(const std::string& ns, const FirewallRuleSpec& rule,
                         bool* present) override;
  Status ReadFirewallPolicy(const std::string& ns, int family, const std::string& chain,
                            std::string* action) override;
  Status TableExists(const std::string& ns, int family, const std::string& table,
                     bool* exists) override;
  Status RemoveTableIfEmpty(const std::string& ns, int family, const std::string& table) override;
  Status RemoveNatTableIfEmpty(const std::string& ns, bool ipv6) override;
  // Impairments through libnl's qdisc API (netlink_qdisc.h); /etc/netns files
  // through netns_files.h.
  Status SetImpairment(const std::string& ns, const std::string& ifname,
                       const Impairment& impairment) override;
  Status ClearImpairment(const std::string& ns, const std::string& ifname) override;
  Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                      const std::string& link_from_ns, std::string* note) override;
  Status RemoveEtcFile(const std::string& ns, const std::string& name,
                       const std::string& note) override;
  std::vector<Status> RemoveEtcFiles(const std::vector<EtcFileRemoval>& files) override;
  // Through processes.h, one /proc scan for all the namespaces.
  Status EndProcesses(const std::vector<std::string>& namespaces, size_t* ended) override;

  // A netlink socket with the kernel's last error reply captured (defined in
  // the .cc file).
  struct Socket;

 private:
  struct Namespace {
    UniqueFd fd;  // invalid once released by KeepFd; Get opens it again
    std::unique_ptr<Socket> sock;
    std::unordered_map<std::string, int> ifindex;  // echoed or looked-up interface indexes
    Namespace();
    ~Namespace();
    Namespace(Namespace&&) noexcept;
  };

  // The cached handles of `ns`, opened on first use.
  Status Get(const std::string& ns, Namespace** out);
  // Opens /proc/sys/KEY of `ns` (inside it, so the file belongs to it) with `flags`.
  Status OpenSysctl(const std::string& ns, const std::string& key, int flags, UniqueFd* fd,
                    std::string* path);
  Status RootSocket(Socket** out);
  // The interface's index in `n`, from the cache or the kernel.
  Status Ifindex(Namespace* n, const std::string& ifname, int* index);
  // Deletes the link `ifname` (a bridge, a VLAN, an interface of a kind) and
  // forgets its index (netlink_bridge.cc).
  Status DeleteNamedLink(const std::string& ns, const std::string& ifname);
  // Sends an RTM_SETLINK for `ifname` built by the caller.
  Status ChangeLink(const std::string& ns, const std::string& ifname, unsigned flags,
                    unsigned change, int mtu, const MacAddress* mac);
  Status ChangeAddress(const std::string& ns, const std::string& ifname, const Prefix& address,
                       bool add);
  Status ChangeRoute(const std::string& ns, const RouteSpec& route, bool add);
  Status ChangeSnat(const std::string& ns, const std::vector<SnatSpec>& rules, bool remove);
  Status ChangeFirewall(const std::string& ns, const FirewallSet& set, bool remove);
  // Runs `call` (libnl requests, returning a libnl error code) on the socket of
  // `ns`, with the kernel's errno and message captured into the Status.
  Status Call(const std::string& ns, const std::function<int(nl_sock*)>& call);
  // Runs `call(sock, ifindex)` for ns:ifname, looking the index up again once
  // if the cached one is stale.
  template <typename F>
  Status OnInterface(const std::string& ns, const std::string& ifname, F call);
  // Raises the open-file limit, if needed, for one more namespace's fds.
  Status RoomForOneMore() const;
  // Records that the fd of `ns` is open, closing the oldest beyond
  // kOpenNamespaceFds.
  void KeepFd(const std::string& ns);
  static constexpr size_t kOpenNamespaceFds = 512;

  std::string dir_;
  UniqueFd home_fd_;  // the namespace the backend was constructed in
  std::unique_ptr<Socket> root_sock_;
  std::map<std::string, Namespace> ns_;
  std::deque<std::string> open_fds_;  // namespaces whose fd is open, oldest first
  std::vector<UniqueFd> held_;        // deleted namespaces, held until a non-deletion
};

}  // namespace topo
