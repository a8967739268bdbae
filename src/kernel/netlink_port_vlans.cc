// NetlinkBackend::ReadPortVlans (netlink_backend.h): a bridge port's VLANs as
// the kernel reports them, for `topo status`. One RTM_GETLINK dump of family
// AF_BRIDGE with IFLA_EXT_MASK RTEXT_FILTER_BRVLAN (what `bridge vlan show`
// sends), read with a callback of its own so the namespace's socket keeps
// its own; the port's IFLA_AF_SPEC holds one IFLA_BRIDGE_VLAN_INFO per VLAN.
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <algorithm>

#include "kernel/netlink_backend.h"
#include "kernel/netlink_links.h"

namespace topo {
namespace {

struct PortQuery {
  int index = 0;
  PortVlans vlans;
  bool found = false;
};

int OnBridgeLink(nl_msg* msg, void* arg) {
  auto* q = static_cast<PortQuery*>(arg);
  nlmsghdr* h = nlmsg_hdr(msg);
  if (h->nlmsg_type != RTM_NEWLINK) return NL_OK;
  auto* ifi = static_cast<ifinfomsg*>(nlmsg_data(h));
  if (ifi->ifi_index != q->index) return NL_OK;
  q->found = true;
  nlattr* spec = nlmsg_find_attr(h, sizeof(ifinfomsg), IFLA_AF_SPEC);
  if (!spec) return NL_OK;
  nlattr* a = nullptr;
  int rem = 0;
  nla_for_each_nested(a, spec, rem) {
    if (nla_type(a) != IFLA_BRIDGE_VLAN_INFO || nla_len(a) < 4) continue;
    const auto* info = static_cast<const bridge_vlan_info*>(nla_data(a));
    if (info->flags & BRIDGE_VLAN_INFO_PVID) {
      q->vlans.untagged = info->vid;
    } else {
      q->vlans.tagged.push_back(info->vid);
    }
  }
  return NL_OK;
}

int DumpPortVlans(nl_sock* sk, PortQuery* q) {
  nl_msg* msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
  if (!msg) return -NLE_NOMEM;
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_BRIDGE;
  if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
      nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN) < 0) {
    nlmsg_free(msg);
    return -NLE_NOMEM;
  }
  int err = nl_send_auto(sk, msg);
  nlmsg_free(msg);
  if (err < 0) return err;
  nl_cb* cb = nl_cb_clone(nl_socket_get_cb(sk));
  if (!cb) return -NLE_NOMEM;
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, OnBridgeLink, q);
  err = nl_recvmsgs(sk, cb);
  nl_cb_put(cb);
  return err;
}

}  // namespace

Status NetlinkBackend::ReadPortVlans(const std::string& ns, const std::string& ifname,
                                     PortVlans* out) {
  if (Status s = netlink_internal::CheckLinkName(ifname); !s.ok()) return s;
  PortQuery q;
  Status s = Call(ns, [&](nl_sock* sk) {
    q.index = netlink_internal::IndexOf(sk, ifname);
    return q.index < 0 ? q.index : DumpPortVlans(sk, &q);
  });
  if (!s.ok()) return s;
  std::sort(q.vlans.tagged.begin(), q.vlans.tagged.end());
  *out = q.vlans;
  return Status::OK();
}

}  // namespace topo
