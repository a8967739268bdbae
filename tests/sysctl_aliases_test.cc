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
#include "plan/compile.h"
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
  a.set_key("net.ipv4.ip_forward");
  a.set_value("1");
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

// The host-attached lab again under another name, namespace, host-side
// interface and subnet (192.168.N.0/24), setting forwarding as `key` to `value`.
Plan Renamed(const std::string& lab, int n, const std::string& key, const std::string& value) {
  std::string text = testing::ReadFile(testing::SourcePath("topologies/host-attached.yaml"));
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size())) {
      text.replace(at, from.size(), to);
    }
  };
  replace("name: host-attached", "name: " + lab);
  replace("veth0", "v" + lab);
  replace("ns1", lab + "1");
  replace("192.168.10.", "192.168." + std::to_string(n) + ".");
  replace("net.ipv4.ip_forward: 1", key + ": " + value);
  DiagnosticList diags;
  std::optional<Topology> t = testing::ValidateText(text, &diags, lab + ".yaml");
  EXPECT_TRUE(t) << testing::Brief(diags);
  return t ? Compile(*t, lab + ".yaml") : Plan{};
}

// Two labs in two state directories set one setting under its two names: the
// value before the first is back only when the last goes down, in either
// order; a lab wanting another value is refused. Before the owner registry
// the second lab was refused, and a lab of another state directory not seen.
TEST(SysctlAliasesTest, OneSettingSharedByLabsOfTwoStateDirectoriesIsRestoredByTheLast) {
  testing::TempDir one("topo-sysctl"), two("topo-sysctl");
  ASSERT_TRUE(one.ok() && two.ok());
  const Plan a = testing::ShippedPlan("topologies/host-attached.yaml");
  const Plan b = Renamed("other", 11, "net.ipv4.conf.all.forwarding", "1");
  for (bool a_first : {true, false}) {
    RecordingBackend k;
    k.AddHostInterface("eth0", {"192.0.2.2/24"});
    std::string unused;
    ASSERT_TRUE(k.SetSysctl("", "net.ipv4.conf.eth0.forwarding", "1", &unused).ok());
    StateStore store_a(one.path()), store_b(two.path());
    ASSERT_TRUE(Up(a, k, store_a).status.ok());
    UpResult up_b = Up(b, k, store_b);
    ASSERT_TRUE(up_b.status.ok()) << up_b.status.message();
    // Another value for the setting, from a third lab: refused, naming the first.
    UpResult off = Up(Renamed("off", 12, "net.ipv4.ip_forward", "0"), k, store_b);
    EXPECT_FALSE(off.status.ok());
    EXPECT_NE(off.status.message().find("sysctl net.ipv4.ip_forward of the root namespace is "
                                        "already set to 1 by lab 'host-attached' (state "
                                        "directory " +
                                        std::filesystem::canonical(one.path()).string() + ")"),
              std::string::npos)
        << off.status.message();
    ASSERT_TRUE(a_first ? Down(a.lab, k, store_a).status.ok()
                        : Down(b.lab, k, store_b).status.ok());
    EXPECT_EQ(k.Sysctl("", "net.ipv4.ip_forward"), "1") << "the other lab still owns it";
    EXPECT_EQ(k.Sysctl("", "net.ipv4.conf.all.forwarding"), "1");
    ASSERT_TRUE(a_first ? Down(b.lab, k, store_b).status.ok()
                        : Down(a.lab, k, store_a).status.ok());
    EXPECT_EQ(k.Sysctl("", "net.ipv4.ip_forward"), "0") << (a_first ? "a" : "b") << " first";
    EXPECT_EQ(k.Sysctl("", "net.ipv4.conf.eth0.forwarding"), "1") << "was 1 before the labs";
  }
}

// An owner whose lab is no longer recorded (its state directory removed
// behind topo's back) is dropped: the other lab is then the last owner.
TEST(SysctlAliasesTest, AnOwnerWhoseLabIsGoneIsDropped) {
  testing::TempDir two("topo-sysctl");
  ASSERT_TRUE(two.ok());
  const Plan a = testing::ShippedPlan("topologies/host-attached.yaml");
  const Plan b = Renamed("other", 11, "net.ipv4.ip_forward", "1");
  RecordingBackend k;
  k.AddHostInterface("eth0");
  {
    testing::TempDir one("topo-sysctl");
    StateStore store_a(one.path());
    ASSERT_TRUE(Up(a, k, store_a).status.ok());
  }  // its state directory goes, the lab's objects stay
  StateStore store_b(two.path());
  ASSERT_TRUE(Up(b, k, store_b).status.ok());
  ASSERT_TRUE(Down(b.lab, k, store_b).status.ok());
  EXPECT_EQ(k.Sysctl("", "net.ipv4.ip_forward"), "1")
      << "the first lab set it: its value stays, the second lab found it so";
}

