// Apply, rollback and teardown against the recording backend, plus the lab
// operations (up/down with the journal and collision checks) on a temporary
// state directory. No privileges needed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "front/validate.h"
#include "lab/apply.h"
#include "lab/lab.h"
#include "lab/teardown.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

Plan LoadPlanFile(const std::string& rel, std::optional<std::string> prefix = std::nullopt) {
  Document doc;
  DiagnosticList diags(rel);
  ValidateOptions vo;
  vo.prefix = prefix;
  auto t = LoadAndValidate(testing::SourcePath(rel), vo, &doc, &diags);
  EXPECT_TRUE(t) << FormatDiagnostics(diags, doc.text);
  return Compile(*t, rel);
}

Plan Seed(std::optional<std::string> prefix = std::nullopt) {
  return LoadPlanFile("topologies/server-router-client.yaml", prefix);
}

class TempStateDir : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
  }
  testing::TempDir tmp_{"topo-state"};
  std::string dir_;
};

TEST(ApplyTest, AppliesEveryActionInOrder) {
  Plan p = Seed();
  RecordingBackend b;
  ApplyResult r = Apply(p, b);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.applied, p.actions.size());
  ASSERT_EQ(b.calls().size(), p.actions.size());
  EXPECT_EQ(b.calls()[0], "create namespace server");
  EXPECT_EQ(b.calls()[6], "create veth server:vethS <-> router:veth-srv");
  EXPECT_EQ(b.calls()[24], "add snat router 10.0.1.0/24 out veth-cli to 10.0.2.1");
  // Names come last: every namespace gets the one hosts file.
  EXPECT_EQ(b.calls()[25], "write /etc/netns/server/hosts");
  EXPECT_EQ(b.calls().back(), "write /etc/netns/client/hosts as a link to server");
  EXPECT_EQ(b.etc_files().size(), 3u);
  EXPECT_NE(b.etc_files().at("client/hosts").find("10.0.1.2\tserver\n"), std::string::npos);
  EXPECT_EQ(b.Namespaces(), (std::set<std::string>{"server", "router", "client"}));
}

TEST(ApplyTest, FailureAtEveryActionRollsBackToNothing) {
  Plan p = Seed();
  for (size_t i = 0; i < p.actions.size(); ++i) {
    RecordingBackend b;
    b.FailAt(static_cast<int>(i), "File exists");
    ApplyResult r = Apply(p, b);
    ASSERT_FALSE(r.status.ok());
    ASSERT_TRUE(r.failed_index.has_value());
    EXPECT_EQ(*r.failed_index, i);
    EXPECT_EQ(r.status.message(), Describe(p.actions[i]) + ": File exists");
    EXPECT_TRUE(r.rolled_back);
    EXPECT_TRUE(r.rollback.ok());
    EXPECT_TRUE(b.Empty()) << "left behind after failing at action " << i;
  }
}

TEST(ApplyTest, CancellationRollsBack) {
  Plan p = Seed();
  RecordingBackend b;
  std::atomic<bool> cancel{false};
  ApplyOptions o;
  o.cancel = &cancel;
  struct CancelAt7 : LabObserver {
    std::atomic<bool>* cancel;
    void OnAction(const ActionEvent& e) override {
      if (e.index == 7) *cancel = true;
    }
  } observer;
  observer.cancel = &cancel;
  o.observer = &observer;
  ApplyResult r = Apply(p, b, o);
  EXPECT_TRUE(r.status.IsInterrupted());
  EXPECT_EQ(r.applied, 8u);
  EXPECT_TRUE(b.Empty());
}

TEST(TeardownTest, RemovesNamespacesAndEtcFilesAndSkipsWhatGoesWithThem) {
  Plan p = Seed();
  RecordingBackend b;
  ASSERT_TRUE(Apply(p, b).status.ok());
  size_t before = b.calls().size();
  TeardownReport rep = Teardown(p, std::vector<bool>(p.actions.size(), true), std::nullopt, {}, b);
  EXPECT_TRUE(rep.ok());
  EXPECT_EQ(rep.undone, 6u);
  EXPECT_EQ(rep.skipped, p.actions.size() - 6);
  std::vector<std::string> calls(b.calls().begin() + before, b.calls().end());
  EXPECT_EQ(calls, (std::vector<std::string>{
                       "remove /etc/netns/client/hosts", "remove /etc/netns/router/hosts",
                       "remove /etc/netns/server/hosts", "delete namespace client",
                       "delete namespace router", "delete namespace server"}));
  EXPECT_TRUE(b.Empty());
}

