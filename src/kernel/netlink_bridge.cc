// NetlinkBackend's switch operations (netlink_backend.h): a bridge device
// created with one RTM_NEWLINK (IFLA_INFO_KIND "bridge", IFLA_BR_STP_STATE),
// ports joined and released with RTM_SETLINK IFLA_MASTER. libnl 3.7 has no
// setter for a bridge's STP state, so the messages are built here.
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "kernel/netlink_backend.h"

namespace topo {
namespace {

Status CheckName(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return Status::InvalidArgument("invalid interface name '" + ifname + "'");
  }
  return Status::OK();
}

// An RTM_* link message naming `ifname`, or nullptr when it cannot be built.
nl_msg* LinkMessage(int type, int flags, const std::string& ifname) {
  nl_msg* msg = nlmsg_alloc_simple(type, flags);
  if (!msg) return nullptr;
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_UNSPEC;
  if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
      nla_put_string(msg, IFLA_IFNAME, ifname.c_str()) < 0) {
    nlmsg_free(msg);
    return nullptr;
  }
  return msg;
}

int AddBridge(nl_sock* sk, const std::string& ifname, bool stp) {
  nl_msg* msg = LinkMessage(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, ifname);
  if (!msg) return -NLE_NOMEM;
  nlattr* info = nla_nest_start(msg, IFLA_LINKINFO);
  bool fits = info && nla_put_string(msg, IFLA_INFO_KIND, "bridge") == 0;
  nlattr* data = fits ? nla_nest_start(msg, IFLA_INFO_DATA) : nullptr;
  fits = data && nla_put_u32(msg, IFLA_BR_STP_STATE, stp ? 1 : 0) == 0;
  if (!fits) {
    nlmsg_free(msg);
    return -NLE_NOMEM;
  }
  nla_nest_end(msg, data);
  nla_nest_end(msg, info);
  return nl_send_sync(sk, msg);  // frees msg
}

int SetLinkMaster(nl_sock* sk, const std::string& ifname, const std::string& master) {
  int master_index = 0;
  if (!master.empty()) {
    rtnl_link* link = nullptr;
    if (int err = rtnl_link_get_kernel(sk, 0, master.c_str(), &link); err < 0) return err;
    master_index = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
  }
  nl_msg* msg = LinkMessage(RTM_SETLINK, 0, ifname);
  if (!msg) return -NLE_NOMEM;
  if (nla_put_u32(msg, IFLA_MASTER, static_cast<uint32_t>(master_index)) < 0) {
    nlmsg_free(msg);
    return -NLE_NOMEM;
  }
  return nl_send_sync(sk, msg);
}

int DeleteLinkByName(nl_sock* sk, const std::string& ifname) {
  nl_msg* msg = LinkMessage(RTM_DELLINK, 0, ifname);
  if (!msg) return -NLE_NOMEM;
  return nl_send_sync(sk, msg);
}

}  // namespace

Status NetlinkBackend::CreateBridge(const std::string& ns, const std::string& ifname, bool stp) {
  if (Status s = CheckName(ifname); !s.ok()) return s;
  return Call(ns, [&](nl_sock* sk) { return AddBridge(sk, ifname, stp); });
}

Status NetlinkBackend::DeleteBridge(const std::string& ns, const std::string& ifname) {
  if (Status s = CheckName(ifname); !s.ok()) return s;
  Status s = Call(ns, [&](nl_sock* sk) { return DeleteLinkByName(sk, ifname); });
  if (auto it = ns_.find(ns); it != ns_.end()) it->second.ifindex.erase(ifname);
  return s;
}

Status NetlinkBackend::SetMaster(const std::string& ns, const std::string& ifname,
                                 const std::string& master) {
  if (Status s = CheckName(ifname); !s.ok()) return s;
  if (!master.empty()) {
    if (Status s = CheckName(master); !s.ok()) return s;
  }
  return Call(ns, [&](nl_sock* sk) { return SetLinkMaster(sk, ifname, master); });
}

}  // namespace topo