// Issue #16 item 3's last edge: a setting the kernel copies into an
// interface's key (net.ipv4.ip_forward into net.ipv4.conf.eth0.forwarding)
// and that key, owned by two labs. With another value, the second is refused
// in either order, naming the first.
TEST(SysctlAliasesTest, ATiedKeyWithAnotherValueIsRefusedInEitherOrder) {
  testing::TempDir one("topo-sysctl"), two("topo-sysctl");
  ASSERT_TRUE(one.ok() && two.ok());
  const Plan a = testing::ShippedPlan("topologies/host-attached.yaml");
  const Plan b = Renamed("perif", 11, "net.ipv4.conf.eth0.forwarding", "0");
  for (bool a_first : {true, false}) {
    RecordingBackend k;
    k.AddHostInterface("eth0", {"192.0.2.2/24"});
    StateStore store_a(one.path()), store_b(two.path());
    ASSERT_TRUE((a_first ? Up(a, k, store_a) : Up(b, k, store_b)).status.ok());
    UpResult second = a_first ? Up(b, k, store_b) : Up(a, k, store_a);
    EXPECT_FALSE(second.status.ok());
    const std::string want =
        a_first ? "sysctl net.ipv4.conf.eth0.forwarding of the root namespace cannot be 0: lab "
                  "'host-attached' (state directory " +
                      std::filesystem::canonical(one.path()).string() +
                      ") sets net.ipv4.ip_forward to 1, which the kernel copies into "
                      "net.ipv4.conf.eth0.forwarding"
                : "sysctl net.ipv4.ip_forward of the root namespace cannot be 1: lab 'perif' "
                  "(state directory " +
                      std::filesystem::canonical(two.path()).string() +
                      ") sets net.ipv4.conf.eth0.forwarding to 0, which the kernel would "
                      "overwrite with it";
    EXPECT_NE(second.status.message().find(want), std::string::npos) << second.status.message();
    EXPECT_EQ(k.Sysctl("", "net.ipv4.conf.eth0.forwarding"), a_first ? "1" : "0");
    ASSERT_TRUE((a_first ? Down(a.lab, k, store_a) : Down(b.lab, k, store_b)).status.ok());
    EXPECT_EQ(k.Sysctl("", "net.ipv4.conf.eth0.forwarding"), "0");
    EXPECT_EQ(k.Sysctl("", "net.ipv4.ip_forward"), "0");
  }
}

// With the same value, both go up; whichever goes down first leaves the key
// as the other set it, and the last restores what was there before both,
// in every order. Before the fix the propagating setting's `down` wrote the
// key's old value over the other lab's, and the key's owner, which had read
// its "original" after the propagation, left it on after both.
TEST(SysctlAliasesTest, ATiedKeyIsRestoredByTheLastOfItsOwners) {
  testing::TempDir one("topo-sysctl"), two("topo-sysctl");
  ASSERT_TRUE(one.ok() && two.ok());
  const Plan a = testing::ShippedPlan("topologies/host-attached.yaml");
  const Plan b = Renamed("perif", 11, "net.ipv4.conf.eth0.forwarding", "1");
  for (bool a_up_first : {true, false}) {
    for (bool a_down_first : {true, false}) {
      const std::string order = std::string(a_up_first ? "a" : "b") + " up first, " +
                                (a_down_first ? "a" : "b") + " down first";
      RecordingBackend k;
      k.AddHostInterface("eth0", {"192.0.2.2/24"});
      k.AddHostInterface("eth1");
      StateStore store_a(one.path()), store_b(two.path());
      auto up_a = [&] { ASSERT_TRUE(Up(a, k, store_a).status.ok()) << order; };
      auto up_b = [&] { ASSERT_TRUE(Up(b, k, store_b).status.ok()) << order; };
      auto down_a = [&] { ASSERT_TRUE(Down(a.lab, k, store_a).status.ok()) << order; };
      auto down_b = [&] { ASSERT_TRUE(Down(b.lab, k, store_b).status.ok()) << order; };
      a_up_first ? up_a() : up_b();
      a_up_first ? up_b() : up_a();
      a_down_first ? down_a() : down_b();
      EXPECT_EQ(k.Sysctl("", "net.ipv4.conf.eth0.forwarding"), "1") << order;
      EXPECT_EQ(k.Sysctl("", "net.ipv4.ip_forward"), a_down_first ? "0" : "1") << order;
      a_down_first ? down_b() : down_a();
      for (const char* key : {"net.ipv4.ip_forward", "net.ipv4.conf.default.forwarding",
                              "net.ipv4.conf.eth0.forwarding", "net.ipv4.conf.eth1.forwarding"}) {
        EXPECT_EQ(k.Sysctl("", key), "0") << key << ", " << order;
      }
    }
  }
}

}  // namespace
}  // namespace topo
