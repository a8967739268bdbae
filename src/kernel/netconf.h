// A namespace's IPv4 and IPv6 settings for all interfaces ("all") and for new
// ones ("default"), read through RTM_GETNETCONF on a NETLINK_ROUTE socket of
// that namespace instead of its /proc/sys file.
//
// Why: every namespace's /proc/sys/net is a dentry of its own with the same
// parent and name, so the kernel's dcache keeps one hash chain of them all,
// and each open of a /proc/sys/net/... path walks it (__d_lookup ->
// proc_sys_compare, which turns down every other namespace's). `topo status`
// reading the forwarding setting of every router of chain 5000 spent over half
// of its time there (docs/PERFORMANCE.md, "Ten thousand nodes"); a netconf
// request costs the same in any number of namespaces.
#pragma once

#include <optional>
#include <string>

struct nl_sock;

namespace topo {

// The netconf request that reads a sysctl: family (AF_INET, AF_INET6), the
// interface index the kernel's netconf names "all" (-1) or "default" (-2),
// and the NETCONFA_ attribute holding the value.
struct NetconfKey {
  int family = 0;
  int ifindex = 0;
  int attr = 0;
};

// The netconf request for a sysctl key in topo's dotted form, when netconf
// reports it: net.ipv4.ip_forward and net.ipv{4,6}.conf.{all,default}.forwarding,
// and net.ipv4.conf.{all,default}.rp_filter. nullopt for every other key.
std::optional<NetconfKey> NetconfKeyOf(const std::string& key);

// Sends the request on `sk` and sets *value from the kernel's answer. 0, or a
// negative libnl error code (the kernel's errno goes to the socket's error
// callback); -NLE_OBJ_NOTFOUND when the answer lacks the attribute.
int ReadNetconf(nl_sock* sk, const NetconfKey& key, int* value);

}  // namespace topo
