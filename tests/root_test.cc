// The root node (kind: root) without privileges: the plan's root-namespace
// actions (ns ""), what teardown may leave to namespace removal and what it
// must undo, the journal note that survives a crash, the clashes `up` refuses
// before touching the host, and apply/rollback against the recording backend.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "front/validate.h"
#include "lab/apply.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::ExpectGolden;

const char* kHostLab = "topologies/host-attached.yaml";

Plan HostPlan() { return testing::ShippedPlan(kHostLab); }

// A host like the test machines: eth0 with 192.0.2.2/24 and fd00::2/64.
void AddTypicalHost(RecordingBackend* b) {
  b->AddHostInterface("eth0", {"192.0.2.2/24", "fd00::2/64"});
  b->AddHostRoute("default via 192.0.2.1 dev eth0");
  b->AddHostRoute("192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2");
  b->AddHostRoute("fd00::/64 dev eth0 proto kernel metric 256");
  b->AddHostRoute("fe80::/64 dev eth0 proto kernel metric 256");
  b->AddHostRoute("default via fd00::1 dev eth0 metric 1024");
}

TEST(RootTest, HostAttachedGoldenPlans) {
  Plan p = HostPlan();
  ExpectGolden("host-attached.plan.txt", FormatPlanText(p));
  ExpectGolden("host-attached.plan.json", PlanToJson(p).dump(2) + "\n");
  ExpectGolden("host-attached.up.sh", FormatPlanShell(p, false));
  ExpectGolden("host-attached.down.sh", FormatPlanShell(p, true));
}

TEST(RootTest, TheRootNodeHasNoNamespaceOfItsOwn) {
  Plan p = HostPlan();
  EXPECT_EQ(p.namespaces, std::vector<std::string>{"ns1"});
  Plan back;
  ASSERT_TRUE(PlanFromJson(PlanToJson(p), &back).ok());
  EXPECT_EQ(PlanToJson(back).dump(), PlanToJson(p).dump());
  // A prefix names the lab's namespaces, never the root-side interfaces.
  DiagnosticList diags;
  auto t = testing::ValidateText(testing::ReadFile(testing::SourcePath(kHostLab)), &diags);
  ASSERT_TRUE(t);
  t->prefix = "x-";
  Plan prefixed = Compile(*t);
  EXPECT_EQ(Describe(prefixed.actions[2]), "create veth (root):veth0 <-> x-ns1:veth1");
}

TEST(RootTest, WhatGoesWithTheLabNamespacesAndWhatIsUndone) {
  Plan p = HostPlan();
  const std::vector<bool> moot = MootActions(p, std::vector<bool>(p.actions.size(), true));
  std::vector<std::string> undone;
  for (size_t i = 0; i < p.actions.size(); ++i) {
    if (!moot[i]) undone.push_back(DescribeInverse(p.actions[i]));
  }
  EXPECT_EQ(undone, (std::vector<std::string>{
                        "delete namespace ns1", "delete veth (root):veth0 <-> ns1:veth1",
                        "restore sysctl (root) net.ipv4.ip_forward",
                        "delete snat (root) 192.168.10.0/24 out eth0 masquerade",
                        "remove /etc/netns/ns1/hosts"}));
  // The root end's address and link state go with the veth pair.
  EXPECT_TRUE(moot[4]);  // add address (root):veth0
  EXPECT_TRUE(moot[6]);  // set link (root):veth0 up
  // Had the veth pair never been made, its address could not have been either.
  std::vector<bool> touched(p.actions.size(), true);
  touched[2] = false;
  EXPECT_FALSE(MootActions(p, touched)[4]);
}

TEST(RootTest, ApplyAndTeardownLeaveTheHostAsItWas) {
  Plan p = HostPlan();
  RecordingBackend b;
  AddTypicalHost(&b);
  ApplyResult r = Apply(p, b);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(b.Sysctl("", "net.ipv4.ip_forward"), "1");
  EXPECT_EQ(b.Rules(""),
            std::vector<std::string>{"POSTROUTING -s 192.168.10.0/24 -o eth0 -m comment --comment "
                                     "topo:host-attached -j MASQUERADE"});
  EXPECT_TRUE(b.HasNatTable(""));
  std::vector<bool> done(p.actions.size(), true);
  std::map<size_t, std::string> notes = {{3, "0"}, {9, kNewNatTable}};
  TeardownReport t = Teardown(p, done, std::nullopt, notes, b);
  EXPECT_TRUE(t.ok()) << t.errors[0];
  EXPECT_EQ(t.undone, 5u);  // the namespace, the host's four changes, the hosts file
  EXPECT_TRUE(b.Empty());
  EXPECT_EQ(b.Sysctl("", "net.ipv4.ip_forward"), "0");
}

