// Issue #16 item 3: root sysctls that the kernel ties together. Restoring
// net.ipv4.ip_forward used to reset every interface's forwarding (the kernel
// propagates a change of it), and net.ipv4.ip_forward and
// net.ipv4.conf.all.forwarding, one setting, could be owned by two labs.
// The RecordingBackend models both as the kernel does.
#include <gtest/gtest.h>

#include <filesystem>

#include "lab/actions.h"
#include "lab/apply.h"
#include "lab/lab.h"
#include "lab/teardown.h"
#include "model/sysctl_aliases.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

TEST(SysctlAliasesTest, AliasesAndWhatTheKernelPropagates) {
  EXPECT_EQ(CanonicalSysctlKey("net.ipv4.ip_forward"), "net.ipv4.conf.all.forwarding");
  EXPECT_EQ(CanonicalSysctlKey("net.ipv4.conf.all.forwarding"), "net.ipv4.conf.all.forwarding");
  EXPECT_EQ(CanonicalSysctlKey("net.ipv6.conf.all.forwarding"), "net.ipv6.conf.all.forwarding");
  EXPECT_EQ(
      PropagatedSysctlKeys("net.ipv4.ip_forward", {"eth0", "e0.100"}),
      (std::vector<std::string>{"net.ipv4.conf.default.forwarding", "net.ipv4.conf.eth0.forwarding",
                                "net.ipv4.conf.e0.100.forwarding"}));
  EXPECT_EQ(PropagatedSysctlKeys("net.ipv6.conf.all.forwarding", {"lo"}),
            (std::vector<std::string>{"net.ipv6.conf.default.forwarding",
                                      "net.ipv6.conf.lo.forwarding"}));
  EXPECT_TRUE(PropagatedSysctlKeys("net.ipv4.conf.eth0.forwarding", {"eth0"}).empty());
  EXPECT_TRUE(PropagatedSysctlKeys("net.ipv4.conf.default.forwarding", {"eth0"}).empty());
  EXPECT_TRUE(IsPropagatedSysctlKey("net.ipv4.ip_forward", "net.ipv4.conf.e0.100.forwarding"));
  EXPECT_TRUE(IsPropagatedSysctlKey("net.ipv4.ip_forward", "net.ipv4.conf.default.forwarding"));
  // What a tampered journal note could name instead.
  EXPECT_FALSE(IsPropagatedSysctlKey("net.ipv4.ip_forward", "net.ipv6.conf.eth0.forwarding"));
  EXPECT_FALSE(IsPropagatedSysctlKey("net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"));
  EXPECT_FALSE(IsPropagatedSysctlKey("net.ipv4.ip_forward", "net.ipv4.conf.eth0.rp_filter"));
  EXPECT_FALSE(IsPropagatedSysctlKey("net.ipv4.ip_forward", "net.ipv4.conf.../../x.forwarding"));
  EXPECT_FALSE(
      IsPropagatedSysctlKey("net.ipv4.conf.eth0.forwarding", "net.ipv4.conf.x.forwarding"));
}

// The shipped host-attached lab sets net.ipv4.ip_forward: 1 on the host.
TEST(SysctlAliasesTest, DownRestoresEveryInterfacesForwardingAsItWas) {
  testing::TempDir tmp("topo-sysctl");
  ASSERT_TRUE(tmp.ok());
  const Plan p = testing::ShippedPlan("topologies/host-attached.yaml");
  RecordingBackend b;
  b.AddHostInterface("eth0", {"192.0.2.2/24"});
  b.AddHostInterface("eth1");
  std::string unused;
  ASSERT_TRUE(b.SetSysctl("", "net.ipv4.conf.eth0.forwarding", "1", &unused).ok());
  ASSERT_TRUE(b.SetSysctl("", "net.ipv4.conf.default.forwarding", "1", &unused).ok());
  StateStore store(tmp.path());
  ASSERT_TRUE(Up(p, b, store).status.ok());
  EXPECT_EQ(b.Sysctl("", "net.ipv4.conf.all.forwarding"), "1");
  EXPECT_EQ(b.Sysctl("", "net.ipv4.conf.eth1.forwarding"), "1") << "the kernel propagated it";
  store.Unlock();
  ASSERT_TRUE(Down(p.lab, b, store).status.ok());
  EXPECT_EQ(b.Sysctl("", "net.ipv4.ip_forward"), "0");
  EXPECT_EQ(b.Sysctl("", "net.ipv4.conf.eth0.forwarding"), "1") << "was 1 before the lab";
  EXPECT_EQ(b.Sysctl("", "net.ipv4.conf.eth1.forwarding"), "0");
  EXPECT_EQ(b.Sysctl("", "net.ipv4.conf.default.forwarding"), "1");
}

TEST(SysctlAliasesTest, ANoteNamingAnythingElseRestoresOnlyTheValue) {
  RecordingBackend b;
  b.AddHostInterface("eth0");
  Action a;
  a.kind = ActionKind::kSetSysctl;
  a.key = "net.ipv4.ip_forward";
  a.value = "1";
  EXPECT_TRUE(UndoAction(b, a,
                         "0\nnet.ipv4.conf.eth0.forwarding=1\nnet.ipv4.conf.eth0.rp_filter=2\n"
                         "net.core.somaxconn=1\ngarbage")
                  .ok());
  EXPECT_EQ(b.Sysctl("", "net.ipv4.conf.eth0.forwarding"), "1");
  EXPECT_EQ(b.Sysctl("", "net.ipv4.conf.eth0.rp_filter"), "0");
  EXPECT_EQ(b.Sysctl("", "net.core.somaxconn"), "0");
  // An interface gone since is no error.
  EXPECT_TRUE(UndoAction(b, a, "0\nnet.ipv4.conf.gone.forwarding=1").ok());
}

TEST(SysctlAliasesTest, TwoNamesOfOneSettingAreOneOwner) {
  testing::TempDir tmp("topo-sysctl");
  ASSERT_TRUE(tmp.ok());
  const Plan p = testing::ShippedPlan("topologies/host-attached.yaml");
  RecordingBackend b;
  StateStore store(tmp.path());
  ASSERT_TRUE(Up(p, b, store).status.ok());
  store.Unlock();
  Plan second = p;
  second.lab = "other";
  second.namespaces = {"o-ns1"};
  for (Action& a : second.actions) {
    if (a.ifname == "veth0") a.ifname = "veth9";
    if (a.ns == "ns1") a.ns = "o-ns1";
    if (a.peer_ns == "ns1") a.peer_ns = "o-ns1";
    if (a.key == "net.ipv4.ip_forward") a.key = "net.ipv4.conf.all.forwarding";
  }
  UpResult again = Up(second, b, store);
  EXPECT_FALSE(again.status.ok());
  EXPECT_NE(again.status.message().find(
                "sysctl net.ipv4.conf.all.forwarding of the root namespace is already set by lab "
                "'host-attached' (as net.ipv4.ip_forward, the same setting)"),
            std::string::npos)
      << again.status.message();
}

}  // namespace
}  // namespace topo
