// Which sysctl keys kernel/netconf.h reads through netlink, and as what.
#include "kernel/netconf.h"

#include <linux/netconf.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

namespace topo {
namespace {

TEST(NetconfTest, KeysOfForwardingAndReversePathFiltering) {
  struct Case {
    const char* key;
    int family, ifindex, attr;
  };
  for (const Case& c : {
           Case{"net.ipv4.ip_forward", AF_INET, NETCONFA_IFINDEX_ALL, NETCONFA_FORWARDING},
           Case{"net.ipv4.conf.all.forwarding", AF_INET, NETCONFA_IFINDEX_ALL, NETCONFA_FORWARDING},
           Case{"net.ipv4.conf.default.forwarding", AF_INET, NETCONFA_IFINDEX_DEFAULT,
                NETCONFA_FORWARDING},
           Case{"net.ipv6.conf.all.forwarding", AF_INET6, NETCONFA_IFINDEX_ALL,
                NETCONFA_FORWARDING},
           Case{"net.ipv6.conf.default.forwarding", AF_INET6, NETCONFA_IFINDEX_DEFAULT,
                NETCONFA_FORWARDING},
           Case{"net.ipv4.conf.all.rp_filter", AF_INET, NETCONFA_IFINDEX_ALL, NETCONFA_RP_FILTER},
           Case{"net.ipv4.conf.default.rp_filter", AF_INET, NETCONFA_IFINDEX_DEFAULT,
                NETCONFA_RP_FILTER},
       }) {
    std::optional<NetconfKey> k = NetconfKeyOf(c.key);
    ASSERT_TRUE(k.has_value()) << c.key;
    EXPECT_EQ(k->family, c.family) << c.key;
    EXPECT_EQ(k->ifindex, c.ifindex) << c.key;
    EXPECT_EQ(k->attr, c.attr) << c.key;
  }
}

// Everything else goes to /proc/sys: per-interface keys (their names can be
// "all.x" only by coincidence of a dot), other settings, other trees.
TEST(NetconfTest, OtherKeysAreNotNetconfs) {
  for (const char* key : {"net.ipv4.conf.eth0.forwarding", "net.ipv6.conf.all.disable_ipv6",
                          "net.ipv6.conf.all.rp_filter", "net.ipv4.conf.all", "net.ipv4.conf.",
                          "net.ipv4.ip_forwarding", "net.ipv4.conf.all.forwarding.x",
                          "net.core.somaxconn", "net/ipv4/ip_forward", ""}) {
    EXPECT_FALSE(NetconfKeyOf(key).has_value()) << key;
  }
}

}  // namespace
}  // namespace topo