TEST(TeardownTest, EndsStrayProcessesOnceBeforeRemovingTheNamespaces) {
  Plan p = Seed();
  RecordingBackend b;
  ASSERT_TRUE(Apply(p, b).status.ok());
  b.AddProcess("server");  // topo exec server -- sh -c 'sleep 300 &'
  b.AddProcess("server");
  b.AddProcess("router");
  TeardownReport rep = Teardown(p, std::vector<bool>(p.actions.size(), true), std::nullopt, {}, b);
  EXPECT_TRUE(rep.ok());
  EXPECT_EQ(rep.ended_processes, 3u);
  EXPECT_EQ(b.process_ends(),
            (std::vector<std::string>{"end processes in server, router, client"}));
  EXPECT_EQ(b.leaked(), 0);
  EXPECT_TRUE(b.Empty());
}

TEST(TeardownTest, RollbackEndsStrayProcessesToo) {
  Plan p = Seed();
  RecordingBackend b;
  b.AddProcess("server");
  b.FailAt(10);
  ApplyResult r = Apply(p, b);
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.rollback.ended_processes, 1u);
  EXPECT_EQ(b.leaked(), 0);
  EXPECT_TRUE(b.Empty());
}

TEST(TeardownTest, IsIdempotent) {
  Plan p = Seed();
  RecordingBackend b;
  ASSERT_TRUE(Apply(p, b).status.ok());
  std::vector<bool> all(p.actions.size(), true);
  EXPECT_TRUE(Teardown(p, all, std::nullopt, {}, b).ok());
  TeardownReport again = Teardown(p, all, std::nullopt, {}, b);
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(again.already_gone.size(), 6u);
  EXPECT_EQ(again.already_gone[0], "remove /etc/netns/client/hosts");
  EXPECT_EQ(again.already_gone[3], "delete namespace client");
}

TEST(TeardownTest, UndoesTheActionThatMayHaveBeenInProgress) {
  Plan p = Seed();
  RecordingBackend b;
  // The process died right after creating the second namespace, before journaling it.
  ASSERT_TRUE(b.CreateNamespace("server").ok());
  ASSERT_TRUE(b.CreateNamespace("router").ok());
  std::vector<bool> done(p.actions.size(), false);
  done[0] = true;
  TeardownReport rep = Teardown(p, done, 1, {}, b);
  EXPECT_TRUE(rep.ok());
  EXPECT_TRUE(b.Empty());
}

TEST(TeardownTest, RestoresSysctlsOutsideRemovedNamespaces) {
  Action a;
  a.kind = ActionKind::kSetSysctl;
  a.ns = "elsewhere";
  a.set_key("net.ipv4.ip_forward");
  a.set_value("1");
  Plan p;
  p.actions = {a};
  RecordingBackend b;
  b.AddForeignNamespace("elsewhere");
  std::string prev;
  ASSERT_TRUE(b.SetSysctl("elsewhere", a.key(), "1", &prev).ok());
  TeardownReport rep = Teardown(p, {true}, std::nullopt, {{0, "0"}}, b);
  EXPECT_EQ(rep.undone, 1u);
  EXPECT_EQ(b.calls().back(), "set sysctl elsewhere net.ipv4.ip_forward=0");
}

using LabTest = TempStateDir;

TEST_F(LabTest, UpRecordsJournalAndDownRemovesEverything) {
  Plan p = Seed();
  RecordingBackend b;
  StateStore store(dir_);
  UpResult up = Up(p, b, store);
  ASSERT_TRUE(up.status.ok()) << up.status.message();
  store.Unlock();
  EXPECT_EQ(store.ListLabs(), (std::vector<std::string>{"server-router-client"}));
  LabRecord rec;
  ASSERT_TRUE(store.ReadLab("server-router-client", &rec).ok());
  EXPECT_TRUE(rec.complete);
  EXPECT_EQ(std::count(rec.done.begin(), rec.done.end(), true),
            static_cast<long>(p.actions.size()));
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/labs/server-router-client/journal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  DownResult down = Down("server-router-client", b, store);
  store.Unlock();
  ASSERT_TRUE(down.status.ok()) << down.status.message();
  EXPECT_TRUE(down.was_up);
  EXPECT_TRUE(b.Empty());
  EXPECT_TRUE(store.ListLabs().empty());

  DownResult again = Down("server-router-client", b, store);
  EXPECT_TRUE(again.status.ok());
  EXPECT_FALSE(again.was_up);
}