TEST(RootTest, RollbackAtEveryActionLeavesTheHostAsItWas) {
  Plan p = HostPlan();
  for (size_t at = 0; at < p.actions.size() + 1; ++at) {  // + the nat table's removal
    RecordingBackend b;
    AddTypicalHost(&b);
    b.FailAt(static_cast<int>(at));
    ApplyResult r = Apply(p, b);
    if (at == p.actions.size()) {
      // Nothing failed during up; fail the table's removal during down.
      ASSERT_TRUE(r.status.ok());
      std::vector<bool> done(p.actions.size(), true);
      TeardownReport t = Teardown(p, done, std::nullopt, {{9, kNewNatTable}}, b);
      EXPECT_FALSE(t.ok());
      continue;
    }
    ASSERT_FALSE(r.status.ok()) << at;
    EXPECT_TRUE(r.rollback.ok()) << at;
    EXPECT_TRUE(b.Empty()) << "failing at " << at;
  }
}

TEST(RootTest, ANoteJournaledBeforeTheActionSurvivesACrashDuringIt) {
  testing::TempDir tmp("topo-root");
  ASSERT_TRUE(tmp.ok());
  const std::string dir = tmp.path();
  Plan p = HostPlan();
  RecordingBackend b;
  {
    StateStore store(dir);
    ASSERT_TRUE(store.Open().ok());
    Journal journal;
    ASSERT_TRUE(store.CreateLab(p, &journal).ok());
    // Up as far as the sysctl; the process dies after writing it, before "done 3".
    for (size_t i = 0; i <= 3; ++i) {
      std::string before, note;
      ASSERT_TRUE(PrepareAction(b, p.actions[i], &before).ok());
      if (!before.empty()) ASSERT_TRUE(journal.Before(i, before).ok());
      ASSERT_TRUE(DoAction(b, p.actions[i], &note).ok());
      if (i < 3) ASSERT_TRUE(journal.Done(i, note).ok());
    }
  }
  EXPECT_EQ(b.Sysctl("", "net.ipv4.ip_forward"), "1");
  StateStore store(dir);
  DownResult d = Down(p.lab, b, store);
  EXPECT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_FALSE(d.was_complete);
  EXPECT_TRUE(b.Empty());
  EXPECT_EQ(b.Sysctl("", "net.ipv4.ip_forward"), "0");
  std::filesystem::remove_all(dir);
}

TEST(RootTest, SnatUndoDeletesExactlyTheRulesThatAreThere) {
  Action a;
  a.kind = ActionKind::kAddSnat;
  std::string err;
  a.mutable_snat() = {
      SnatSpec{*ParsePrefix("10.1.0.0/24", &err), "eth0", std::nullopt, "topo:lab"},
      SnatSpec{*ParsePrefix("10.2.0.0/24", &err), "eth0", std::nullopt, "topo:lab"}};
  RecordingBackend b;
  b.AddHostInterface("eth0");
  ASSERT_TRUE(b.AddSnat("", {a.snat()[0]}).ok());
  b.AddForeignNatRule("", false, "POSTROUTING -o eth0 -j ACCEPT");
  // The second rule never made it (a crash during up): the first still goes, nothing else does.
  EXPECT_TRUE(UndoAction(b, a, "").ok());
  EXPECT_EQ(b.Rules(""), std::vector<std::string>{"POSTROUTING -o eth0 -j ACCEPT"});
  EXPECT_TRUE(UndoAction(b, a, "").IsNotFound());
  // A table with someone else's rule in it stays.
  EXPECT_TRUE(UndoAction(b, a, kNewNatTable).IsNotFound());
  EXPECT_TRUE(b.HasNatTable(""));
}

