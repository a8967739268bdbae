// NetlinkBackend's switch and VLAN operations (netlink_backend.h): a bridge
// device created with one RTM_NEWLINK (IFLA_INFO_KIND "bridge",
// IFLA_BR_STP_STATE, IFLA_BR_VLAN_FILTERING), ports joined and released with
// RTM_SETLINK IFLA_MASTER, a port's VLANs set with RTM_SETLINK / RTM_DELLINK of
// family AF_BRIDGE carrying IFLA_BRIDGE_VLAN_INFO in IFLA_AF_SPEC (what
// `bridge vlan add|del` sends). libnl 3.7 has no setter for a bridge's STP
// state or VLAN filtering, nor for a port's VLANs, so those messages are built
// here with libnl's nlmsg API. VLAN sub-interfaces are libnl's rtnl_link_vlan_*.
#include <errno.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>

#include "kernel/netlink_backend.h"
#include "kernel/netlink_links.h"

namespace topo {
namespace netlink_internal {

Status CheckLinkName(const std::string& ifname) {
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) {
    return Status::InvalidArgument("invalid interface name '" + ifname + "'");
  }
  return Status::OK();
}

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

int IndexOf(nl_sock* sk, const std::string& ifname) {
  rtnl_link* link = nullptr;
  if (int err = rtnl_link_get_kernel(sk, 0, ifname.c_str(), &link); err < 0) return err;
  int index = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);
  return index;
}

int DeleteLinkByName(nl_sock* sk, const std::string& ifname) {
  nl_msg* msg = LinkMessage(RTM_DELLINK, 0, ifname);
  if (!msg) return -NLE_NOMEM;
  return nl_send_sync(sk, msg);
}

int AddLinkWithData(nl_sock* sk, const std::string& ifname, const char* kind,
                    const std::function<bool(nl_msg*)>& put_data) {
  nl_msg* msg = LinkMessage(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, ifname);
  if (!msg) return -NLE_NOMEM;
  nlattr* info = nla_nest_start(msg, IFLA_LINKINFO);
  bool fits = info && nla_put_string(msg, IFLA_INFO_KIND, kind) == 0;
  nlattr* data = fits ? nla_nest_start(msg, IFLA_INFO_DATA) : nullptr;
  if (!data || !put_data(msg)) {
    nlmsg_free(msg);
    return -NLE_NOMEM;
  }
  nla_nest_end(msg, data);
  nla_nest_end(msg, info);
  return nl_send_sync(sk, msg);  // frees msg
}

}  // namespace netlink_internal

namespace {

using netlink_internal::AddLinkWithData;

using netlink_internal::CheckLinkName;
using netlink_internal::DeleteLinkByName;
using netlink_internal::IndexOf;
using netlink_internal::LinkMessage;

int AddBridge(nl_sock* sk, const std::string& ifname, bool stp, bool vlan_filtering) {
  return AddLinkWithData(sk, ifname, "bridge", [&](nl_msg* msg) {
    return nla_put_u32(msg, IFLA_BR_STP_STATE, stp ? 1 : 0) == 0 &&
           (!vlan_filtering || nla_put_u8(msg, IFLA_BR_VLAN_FILTERING, 1) == 0);
  });
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

// One RTM_SETLINK (add) or RTM_DELLINK (delete) of family AF_BRIDGE for the
// port `index`, naming each VLAN of `vids` (flags BRIDGE_VLAN_INFO_PVID |
// BRIDGE_VLAN_INFO_UNTAGGED for `untagged`).
int PortVlanRequest(nl_sock* sk, int type, int index, const std::vector<int>& vids, int untagged) {
  nl_msg* msg = nlmsg_alloc_simple(type, 0);
  if (!msg) return -NLE_NOMEM;
  ifinfomsg ifi = {};
  ifi.ifi_family = AF_BRIDGE;
  ifi.ifi_index = index;
  bool fits = nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) >= 0;
  nlattr* spec = fits ? nla_nest_start(msg, IFLA_AF_SPEC) : nullptr;
  fits = spec != nullptr;
  for (int vid : vids) {
    bridge_vlan_info info = {};
    info.vid = static_cast<uint16_t>(vid);
    if (vid == untagged) info.flags = BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED;
    fits = fits && nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info) == 0;
  }
  if (!fits) {
    nlmsg_free(msg);
    return -NLE_NOMEM;
  }
  nla_nest_end(msg, spec);
  return nl_send_sync(sk, msg);
}

// All of a port's VLANs: tagged, then the untagged one.
std::vector<int> AllVids(const PortVlans& vlans) {
  std::vector<int> vids = vlans.tagged;
  if (vlans.untagged) vids.push_back(vlans.untagged);
  return vids;
}

