// Routed IPv6 works the moment `topo up` returns: the first packet between
// two hosts on either side of a router gets through, in both directions,
// with a one-second ping. Before topo turned off duplicate address detection
// for link-local addresses and made the kernel act on each link's carrier at
// once, that first second or two was lost: the router could not solicit its
// neighbours (no usable link-local address yet) while IPv4 and direct
// neighbours already worked.
//
// Each lab has a unique prefix and a private state directory, and is removed
// by exact name even when a test fails.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;

// a -- router -- b, IPv6 only, default routes via the router's global addresses.
constexpr const char* kLab = R"(name: v6r
nodes:
  a:
    interfaces:
      eth0: ["2001:db8:1::2/64"]
    routes:
      - {to: default, via: "2001:db8:1::1"}
  router:
    kind: router
    interfaces:
      ea: ["2001:db8:1::1/64"]
      eb: ["2001:db8:2::1/64"]
  b:
    interfaces:
      eth0: ["2001:db8:2::2/64"]
    routes:
      - {to: default, via: "2001:db8:2::1"}
links:
  - [a:eth0, router:ea]
  - [b:eth0, router:eb]
)";

class Ipv6RoutedTest : public testing::LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    labs_.push_back(Lab());
    file_ = state_dir_ + "/v6r.yaml";
    std::ofstream(file_) << kLab;
  }

  std::string Lab() const { return prefix_ + "v6r"; }

  // One echo request, one second to answer.
  void PingOnce(const std::string& node, const std::string& address) {
    auto r = Topo(
        {"exec", "--lab", Lab(), node, "--", "ping", "-6", "-n", "-c", "1", "-W", "1", address});
    EXPECT_EQ(r.status, 0) << node << " -> " << address << " right after up\n" << r.output;
  }

  std::string file_;
};

// Several times, because whether the kernel would have put off a link's
// carrier depends on when it last handled one (a lab just removed counts).
// Each direction goes first in turn: from a, the router solicits b on the end
// brought up first; from b, it solicits a on the end brought up second.
TEST_F(Ipv6RoutedTest, FirstPacketAcrossTheRouterRightAfterUp) {
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto up = Topo({"up", "--prefix", prefix_, file_});
    ASSERT_EQ(up.status, 0) << up.output;
    if (round % 2 == 0) {
      PingOnce("a", "2001:db8:2::2");
      PingOnce("b", "2001:db8:1::2");
    } else {
      PingOnce("b", "2001:db8:1::2");
      PingOnce("a", "2001:db8:2::2");
    }
    auto down = Topo({"down", Lab()});
    ASSERT_EQ(down.status, 0) << down.output;
  }
}

// When `up` returns, every veth end reports its carrier (no NO-CARRIER) and
// has its link-local address, made without duplicate address detection.
TEST_F(Ipv6RoutedTest, LinksAreUpWithLinkLocalsWhenUpReturns) {
  auto up = Topo({"up", "--prefix", prefix_, file_});
  ASSERT_EQ(up.status, 0) << up.output;
  for (auto [node, veths] : {std::pair{"a", 1}, {"router", 2}, {"b", 1}}) {
    const std::string ns = prefix_ + node;
    auto links = RunProcess({"ip", "-n", ns, "-o", "link", "show"});
    EXPECT_EQ(links.output.find("NO-CARRIER"), std::string::npos) << node << "\n" << links.output;
    auto addrs = RunProcess({"ip", "-n", ns, "-o", "-6", "addr", "show", "scope", "link"});
    int link_locals = 0;
    for (size_t at = 0; (at = addrs.output.find("inet6 fe80::", at)) != std::string::npos; ++at) {
      ++link_locals;
    }
    EXPECT_EQ(link_locals, veths) << node << "\n" << addrs.output;
    auto dad = RunProcess(
        {"ip", "netns", "exec", ns, "cat", "/proc/sys/net/ipv6/conf/default/accept_dad"});
    EXPECT_EQ(dad.output, "0\n") << node;
  }
  EXPECT_EQ(Topo({"down", Lab()}).status, 0);
}

}  // namespace
}  // namespace topo