class RootClashTest : public ::testing::Test {
 protected:
  static Prefix DefaultRoute() {
    Prefix p;
    p.addr.family = 4;
    return p;
  }
  std::string Clashes(const std::string& root_node) {
    DiagnosticList diags;
    Document doc;
    std::optional<Topology> t;
    if (LoadText("test.yaml",
                 "name: lab\nnodes:\n  host:\n    kind: root\n" + root_node +
                     "  ns1: {interfaces: {eth1: []}}\n"
                     "links:\n  - [host:" +
                     root_ifname_ + ", ns1:eth1]\n",
                 &doc, &diags)) {
      ValidateOptions vo;
      // A default route on the root node needs --allow-host-route (validate).
      vo.allowed_host_routes = {DefaultRoute()};
      t = Validate(doc, vo, &diags);
    }
    EXPECT_TRUE(t) << testing::Brief(diags);
    if (!t) return "";
    RecordingBackend b;
    AddTypicalHost(&b);
    StateStore store("/nonexistent/topo-state");
    std::string out;
    for (const std::string& p : RootClashes(Compile(*t), b, store)) out += p + "\n";
    return out;
  }
  std::string root_ifname_ = "veth0";
};

TEST_F(RootClashTest, NothingOverlapsNothingIsRefused) {
  EXPECT_EQ(Clashes("    interfaces: {veth0: [10.77.0.1/24, \"fd77::1/64\", \"fe80::1/64\"]}\n"
                    "    routes: [{to: 10.78.0.0/16, via: 10.77.0.2}]\n"),
            "");
}

TEST_F(RootClashTest, AddressesAndRoutesThatOverlapTheHostsAreNamed) {
  EXPECT_EQ(Clashes("    interfaces: {veth0: [192.0.2.10/24, \"fd00::10/64\"]}\n"
                    "    routes:\n"
                    "      - {to: default, via: 192.0.2.99}\n"
                    "      - {to: 192.0.0.0/16, via: 192.0.2.99}\n"),
            "host-side address 192.0.2.10/24 on 'veth0' overlaps 192.0.2.2/24 on eth0, which the "
            "host already has\n"
            "host-side address fd00::10/64 on 'veth0' overlaps fd00::2/64 on eth0, which the host "
            "already has\n"
            "host-side route default (IPv4) overlaps the host's route default via 192.0.2.1 dev "
            "eth0\n"
            "host-side route 192.0.0.0/16 overlaps the host's route 192.0.2.0/24 dev eth0 proto "
            "kernel scope link src 192.0.2.2\n");
}

TEST_F(RootClashTest, ARootSideInterfaceNameTheHostHasIsRefused) {
  root_ifname_ = "eth0";
  EXPECT_EQ(Clashes("    interfaces: {eth0: []}\n"),
            "interface 'eth0' already exists in the root namespace (root-side interface names are "
            "used as written; rename it in the file)\n");
}

TEST(RootCollisionTest, UpRefusesAndChangesNothing) {
  testing::TempDir tmp("topo-root");
  ASSERT_TRUE(tmp.ok());
  const std::string dir = tmp.path();
  Plan p = HostPlan();
  RecordingBackend b;
  b.AddHostInterface("veth0");
  StateStore store(dir);
  UpResult r = Up(p, b, store);
  EXPECT_TRUE(r.status.IsAlreadyExists());
  EXPECT_EQ(r.status.message(),
            "cannot bring up lab 'host-attached': interface 'veth0' already exists in the root "
            "namespace (root-side interface names are used as written; rename it in the file); "
            "nothing was changed");
  EXPECT_EQ(b.mutating_calls(), 0);
  // A second lab registering the same root-side interface name is refused
  // while the first is up (made or not yet: the store's lock covers the check
  // and the registration, not the kernel's changes).
  RecordingBackend clean;
  ASSERT_TRUE(Up(p, clean, store).status.ok());
  Plan second = p;
  second.lab = "other";
  second.namespaces = {"o-ns1"};
  for (Action& a : second.actions) {
    if (a.ns == "ns1") a.ns = "o-ns1";
    if (a.peer_ns() == "ns1") a.set_peer_ns("o-ns1");
  }
  RecordingBackend not_yet;  // the kernel does not have the first lab's veth0
  UpResult again = Up(second, not_yet, store);
  EXPECT_NE(again.status.message().find(
                "interface 'veth0' of the root namespace belongs to lab 'host-attached'"),
            std::string::npos)
      << again.status.message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace topo
