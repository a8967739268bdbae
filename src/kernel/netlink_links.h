// Small libnl helpers shared by NetlinkBackend's files that create and delete
// links of their own kinds (netlink_bridge.cc, netlink_ifkinds.cc) or send
// requests of their own (netconf.cc). Internal
// to kernel/; each returns a negative libnl error code, or a Status, as said.
#pragma once

#include <functional>
#include <string>

#include "model/status.h"

struct nl_cb;
struct nl_msg;
struct nl_sock;

namespace topo::netlink_internal {

// InvalidArgument unless `ifname` fits IFNAMSIZ and is not empty.
Status CheckLinkName(const std::string& ifname);
// An RTM_* link message (family AF_UNSPEC) naming `ifname`, or nullptr when
// it cannot be built.
nl_msg* LinkMessage(int type, int flags, const std::string& ifname);
// The ifindex of `ifname` (a negative libnl error when there is none).
int IndexOf(nl_sock* sk, const std::string& ifname);
// RTM_NEWLINK (create, exclusive) of `ifname` of IFLA_INFO_KIND `kind`,
// with IFLA_INFO_DATA filled by `put_data` (false: it did not fit).
int AddLinkWithData(nl_sock* sk, const std::string& ifname, const char* kind,
                    const std::function<bool(nl_msg*)>& put_data);
// RTM_DELLINK of `ifname`.
int DeleteLinkByName(nl_sock* sk, const std::string& ifname);
// A copy of the socket's callbacks, to change for one exchange (nl_cb_put it
// after), or nullptr.
nl_cb* CloneSocketCallbacks(nl_sock* sk);

}  // namespace topo::netlink_internal
