// NetlinkBackend's interfaces of a kind (netlink_backend.h, model/ifkind.h),
// each one RTM_NEWLINK through libnl: rtnl_link_vxlan_*, rtnl_link_macvlan_*,
// rtnl_link_ipvlan_*, rtnl_link_vrf_*, and rtnl_link_set_type for dummy and
// wireguard. libnl 3.7 has no setter for a bond's mode, so a bond's message
// is built with libnl's nlmsg API (IFLA_INFO_KIND "bond", IFLA_BOND_MODE).
// A kernel without the kind answers EOPNOTSUPP ("Unknown device type"), which
// becomes "the kernel lacks CONFIG_..."; nothing is left behind then.
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipvlan.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/vrf.h>
#include <netlink/route/link/vxlan.h>

#include <algorithm>
#include <utility>

#include "kernel/netlink_backend.h"
#include "kernel/netlink_links.h"

namespace topo {
namespace {

using netlink_internal::CheckLinkName;
using netlink_internal::IndexOf;

// The position of `mode` among the kind's modes (model/ifkind.h), or -1.
int ModeIndex(const VirtualSpec& spec) {
  const std::vector<std::string>& modes = KindModes(spec.kind);
  auto it = std::find(modes.begin(), modes.end(), spec.mode);
  return it == modes.end() ? -1 : static_cast<int>(it - modes.begin());
}

// Sets `link`'s VXLAN settings (the underlay device's index looked up).
int SetVxlan(nl_sock* sk, rtnl_link* link, const VirtualSpec& spec) {
  int err = rtnl_link_vxlan_set_id(link, static_cast<uint32_t>(spec.vni));
  if (err >= 0) err = rtnl_link_vxlan_set_port(link, static_cast<uint32_t>(spec.port));
  for (auto [addr, set] : {std::pair{&spec.local, &rtnl_link_vxlan_set_local},
                           std::pair{&spec.remote, &rtnl_link_vxlan_set_group}}) {
    if (err < 0 || !*addr) continue;
    nl_addr* a = nullptr;
    err = nl_addr_parse((*addr)->ToString().c_str(), (*addr)->is_v4() ? AF_INET : AF_INET6, &a);
    if (err >= 0) {
      err = set(link, a);
      nl_addr_put(a);
    }
  }
  if (err >= 0 && !spec.parent.empty()) {
    const int index = IndexOf(sk, spec.parent);
    err = index < 0 ? index : rtnl_link_vxlan_set_link(link, static_cast<uint32_t>(index));
  }
  return err;
}

// A bond: libnl has no setter for its mode, so the message is built here.
int AddBond(nl_sock* sk, const std::string& ifname, int mode) {
  return netlink_internal::AddLinkWithData(sk, ifname, "bond", [&](nl_msg* msg) {
    return nla_put_u8(msg, IFLA_BOND_MODE, static_cast<uint8_t>(mode)) == 0;
  });
}

// The link object for `spec` (nullptr with *err set when it cannot be made).
rtnl_link* NewLink(nl_sock* sk, const VirtualSpec& spec, int* err) {
  constexpr uint32_t kMacvlanModes[] = {MACVLAN_MODE_BRIDGE, MACVLAN_MODE_PRIVATE,
                                        MACVLAN_MODE_VEPA, MACVLAN_MODE_PASSTHRU};
  constexpr uint16_t kIpvlanModes[] = {IPVLAN_MODE_L2, IPVLAN_MODE_L3, IPVLAN_MODE_L3S};
  rtnl_link* link = nullptr;
  switch (spec.kind) {
    case IfKind::kVxlan:
      link = rtnl_link_vxlan_alloc();
      if (link) *err = SetVxlan(sk, link, spec);
      break;
    case IfKind::kMacvlan:
      link = rtnl_link_macvlan_alloc();
      if (link) *err = rtnl_link_macvlan_set_mode(link, kMacvlanModes[ModeIndex(spec)]);
      break;
    case IfKind::kIpvlan:
      link = rtnl_link_ipvlan_alloc();
      if (link) *err = rtnl_link_ipvlan_set_mode(link, kIpvlanModes[ModeIndex(spec)]);
      break;
    case IfKind::kVrf:
      link = rtnl_link_vrf_alloc();
      if (link) *err = rtnl_link_vrf_set_tableid(link, spec.table);
      break;
    default:  // dummy, wireguard: a type and nothing else
      link = rtnl_link_alloc();
      if (link) *err = rtnl_link_set_type(link, IfKindName(spec.kind));
      break;
  }
  if (!link) *err = -NLE_NOMEM;
  if (*err < 0 && link) {
    rtnl_link_put(link);
    return nullptr;
  }
  return link;
}

// `into_fd`: the namespace the interface goes to, when it is not the socket's
// (-1: the socket's).
int AddInterface(nl_sock* sk, const std::string& ifname, const VirtualSpec& spec, int into_fd) {
  if (spec.kind == IfKind::kBond) return AddBond(sk, ifname, ModeIndex(spec));
  int err = 0;
  rtnl_link* link = NewLink(sk, spec, &err);
  if (!link) return err;
  rtnl_link_set_name(link, ifname.c_str());
  if (into_fd >= 0) rtnl_link_set_ns_fd(link, into_fd);
  if (spec.kind == IfKind::kMacvlan || spec.kind == IfKind::kIpvlan) {
    const int parent = IndexOf(sk, spec.parent);
    if (parent < 0) err = parent;
    rtnl_link_set_link(link, parent);
  }
  if (err >= 0) err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_put(link);
  return err;
}

}  // namespace

Status NetlinkBackend::CreateInterface(const std::string& ns, const std::string& ifname,
                                       const VirtualSpec& spec) {
  if (Status s = CheckLinkName(ifname); !s.ok()) return s;
  const bool lower = spec.kind == IfKind::kMacvlan || spec.kind == IfKind::kIpvlan;
  if (spec.kind == IfKind::kVeth || (!KindModes(spec.kind).empty() && ModeIndex(spec) < 0) ||
      (lower && spec.parent.empty())) {
    return Status::InvalidArgument("cannot create " + spec.ToString() + " '" + ifname + "'");
  }
  Status s;
  if (spec.socket_here && !ns.empty()) {
    // Sent from the namespace topo runs in, which keeps the VXLAN socket,
    // with the interface's own namespace as its destination.
    Namespace* into = nullptr;
    s = Get(ns, &into);
    const int into_fd = s.ok() ? into->fd.get() : -1;
    if (s.ok()) s = Call("", [&](nl_sock* sk) { return AddInterface(sk, ifname, spec, into_fd); });
  } else {
    s = Call(ns, [&](nl_sock* sk) { return AddInterface(sk, ifname, spec, -1); });
  }
  if (s.sys_errno() == EOPNOTSUPP) {
    return Status::IOError(std::string("the kernel lacks ") + KindConfig(spec.kind) +
                               ": it has no " + IfKindName(spec.kind) +
                               " interfaces (it answers: " + s.message() + ")",
                           EOPNOTSUPP);
  }
  return s;
}

Status NetlinkBackend::DeleteInterface(const std::string& ns, const std::string& ifname) {
  return DeleteNamedLink(ns, ifname);
}

}  // namespace topo
