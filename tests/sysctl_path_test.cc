// Sysctl keys to /proc/sys paths (kernel/netlink_backend.h's SysctlPath). The
// interface part of a per-interface key keeps its dots: before the fix
// net.ipv4.conf.e0.100.forwarding became /proc/sys/net/ipv4/conf/e0/100/forwarding,
// which does not exist, so sysctls of dotted interfaces (VLAN-style names)
// could not be set.
#include <gtest/gtest.h>

#include "kernel/netlink_backend.h"

namespace topo {
namespace {

std::string PathOf(const std::string& key) {
  std::string path;
  Status s = SysctlPath(key, &path);
  return s.ok() ? path : "error: " + s.message();
}

TEST(SysctlPathTest, DotsAreSeparatorsExceptInsideInterfaceNames) {
  EXPECT_EQ(PathOf("net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward");
  EXPECT_EQ(PathOf("net.ipv4.conf.all.forwarding"), "/proc/sys/net/ipv4/conf/all/forwarding");
  EXPECT_EQ(PathOf("net.ipv4.conf.e0.100.forwarding"), "/proc/sys/net/ipv4/conf/e0.100/forwarding");
  EXPECT_EQ(PathOf("net.ipv6.conf.a.b.c.disable_ipv6"),
            "/proc/sys/net/ipv6/conf/a.b.c/disable_ipv6");
  EXPECT_EQ(PathOf("net.ipv4.neigh.e0.100.gc_stale_time"),
            "/proc/sys/net/ipv4/neigh/e0.100/gc_stale_time");
  EXPECT_EQ(PathOf("net.ipv4.tcp_rmem"), "/proc/sys/net/ipv4/tcp_rmem");
  EXPECT_EQ(PathOf("net..x").rfind("error", 0), 0u);
}

}  // namespace
}  // namespace topo
