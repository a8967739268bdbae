#include "kernel/netconf.h"

#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include "kernel/netlink_links.h"

namespace topo {

std::optional<NetconfKey> NetconfKeyOf(const std::string& key) {
  if (key == "net.ipv4.ip_forward") {
    return NetconfKey{AF_INET, NETCONFA_IFINDEX_ALL, NETCONFA_FORWARDING};
  }
  for (auto [prefix, family] :
       {std::pair{"net.ipv4.conf.", AF_INET}, {"net.ipv6.conf.", AF_INET6}}) {
    const std::string p = prefix;
    if (key.rfind(p, 0) != 0) continue;
    const std::string rest = key.substr(p.size());  // "all.forwarding"
    const size_t dot = rest.find('.');
    if (dot == std::string::npos) return std::nullopt;
    const std::string dev = rest.substr(0, dot), name = rest.substr(dot + 1);
    int ifindex = 0;
    if (dev == "all") {
      ifindex = NETCONFA_IFINDEX_ALL;
    } else if (dev == "default") {
      ifindex = NETCONFA_IFINDEX_DEFAULT;
    } else {
      return std::nullopt;
    }
    if (name == "forwarding") return NetconfKey{family, ifindex, NETCONFA_FORWARDING};
    if (name == "rp_filter" && family == AF_INET) {
      return NetconfKey{family, ifindex, NETCONFA_RP_FILTER};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

namespace {

struct Answer {
  int attr = 0;
  bool found = false;
  int value = 0;
};

int OnNetconf(nl_msg* msg, void* arg) {
  auto* answer = static_cast<Answer*>(arg);
  nlmsghdr* h = nlmsg_hdr(msg);
  if (h->nlmsg_type != RTM_NEWNETCONF || !nlmsg_valid_hdr(h, sizeof(netconfmsg))) return NL_OK;
  nlattr* tb[NETCONFA_MAX + 1];
  if (nlmsg_parse(h, sizeof(netconfmsg), tb, NETCONFA_MAX, nullptr) < 0) return NL_OK;
  if (answer->attr <= NETCONFA_MAX && tb[answer->attr] &&
      nla_len(tb[answer->attr]) >= static_cast<int>(sizeof(int32_t))) {
    answer->value = static_cast<int>(nla_get_s32(tb[answer->attr]));
    answer->found = true;
  }
  return NL_OK;
}

}  // namespace

int ReadNetconf(nl_sock* sk, const NetconfKey& key, int* value) {
  nl_msg* msg = nlmsg_alloc_simple(RTM_GETNETCONF, NLM_F_REQUEST);
  if (!msg) return -NLE_NOMEM;
  netconfmsg ncm = {};
  ncm.ncm_family = static_cast<unsigned char>(key.family);
  int err = nlmsg_append(msg, &ncm, sizeof(ncm), NLMSG_ALIGNTO);
  if (err >= 0) err = nla_put_s32(msg, NETCONFA_IFINDEX, key.ifindex);
  if (err >= 0) err = nl_send_auto(sk, msg);
  nlmsg_free(msg);
  if (err < 0) return err;
  nl_cb* cb = netlink_internal::CloneSocketCallbacks(sk);
  if (!cb) return -NLE_NOMEM;
  Answer answer;
  answer.attr = key.attr;
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, OnNetconf, &answer);
  err = nl_recvmsgs(sk, cb);  // one message: the answer, or the error
  nl_cb_put(cb);
  if (err < 0) return err;
  if ((err = nl_wait_for_ack(sk)) < 0) return err;  // nl_send_auto asked for one
  if (!answer.found) return -NLE_OBJ_NOTFOUND;
  *value = answer.value;
  return 0;
}

}  // namespace topo