int AddVlanLink(nl_sock* sk, const std::string& ifname, const std::string& parent, int id) {
  int parent_index = IndexOf(sk, parent);
  if (parent_index < 0) return parent_index;
  rtnl_link* link = rtnl_link_vlan_alloc();
  if (!link) return -NLE_NOMEM;
  rtnl_link_set_name(link, ifname.c_str());
  rtnl_link_set_link(link, parent_index);
  int err = rtnl_link_vlan_set_id(link, static_cast<uint16_t>(id));
  if (err >= 0) err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
  rtnl_link_put(link);
  return err;
}

}  // namespace

Status NetlinkBackend::CreateBridge(const std::string& ns, const std::string& ifname, bool stp,
                                    bool vlan_filtering) {
  if (Status s = CheckLinkName(ifname); !s.ok()) return s;
  Status s = Call(ns, [&](nl_sock* sk) { return AddBridge(sk, ifname, stp, vlan_filtering); });
  if (vlan_filtering && s.sys_errno() == EOPNOTSUPP) {
    return Status::IOError(
        "this kernel's bridges cannot filter by VLAN (CONFIG_BRIDGE_VLAN_FILTERING is not set), "
        "which a switch with 'access' or 'trunk' ports needs",
        EOPNOTSUPP);
  }
  return s;
}

Status NetlinkBackend::SetPortVlans(const std::string& ns, const std::string& ifname,
                                    const PortVlans& vlans) {
  if (Status s = CheckLinkName(ifname); !s.ok()) return s;
  int index = 0;
  Status s = Call(ns, [&](nl_sock* sk) {
    index = IndexOf(sk, ifname);
    return index < 0 ? index : 0;
  });
  if (!s.ok()) return s;
  // The port joined in VLAN 1 (the bridge's default pvid): it leaves it,
  // unless `vlans` keeps it (then it is set again below).
  s = Call(ns, [&](nl_sock* sk) { return PortVlanRequest(sk, RTM_DELLINK, index, {1}, 0); });
  if (!s.ok() && !s.IsNotFound()) return s;
  return Call(ns, [&](nl_sock* sk) {
    return PortVlanRequest(sk, RTM_SETLINK, index, AllVids(vlans), vlans.untagged);
  });
}

Status NetlinkBackend::ClearPortVlans(const std::string& ns, const std::string& ifname,
                                      const PortVlans& vlans) {
  if (Status s = CheckLinkName(ifname); !s.ok()) return s;
  return Call(ns, [&](nl_sock* sk) {
    int index = IndexOf(sk, ifname);
    if (index < 0) return index;
    return PortVlanRequest(sk, RTM_DELLINK, index, AllVids(vlans), 0);
  });
}

Status NetlinkBackend::CreateVlan(const std::string& ns, const std::string& ifname,
                                  const std::string& parent, int id) {
  if (Status s = CheckLinkName(ifname); !s.ok()) return s;
  if (Status s = CheckLinkName(parent); !s.ok()) return s;
  if (id < kMinVlan || id > kMaxVlan) {
    return Status::InvalidArgument("VLAN id " + std::to_string(id) + " is out of range");
  }
  Status s = Call(ns, [&](nl_sock* sk) { return AddVlanLink(sk, ifname, parent, id); });
  if (s.sys_errno() == EOPNOTSUPP) {
    return Status::IOError(
        "this kernel has no 802.1Q VLAN interfaces (CONFIG_VLAN_8021Q is not set, or the 8021q "
        "module is not loaded; try `modprobe 8021q`)",
        EOPNOTSUPP);
  }
  return s;
}

Status NetlinkBackend::DeleteNamedLink(const std::string& ns, const std::string& ifname) {
  if (Status s = CheckLinkName(ifname); !s.ok()) return s;
  Status s = Call(ns, [&](nl_sock* sk) { return DeleteLinkByName(sk, ifname); });
  if (auto it = ns_.find(ns); it != ns_.end()) it->second.ifindex.erase(ifname);
  return s;
}

Status NetlinkBackend::DeleteVlan(const std::string& ns, const std::string& ifname) {
  return DeleteNamedLink(ns, ifname);
}

Status NetlinkBackend::DeleteBridge(const std::string& ns, const std::string& ifname) {
  return DeleteNamedLink(ns, ifname);
}

Status NetlinkBackend::SetMaster(const std::string& ns, const std::string& ifname,
                                 const std::string& master) {
  if (Status s = CheckLinkName(ifname); !s.ok()) return s;
  if (!master.empty()) {
    if (Status s = CheckLinkName(master); !s.ok()) return s;
  }
  return Call(ns, [&](nl_sock* sk) { return SetLinkMaster(sk, ifname, master); });
}

}  // namespace topo