TEST_F(LabTest, FailedUpLeavesNoStateAndNoKernelObjects) {
  Plan p = Seed();
  RecordingBackend b;
  b.FailAt(10);
  StateStore store(dir_);
  UpResult up = Up(p, b, store);
  EXPECT_FALSE(up.status.ok());
  EXPECT_TRUE(b.Empty());
  EXPECT_TRUE(store.ListLabs().empty());
}

TEST_F(LabTest, CollisionNamesTheOwningLabAndChangesNothing) {
  RecordingBackend b;
  StateStore store(dir_);
  ASSERT_TRUE(Up(Seed(), b, store).status.ok());
  store.Unlock();
  size_t calls = b.calls().size();
  // A different lab whose namespace names clash.
  Plan other = Seed();
  other.lab = "other";
  UpResult r = Up(other, b, store);
  store.Unlock();
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(),
            "cannot bring up lab 'other': namespace 'server' belongs to lab "
            "'server-router-client' (and 2 more name clashes); nothing was changed (use --prefix "
            "to run a second copy)");
  EXPECT_EQ(b.calls().size(), calls);
  // The same lab twice.
  r = Up(Seed(), b, store);
  store.Unlock();
  EXPECT_TRUE(r.status.IsAlreadyExists());
  EXPECT_EQ(b.calls().size(), calls);
  // A second copy with a prefix is fine.
  EXPECT_TRUE(Up(Seed("copy-"), b, store).status.ok());
}

TEST_F(LabTest, ForeignNamespaceIsNotTouched) {
  RecordingBackend b;
  b.AddForeignNamespace("router");
  StateStore store(dir_);
  UpResult r = Up(Seed(), b, store);
  EXPECT_EQ(r.status.message(),
            "cannot bring up lab 'server-router-client': namespace 'router' already exists and "
            "was not created by topo; nothing was changed (use --prefix to run a second copy)");
  EXPECT_TRUE(b.calls().empty());
}

TEST_F(LabTest, DownAfterCrashRemovesWhatTheJournalNames) {
  Plan p = Seed();
  RecordingBackend b;
  StateStore store(dir_);
  ASSERT_TRUE(store.Open().ok());
  Journal j;
  ASSERT_TRUE(store.CreateLab(p, &j).ok());
  // Simulate a process killed after 5 actions (the 6th happened but was not journaled).
  for (size_t i = 0; i < 6; ++i) {
    std::string note;
    ASSERT_TRUE(DoAction(b, p.actions[i], &note).ok());
    if (i < 5) ASSERT_TRUE(j.Done(i, note).ok());
  }
  DownResult d = Down(p.lab, b, store);
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  EXPECT_FALSE(d.was_complete);
  EXPECT_TRUE(b.Empty());
  EXPECT_TRUE(store.ListLabs().empty());
}

TEST_F(LabTest, UnwritableStateDirRefusesBeforeTouchingTheKernel) {
  if (testing::IsRoot()) {
    // Root ignores permissions; make the labs path a file instead.
    StateStore probe(dir_);
    ASSERT_TRUE(probe.Open().ok());
    std::filesystem::remove_all(dir_ + "/labs");
    FILE* f = std::fopen((dir_ + "/labs").c_str(), "w");
    std::fclose(f);
  } else {
    chmod(dir_.c_str(), 0500);
  }
  RecordingBackend b;
  StateStore store(dir_);
  UpResult r = Up(Seed(), b, store);
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(b.calls().empty());
}

TEST(StateStoreTest, RefusesUnsafeLabNames) {
  EXPECT_FALSE(StateStore::IsSafeLabName("../etc"));
  EXPECT_FALSE(StateStore::IsSafeLabName("a/b"));
  EXPECT_FALSE(StateStore::IsSafeLabName(""));
  EXPECT_FALSE(StateStore::IsSafeLabName("-rf"));
  EXPECT_TRUE(StateStore::IsSafeLabName("lab1-server_router.client"));
}

}  // namespace
}  // namespace topo
